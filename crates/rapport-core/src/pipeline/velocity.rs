//! Stays and velocity from moves: pure arithmetic, checked against hand-computed fixtures.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::history::Move;

/// A stay in a stage: entered, and left (None: still there).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stay {
    pub stage: String,
    pub entered: DateTime<Utc>,
    pub exited: Option<DateTime<Utc>>,
    /// Ended by the lead leaving the pipeline (merged into another, removed), not by a move on to a stage.
    pub left_pipeline: bool,
}

impl Stay {
    pub(crate) fn days(&self, now: DateTime<Utc>) -> f64 {
        (self.exited.unwrap_or(now) - self.entered).num_seconds() as f64 / 86_400.0
    }
}

/// A lead's stays from its moves (oldest first). A move ends the stay in hand whatever stage it says it
/// leaves: the history has no gaps, even where an older version logged less.
pub(crate) fn stays(moves: &[Move]) -> Vec<Stay> {
    let mut out: Vec<Stay> = Vec::new();
    let mut current: Option<Stay> = None;
    for m in moves {
        if let Some(mut s) = current.take() {
            s.exited = Some(m.at);
            s.left_pipeline = m.to.is_none();
            out.push(s);
        }
        current = m.to.clone().map(|stage| Stay { stage, entered: m.at, exited: None, left_pipeline: false });
    }
    out.extend(current);
    out
}

pub(crate) fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

pub(crate) fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let mid = s.len() / 2;
    Some(if s.len().is_multiple_of(2) { (s[mid - 1] + s[mid]) / 2.0 } else { s[mid] })
}

/// What the velocity adds up, lead by lead.
#[derive(Default)]
pub(crate) struct Tally {
    /// Per stage: the days of ended stays, and the ages of current ones.
    pub ended: BTreeMap<String, Vec<f64>>,
    pub current: BTreeMap<String, Vec<f64>>,
    /// Per closed stage: days from creation to the close, for leads closed now.
    pub to_close: BTreeMap<String, Vec<f64>>,
    /// Per (owner or source, stage): the days of ended stays.
    pub by_owner: HashMap<Option<i64>, BTreeMap<String, Vec<f64>>>,
    pub by_source: HashMap<Option<String>, BTreeMap<String, Vec<f64>>>,
}

impl Tally {
    /// Adds one lead: its moves, whether a stage is a closing one, its owner and source, and now.
    pub(crate) fn add(
        &mut self,
        moves: &[Move],
        closed: &dyn Fn(&str) -> bool,
        owner: Option<i64>,
        source: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let stays = stays(moves);
        for s in &stays {
            let days = s.days(now);
            // A stay cut short by a merge or a removal did not move on: its days are no stage's pace.
            if s.left_pipeline {
                continue;
            }
            if s.exited.is_some() {
                self.ended.entry(s.stage.clone()).or_default().push(days);
                self.by_owner.entry(owner).or_default().entry(s.stage.clone()).or_default().push(days);
                let by_source = self.by_source.entry(source.map(str::to_string)).or_default();
                by_source.entry(s.stage.clone()).or_default().push(days);
            } else {
                self.current.entry(s.stage.clone()).or_default().push(days);
            }
        }
        // Closed now: from its first entry (its creation) to the entry into the stage it is closed in, which
        // for a reopened deal is its last close.
        // A lead created closed (a won deal imported from history) was never worked here: it has no time to
        // close, rather than one of no days pulling the figures down.
        if let (Some(first), Some(last)) = (stays.first(), stays.last()) {
            if last.exited.is_none() && closed(&last.stage) && stays.iter().any(|s| !closed(&s.stage)) {
                // A merge and its unmerge (or a removal undone) take the lead out and put it back into the stay
                // it was closed in: that is no new close, and the deal closed when it entered that stay.
                let mut close = last;
                for s in stays.iter().rev().skip(1) {
                    if !(s.left_pipeline && s.stage == close.stage) {
                        break;
                    }
                    close = s;
                }
                let days = (close.entered - first.entered).num_seconds() as f64 / 86_400.0;
                self.to_close.entry(last.stage.clone()).or_default().push(days);
            }
        }
    }
}

/// How many ended stays a stage's mean must rest on to be compared with stages that have as many: a mean of one
/// or two stays says more about those leads than about the stage (the app's chart says so too).
pub(crate) const MIN_STAYS: usize = 5;

