//! `rapport bench --duplicates`: duplicate detection at scale on generated CRM leads with ground truth
//! (`rapport_match::synthetic`): the full scan's time, peak memory and quality, and the check of one new lead.
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rapport_core::leads::{ImportMode, LeadInput, SourceChannel};
use rapport_core::users::{Role, UserInput};
use rapport_core::Origin;
use rapport_match::synthetic::generate;

use crate::bench::{measure, ms, open_signed_in, percentile, BenchArgs};
use crate::session::CliResult;

/// The process's peak resident memory so far (Linux; None elsewhere).
pub(crate) fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn input_of(r: &rapport_match::Record, external_ref: String) -> LeadInput {
    let mut i = LeadInput {
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        company: r.company.clone(),
        emails: r.emails.clone(),
        phones: r.phones.clone(),
        source: Some(SourceChannel::BulkImport),
        external_ref,
        ..Default::default()
    };
    i.address.street = r.street.clone();
    i.address.city = r.city.clone();
    i.address.postcode = r.postcode.clone();
    i.address.region = r.region.clone();
    i.address.country = "AU".into();
    i
}

pub fn run(args: &BenchArgs, db: Option<PathBuf>) -> CliResult<()> {
    let path = db.unwrap_or_else(|| std::env::temp_dir().join(format!("rapport-bench-dups-{}.db", args.leads)));
    let (core, actor) = open_signed_in(&path)?;
    // About 1.26 records per person: `leads` persons' worth of records is scaled down to land near `leads`.
    let persons = (args.leads as f64 / 1.26).round() as usize;
    let have = core.lead_count(&actor).map_err(|e| e.to_string())?;
    if have == 0 {
        let started = Instant::now();
        let data = generate(persons, 0.2, 7);
        let rows: Vec<(u32, LeadInput)> = data
            .records
            .iter()
            .zip(&data.person)
            .enumerate()
            .map(|(i, (r, p))| (i as u32 + 2, input_of(r, format!("p{p}-r{i}"))))
            .collect();
        for (n, chunk) in rows.chunks(20_000).enumerate() {
            let out = core
                .import_leads_as_is(&actor, chunk, &Origin::import("bench"), ImportMode::SkipInvalid, &mut |_| {})
                .map_err(|e| e.to_string())?;
            if let Some(first) = out.rejected.first() {
                eprintln!(
                    "\n{} generated rows rejected, e.g. line {}: {:?}",
                    out.rejected.len(),
                    first.line,
                    first.errors
                );
            }
            eprint!(
                "\rgenerating leads… {}/{} ({:.0} s)",
                (n * 20_000 + chunk.len()),
                rows.len(),
                started.elapsed().as_secs_f64()
            );
        }
        eprintln!("\ngenerated {} leads in {:.1} s", rows.len(), started.elapsed().as_secs_f64());
        core.checkpoint().map_err(|e| e.to_string())?;
    }
    let total = core.lead_count(&actor).map_err(|e| e.to_string())?;

    // The full scan, as `rapport duplicates scan` runs it.
    let started = Instant::now();
    let report = core.scan_duplicates(&actor, &AtomicBool::new(false), &mut |_| {}).map_err(|e| e.to_string())?;
    let scan_seconds = started.elapsed().as_secs_f64();
    let peak = peak_memory_mib();

    // Quality against the generator's truth: external_ref is "p{person}-r{row}". Leads created by earlier runs'
    // latency samples ("f…") are left out of both sides.
    let person = |r: &str| r.split('-').next().unwrap_or("").to_string();
    let generated = |r: &str| r.starts_with('p');
    let mut by_person: HashMap<String, usize> = HashMap::new();
    core.for_each_lead(&actor, &mut |l| {
        if generated(&l.external_ref) {
            *by_person.entry(person(&l.external_ref)).or_default() += 1;
        }
        Ok::<_, rapport_core::Error>(())
    })
    .map_err(|e| e.to_string())?;
    let true_pairs: usize = by_person.values().map(|n| n * (n - 1) / 2).sum();
    let judged: Vec<_> =
        report.pairs.iter().filter(|p| generated(&p.external_ref_a) && generated(&p.external_ref_b)).collect();
    let found: HashSet<(i64, i64)> = judged.iter().map(|p| (p.lead_a, p.lead_b)).collect();
    let tp = judged.iter().filter(|p| person(&p.external_ref_a) == person(&p.external_ref_b)).count();
    let same: Vec<_> = judged.iter().filter(|p| p.tier == rapport_core::duplicates::Tier::Same).collect();
    let same_tp = same.iter().filter(|p| person(&p.external_ref_a) == person(&p.external_ref_b)).count();
    let precision = tp as f64 / found.len().max(1) as f64;
    let recall = tp as f64 / true_pairs.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);

    // One new lead checked against all of them: half retype someone already there, half are new people.
    // (The generator types some emails wrongly, as people do; those would be refused, so they are left out.)
    let plausible = |e: &String| {
        e.matches('@').count() == 1 && !e.contains("..") && e.split('@').nth(1).is_some_and(|d| d.contains('.'))
    };
    let generated = generate(args.samples.max(20) * 2, 0.5, 99);
    // Named as people of their own ("f…"), so a second run's quality is not confused by the first's samples.
    let fresh: Vec<(rapport_match::Record, String)> = generated
        .records
        .into_iter()
        .zip(generated.person)
        .enumerate()
        .filter(|(_, (r, _))| r.emails.iter().all(plausible))
        .map(|(i, (r, p))| (r, format!("f{p}-s{i}")))
        .collect();
    let check = measure(args.samples, |i| {
        let (r, _) = &fresh[i % fresh.len()];
        core.possible_duplicates(&actor, &input_of(r, String::new()), 10).map(|_| ()).map_err(|e| e.to_string())
    })?;
    let create = measure(args.samples, |i| {
        let (r, name) = &fresh[i % fresh.len()];
        core.create_lead(&actor, &input_of(r, format!("{name}-c{i}")), &Origin::manual())
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;

    // The review queue's first page as the app loads it (500 pairs, with the counts of the whole queue), for an
    // administrator and for an account manager who owns none of the leads: theirs is the queue that sifts every
    // open pair to find none.
    let page = |who: &rapport_core::Actor| {
        let all = rapport_core::duplicates::QueueFilter::default();
        core.duplicate_queue_page(who, &all, 500).map(|_| ()).map_err(|e| e.to_string())
    };
    let queue_admin = measure(args.samples.min(50), |_| page(&actor))?;
    let owner = account_manager(&core, &actor)?;
    let queue_owner = measure(args.samples.min(50), |_| page(&owner))?;
    let open_pairs = core.open_duplicate_pairs(&actor).map_err(|e| e.to_string())?;

    println!("duplicate detection, {total} generated CRM leads (about 20% duplicates), this machine:");
    println!(
        "  full scan: {scan_seconds:.1} s, {} pairs at or above review; peak memory {}",
        found.len(),
        peak.map_or("n/a".into(), |m| format!("{m:.0} MiB"))
    );
    println!("  quality:   precision {precision:.4}, recall {recall:.4}, F1 {f1:.4} ({true_pairs} true pairs)");
    println!("  same tier: {} pairs, precision {:.4}", same.len(), same_tp as f64 / same.len().max(1) as f64);
    println!(
        "  check of one new lead against all (read-only, as the form and a save run it): p50 {} / p95 {} / max {}",
        ms(percentile(&check, 0.5)),
        ms(percentile(&check, 0.95)),
        ms(percentile(&check, 1.0))
    );
    println!(
        "  create a lead with its duplicate check: p50 {} / p95 {} / max {}",
        ms(percentile(&create, 0.5)),
        ms(percentile(&create, 0.95)),
        ms(percentile(&create, 1.0))
    );
    println!(
        "  review queue, first 500 of {open_pairs} open pairs: an administrator p50 {} / max {}; an account \
         manager who owns none of the leads p50 {} / max {}",
        ms(percentile(&queue_admin, 0.5)),
        ms(percentile(&queue_admin, 1.0)),
        ms(percentile(&queue_owner, 0.5)),
        ms(percentile(&queue_owner, 1.0))
    );
    Ok(())
}

const BENCH_OWNER: &str = "bench-owner";

/// An account manager of every campaign with no leads of their own, made on the first run.
fn account_manager(core: &rapport_core::Rapport, admin: &rapport_core::Actor) -> CliResult<rapport_core::Actor> {
    let users = core.list_users(admin).map_err(|e| e.to_string())?;
    if !users.iter().any(|u| u.username == BENCH_OWNER) {
        let input = UserInput {
            username: BENCH_OWNER.into(),
            display_name: "Bench owner".into(),
            role: Role::Editor,
            active: true,
            campaigns: vec![],
            all_campaigns: true,
        };
        core.create_user(admin, &input, crate::bench::BENCH_PASSWORD).map_err(|e| e.to_string())?;
    }
    core.sign_in(BENCH_OWNER, crate::bench::BENCH_PASSWORD).map_err(|e| e.to_string())
}
