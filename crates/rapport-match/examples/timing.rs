//! Where a full scan's time goes, stage by stage: `cargo run --release -p rapport-match --example timing -- 800000`.
use rapport_match::synthetic::generate;
use rapport_match::*;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let data = generate(n, 0.2, 7);
    let t = std::time::Instant::now();
    let prepared: Vec<Prepared> = data.records.iter().map(prepare).collect();
    println!("prepare {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let pairs = blocking::candidate_pairs(&prepared);
    println!("blocking {:?} {} pairs", t.elapsed(), pairs.len());
    let t = std::time::Instant::now();
    let comparisons: Vec<Comparison> =
        parallel_map(&pairs, |&(a, b)| compare::compare(&prepared[a as usize], &prepared[b as usize]));
    println!("compare {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let model = Model::estimate(&prepared, &comparisons);
    println!("estimate {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut k = 0;
    for (&(a, b), c) in pairs.iter().zip(&comparisons) {
        if model.score(&prepared[a as usize], &prepared[b as usize], c) > 0.0 {
            k += 1;
        }
    }
    println!("score {:?} {k}", t.elapsed());
}
