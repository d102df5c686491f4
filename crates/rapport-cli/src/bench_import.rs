//! `rapport bench --import`: a 100,000-row CSV imported into a database of 1,000,000 leads with validation
//! and duplicate detection, as a user runs it (`rapport import`, a child process, so its peak memory is its
//! own), beside the ceiling measured in the same run on the same rows: written with the store's plain
//! prepared statements into the same tables, indexes and search index, in one committed transaction, on a
//! copy of the same database.
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rapport_core::demo;
use rapport_core::duplicates::QueueFilter;
use rapport_core::leads::{LeadInput, LeadQuery};

use crate::bench::{ensure_leads, measure, ms, open_signed_in, percentile, BenchArgs, BENCH_PASSWORD, BENCH_USER};
use crate::session::CliResult;

const ROWS: usize = 100_000;
/// Rows that retype leads already stored (the duplicate check has something to find).
const RETYPED: usize = 3_000;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn write_csv(path: &Path, rows: &[LeadInput]) -> CliResult<()> {
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    w.write_record([
        "first_name",
        "last_name",
        "company",
        "job_title",
        "email",
        "phone",
        "city",
        "postcode",
        "country",
        "campaign",
        "tags",
        "notes",
    ])
    .map_err(err)?;
    for l in rows {
        w.write_record([
            l.first_name.as_str(),
            &l.last_name,
            &l.company,
            &l.job_title,
            l.emails.first().map(String::as_str).unwrap_or(""),
            l.phones.first().map(String::as_str).unwrap_or(""),
            &l.address.city,
            &l.address.postcode,
            &l.address.country,
            &l.campaign,
            &l.tags.join("; "),
            &l.notes,
        ])
        .map_err(err)?;
    }
    w.flush().map_err(err)
}

/// [`RETYPED`] stored leads, spread over the database, as a file would bring them again.
fn retyped(core: &rapport_core::Rapport, actor: &rapport_core::Actor, stored: i64) -> CliResult<Vec<LeadInput>> {
    let step = (stored / RETYPED as i64).max(1);
    let mut out = Vec::with_capacity(RETYPED);
    let mut id = 1;
    while out.len() < RETYPED && id <= stored {
        match core.get_lead(actor, id) {
            Ok(lead) => out.push(lead.to_input()),
            Err(rapport_core::Error::NotFound { .. } | rapport_core::Error::MergedAway { .. }) => {}
            Err(e) => return Err(e.to_string()),
        }
        id += step;
    }
    Ok(out)
}

fn copy_database(from: &Path, to: &Path) -> CliResult<()> {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    std::fs::copy(from, to).map_err(|e| format!("could not copy the bench database: {e}"))?;
    Ok(())
}

pub fn run(args: &BenchArgs, db: Option<PathBuf>) -> CliResult<()> {
    let base = db.unwrap_or_else(|| std::env::temp_dir().join(format!("rapport-bench-{}.db", args.leads)));
    {
        let (core, actor) = open_signed_in(&base)?;
        ensure_leads(&core, &actor, args.leads)?;
        // A base just generated holds the keys of its last leads in the recent table, past the point where a
        // fold is due, and the import would spend part of its time on that fold, one range between two chunks
        // (here 44.2 s without the duplicate check into a folded, compacted base; 102.2 s into it before the fold).
        // Measured is the import into a store kept as the app keeps it.
        let folded = core.fold_match_keys().map_err(err)?;
        if folded > 0 {
            eprintln!("folded the base's {folded} recent duplicate keys first");
        }
        core.checkpoint().map_err(err)?;
    }
    // The import runs on a copy, so the base keeps exactly its leads for the next run.
    let work = base.with_extension("import-bench.db");
    eprintln!("copying the database to {}", work.display());
    copy_database(&base, &work)?;
    let (core, actor) = open_signed_in(&work)?;
    let stored = core.lead_count(&actor).map_err(err)?;

    let mut rows: Vec<LeadInput> = demo::sample_leads(ROWS - RETYPED, 9_000_001).collect();
    rows.extend(retyped(&core, &actor, stored)?);
    let csv = std::env::temp_dir().join("rapport-bench-import.csv");
    write_csv(&csv, &rows)?;
    let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);

    // The ceiling, on the same rows: written and committed, so the import then starts from a fresh copy.
    eprintln!("writing the same rows with plain prepared inserts (the ceiling)…");
    let (written, ceiling) = core.bench_plain_insert(&actor, &rows).map_err(err)?;
    drop(core);
    let ceiling_rate = written as f64 / ceiling.as_secs_f64();

    copy_database(&base, &work)?;
    let with = import_child(&work, &csv, true)?;
    // The import leaves its rows' duplicate keys in the small recent table; the fold that moves them into the
    // large one runs later (once they are many), and is part of what an import costs.
    let fold = {
        let (core, _) = open_signed_in(&work)?;
        let started = Instant::now();
        let moved = core.fold_match_keys().map_err(err)?;
        (moved, started.elapsed().as_secs_f64())
    };
    let narrowed = narrowed_to_the_import(&work, with.batch)?;
    // The same rows without the duplicate check, on a fresh copy: what the rest of the pipeline costs.
    copy_database(&base, &work)?;
    let without = import_child(&work, &csv, false)?;
    let rate = ROWS as f64 / with.seconds;
    let rate_without = ROWS as f64 / without.seconds;

    let mut o = std::io::stdout().lock();
    let _ = writeln!(
        o,
        "import of {ROWS} rows ({:.1} MB CSV, {RETYPED} of them retyping stored leads) into {stored} leads",
        size as f64 / 1e6
    );
    let _ = writeln!(
        o,
        "  rapport import (validation, duplicate check, change log, chunks): {:.1} s, {rate:.0} rows/s, peak memory {}",
        with.seconds, with.peak
    );
    let _ = writeln!(
        o,
        "  the fold of its {} duplicate keys into the large table (deferred, once the recent keys are many): {:.1} s; \
         counted in: {:.0} rows/s",
        fold.0,
        fold.1,
        ROWS as f64 / (with.seconds + fold.1)
    );
    let _ = writeln!(
        o,
        "  the same with --no-dedup: {:.1} s, {rate_without:.0} rows/s, peak memory {}",
        without.seconds, without.peak
    );
    let _ = writeln!(
        o,
        "  ceiling (the same rows by plain prepared inserts into the same tables, indexes and search index, \
         one transaction, committed): {:.1} s, {ceiling_rate:.0} rows/s",
        ceiling.as_secs_f64()
    );
    let _ = writeln!(
        o,
        "  import / ceiling: {:.0}% with the duplicate check, {:.0}% without",
        100.0 * rate / ceiling_rate,
        100.0 * rate_without / ceiling_rate
    );
    let _ = writeln!(o, "  outcomes with the duplicate check: {}", with.counts);
    let _ = writeln!(
        o,
        "  the leads list narrowed to this import ({} of its leads counted): first page median {}, p95 {}; \
         the count (to 10,000) median {}",
        narrowed.counted,
        ms(narrowed.page[narrowed.page.len() / 2]),
        ms(percentile(&narrowed.page, 0.95)),
        ms(narrowed.count[narrowed.count.len() / 2]),
    );
    let _ = writeln!(
        o,
        "  the review queue narrowed to this import ({} of its {} open pairs): the first 500 pairs with the counts \
         median {}, p95 {}; the whole queue's median {}",
        narrowed.pairs,
        narrowed.open,
        ms(narrowed.queue[narrowed.queue.len() / 2]),
        ms(percentile(&narrowed.queue, 0.95)),
        ms(narrowed.whole_queue[narrowed.whole_queue.len() / 2]),
    );
    eprintln!("the CSV is kept at {} (rerun the import on it with a profiler, say)", csv.display());
    Ok(())
}

