//! Fellegi–Sunter weights: for each piece of evidence and level, m = P(level | same person) and
//! u = P(level | different people). u comes from random pairs of the records themselves; m and the share of
//! duplicates among the candidates are estimated by EM. An exact agreement is then weighed against how common
//! the agreed value is (term frequency): two leads sharing a switchboard number shared by 200 colleagues prove
//! little, sharing a rare surname proves much.
use std::collections::HashMap;

use crate::compare::{compare, Comparison, Evidence, Level, FIELDS, LEVELS};
use crate::normalize::{same_number, Prepared};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Not a duplicate.
    Different,
    /// Possibly the same: a person decides.
    Review,
    /// The same record: safe to enrich automatically.
    Same,
}

/// Where the tiers start, as the probability that a pair is the same person. An Administrator tunes them.
/// *Same* pairs are merged without a look (when they do not conflict), so its default is set for a precision
/// of 0.999 on generated CRM data at 100,000 leads (0.999 as a probability gave 0.996 there).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub same: f64,
    pub review: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { same: 0.99999, review: 0.5 }
    }
}

const EVIDENCE: usize = FIELDS.len();
const LEVEL_COUNT: usize = LEVELS.len();

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Share of duplicates among the candidate pairs.
    pub lambda: f64,
    pub m: [[f64; LEVEL_COUNT]; EVIDENCE],
    pub u: [[f64; LEVEL_COUNT]; EVIDENCE],
    pub thresholds: Thresholds,
    records: usize,
    /// How many records hold each value, per piece of evidence with term-frequency weights.
    frequencies: [HashMap<u64, u32>; EVIDENCE],
    /// The frequency of the value of an average record, per piece of evidence.
    mean_frequency: [f64; EVIDENCE],
    /// The share of a place's weight that still counts when a name differs outright (see [`Model::estimate`]).
    pub place_trust: f64,
}

