//! `rapport bench --export`: the leads written out as CSV from the 1,000,000-lead bench database, as the app's
//! Export CSV and `rapport leads export` write them: every lead, the list's default order (newest change first),
//! and one campaign's leads; time, leads per second, bytes and the process's peak memory.
use std::io::Write;
use std::time::Instant;

use rapport_core::leads::LeadQuery;

use crate::bench::{open_signed_in, BenchArgs};
use crate::bench_duplicates::peak_memory_mib;
use crate::session::CliResult;

/// A destination that keeps nothing and counts what it is given: the figure is Rapport's, not the disk's.
#[derive(Default)]
struct Counted(u64);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn run(args: &BenchArgs, db: Option<std::path::PathBuf>) -> CliResult<()> {
    let path = db.unwrap_or_else(|| std::env::temp_dir().join(format!("rapport-bench-{}.db", args.leads)));
    let (core, actor) = open_signed_in(&path)?;
    crate::bench::ensure_leads(&core, &actor, args.leads)?;
    let total = core.lead_count(&actor).map_err(|e| e.to_string())?;
    let runs: [(&str, Option<LeadQuery>); 3] = [
        ("every lead, oldest first (rapport leads export)", None),
        ("the list's default order, every lead (Export CSV)", Some(LeadQuery::default())),
        (
            "one campaign, the list's order",
            Some(LeadQuery { campaign: Some("Newsletter".into()), ..Default::default() }),
        ),
    ];
    println!("export of leads as CSV, {total} leads stored");
    for (name, query) in runs {
        let mut out = Counted::default();
        let t = Instant::now();
        let n = core.export_leads_csv(&actor, query.as_ref(), &mut out, &mut |_| true).map_err(|e| e.to_string())?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "  {name}: {n} leads in {s:.1} s, {:.0} leads/s, {:.0} MiB written; peak memory so far {}",
            n as f64 / s.max(1e-9),
            out.0 as f64 / (1024.0 * 1024.0),
            peak_memory_mib().map_or("n/a".into(), |m| format!("{m:.0} MiB"))
        );
    }
    Ok(())
}
