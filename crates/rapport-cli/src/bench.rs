//! `rapport bench`: builds (or reuses) a database of many leads through the real import path and measures
//! what a user feels: search, the first page of the list, and creating a lead with validation.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use rapport_core::demo;
use rapport_core::leads::ImportMode;
use rapport_core::leads::{IndexFloor, LeadStatus};
use rapport_core::leads::{LeadQuery, LeadSort};
use rapport_core::Origin;
use rapport_core::Rapport;

use crate::session::CliResult;

#[derive(Args)]
pub struct BenchArgs {
    /// How many leads the database should hold.
    #[arg(long, default_value_t = 1_000_000)]
    pub leads: usize,
    /// Measurements per figure.
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
    /// Measure duplicate detection instead: generated CRM leads with about 20% duplicates (colleagues,
    /// households, retyped people), a full scan with its quality against the generator's truth, and the check
    /// of one new lead. Run it twice on one --db to see the scan's memory without the generation's.
    #[arg(long)]
    pub duplicates: bool,
    /// Measure a 100,000-row CSV import into the database (validation and duplicate detection), beside the
    /// ceiling of plain prepared inserts of the same rows; rows per second and peak memory.
    #[arg(long)]
    pub import: bool,
    /// Measure the calendar instead: a 10,000-event .ics file read, expanded over two years and imported,
    /// and "find a slot" for 50 agents over two weeks.
    #[arg(long)]
    pub calendar: bool,
    /// Measure the pipeline instead: the board of 10,000 open leads loaded, and a move through the stage gate.
    #[arg(long)]
    pub pipeline: bool,
    /// Measure the stagnation sweep over the --leads database (a copy): the whole scan, then 1,000 moves.
    #[arg(long)]
    pub sweep: bool,
    /// Measure the CSV export of the --leads database: every lead, the list's default order, one campaign.
    #[arg(long)]
    pub export: bool,
}

pub(crate) const BENCH_USER: &str = "bench";
pub(crate) const BENCH_PASSWORD: &str = "bench-password";

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

pub(crate) fn measure(samples: usize, mut f: impl FnMut(usize) -> CliResult<()>) -> CliResult<Vec<Duration>> {
    // One untimed round warms the page cache and the statement caches, as a running app would have them.
    for i in 0..samples.min(20) {
        f(i)?;
    }
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples {
        let t = Instant::now();
        f(i)?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times)
}

/// The bare index lookup each kind of search could be served by.
fn floor_of(kind: &str) -> IndexFloor {
    match kind {
        "last-name prefix" => IndexFloor::LastNamePrefix,
        "first name" | "first name + 2 letters" => IndexFloor::NamePrefix,
        "email fragment" => IndexFloor::EmailPrefix,
        "company word" => IndexFloor::CompanyPrefix,
        "phone prefix" => IndexFloor::PhonePrefix,
        _ => IndexFloor::FtsPrefix,
    }
}

fn floor_name(floor: IndexFloor) -> &'static str {
    match floor {
        IndexFloor::NamePrefix => "B-tree prefix range, names",
        IndexFloor::LastNamePrefix => "B-tree prefix range, last names",
        IndexFloor::EmailPrefix => "B-tree prefix range, emails",
        IndexFloor::CompanyPrefix => "B-tree prefix range, companies",
        IndexFloor::PhonePrefix => "B-tree prefix range, phones",
        IndexFloor::FtsPrefix => "unranked FTS5 prefix match",
    }
}

