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
pub mod stored;
pub mod synthetic;

pub use compare::{Comparison, Evidence, Level, FIELDS};
pub use explain::{explain, Note};
pub use model::{digest, Model, Parameters, Thresholds, Tier};
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
    match find_duplicates_until(prepared, thresholds, &|| false) {
        Some(found) => found,
        // Never asked to stop.
        None => (Model::estimate(prepared, &[]), Vec::new()),
    }
}

/// Pairs compared between two looks at `stop` (a scan's cancel is heard within a second or so).
const COMPARED_BETWEEN_LOOKS: usize = 65_536;

/// [`find_duplicates_prepared`] that gives up, answering `None`, once `stop` says so (looked at between
/// chunks of comparisons, most of the time a scan takes).
pub fn find_duplicates_until(
    prepared: &[Prepared],
    thresholds: &Thresholds,
    stop: &dyn Fn() -> bool,
) -> Option<(Model, Vec<Candidate>)> {
    let pairs = blocking::candidate_pairs(prepared);
    let compare_pair = |&(a, b): &(u32, u32)| compare::compare(&prepared[a as usize], &prepared[b as usize]);
    let mut comparisons: Vec<Comparison> = Vec::with_capacity(pairs.len());
    for chunk in pairs.chunks(COMPARED_BETWEEN_LOOKS) {
        if stop() {
            return None;
        }
        comparisons.extend(parallel_map(chunk, compare_pair));
    }
    let mut model = Model::estimate(prepared, &comparisons);
    model.thresholds = thresholds.clone();
    let mut out: Vec<Candidate> = pairs
        .into_iter()
        .zip(comparisons)
        .filter_map(|((a, b), comparison)| {
            let (a, b) = (a as usize, b as usize);
            let score = model.score(&prepared[a], &prepared[b], &comparison);
            let tier = model.tier(score);
            (tier != Tier::Different).then_some(Candidate { a, b, score, tier, comparison })
        })
        .collect();
    guard_chains(&mut out, prepared.len());
    Some((model, out))
}

/// The most records of one person that are still believed without a look: a person typed in more often than
/// this is rare, and a larger group is more likely a chain (A like B, B like C, ... across a family or an
/// office) than one person.
pub const MAX_SAME_CLUSTER: usize = 4;

/// The guard against chains: pairs whose records, joined through every flagged pair, form a group larger than
/// [`MAX_SAME_CLUSTER`] are never merged automatically; *same* becomes *review*, so a person decides.
pub fn guard_chains(candidates: &mut [Candidate], records: usize) {
    let mut parent: Vec<usize> = (0..records).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for c in candidates.iter() {
        let (ra, rb) = (root(&mut parent, c.a), root(&mut parent, c.b));
        if ra != rb {
            parent[ra] = rb;
        }
    }
    let mut members = std::collections::HashMap::<usize, std::collections::HashSet<usize>>::new();
    for c in candidates.iter() {
        let r = root(&mut parent, c.a);
        let set = members.entry(r).or_default();
        set.insert(c.a);
        set.insert(c.b);
    }
    for c in candidates.iter_mut() {
        let r = root(&mut parent, c.a);
        if c.tier == Tier::Same && members.get(&r).is_some_and(|m| m.len() > MAX_SAME_CLUSTER) {
            c.tier = Tier::Review;
        }
    }
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

#[cfg(test)]
mod chain_tests {
    use super::*;

    fn same(a: usize, b: usize) -> Candidate {
        Candidate { a, b, score: 20.0, tier: Tier::Same, comparison: Comparison([Level::Exact; 6]) }
    }

    /// Asked to stop, the matching gives up between chunks of comparisons; never asked, it finds what the
    /// plain call finds.
    #[test]
    fn matching_stops_when_asked_and_finds_the_same_otherwise() {
        let data = crate::synthetic::generate(300, 0.2, 7);
        let prepared = parallel_map(&data.records, prepare);
        let thresholds = Thresholds::default();
        assert!(find_duplicates_until(&prepared, &thresholds, &|| true).is_none());
        let (_, plain) = find_duplicates_prepared(&prepared, &thresholds);
        let until = find_duplicates_until(&prepared, &thresholds, &|| false).map(|(_, c)| c);
        assert!(!plain.is_empty());
        assert_eq!(until, Some(plain));
    }

    #[test]
    fn a_chain_longer_than_a_person_goes_to_a_person() {
        // 0-1-2 is one person typed three times; 3-4-5-6-7-8 chains six records.
        let mut c = vec![same(0, 1), same(1, 2), same(3, 4), same(4, 5), same(5, 6), same(6, 7), same(7, 8)];
        guard_chains(&mut c, 9);
        assert!(c[..2].iter().all(|p| p.tier == Tier::Same));
        assert!(c[2..].iter().all(|p| p.tier == Tier::Review));
    }
}