/// A 64-bit digest (FNV-1a) of a value's parts, each ended by a separator. Stable across builds and
/// platforms (unlike std's hasher), so it may be stored: blocking keys, pair fingerprints. The term-frequency
/// tables count digests, not strings, so a million leads' values cost eight bytes each.
pub fn digest<S: AsRef<str>>(parts: &[S]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.as_ref().as_bytes().iter().chain(&[0x1f]) {
            h ^= u64::from(*byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The values an exact agreement may be about, for the term-frequency tables: each of a lead's emails and phones
/// (another lead may share any one of them), the one value of the other fields.
fn exact_values(p: &Prepared, e: Evidence) -> Vec<u64> {
    let mut values: Vec<u64> = match e {
        Evidence::Email => p.emails.iter().map(email_value).collect(),
        Evidence::Phone => p.phones.iter().map(|x| phone_value(x)).collect(),
        _ => single_value(p, e).into_iter().collect(),
    };
    values.sort_unstable();
    values.dedup();
    values
}

fn email_value((local, domain): &(String, String)) -> u64 {
    digest(&[local, domain])
}

/// A phone's value in the term-frequency tables: as it is matched, every digit of a number written in full, so
/// two numbers sharing their last nine digits are counted apart as they are compared apart.
fn phone_value(phone: &str) -> u64 {
    digest(&[phone])
}

/// The value of a field a lead has one of (not an email or a phone).
fn single_value(p: &Prepared, e: Evidence) -> Option<u64> {
    match e {
        Evidence::FirstName => (!p.first.is_empty()).then(|| digest(&[&p.first_canonical])),
        Evidence::LastName => (!p.last.is_empty()).then(|| digest(&[&p.last])),
        Evidence::Address => (!p.street.is_empty()).then(|| digest(&[&p.street, &p.postcode])),
        Evidence::Company => (!p.company.is_empty()).then(|| digest(&[&p.company])),
        Evidence::Email | Evidence::Phone => None,
    }
}

/// Deterministic pseudo-random numbers (SplitMix64): the sample of random pairs is the same on every run.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Evidence about where someone is (an office, a home) rather than who they are. Colleagues and housemates
/// agree on it as much as duplicates do, so EM, left to itself, would learn "same place" as "same person": it is
/// kept out of EM, with m fixed and u from random pairs, and an exact agreement is weighed by how many records
/// share the place.
fn is_place(e: Evidence) -> bool {
    matches!(e, Evidence::Address | Evidence::Company)
}

fn shares_place(c: &Comparison) -> bool {
    matches!(c.level(Evidence::Address), Level::Exact | Level::Close) || c.level(Evidence::Company) == Level::Exact
}

/// A name that differs outright: at a shared place, the signature of a housemate or a colleague.
fn names_disagree(c: &Comparison) -> bool {
    c.level(Evidence::FirstName) == Level::Different || c.level(Evidence::LastName) == Level::Different
}

/// No name agrees at all: one differs outright and the other differs too or is missing.
fn no_name_agrees(c: &Comparison) -> bool {
    let (first, last) = (c.level(Evidence::FirstName), c.level(Evidence::LastName));
    let unlike = |l: Level| matches!(l, Level::Different | Level::Missing);
    unlike(first) && unlike(last) && (first == Level::Different || last == Level::Different)
}

/// Below this many records there is too little to learn weights from (two leads holding one email would make
/// that email "common"), so a small database is judged with default weights and no term frequencies.
pub const MIN_POPULATION: usize = 500;

/// u for a small database: how often two different people agree, by evidence (exact, close, weak, different).
const DEFAULT_U: [[f64; LEVEL_COUNT]; EVIDENCE] = [
    [0.02, 0.01, 0.05, 0.92],           // first name
    [0.005, 0.005, 0.02, 0.97],         // last name
    [0.001, 0.001, 0.05, 0.948],        // address
    [0.00001, 0.0001, 0.0001, 0.99979], // email
    [0.0001, 0.0001, 0.0001, 0.9997],   // phone
    [0.01, 0.005, 0.005, 0.98],         // company
];

/// How far a shared place counts when a name differs, before there is data to measure it: CRM data is full
/// of colleagues and housemates (the measured value on generated CRM data is about 0.07).
const DEFAULT_PLACE_TRUST: f64 = 0.1;

const PLACE_M: [f64; LEVEL_COUNT] = [0.80, 0.10, 0.05, 0.05];

/// The most a duplicate can disagree outright on a piece of evidence: a bound on what EM may learn, so that it
/// cannot settle on a class such as "same first name, same town" (common in CRM data) and call it a person.
/// People change emails and phones; they rarely change both names.
fn max_m_different(e: Evidence) -> f64 {
    match e {
        Evidence::FirstName => 0.15,
        Evidence::LastName => 0.1,
        Evidence::Email | Evidence::Phone => 0.6,
        Evidence::Address | Evidence::Company => 0.5,
    }
}

/// The least a duplicate disagrees outright: people do change their email and their phone, so a different one
/// must never count as proof of a different person, whatever a sample suggests.
fn min_m_different(e: Evidence) -> f64 {
    match e {
        Evidence::Email | Evidence::Phone => 0.15,
        _ => 0.005,
    }
}

/// The least a duplicate agrees exactly on its names: most duplicates are typed with the right name. Without
/// this floor, EM over a large employer's staff settles on "same first name, same office" as its class.
fn min_m_exact(e: Evidence) -> f64 {
    match e {
        Evidence::FirstName | Evidence::LastName => 0.6,
        _ => 0.0,
    }
}

/// `m` with its exact share raised to at least `floor`, the rest scaled down alike.
fn with_exact_floor(mut m: [f64; LEVEL_COUNT], floor: f64) -> [f64; LEVEL_COUNT] {
    let exact = Level::Exact as usize;
    if m[exact] < floor {
        let rest: f64 = 1.0 - m[exact];
        for (i, v) in m.iter_mut().enumerate() {
            *v = if i == exact {
                floor
            } else if rest > 0.0 {
                *v / rest * (1.0 - floor)
            } else {
                (1.0 - floor) / 3.0
            };
        }
    }
    m
}

fn bounded(mut m: [f64; LEVEL_COUNT], e: Evidence) -> [f64; LEVEL_COUNT] {
    m = with_exact_floor(m, min_m_exact(e));
    let different = Level::Different as usize;
    let target = m[different].clamp(min_m_different(e), max_m_different(e));
    let cap = target;
    if m[different] != target {
        let rest: f64 = m.iter().enumerate().filter(|(i, _)| *i != different).map(|(_, v)| v).sum();
        for (i, v) in m.iter_mut().enumerate() {
            *v = if i == different {
                cap
            } else if rest > 0.0 {
                *v / rest * (1.0 - cap)
            } else {
                (1.0 - cap) / 3.0
            };
        }
    }
    m
}

/// The m/u of each level (exact, close, weak, different) made to never rise from one level to a looser one, by
/// pooling the neighbouring levels that break the order (isotonic regression: pool adjacent violators). A pooled
/// level weighs what its levels weigh together, so a level EM hardly ever saw moves it little. None for a level
/// left as it was.
fn ordered_ratios(m: &[f64; LEVEL_COUNT], u: &[f64; LEVEL_COUNT]) -> [Option<f64>; LEVEL_COUNT] {
    // Each block: its m, its u, and how many levels it pools. On the stack: every weight of an email or phone
    // (millions in a full scan) runs this.
    let mut blocks = [(0.0, 0.0, 0usize); LEVEL_COUNT];
    let mut len = 0;
    for level in 0..LEVEL_COUNT {
        blocks[len] = (m[level], u[level], 1);
        len += 1;
        while len >= 2 {
            let ((m1, u1, n1), (m2, u2, n2)) = (blocks[len - 2], blocks[len - 1]);
            // The stricter block below the looser one: m1/u1 < m2/u2, without dividing by a u of 0.
            if m1 * u2 >= m2 * u1 {
                break;
            }
            len -= 1;
            blocks[len - 1] = (m1 + m2, u1 + u2, n1 + n2);
        }
    }
    let mut out = [None; LEVEL_COUNT];
    let mut level = 0;
    for &(bm, bu, n) in &blocks[..len] {
        for slot in out.iter_mut().skip(level).take(n) {
            *slot = (n > 1 && bm > 0.0 && bu > 0.0).then_some(bm / bu);
        }
        level += n;
    }
    out
}

fn normalized(counts: [f64; LEVEL_COUNT]) -> [f64; LEVEL_COUNT] {
    let total: f64 = counts.iter().sum();
    // A little mass on every level: a level never seen is rare, not impossible.
    let mut out = [0.0; LEVEL_COUNT];
    for (o, c) in out.iter_mut().zip(counts) {
        *o = (c + 0.5) / (total + 0.5 * LEVEL_COUNT as f64);
    }
    out
}

/// What a model learnt, without its term-frequency tables: small enough to store, so that one new lead can be
/// scored against the last full scan's weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    pub lambda: f64,
    pub m: [[f64; LEVEL_COUNT]; EVIDENCE],
    pub u: [[f64; LEVEL_COUNT]; EVIDENCE],
    pub place_trust: f64,
    pub records: usize,
}

impl Model {
    pub fn parameters(&self) -> Parameters {
        Parameters { lambda: self.lambda, m: self.m, u: self.u, place_trust: self.place_trust, records: self.records }
    }

    /// A model from stored parameters. Without frequency tables an exact agreement is weighed by its average u.
    pub fn from_parameters(p: &Parameters) -> Self {
        Self {
            lambda: p.lambda,
            m: p.m,
            u: p.u,
            thresholds: Thresholds::default(),
            records: p.records,
            frequencies: Default::default(),
            mean_frequency: [0.0; EVIDENCE],
            place_trust: p.place_trust,
        }
    }

    /// The weights of a database too small to learn from (or never scanned).
    pub fn defaults() -> Self {
        let mut m = Self::from_parameters(&Parameters {
            lambda: 0.1,
            m: [[0.0; LEVEL_COUNT]; EVIDENCE],
            u: [[0.0; LEVEL_COUNT]; EVIDENCE],
            place_trust: 1.0,
            records: 0,
        });
        m.use_defaults();
        m
    }

    /// Estimates u from random pairs of `records` and m (with the share of duplicates) from the candidate
    /// `comparisons` by EM.
    pub fn estimate(records: &[Prepared], comparisons: &[Comparison]) -> Self {
        let n = records.len();
        let mut u_counts = [[0.0; LEVEL_COUNT]; EVIDENCE];
        let mut rng = SplitMix(0x5241_5050);
        let samples = if n < 2 { 0 } else { (n * 20).min(200_000) };
        for _ in 0..samples {
            let a = (rng.next() % n as u64) as usize;
            let b = (rng.next() % n as u64) as usize;
            if a == b {
                continue;
            }
            let c = compare(&records[a], &records[b]);
            for e in FIELDS {
                let level = c.level(e);
                if level != Level::Missing {
                    u_counts[e as usize][level as usize] += 1.0;
                }
            }
        }
        let mut u = [[0.0; LEVEL_COUNT]; EVIDENCE];
        for e in 0..EVIDENCE {
            u[e] = normalized(u_counts[e]);
        }
        let mut m = [[0.85, 0.08, 0.04, 0.03]; EVIDENCE];
        for e in FIELDS.into_iter().filter(|e| is_place(*e)) {
            m[e as usize] = PLACE_M;
        }
        let place_u = u;
        let mut lambda = 0.1;
        // EM on the candidates, starting from u of random pairs: which candidates are duplicates, given m and u;
        // then m, u and lambda, given that. (u cannot stay at its random-pair value: candidates that are not
        // duplicates still agree on the keys that made them candidates.)
        // In the order first met, not a hash map's: the sums below are of floating-point numbers, whose order
        // changes their last bits, and two runs on the same data must learn the same weights (a pair at a tier's
        // edge would otherwise change tier from one scan to the next).
        let mut index: HashMap<Comparison, usize> = HashMap::new();
        let mut distinct: Vec<(Comparison, f64)> = Vec::new();
        for c in comparisons {
            match index.get(c) {
                Some(&i) => distinct[i].1 += 1.0,
                None => {
                    index.insert(*c, distinct.len());
                    distinct.push((*c, 1.0));
                }
            }
        }
        for _ in 0..40 {
            let mut m_counts = [[0.0; LEVEL_COUNT]; EVIDENCE];
            let mut u_counts = [[0.0; LEVEL_COUNT]; EVIDENCE];
            let mut matched = 0.0;
            let mut total = 0.0;
            for (c, count) in &distinct {
                let (mut pm, mut pu) = (lambda, 1.0 - lambda);
                for e in FIELDS.into_iter().filter(|e| !is_place(*e)) {
                    let level = c.level(e);
                    if level != Level::Missing {
                        pm *= m[e as usize][level as usize];
                        pu *= u[e as usize][level as usize];
                    }
                }
                let g = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
                matched += g * count;
                total += count;
                for e in FIELDS {
                    let level = c.level(e);
                    if level != Level::Missing {
                        m_counts[e as usize][level as usize] += g * count;
                        u_counts[e as usize][level as usize] += (1.0 - g) * count;
                    }
                }
            }
            if total > 0.0 {
                lambda = (matched / total).clamp(1e-6, 1.0 - 1e-6);
            }
            for e in FIELDS.into_iter().filter(|e| !is_place(*e)) {
                m[e as usize] = bounded(normalized(m_counts[e as usize]), e);
                u[e as usize] = normalized(u_counts[e as usize]);
            }
        }
        let mut frequencies: [HashMap<u64, u32>; EVIDENCE] = Default::default();
        for p in records {
            for e in FIELDS {
                for v in exact_values(p, e) {
                    *frequencies[e as usize].entry(v).or_default() += 1;
                }
            }
        }
        for e in FIELDS.into_iter().filter(|e| is_place(*e)) {
            u[e as usize] = place_u[e as usize];
        }
        let mut mean_frequency = [0.0; EVIDENCE];
        for e in FIELDS {
            let table = &frequencies[e as usize];
            let holders: u32 = table.values().sum();
            if holders > 0 {
                let share: f64 = table.values().map(|c| f64::from(*c) * f64::from(*c)).sum::<f64>();
                mean_frequency[e as usize] = share / f64::from(holders) / n.max(1) as f64;
            }
        }
        // How far a shared place can be trusted when a name differs, measured on these records: if duplicates
        // alone shared places, pairs with a differing name would be about q of the pairs at a place (q: how often
        // a duplicate's name differs). Every pair beyond that is a housemate or a colleague. Public test sets
        // without households keep nearly full trust; CRM data with offices and families keeps little.
        let (mut at_place, mut differing) = (0.0, 0.0);
        for c in comparisons {
            if shares_place(c) {
                at_place += 1.0;
                if names_disagree(c) {
                    differing += 1.0;
                }
            }
        }
        let q = 1.0
            - (1.0 - m[Evidence::FirstName as usize][Level::Different as usize])
                * (1.0 - m[Evidence::LastName as usize][Level::Different as usize]);
        let place_trust = if differing > 0.0 { (q * at_place / differing).min(1.0) } else { 1.0 };
        let mut model = Self {
            lambda,
            m,
            u,
            thresholds: Thresholds::default(),
            records: n,
            frequencies,
            mean_frequency,
            place_trust,
        };
        if n < MIN_POPULATION {
            model.use_defaults();
        }
        model
    }

    fn use_defaults(&mut self) {
        for e in FIELDS {
            self.m[e as usize] = if is_place(e) { PLACE_M } else { bounded([0.85, 0.08, 0.04, 0.03], e) };
            self.u[e as usize] = DEFAULT_U[e as usize];
        }
        self.lambda = 0.1;
        self.mean_frequency = [0.0; EVIDENCE];
        self.place_trust = DEFAULT_PLACE_TRUST;
    }

    /// log2(m/u) of one piece of evidence about `a` and `b`; an exact agreement weighed by how common the value
    /// they share is.
    pub fn weight(&self, a: &Prepared, b: &Prepared, e: Evidence, level: Level) -> f64 {
        if level == Level::Missing {
            return 0.0;
        }
        let (m, mut u) = (self.m[e as usize][level as usize], self.u[e as usize][level as usize]);
        // An email or phone agreeing exactly never weighs less than one agreeing loosely. EM can learn otherwise
        // from data whose duplicates were all typed with a slip (generated CRM data: m of an exact phone 0.0002,
        // of a close one 0.4), and then a lead imported again exactly as stored scored below its own retyping
        // and was created twice. Names are left as EM measured them: strangers share a common first name typed
        // right more often than one typed with a slip (FEBRL 2: exact 4.5 times likelier in duplicates, close
        // 5.2), and forcing the order there cost 3 points of F1.
        if matches!(e, Evidence::Email | Evidence::Phone) {
            if let Some(pooled) = ordered_ratios(&self.m[e as usize], &self.u[e as usize])[level as usize] {
                u = m / pooled;
            }
        }
        if level == Level::Exact {
            if let Some(count) = self.count(a, b, e) {
                // Given one record holds the value, the share of the others that hold it too, relative to that
                // of an average value: the estimated u stays the yardstick, the value's frequency adjusts it.
                let tf = f64::from(count) / self.records.max(1) as f64;
                let mean = self.mean_frequency[e as usize];
                if mean > 0.0 {
                    u = (u * tf / mean).clamp(f64::MIN_POSITIVE, 1.0);
                }
            }
        }
        (m / u).log2()
    }

    /// How many of the records the model was estimated on hold the value of `e` that `a` and `b` share (for
    /// "shared with 212 other leads"); None when it is not known.
    pub fn holders(&self, a: &Prepared, b: &Prepared, e: Evidence) -> Option<u32> {
        self.count(a, b, e)
    }

    /// The holders of the rarest value of `e` that `a` and `b` share: of two leads sharing a mobile and a
    /// switchboard, the mobile is what tells about the person. Without a shared value (a loose agreement),
    /// those of `a`'s first.
    fn count(&self, a: &Prepared, b: &Prepared, e: Evidence) -> Option<u32> {
        let table = &self.frequencies[e as usize];
        if table.is_empty() {
            return None;
        }
        // Read for every exact agreement of every pair a scan scores: compared in place, nothing allocated.
        let rarest = |values: &mut dyn Iterator<Item = u64>| values.filter_map(|v| table.get(&v).copied()).min();
        match e {
            Evidence::Email => rarest(&mut a.emails.iter().filter(|x| b.emails.contains(x)).map(email_value))
                .or_else(|| a.emails.first().and_then(|x| table.get(&email_value(x)).copied())),
            Evidence::Phone => rarest(
                &mut a.phones.iter().filter(|x| b.phones.iter().any(|y| same_number(x, y))).map(|x| phone_value(x)),
            )
            .or_else(|| a.phones.first().and_then(|x| table.get(&phone_value(x)).copied())),
            _ => single_value(a, e).and_then(|v| table.get(&v).copied()),
        }
    }

    /// Whether an exact agreement on `e` is about a place rather than a person: the address and the company
    /// always, a phone or an email when more than two records share it (a switchboard, an info@ address).
    fn about_place(&self, a: &Prepared, b: &Prepared, e: Evidence, level: Level, same_address: bool) -> bool {
        is_place(e)
            || (level == Level::Exact
                && matches!(e, Evidence::Phone | Evidence::Email)
                && self.count(a, b, e).is_some_and(|n| n > 2))
            // A phone shared at the same address is the household's landline (or the office's switchboard):
            // part of the address, not a second proof.
            || (e == Evidence::Phone && level == Level::Exact && same_address)
    }

    /// The pair's match weight in log2: the prior odds, the evidence about the person, and the evidence about
    /// the place counted once (an office's address, company name and switchboard are one fact: the same
    /// workplace).
    pub fn score(&self, a: &Prepared, b: &Prepared, c: &Comparison) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        let mut person = 0.0;
        let mut place: Vec<f64> = Vec::new();
        let same_address = matches!(c.level(Evidence::Address), Level::Exact | Level::Close);
        for e in FIELDS {
            let level = c.level(e);
            let w = self.weight(a, b, e, level);
            if self.about_place(a, b, e, level, same_address) {
                place.push(w);
            } else {
                person += w;
            }
        }
        let best = place.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut place = if best > 0.0 { best } else { place.iter().sum() };
        // A name that differs outright at a shared place is the signature of a housemate or a colleague: the place
        // is then mostly explained by the household or the office.
        if names_disagree(c) && place > 0.0 {
            place *= self.place_trust;
        }
        // No name alike and only part of a place shared (the same town, or the same house number in one
        // postcode): two people, however rare the town. Only person evidence (an email, a phone) can still make
        // them one.
        if no_name_agrees(c) && !same_address {
            place = place.min(0.0);
        }
        prior + person + place
    }

    pub fn probability(score: f64) -> f64 {
        1.0 / (1.0 + (-score).exp2())
    }

    pub fn tier(&self, score: f64) -> Tier {
        let p = Self::probability(score);
        if p >= self.thresholds.same {
            Tier::Same
        } else if p >= self.thresholds.review {
            Tier::Review
        } else {
            Tier::Different
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Model, Parameters};
    use crate::{compare::compare, find_duplicates, prepare, Record, Thresholds, Tier};

    /// Strangers who share a town, or a house number in one postcode, are two people however rare the town;
    /// the same pair with one name the same is still weighed by its place, when they share one. The weights are
    /// those EM learnt on a public test set of people spread over a country, without email or phone: a shared
    /// town is rare there.
    #[test]
    fn no_name_alike_and_part_of_a_place_shared_is_two_people() {
        let model = Model::from_parameters(&Parameters {
            lambda: 0.70,
            m: [
                [0.651, 0.181, 0.018, 0.15],
                [0.645, 0.239, 0.016, 0.1],
                [0.8, 0.1, 0.05, 0.05],
                [0.25; 4],
                [0.25; 4],
                [0.8, 0.1, 0.05, 0.05],
            ],
            u: [
                [0.1442, 0.0351, 0.0784, 0.7424],
                [0.6157, 0.0949, 0.1534, 0.1359],
                [0.0004, 0.0001, 0.0004, 0.9991],
                [0.25; 4],
                [0.25; 4],
                [0.25; 4],
            ],
            place_trust: 1.0,
            records: 5000,
        });
        let person = |first: &str, last: &str, street: &str, city: &str| {
            prepare(&Record {
                first_name: first.into(),
                last_name: last.into(),
                street: street.into(),
                city: city.into(),
                postcode: "2213".into(),
                region: "nsw".into(),
                ..Default::default()
            })
        };
        let tier = |a: &crate::Prepared, b: &crate::Prepared| model.tier(model.score(a, b, &compare(a, b)));
        let jacqueline = person("jacqueline", "daykin", "21 mackie crescent", "pottsville beach");
        for (other, what) in [
            (person("patrick", "vincent", "21 outtrim avenue", "willerton"), "a house number in one postcode"),
            (person("patrick", "vincent", "4 gale street", "pottsville beach"), "a town"),
        ] {
            assert_eq!(tier(&jacqueline, &other), Tier::Different, "strangers sharing {what}");
        }
        // A first name unknown and the last different: the town adds nothing to what the names say.
        let score = |b: &crate::Prepared| model.score(&jacqueline, b, &compare(&jacqueline, b));
        let unnamed = person("", "vincent", "4 gale street", "pottsville beach");
        let nowhere = prepare(&Record { last_name: "vincent".into(), ..Default::default() });
        assert_eq!(score(&unnamed), score(&nowhere), "one name unknown, the other different");
        // Another house of her street, in her town: with one name the same, the place still counts. (A house
        // number alone, on another street of the postcode, is no place shared: see compare.rs.)
        let namesake = person("jacqueline", "vincent", "27 mackie crescent", "pottsville beach");
        assert_eq!(tier(&jacqueline, &namesake), Tier::Review, "one name the same: the place still counts");
        let elsewhere = person("jacqueline", "vincent", "21 outtrim avenue", "willerton");
        assert_eq!(tier(&jacqueline, &elsewhere), Tier::Different, "one name the same, and no place shared");
    }

    /// What a full scan learnt on `rapport bench`'s million generated leads, whose duplicates were all typed with
    /// a slip: an exact email or phone was rarer among duplicates than a close one.
    pub(crate) fn learnt_on_slips() -> Parameters {
        Parameters {
            lambda: 0.006_464_7,
            m: [
                [0.994_420_8, 2.931_2e-6, 0.000_576_3, 0.005],
                [0.994_990_6, 4.776e-6, 4.590_3e-6, 0.005],
                [0.8, 0.1, 0.05, 0.05],
                [0.000_804_2, 0.849_191_4, 4.414_8e-6, 0.15],
                [0.000_238_8, 0.399_720_7, 4.049_1e-5, 0.6],
                [0.8, 0.1, 0.05, 0.05],
            ],
            u: [
                [0.354_234_5, 0.000_164_2, 0.022_058_1, 0.623_543_3],
                [0.471_582_4, 0.027_964_6, 0.030_236_4, 0.470_216_6],
                [0.000_102_5, 5.749_9e-5, 0.011_127_4, 0.988_712_6],
                [5.423_4e-8, 5.342_9e-8, 1.869_8e-6, 0.999_998_0],
                [0.028_507_9, 0.008_688_8, 3.699_9e-8, 0.962_803_3],
                [0.005_677_4, 0.006_187_4, 2.5e-6, 0.988_132_6],
            ],
            place_trust: 0.010_283_9,
            records: 1_000_000,
        }
    }

    /// However EM weighed the levels, an email or phone agreeing exactly counts at least as much as one agreeing
    /// loosely, so a person typed again exactly as stored is the same person.
    #[test]
    fn an_identifier_agreeing_exactly_never_weighs_less_than_loosely() {
        use crate::compare::{Evidence, LEVELS};
        let model = Model::from_parameters(&learnt_on_slips());
        let record = Record {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            company: "Acme".into(),
            emails: vec!["ann.lee@acme.co.uk".into()],
            phones: vec!["+442079460071".into()],
            city: "London".into(),
            postcode: "EC1A 1AB".into(),
            ..Default::default()
        };
        let ann = prepare(&record);
        for e in [Evidence::Email, Evidence::Phone] {
            let weights = LEVELS.map(|l| model.weight(&ann, &ann, e, l));
            assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{e:?}: {weights:?}");
        }
        // The exact phone and the close one pooled (3.4 bits each), not -6.9 and +5.5 as EM left them.
        let phone = |l| model.weight(&ann, &ann, Evidence::Phone, l);
        assert!((phone(crate::Level::Exact) - 3.43).abs() < 0.01, "{}", phone(crate::Level::Exact));
        assert_eq!(phone(crate::Level::Exact), phone(crate::Level::Close));
        assert_eq!(model.tier(model.score(&ann, &ann, &compare(&ann, &ann))), Tier::Same, "Ann typed again");
        // Without an email, the phone typed again exactly scores no lower than the phone typed with a slip.
        let by_phone = prepare(&Record { emails: vec![], ..record.clone() });
        let slipped = prepare(&Record { emails: vec![], phones: vec!["+442079460017".into()], ..record });
        let score = |b: &crate::Prepared| model.score(&by_phone, b, &compare(&by_phone, b));
        assert!(score(&by_phone) >= score(&slipped), "{} against {}", score(&by_phone), score(&slipped));
    }

    /// A switchboard shared by a whole office is weighed as the office's, whichever of its phones a lead lists
    /// first: the value two leads share is the one counted, not the first lead's first.
    #[test]
    fn the_shared_phone_is_weighed_by_its_own_frequency() {
        use crate::compare::Evidence;
        const FIRST: [&str; 25] = [
            "Alice", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Lars",
            "Mona", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Ugo", "Vera", "Wim", "Xena", "Yuri",
        ];
        const LAST: [&str; 25] = [
            "Abel", "Brandt", "Castro", "Dietz", "Engel", "Fuchs", "Graf", "Hahn", "Ibsen", "Jung", "Kraus", "Lang",
            "Maier", "Nagel", "Ortiz", "Peters", "Quast", "Roth", "Stein", "Thiel", "Ulrich", "Vogel", "Wolf",
            "Yilmaz", "Zimmer",
        ];
        let switchboard = "+44 20 7946 0000";
        let mut records: Vec<Record> = (0..FIRST.len() * LAST.len())
            .map(|i| Record {
                first_name: FIRST[i % 25].into(),
                last_name: LAST[i / 25].into(),
                emails: vec![format!("person{i}@mail{i}.example")],
                ..Default::default()
            })
            .collect();
        // Forty of them work at Acme: their own mobile first, then the switchboard.
        for (i, r) in records.iter_mut().take(40).enumerate() {
            r.company = "Acme".into();
            r.phones = vec![format!("+44 7700 9001{i:02}"), switchboard.into()];
        }
        let x = Record {
            first_name: "Tom".into(),
            last_name: "Baker".into(),
            company: "Acme".into(),
            phones: vec![switchboard.into()],
            ..Default::default()
        };
        let y = Record {
            first_name: "Tom".into(),
            last_name: "Barker".into(),
            company: "Acme".into(),
            phones: vec!["+44 7700 900999".into(), switchboard.into()],
            ..Default::default()
        };
        records.extend([x.clone(), y.clone()]);
        let (model, _) = find_duplicates(&records, &Thresholds::default());
        let (x, y) = (prepare(&x), prepare(&y));
        assert_eq!(model.holders(&y, &x, Evidence::Phone), Some(42), "the switchboard's holders, not Tom's mobile's");
        assert_eq!(model.holders(&x, &y, Evidence::Phone), Some(42));
        let (xy, yx) = (model.score(&x, &y, &compare(&x, &y)), model.score(&y, &x, &compare(&y, &x)));
        assert_eq!(xy, yx, "the same pair scores the same either way round");
        assert_ne!(model.tier(yx), Tier::Same, "an office's switchboard and a near name are not one person: {yx}");
    }

    /// The same records learn the same weights, to the last bit, however often they are learnt from: a scan of
    /// unchanged data must not move a pair at a tier's edge from one tier to the other.
    #[test]
    fn the_same_records_learn_the_same_weights_every_time() {
        let data = crate::synthetic::generate(2000, 0.2, 11);
        let learnt = || format!("{:?}", find_duplicates(&data.records, &Thresholds::default()).0.parameters());
        let first = learnt();
        for _ in 0..3 {
            assert_eq!(learnt(), first);
        }
    }

    #[test]
    fn a_small_database_still_flags_a_person_typed_twice() {
        let ann = Record {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            emails: vec!["ann@x.com".into()],
            ..Default::default()
        };
        let other = Record { first_name: "Bo".into(), last_name: "Chan".into(), ..Default::default() };
        let (_, found) = find_duplicates(&[ann.clone(), other, ann], &Thresholds::default());
        assert_eq!(found.iter().map(|c| (c.a, c.b, c.tier)).collect::<Vec<_>>(), vec![(0, 2, Tier::Same)]);
    }
}