/// The bench's database at `path`, signed in as the bench user (created on a new file).
pub(crate) fn open_signed_in(path: &std::path::Path) -> CliResult<(Rapport, rapport_core::Actor)> {
    eprintln!("database: {}", path.display());
    let core = Rapport::open(path).map_err(|e| e.to_string())?;
    let actor = if core.has_users().map_err(|e| e.to_string())? {
        core.sign_in(BENCH_USER, BENCH_PASSWORD).map_err(|e| format!("{e} (use a fresh --db for the bench)"))?
    } else if core.has_leads().map_err(|e| e.to_string())? {
        // An app's database before its first administrator (its demo leads written): the bench would make its
        // own administrator there, with a password anyone can read in this file, and fill it with generated
        // leads.
        return Err(format!(
            "{} holds leads and no users: the bench fills a database of its own; give it a new file with --db",
            path.display()
        ));
    } else {
        core.create_first_admin(BENCH_USER, "Bench", BENCH_PASSWORD).map_err(|e| e.to_string())?
    };
    Ok((core, actor))
}

pub fn run(args: &BenchArgs, db: Option<PathBuf>) -> CliResult<()> {
    if args.samples < demo::QUERY_KINDS.len() {
        return Err(format!("--samples must be at least {}: one per kind of search", demo::QUERY_KINDS.len()));
    }
    let path = db.unwrap_or_else(|| std::env::temp_dir().join(format!("rapport-bench-{}.db", args.leads)));
    let (core, actor) = open_signed_in(&path)?;

    ensure_leads(&core, &actor, args.leads)?;
    core.checkpoint().map_err(|e| e.to_string())?;
    let total = core.lead_count(&actor).map_err(|e| e.to_string())?;

    let queries = demo::sample_queries(args.samples, 7);
    // Each kind of search separately, and beside it the bare index lookup that kind could at best be served by,
    // timed in the same run on the same file: machines differ, so the multiple of that floor is the figure that
    // travels.
    let mut hits = 0usize;
    let mut kinds: Vec<(&str, Vec<Duration>, Vec<Duration>)> = Vec::new();
    for (k, kind) in demo::QUERY_KINDS.iter().enumerate() {
        let texts: Vec<&String> = queries.iter().skip(k).step_by(demo::QUERY_KINDS.len()).collect();
        let floor = floor_of(kind);
        let ranked = measure(args.samples, |i| {
            let q = LeadQuery { text: texts[i % texts.len()].clone(), limit: 50, ..Default::default() };
            hits += core.list_leads(&actor, &q).map_err(|e| e.to_string())?.items.len();
            Ok(())
        })?;
        let bare = measure(args.samples, |i| {
            core.search_index_floor(&actor, floor, texts[i % texts.len()], 50).map_err(|e| e.to_string()).map(|_| ())
        })?;
        kinds.push((kind, ranked, bare));
    }
    let mut search: Vec<Duration> = kinds.iter().flat_map(|(_, t, _)| t.iter().copied()).collect();
    search.sort();

    let first_page = measure(args.samples, |_| {
        let q = LeadQuery { limit: 50, ..Default::default() };
        core.list_leads(&actor, &q).map_err(|e| e.to_string()).map(|_| ())
    })?;

    let filtered = [
        LeadQuery { status: Some(LeadStatus::Draft), limit: 50, ..Default::default() },
        LeadQuery { stage: Some("qualification".into()), limit: 50, ..Default::default() },
        LeadQuery { sort: LeadSort::LastName, ascending: true, limit: 50, ..Default::default() },
        LeadQuery { campaign: Some("Newsletter".into()), limit: 50, ..Default::default() },
        LeadQuery { tag: Some("vip".into()), limit: 50, ..Default::default() },
    ];
    let filtered_page = measure(args.samples, |i| {
        core.list_leads(&actor, &filtered[i % filtered.len()]).map_err(|e| e.to_string()).map(|_| ())
    })?;

    let mut next_page_query = LeadQuery { limit: 50, ..Default::default() };
    let deep_paging = measure(args.samples, |_| {
        let page = core.list_leads(&actor, &next_page_query).map_err(|e| e.to_string())?;
        next_page_query.after = page.next_cursor;
        Ok(())
    })?;

    let count = measure(args.samples, |i| {
        let q = if i % 2 == 0 {
            LeadQuery::default()
        } else {
            LeadQuery { text: queries[i % queries.len()].clone(), ..Default::default() }
        };
        core.count_leads(&actor, &q).map_err(|e| e.to_string()).map(|_| ())
    })?;
    let facets = measure(args.samples.min(50), |_| core.lead_facets(&actor).map_err(|e| e.to_string()).map(|_| ()))?;

    let inputs: Vec<_> = demo::sample_leads(args.samples + 20, 99).collect();
    let create = measure(args.samples, |i| {
        core.create_lead(&actor, &inputs[i % inputs.len()], &Origin::manual()).map_err(|e| e.to_string()).map(|_| ())
    })?;
    core.checkpoint().map_err(|e| e.to_string())?;
    let size = core.size_on_disk();

    println!("Rapport bench — {total} leads, {} samples per figure", args.samples);
    println!("{:<34} {:>12} {:>12} {:>12}", "", "p50", "p95", "max");
    let row = |name: &str, t: &[Duration]| {
        println!(
            "{:<34} {:>12} {:>12} {:>12}",
            name,
            ms(percentile(t, 0.5)),
            ms(percentile(t, 0.95)),
            ms(percentile(t, 1.0))
        )
    };
    row("search (50 results, all kinds)", &search);
    for (kind, ranked, _) in &kinds {
        row(&format!("  search: {kind}"), ranked);
    }
    println!();
    println!(
        "{:<34} {:>12} {:>12} {:>12} {:>8}",
        "search kind vs its index floor", "p95", "floor p95", "ratio", "floor"
    );
    for (kind, ranked, bare) in &kinds {
        let (p, f) = (percentile(ranked, 0.95), percentile(bare, 0.95));
        println!(
            "{:<34} {:>12} {:>12} {:>11.1}x {}",
            format!("  {kind}"),
            ms(p),
            ms(f),
            p.as_secs_f64() / f.as_secs_f64().max(1e-9),
            floor_name(floor_of(kind))
        );
    }
    println!();
    row("list: first page (50)", &first_page);
    row("list: filtered/sorted first page", &filtered_page);
    row("list: next pages (keyset)", &deep_paging);
    row("count matches (capped at 10,000)", &count);
    row("campaign and tag facets", &facets);
    row("create lead with validation", &create);
    println!("database size on disk: {:.1} MiB ({} bytes)", size as f64 / 1_048_576.0, size);
    println!(
        "(search returned {:.1} results per query on average)",
        hits as f64 / ((args.samples + args.samples.min(20)) * demo::QUERY_KINDS.len()) as f64
    );
    Ok(())
}

/// Fills the database up to `n` leads through the real import path (generated, deterministic).
pub(crate) fn ensure_leads(core: &Rapport, actor: &rapport_core::Actor, n: usize) -> CliResult<()> {
    let have = core.lead_count(actor).map_err(|e| e.to_string())? as usize;
    if have < n {
        let started = Instant::now();
        let missing = n - have;
        let chunk = 20_000;
        let mut done = 0;
        let mut rows_iter = demo::sample_leads(missing, have as u64 + 1);
        while done < missing {
            let rows: Vec<_> =
                rows_iter.by_ref().take(chunk).enumerate().map(|(i, l)| ((done + i) as u32 + 2, l)).collect();
            let taken = rows.len();
            if taken == 0 {
                break;
            }
            let out = core
                .import_leads_as_is(actor, &rows, &Origin::import("bench"), ImportMode::AllOrNothing, &mut |_| {})
                .map_err(|e| e.to_string())?;
            if !out.rejected.is_empty() {
                return Err(format!("generated rows were rejected: {:?}", out.rejected.first()));
            }
            done += taken;
            eprint!("\rgenerating leads… {}/{n} ({:.0} s)", have + done, started.elapsed().as_secs_f64());
        }
        eprintln!("\ngenerated {missing} leads in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}