/// The stage with the longest mean ended stay in `stages` (ties: the earlier in `order`), among those with
/// [`MIN_STAYS`] stays when any has; among all when none has (a young pipeline still shows where it waits).
pub(crate) fn longest<'a>(stages: &'a BTreeMap<String, Vec<f64>>, order: &[String]) -> Option<(&'a str, f64, usize)> {
    let rank = |s: &str| order.iter().position(|o| o == s).unwrap_or(usize::MAX);
    let enough = stages.values().any(|days| days.len() >= MIN_STAYS);
    let mut best: Option<(&str, f64, usize)> = None;
    for (stage, days) in stages {
        if enough && days.len() < MIN_STAYS {
            continue;
        }
        let Some(m) = mean(days) else { continue };
        let better = match best {
            None => true,
            Some((b, bm, _)) => m > bm + 1e-9 || ((m - bm).abs() <= 1e-9 && rank(stage) < rank(b)),
        };
        if better {
            best = Some((stage.as_str(), m, days.len()));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// One long stay does not make a bottleneck of a stage beside one with many: 40 stays of 10 days in
    /// Qualification wait longer than one of 11 in Engagement. With few stays everywhere, the longest mean.
    #[test]
    fn a_bottleneck_rests_on_enough_stays_when_a_stage_has_them() {
        let order: Vec<String> = ["new", "qualification", "engagement"].iter().map(|s| s.to_string()).collect();
        let mut stages = BTreeMap::new();
        stages.insert("qualification".to_string(), vec![10.0; 40]);
        stages.insert("engagement".to_string(), vec![11.0]);
        assert_eq!(longest(&stages, &order).map(|(s, _, n)| (s, n)), Some(("qualification", 40)));
        let mut young = BTreeMap::new();
        young.insert("qualification".to_string(), vec![4.0, 5.0]);
        young.insert("engagement".to_string(), vec![11.0]);
        assert_eq!(longest(&young, &order).map(|(s, _, n)| (s, n)), Some(("engagement", 1)));
    }

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default() + chrono::Duration::days(i64::from(d))
    }

    fn mv(from: Option<&str>, to: Option<&str>, d: u32) -> Move {
        Move { from: from.map(str::to_string), to: to.map(str::to_string), at: day(d) }
    }

    const CLOSED: [&str; 2] = ["won", "lost"];

    #[test]
    fn a_lead_that_skips_stages_and_a_reopened_deal() {
        // Ann: new (day 0) → engagement (day 4, skipping qualification) → won (day 10) → reopened to
        // engagement (day 12) → won again (day 20). Now: day 30.
        let ann = [
            mv(None, Some("new"), 0),
            mv(Some("new"), Some("engagement"), 4),
            mv(Some("engagement"), Some("won"), 10),
            mv(Some("won"), Some("engagement"), 12),
            mv(Some("engagement"), Some("won"), 20),
        ];
        let s = stays(&ann);
        let shape: Vec<(&str, f64)> = s.iter().map(|s| (s.stage.as_str(), s.days(day(30)))).collect();
        assert_eq!(shape, vec![("new", 4.0), ("engagement", 6.0), ("won", 2.0), ("engagement", 8.0), ("won", 10.0)]);
        // Bo: new (day 0) → qualification (day 2) → lost (day 9). Cy: new (day 5), still there.
        let bo = [
            mv(None, Some("new"), 0),
            mv(Some("new"), Some("qualification"), 2),
            mv(Some("qualification"), Some("lost"), 9),
        ];
        let cy = [mv(None, Some("new"), 5)];
        // Dee: a won deal imported from history, created in won (day 1): never worked here, no time to close.
        let dee = [mv(None, Some("won"), 1)];
        let mut t = Tally::default();
        let closed = |s: &str| CLOSED.contains(&s);
        t.add(&ann, &closed, Some(1), Some("web_form"), day(30));
        t.add(&bo, &closed, Some(2), Some("partner"), day(30));
        t.add(&cy, &closed, Some(1), Some("web_form"), day(30));
        t.add(&dee, &closed, Some(3), Some("bulk_import"), day(30));
        // Ended stays: new 4 (Ann), 2 (Bo); engagement 6 and 8 (Ann); won 2 (Ann); qualification 7 (Bo).
        assert_eq!(t.ended["new"], vec![4.0, 2.0]);
        assert_eq!((mean(&t.ended["engagement"]), median(&t.ended["engagement"])), (Some(7.0), Some(7.0)));
        assert_eq!(t.ended["qualification"], vec![7.0]);
        assert_eq!(t.ended["won"], vec![2.0], "the reopened deal's first win ended");
        // Now: Ann won 10 days ago, Bo lost 21 days ago, Cy new for 25 days.
        assert_eq!(
            (t.current["won"].clone(), t.current["lost"].clone(), t.current["new"].clone()),
            (vec![10.0, 29.0], vec![21.0], vec![25.0])
        );
        // To close: Ann 20 days (to her last win), Bo 9 days; Cy is open.
        assert_eq!((t.to_close["won"].clone(), t.to_close["lost"].clone()), (vec![20.0], vec![9.0]));
        // Bottlenecks: owner 1's longest ended stays are in engagement (mean 7), owner 2's in qualification (7
        // beats new's 2).
        let order: Vec<String> = ["new", "qualification", "engagement", "won", "lost"].map(String::from).to_vec();
        assert_eq!(longest(&t.by_owner[&Some(1)], &order), Some(("engagement", 7.0, 2)));
        assert_eq!(longest(&t.by_owner[&Some(2)], &order).map(|(s, m, _)| (s, m)), Some(("qualification", 7.0)));
    }

    #[test]
    fn a_deleted_lead_and_a_restored_one_leave_no_gap_and_no_overlap() {
        // Created in new (day 0), deleted (day 3), restored by an undo into new (day 5), moved on (day 6).
        let moves = [
            mv(None, Some("new"), 0),
            mv(Some("new"), None, 3),
            mv(None, Some("new"), 5),
            mv(Some("new"), Some("qualification"), 6),
        ];
        let stays = stays(&moves);
        let shape: Vec<(&str, f64)> = stays.iter().map(|s| (s.stage.as_str(), s.days(day(8)))).collect();
        assert_eq!(shape, vec![("new", 3.0), ("new", 1.0), ("qualification", 2.0)]);
        // The stay the removal cut short is no stage's pace: only the one that moved on counts.
        let mut t = Tally::default();
        t.add(&moves, &|s: &str| CLOSED.contains(&s), None, None, day(8));
        assert_eq!(t.ended["new"], vec![1.0]);
    }

    /// Won on day 10, merged into a twin on day 20, unmerged on day 50: it closed in 10 days, not 50.
    #[test]
    fn a_deal_merged_away_and_back_closed_when_it_first_closed() {
        let moves = [
            mv(None, Some("new"), 0),
            mv(Some("new"), Some("won"), 10),
            mv(Some("won"), None, 20),
            mv(None, Some("won"), 50),
        ];
        let mut t = Tally::default();
        t.add(&moves, &|s: &str| CLOSED.contains(&s), None, None, day(60));
        assert_eq!(t.to_close["won"], vec![10.0]);
        // Back into another stage than the one it left, it is a move like any.
        let moves = [mv(None, Some("new"), 0), mv(Some("new"), None, 5), mv(None, Some("won"), 8)];
        let mut t = Tally::default();
        t.add(&moves, &|s: &str| CLOSED.contains(&s), None, None, day(60));
        assert_eq!(t.to_close["won"], vec![8.0]);
    }

    #[test]
    fn medians_of_even_and_odd_counts() {
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!((median(&[]), mean(&[])), (None, None));
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn stage() -> impl Strategy<Value = Option<String>> {
            prop_oneof![Just(None), Just(Some("new")), Just(Some("qualification")), Just(Some("won"))]
                .prop_map(|s| s.map(str::to_string))
        }

        proptest! {
            /// Whatever moves the log holds (in any order of stages, with gaps while a lead was merged away),
            /// each move into a stage opens exactly one stay, stays never run backwards or overlap, and only
            /// the last can still be open.
            #[test]
            fn stays_follow_the_moves(steps in proptest::collection::vec((stage(), stage(), 0u32..5), 0..30)) {
                let mut t = 0;
                let moves: Vec<Move> = steps
                    .iter()
                    .map(|(from, to, gap)| {
                        t += gap;
                        Move { from: from.clone(), to: to.clone(), at: day(t) }
                    })
                    .collect();
                let s = stays(&moves);
                prop_assert_eq!(s.len(), moves.iter().filter(|m| m.to.is_some()).count());
                for (i, stay) in s.iter().enumerate() {
                    match stay.exited {
                        Some(exited) => prop_assert!(exited >= stay.entered),
                        None => prop_assert_eq!(i, s.len() - 1, "only the last stay is open"),
                    }
                    if let Some(next) = s.get(i + 1) {
                        prop_assert!(stay.exited.is_some_and(|e| e <= next.entered), "no overlap");
                    }
                }
                prop_assert_eq!(
                    s.last().is_some_and(|l| l.exited.is_none()),
                    moves.last().is_some_and(|m| m.to.is_some())
                );
            }
        }
    }
}