struct Run {
    seconds: f64,
    peak: String,
    counts: serde_json::Value,
    batch: i64,
}

struct Narrowed {
    /// What the list's count says of the leads the import created or changed ("10000+").
    counted: String,
    page: Vec<Duration>,
    count: Vec<Duration>,
    /// The open pairs with a lead of the import, and all of them.
    pairs: u32,
    open: u32,
    /// The review queue's page as the app reads it (500 pairs, with its counts), narrowed and whole.
    queue: Vec<Duration>,
    whole_queue: Vec<Duration>,
}

/// The leads list narrowed to import `batch` (a report's "Show its leads"): its first page in the list's
/// default order, and its count, each measured 50 times; and the review queue narrowed to it (its "Review
/// possible duplicates"), beside the whole queue, 10 times each.
fn narrowed_to_the_import(db: &Path, batch: i64) -> CliResult<Narrowed> {
    let (core, actor) = open_signed_in(db)?;
    let q = LeadQuery { import_id: Some(batch), limit: 50, ..Default::default() };
    let n = core.count_leads(&actor, &q).map_err(err)?;
    let counted = format!("{}{}", n.count, if n.more { "+" } else { "" });
    let page = measure(50, |_| core.list_leads(&actor, &q).map(|_| ()).map_err(err))?;
    let count = measure(50, |_| core.count_leads(&actor, &q).map(|_| ()).map_err(err))?;
    let narrowed = QueueFilter { import_id: Some(batch), ..Default::default() };
    let first = core.duplicate_queue_page(&actor, &narrowed, 500).map_err(err)?;
    let read = |filter: &QueueFilter| core.duplicate_queue_page(&actor, filter, 500).map(|_| ()).map_err(err);
    let queue = measure(10, |_| read(&narrowed))?;
    let whole_queue = measure(10, |_| read(&QueueFilter::default()))?;
    Ok(Narrowed { counted, page, count, pairs: first.matching, open: first.open, queue, whole_queue })
}

/// `rapport import` of `csv` into `db` as a child process: its wall time, its own peak memory, its counts.
fn import_child(db: &Path, csv: &Path, dedup: bool) -> CliResult<Run> {
    eprintln!(
        "importing {ROWS} rows{} (rapport import, a child process)…",
        if dedup { " with the duplicate check" } else { " without the duplicate check" }
    );
    let exe = std::env::current_exe().map_err(err)?;
    let mut cmd = Command::new(exe);
    cmd.arg("--db").arg(db).args(["import", csv.to_str().unwrap_or_default(), "--skip-invalid", "--format", "json"]);
    if !dedup {
        cmd.arg("--no-dedup");
    }
    let started = Instant::now();
    let out = cmd
        .env("RAPPORT_USER", BENCH_USER)
        .env("RAPPORT_PASSWORD", BENCH_PASSWORD)
        .env("RAPPORT_REPORT_PEAK_MEMORY", "1")
        .output()
        .map_err(err)?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the import failed: {stderr}"));
    }
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(err)?;
    let peak = stderr.split("peak memory: ").nth(1).and_then(|r| r.lines().next()).unwrap_or("unknown").to_string();
    let batch = summary["batch"].as_i64().ok_or("the import's summary names no batch")?;
    Ok(Run { seconds, peak, counts: summary["counts"].clone(), batch })
}
