//! Pairwise precision, recall and F1 of the matcher on generated CRM leads:
//! `cargo run --release -p rapport-match --example quality -- 100000 [seed] [same-tier threshold]`.
use std::collections::{HashMap, HashSet};

use rapport_match::synthetic::generate;
use rapport_match::{find_duplicates, Thresholds, Tier};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let mut thresholds = Thresholds::default();
    if let Some(same) = args.next().and_then(|s| s.parse().ok()) {
        thresholds.same = same;
    }
    let start = std::time::Instant::now();
    let data = generate(n, 0.2, seed);
    let truth = data.true_pairs();
    let generated = start.elapsed();
    let (model, found) = find_duplicates(&data.records, &thresholds);
    let matched = start.elapsed() - generated;
    let report = |name: &str, predicted: &HashSet<(usize, usize)>| {
        let tp = predicted.intersection(&truth).count() as f64;
        let p = tp / predicted.len().max(1) as f64;
        let r = tp / truth.len().max(1) as f64;
        println!("{name}: {} pairs, precision {p:.4}, recall {r:.4}, F1 {:.4}", predicted.len(), 2.0 * p * r / (p + r));
    };
    let all: HashSet<_> = found.iter().map(|c| (c.a.min(c.b), c.a.max(c.b))).collect();
    let same: HashSet<_> =
        found.iter().filter(|c| c.tier == Tier::Same).map(|c| (c.a.min(c.b), c.a.max(c.b))).collect();
    println!(
        "{} leads, {} true pairs, generated in {generated:.1?}, matched in {matched:.1?}, lambda {:.4}",
        data.records.len(),
        truth.len(),
        model.lambda
    );
    report("review tier and above", &all);
    report("same tier", &same);
    if std::env::var_os("SHOW").is_some() {
        let mut shown = 0;
        for c in &found {
            if !truth.contains(&(c.a.min(c.b), c.a.max(c.b))) && shown < 15 {
                shown += 1;
                println!(
                    "FP {:.1} {:?}\n   {:?}\n   {:?}",
                    c.score, c.comparison.0, data.records[c.a], data.records[c.b]
                );
            }
        }
    }
    if std::env::var_os("SHOW_FP").is_some() {
        let mut patterns: HashMap<String, usize> = HashMap::new();
        for c in &found {
            if !truth.contains(&(c.a.min(c.b), c.a.max(c.b))) {
                *patterns.entry(format!("{:?}", c.comparison.0)).or_default() += 1;
            }
        }
        let mut v: Vec<_> = patterns.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        for (k, n) in v.iter().take(20) {
            println!("FP {n:>5} {k}");
        }
    }
    if std::env::var_os("SHOW_FN").is_some() {
        let mut patterns: HashMap<String, usize> = HashMap::new();
        for &(a, b) in truth.difference(&all) {
            let p = rapport_match::prepare(&data.records[a]);
            let q = rapport_match::prepare(&data.records[b]);
            let c = rapport_match::compare::compare(&p, &q);
            *patterns.entry(format!("{:?} {:.1}", c.0, model.score(&p, &q, &c))).or_default() += 1;
        }
        let mut v: Vec<_> = patterns.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        for (k, n) in v.iter().take(25) {
            println!("FN {n:>5} {k}");
        }
    }
    for e in rapport_match::FIELDS {
        println!(
            "{:>10}: m {:?} u {:?}",
            e.name(),
            model.m[e as usize].map(|v| (v * 1000.0).round() / 1000.0),
            model.u[e as usize].map(|v| (v * 1000.0).round() / 1000.0)
        );
    }
}
