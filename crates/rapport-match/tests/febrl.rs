#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Quality on public record-linkage data with ground truth (FEBRL, as CRM records: names, street, city,
//! postcode, region, email, phone; no birth date, no national id). Reads `../shared/data/dedup/`, which CI has
//! beside the repository; a clone without it skips, saying so.
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rapport_match::{find_duplicates, Record, Thresholds, Tier};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/dedup");
    dir.exists().then_some(dir)
}

struct Scores {
    precision: f64,
    recall: f64,
    f1: f64,
    same_precision: f64,
    same_pairs: usize,
}

/// Scores on `set`; without `contacts`, its emails and phones are left out (leads known by name and place only).
fn evaluate(set: &str, contacts: bool) -> Option<Scores> {
    let Some(dir) = data_dir() else {
        // Past the test harness, which keeps what a passing test prints: a skip must not read as a plain "ok".
        std::io::Write::write_all(
            &mut std::io::stderr(),
            "skipped: ../shared/data/dedup is not beside this repository\n".as_bytes(),
        )
        .ok();
        return None;
    };
    let mut ids = Vec::new();
    let mut records = Vec::new();
    let mut reader = csv::Reader::from_path(dir.join(set).join("records.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, first, last, street, city, postcode, state, email, phone) = (
        col("rec_id"),
        col("first_name"),
        col("last_name"),
        col("street"),
        col("suburb"),
        col("postcode"),
        col("state"),
        col("email"),
        col("phone"),
    );
    for row in reader.records() {
        let row = row.unwrap();
        let get = |i: usize| row.get(i).unwrap_or("").to_string();
        ids.push(get(id));
        let list = |s: String| if s.trim().is_empty() || !contacts { vec![] } else { vec![s] };
        records.push(Record {
            first_name: get(first),
            last_name: get(last),
            street: get(street),
            city: get(city),
            postcode: get(postcode),
            region: get(state),
            emails: list(get(email)),
            phones: list(get(phone)),
            ..Default::default()
        });
    }
    let mut truth: HashSet<(String, String)> = HashSet::new();
    for row in csv::Reader::from_path(dir.join(set).join("true_pairs.csv")).unwrap().records() {
        let row = row.unwrap();
        let (a, b) = (row[0].to_string(), row[1].to_string());
        truth.insert((a.clone().min(b.clone()), a.max(b)));
    }
    let (_, found) = find_duplicates(&records, &Thresholds::default());
    let pair = |a: usize, b: usize| (ids[a].clone().min(ids[b].clone()), ids[a].clone().max(ids[b].clone()));
    let predicted: HashSet<(String, String)> = found.iter().map(|c| pair(c.a, c.b)).collect();
    let same: HashSet<(String, String)> =
        found.iter().filter(|c| c.tier == Tier::Same).map(|c| pair(c.a, c.b)).collect();
    let tp = predicted.intersection(&truth).count() as f64;
    let precision = tp / predicted.len().max(1) as f64;
    let recall = tp / truth.len().max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    let same_precision = same.intersection(&truth).count() as f64 / same.len().max(1) as f64;
    eprintln!(
        "{set}{}: {} pairs predicted, {} true: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4}; same tier {} pairs, precision {same_precision:.4}",
        if contacts { "" } else { " without emails and phones" },
        predicted.len(),
        truth.len(),
        same.len()
    );
    Some(Scores { precision, recall, f1, same_precision, same_pairs: same.len() })
}

#[test]
fn febrl1_crm() {
    let Some(s) = evaluate("febrl1_crm", true) else { return };
    assert!(s.f1 >= 0.995, "F1 {:.4} (precision {:.4}, recall {:.4})", s.f1, s.precision, s.recall);
    assert!(s.same_precision >= 0.999 && s.same_pairs > 0, "same-tier precision {:.4}", s.same_precision);
}

#[test]
fn febrl2_crm() {
    let Some(s) = evaluate("febrl2_crm", true) else { return };
    assert!(s.f1 >= 0.99, "F1 {:.4} (precision {:.4}, recall {:.4})", s.f1, s.precision, s.recall);
    assert!(s.same_precision >= 0.999 && s.same_pairs > 0, "same-tier precision {:.4}", s.same_precision);
}

/// Leads known by name and place only (Drafts, a list of visitors): strangers who share a town or a house number
/// in one postcode, or a street line in another town, must not be taken for one person. (F1 was 0.880, precision
/// 0.818, while they were.)
#[test]
fn febrl2_crm_without_emails_or_phones() {
    let Some(s) = evaluate("febrl2_crm", false) else { return };
    assert!(s.f1 >= 0.955, "F1 {:.4} (precision {:.4}, recall {:.4})", s.f1, s.precision, s.recall);
    assert!(s.same_precision >= 0.999 && s.same_pairs > 0, "same-tier precision {:.4}", s.same_precision);
}
