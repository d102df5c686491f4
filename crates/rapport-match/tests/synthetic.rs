#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Quality on generated CRM data where colleagues share a company, an office, a switchboard and an email
//! domain, and households share an address and a landline; beside it, a naive matcher that adds up agreeing
//! fields as independent evidence, to show that the trap is real.
use std::collections::HashSet;

use rapport_match::normalize::prepare;
use rapport_match::synthetic::generate;
use rapport_match::{blocking, find_duplicates, Thresholds};

fn f1(predicted: &HashSet<(usize, usize)>, truth: &HashSet<(usize, usize)>) -> (f64, f64, f64) {
    let tp = predicted.intersection(truth).count() as f64;
    let p = tp / predicted.len().max(1) as f64;
    let r = tp / truth.len().max(1) as f64;
    (p, r, 2.0 * p * r / (p + r).max(f64::MIN_POSITIVE))
}

/// Agreement on each field counted as independent evidence: exact first name, last name, street, city,
/// postcode, email domain, phone and company, each worth log2(0.9 / u) with u the agreement rate of random pairs.
fn naive_pairs(records: &[rapport_match::Record]) -> HashSet<(usize, usize)> {
    let prepared: Vec<_> = records.iter().map(prepare).collect();
    let fields = |p: &rapport_match::Prepared| -> [String; 8] {
        [
            p.first.clone(),
            p.last.clone(),
            p.street.clone(),
            p.city.clone(),
            p.postcode.clone(),
            p.emails.first().map(|(_, d)| d.clone()).unwrap_or_default(),
            p.phones.first().cloned().unwrap_or_default(),
            p.company.clone(),
        ]
    };
    let values: Vec<[String; 8]> = prepared.iter().map(fields).collect();
    let n = values.len();
    let mut agree = [0.0f64; 8];
    let samples = 50_000;
    for s in 0..samples {
        let (a, b) = ((s * 7919) % n, (s * 104_729 + 1) % n);
        for f in 0..8 {
            if !values[a][f].is_empty() && values[a][f] == values[b][f] {
                agree[f] += 1.0;
            }
        }
    }
    let weight: Vec<(f64, f64)> = agree
        .iter()
        .map(|c| {
            let u = (c + 0.5) / (samples as f64 + 1.0);
            ((0.9 / u).log2(), (0.1 / (1.0 - u)).log2())
        })
        .collect();
    blocking::candidate_pairs(&prepared)
        .into_iter()
        .filter(|&(a, b)| {
            let (a, b) = (a as usize, b as usize);
            let score: f64 = (0..8)
                .filter(|f| !values[a][*f].is_empty() && !values[b][*f].is_empty())
                .map(|f| if values[a][f] == values[b][f] { weight[f].0 } else { weight[f].1 })
                .sum();
            score > (n as f64).log2() // prior odds of a pair being a duplicate, about 1 in n
        })
        .map(|(a, b)| (a as usize, b as usize))
        .collect()
}

#[test]
fn colleagues_and_households_are_not_duplicates() {
    let data = generate(4000, 0.2, 7);
    let truth = data.true_pairs();
    assert!(truth.len() > 500, "the generator makes duplicates: {}", truth.len());
    let (_, found) = find_duplicates(&data.records, &Thresholds::default());
    let predicted: HashSet<(usize, usize)> = found.iter().map(|c| (c.a.min(c.b), c.a.max(c.b))).collect();
    let (p, r, f) = f1(&predicted, &truth);
    let (np, nr, nf) = f1(&naive_pairs(&data.records), &truth);
    eprintln!(
        "synthetic CRM, {} leads: precision {p:.4}, recall {r:.4}, F1 {f:.4}; naive independent fields: precision {np:.4}, recall {nr:.4}, F1 {nf:.4}",
        data.records.len()
    );
    assert!(f >= 0.95, "F1 {f:.4} (precision {p:.4}, recall {r:.4})");
    // Same-tier pairs are merged without a look: they must be right.
    let same: HashSet<(usize, usize)> =
        found.iter().filter(|c| c.tier == rapport_match::Tier::Same).map(|c| (c.a.min(c.b), c.a.max(c.b))).collect();
    let same_precision = same.intersection(&truth).count() as f64 / same.len().max(1) as f64;
    eprintln!("same tier: {} pairs, precision {same_precision:.4}", same.len());
    assert!(same_precision >= 0.999 && same.len() > 100, "same-tier precision {same_precision:.4}");
    assert!(nf < f - 0.1, "the naive matcher should fall into the trap: F1 {nf:.4}");
}

#[test]
fn the_same_seed_gives_the_same_leads() {
    let (a, b) = (generate(300, 0.2, 42), generate(300, 0.2, 42));
    assert_eq!(a.records, b.records);
    assert_eq!(a.person, b.person);
    assert_ne!(generate(300, 0.2, 43).records, a.records);
}
