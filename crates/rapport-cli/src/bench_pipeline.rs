//! `rapport bench --pipeline`: the board of a pipeline holding 10,000 open leads (generated like the demo
//! data, with their deal fields, so each lead passed the stage gate on its way in), loaded as the app loads
//! it; and a lead moved between two stages through the gate, as a drag on the board does.
use std::time::{Duration, Instant};

use rapport_core::leads::ImportMode;
use rapport_core::pipeline::{BoardQuery, Passing};
use rapport_core::{demo, Origin};

use crate::bench::{measure, ms, open_signed_in, percentile, BenchArgs};
use crate::session::CliResult;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Open leads wanted on the board; the generator closes (wins or loses) about two in nine.
const OPEN_LEADS: usize = 10_000;

/// Leads the measured sweep finds stale: the day's share of a large pipeline that went quiet.
const STALE_LEADS: i64 = 1_000;

/// `rapport bench --sweep`: the stagnation sweep over the 1,000,000-lead bench database (a copy), first as
/// the daily run finds it when nothing went stale (the whole scan), then with 1,000 leads whose last move
/// is set two months back, moved through the gate with their change log, history and owners' notices.
pub fn sweep(args: &BenchArgs, db: Option<std::path::PathBuf>) -> CliResult<()> {
    let base = db.unwrap_or_else(|| std::env::temp_dir().join(format!("rapport-bench-{}.db", args.leads)));
    let (core, actor) = open_signed_in(&base)?;
    let total = core.lead_count(&actor).map_err(err)?;
    core.checkpoint().map_err(err)?;
    drop(core);
    let path = base.with_extension("sweep-bench.db");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    eprintln!("copying the database to {}", path.display());
    std::fs::copy(&base, &path).map_err(|e| format!("could not copy the bench database: {e}"))?;
    let core = rapport_core::Rapport::open(&path).map_err(err)?;
    let actor = core.sign_in(crate::bench::BENCH_USER, crate::bench::BENCH_PASSWORD).map_err(err).unwrap_or(actor);

    let scan = Instant::now();
    let quiet = core.pipeline_sweep(&actor, false).map_err(err)?;
    let scan = scan.elapsed();
    if quiet.moved > 0 {
        eprintln!("note: {} leads were already stale and moved in the first sweep", quiet.moved);
    }
    let backdated = core.bench_backdate_new_leads(&actor, STALE_LEADS).map_err(err)?;
    let t = Instant::now();
    let run = core.pipeline_sweep(&actor, false).map_err(err)?;
    let with_moves = t.elapsed();
    let _ = std::fs::remove_file(&path);
    println!("stagnation sweep over {total} leads ({backdated} stage entries backdated)");
    println!("  daily sweep, nothing stale: {:.2} s", scan.as_secs_f64());
    println!(
        "  daily sweep moving {} leads through the gate ({} refused): {:.2} s",
        run.moved,
        run.refused,
        with_moves.as_secs_f64()
    );
    Ok(())
}

pub fn run(args: &BenchArgs, db: Option<std::path::PathBuf>) -> CliResult<()> {
    let path = db.unwrap_or_else(|| std::env::temp_dir().join("rapport-bench-pipeline.db"));
    let (core, actor) = open_signed_in(&path)?;
    if core.lead_count(&actor).map_err(err)? == 0 {
        let n = OPEN_LEADS * 9 / 7 + 10;
        eprintln!("generating {n} leads through the import path (each passes the stage gate)…");
        let rows: Vec<_> = demo::sample_leads(n, 14).enumerate().map(|(i, l)| (i as u32 + 2, l)).collect();
        for chunk in rows.chunks(5_000) {
            core.import_leads_as_is(&actor, chunk, &Origin::import("bench"), ImportMode::AllOrNothing, &mut |_| {})
                .map_err(err)?;
        }
        core.checkpoint().map_err(err)?;
    }
    let board = core.pipeline_board(&actor, &BoardQuery::default()).map_err(err)?;
    let open: usize = board.columns.iter().map(|c| c.cards.len()).sum();

    let load = measure(args.samples.min(100), |_| {
        core.pipeline_board(&actor, &BoardQuery::default()).map(|_| ()).map_err(err)
    })?;

    // Leads in New go to Nurture and back (stages without criteria here, so every move is written; the gate
    // still reads the target's criteria each time).
    let movers: Vec<i64> = board
        .columns
        .iter()
        .find(|c| c.stage.key == "new")
        .map(|c| c.cards.iter().map(|k| k.id).collect())
        .unwrap_or_default();
    if movers.is_empty() {
        return Err("the board has no lead in New to move".into());
    }
    let mut moves: Vec<Duration> = Vec::with_capacity(args.samples);
    for i in 0..args.samples + 20 {
        let id = movers[i % movers.len()];
        let lead = core.get_lead(&actor, id).map_err(err)?;
        let to = if lead.stage == "new" { "nurture" } else { "new" };
        let t = Instant::now();
        core.move_lead(&actor, id, lead.version, to, Passing::Checked).map_err(err)?;
        if i >= 20 {
            moves.push(t.elapsed());
        }
    }
    moves.sort();

    println!("pipeline board with {open} open leads (of {} stored)", core.lead_count(&actor).map_err(err)?);
    println!(
        "  board load (all columns, cards, totals): p50 {}  p95 {}  ({} samples)",
        ms(percentile(&load, 0.5)),
        ms(percentile(&load, 0.95)),
        load.len()
    );
    println!(
        "  move through the gate (validation, gate, lead, change log, stage history, duplicate keys): p50 {}  p95 {}  ({} samples)",
        ms(percentile(&moves, 0.5)),
        ms(percentile(&moves, 0.95)),
        moves.len()
    );
    Ok(())
}
