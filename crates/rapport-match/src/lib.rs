//! Duplicate detection for CRM records, with no database and no I/O, so it can be tested and benchmarked alone.
//!
//! The pipeline: [`prepare`] normalizes each record once (case, accents, punctuation, nicknames, street
//! abbreviations, email canonical form, phone digits, phonetic keys); [`blocking`] unites the candidates of
//! several cheap keys so the work grows near-linearly; [`compare`] turns a candidate pair into one level per
//! piece of evidence; [`model`] weighs the levels Fellegi–Sunter style, with m/u probabilities estimated from
//! the data by EM and exact agreements on common values discounted by their frequency; [`find_duplicates`]
//! returns every candidate pair with its score, tier and evidence.
//!
//! CRM data is not independent evidence: colleagues share a street, a switchboard and an email domain; a
//! household shares an address and a landline. So the address is one piece of evidence (not four), a value
//! shared by many records says little, and the email is judged as one field.
pub mod blocking;
pub mod compare;
pub mod explain;
pub mod model;
pub mod normalize;
pub mod synthetic;

pub use compare::{Comparison, Evidence, Level, FIELDS};
pub use explain::{explain, Note};
pub use model::{Model, Parameters, Thresholds, Tier};
pub use normalize::{prepare, Prepared};

/// A record as the matcher reads it. Phones are best given in E.164; any format is reduced to its digits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub region: String,
}

/// A candidate pair: indexes into the records given, the score (log2 odds), its tier and the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub a: usize,
    pub b: usize,
    pub score: f64,
    pub tier: Tier,
    pub comparison: Comparison,
}

/// Finds the likely duplicate pairs among `records`: blocks, compares, estimates the model's weights from these
/// very records by EM, and scores. Pairs below the review tier are not returned.
pub fn find_duplicates(records: &[Record], thresholds: &Thresholds) -> (Model, Vec<Candidate>) {
    find_duplicates_prepared(&parallel_map(records, prepare), thresholds)
}

/// [`find_duplicates`] on records already prepared (a caller scanning a million leads keeps only these).
pub fn find_duplicates_prepared(prepared: &[Prepared], thresholds: &Thresholds) -> (Model, Vec<Candidate>) {
    let pairs = blocking::candidate_pairs(prepared);
    let compare_pair = |&(a, b): &(u32, u32)| compare::compare(&prepared[a as usize], &prepared[b as usize]);
    let comparisons: Vec<Comparison> = parallel_map(&pairs, compare_pair);
    let mut model = Model::estimate(prepared, &comparisons);
    model.thresholds = thresholds.clone();
    let out = pairs
        .into_iter()
        .zip(comparisons)
        .filter_map(|((a, b), comparison)| {
            let (a, b) = (a as usize, b as usize);
            let score = model.score(&prepared[a], &prepared[b], &comparison);
            let tier = model.tier(score);
            (tier != Tier::Different).then_some(Candidate { a, b, score, tier, comparison })
        })
        .collect();
    (model, out)
}

/// `items.iter().map(f).collect()`, on every core: the comparisons of a full scan are independent.
pub fn parallel_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 10_000 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>())).collect();
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            // A panic in a worker is a bug in the comparators: pass it on rather than return a partial result.
            out.extend(part.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}
