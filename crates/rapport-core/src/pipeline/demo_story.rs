//! The first run's demo leads as a story of the past weeks: each is created on a day of its own and moved through
//! the stages it has reached, with the proposal In discussion asks for, so that the pipeline's figures (time in
//! each stage, time to close, the board's ages) have something to show at the first look. Each step is an
//! ordinary operation of the core, its change log and stage history included, told at its own instant and
//! marked demo data: Remove sample leads takes all of it out.
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use super::activities::{ActivityKind, NewActivity};
use super::gate::Passage;
use crate::access::{Actor, Grant, Permission};
use crate::audit::{ChangeReason, Origin};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::leads::{ImportMode, LeadInput};
use crate::rapport::Rapport;

/// The clock the story is told by: set to each step's instant, still between steps.
struct StoryClock(Mutex<DateTime<Utc>>);

impl StoryClock {
    fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for StoryClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Create,
    /// A proposal logged, as In discussion asks.
    Proposal,
    Enter(&'static str),
}

/// When each step of sample lead `i` happens, as days and minutes before the story's end, oldest first. `stage`
/// is where the lead ends. The stays still under way are shorter than the stagnation policies allow (New lead
/// 10 business days, Qualification 20, In discussion 30), so the first sweep moves none of them. Derived from
/// `i`, not drawn: a first run tells the same story each time.
fn plan(i: usize, stage: &str) -> Vec<(i64, Step)> {
    // `factor` is prime to `span`, so that the leads' days take every value of it.
    let spread = |factor: usize, span: usize| (i * factor % span) as i64;
    let mut days: Vec<(i64, Step)> = match stage {
        "new" => vec![(1 + spread(7, 6), Step::Create)],
        "nurture" => {
            let entered = 1 + spread(13, 20);
            vec![(entered + 5 + spread(11, 30), Step::Create), (entered, Step::Enter("nurture"))]
        }
        "qualification" => {
            let qualified = 1 + spread(7, 13);
            vec![(qualified + 2 + spread(11, 25), Step::Create), (qualified, Step::Enter("qualification"))]
        }
        "engagement" => {
            let engaged = 1 + spread(17, 20);
            let qualified = engaged + 4 + spread(4, 15);
            vec![
                (qualified + 2 + spread(3, 20), Step::Create),
                (qualified, Step::Enter("qualification")),
                (engaged, Step::Proposal),
                (engaged, Step::Enter("engagement")),
            ]
        }
        closed @ ("won" | "lost") => {
            let closed_at = 1 + spread(7, 45);
            let engaged = closed_at + 6 + spread(11, 25);
            let qualified = engaged + 4 + spread(13, 20);
            let mut steps =
                vec![(qualified + 2 + spread(2, 15), Step::Create), (qualified, Step::Enter("qualification"))];
            // Half the lost deals are lost before a proposal, in Qualification.
            if closed != "lost" || i.is_multiple_of(2) {
                steps.extend([(engaged, Step::Proposal), (engaged, Step::Enter("engagement"))]);
            }
            steps.push((closed_at, Step::Enter(if closed == "won" { "won" } else { "lost" })));
            steps
        }
        // A stage the samples do not end in: created, as a new lead.
        _ => vec![(1 + spread(7, 6), Step::Create)],
    };
    // A lead's steps of one day half an hour apart, in order; the leads' times of day differ.
    let minutes = |k: usize| 8 * 60 - (i * 37 % 240) as i64 - 30 * k as i64;
    days.iter_mut().enumerate().map(|(k, (d, s))| (*d * 24 * 60 + minutes(k), *s)).collect()
}

impl Rapport {
    /// On an empty database (no users, no leads), writes `n` demo leads so a first look at the app shows a
    /// working CRM. Returns how many were written (0 when the database was not empty). "Empty" is decided
    /// inside the writing transaction, so two first runs racing cannot both seed.
    pub fn seed_demo_if_empty(&self, n: usize) -> Result<usize> {
        let rows: Vec<(u32, LeadInput)> =
            crate::demo::sample_leads(n, 2026).enumerate().map(|(i, l)| (i as u32 + 1, l)).collect();
        // Told in the past, on a handle of the same database whose clock the story sets.
        let end = self.now_utc();
        let clock = Arc::new(StoryClock::new(end));
        let teller = self.with_clock(clock.clone());
        teller.db.write(|tx| {
            if crate::users::store::count(tx)? > 0 || crate::leads::store::count(tx)? > 0 {
                return Ok(0);
            }
            let grant = Self::grant(tx, &Actor::system(), Permission::WriteLeads)?;
            teller.tell_demo_story(tx, &grant, &rows, &clock, end)
        })
    }

    /// Writes `rows` (the sample leads, in their final stages) as the story of the weeks before `end`, on this
    /// handle, whose clock is `clock`. Returns how many leads were created.
    fn tell_demo_story(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        rows: &[(u32, LeadInput)],
        clock: &StoryClock,
        end: DateTime<Utc>,
    ) -> Result<usize> {
        let origin = Origin { reason: ChangeReason::DemoData, source_ref: "first run".into() };
        // The samples' In discussion leads come as Qualification ones (a lead not yet stored has no proposal):
        // every other one goes on to In discussion, as it always has.
        let mut qualified = 0;
        let mut steps: Vec<(i64, usize, Step)> = Vec::new();
        for (i, (_, row)) in rows.iter().enumerate() {
            let mut stage = row.stage.as_str();
            if stage == "qualification" {
                qualified += 1;
                if qualified % 2 == 1 {
                    stage = "engagement";
                }
            }
            steps.extend(plan(i, stage).into_iter().map(|(minutes, step)| (minutes, i, step)));
        }
        // Oldest first, across the leads: the duplicate check of a lead created later meets the earlier ones.
        steps.sort_by_key(|(minutes, i, _)| (std::cmp::Reverse(*minutes), *i));
        let mut ids: Vec<Option<i64>> = vec![None; rows.len()];
        for (minutes, i, step) in steps {
            clock.set(end - Duration::minutes(minutes));
            let (row_number, sample) = &rows[i];
            match step {
                Step::Create => {
                    // Created a new lead; the reason for a loss is given when it is lost.
                    let mut first = sample.clone();
                    first.stage = "new".into();
                    first.deal.lost_reason.clear();
                    let out = self.import_in(
                        tx,
                        grant,
                        &[(*row_number, first)],
                        &origin,
                        ImportMode::AllOrNothing,
                        &mut |_| {},
                    )?;
                    ids[i] = out.created.first().copied();
                }
                Step::Proposal => {
                    let id = created(&ids, i)?;
                    let name = crate::leads::store::get(tx, id)?.map(|l| l.display_name()).unwrap_or_default();
                    let mut proposal = NewActivity {
                        kind: Some(ActivityKind::Proposal),
                        subject: format!("Proposal sent to {name}"),
                        done_at: Some(self.now()),
                        ..Default::default()
                    };
                    let valid = super::operations::validate_activity(&mut proposal, self.now_utc())?;
                    self.write_activity(tx, grant, id, &valid, &origin)?;
                }
                Step::Enter(stage) => {
                    let id = created(&ids, i)?;
                    let lead = crate::leads::store::get(tx, id)?
                        .ok_or_else(|| Error::Internal(format!("demo lead {id} vanished")))?;
                    let mut next = lead.to_input();
                    next.stage = stage.into();
                    if stage == "lost" {
                        next.deal.lost_reason = sample.deal.lost_reason.clone();
                    }
                    self.write_update(tx, grant, lead, &next, Passage::Checked, &mut || {
                        self.begin_batch(tx, grant, &origin)
                    })?;
                }
            }
        }
        Ok(ids.iter().flatten().count())
    }
}

fn created(ids: &[Option<i64>], i: usize) -> Result<i64> {
    ids[i].ok_or_else(|| Error::Internal(format!("demo lead {i} was not created before its moves")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lead's steps are in order and in the past, and the stays still under way end before the stagnation
    /// policies would move them (calendar days, a business week being five of seven).
    #[test]
    fn each_story_is_in_order_and_its_open_stay_is_short_of_stagnation() {
        let stages = ["new", "qualification", "engagement", "won", "lost", "nurture"];
        for stage in stages {
            // The stays (and the days between any two steps) differ from lead to lead: a board of "1d" cards
            // shows no story.
            let gaps: Vec<std::collections::BTreeSet<i64>> = (0..4)
                .map(|k| (0..500).filter_map(|i| plan(i, stage).iter().rev().nth(k).map(|s| s.0 / (24 * 60))).collect())
                .collect();
            assert!(gaps[0].len() >= 6, "{stage}: the days since its last step take {:?}", gaps[0]);
            assert!(gaps.iter().all(|g| g.is_empty() || g.len() >= 6), "{stage}: {gaps:?}");
        }
        for i in 0..500 {
            for stage in stages {
                let steps = plan(i, stage);
                assert_eq!(steps[0].1, Step::Create, "{i} {stage}");
                assert!(steps.windows(2).all(|w| w[0].0 > w[1].0), "{i} {stage}: {steps:?}");
                let last = steps.last().map_or(0, |s| s.0);
                assert!(last > 0, "{i} {stage}: in the past");
                // Calendar days, more than the business days they hold: short of the limit, whatever the holidays.
                let open_days = last / (24 * 60) + 1;
                let limit = match stage {
                    "new" => 10,
                    "qualification" => 20,
                    "engagement" => 30,
                    _ => i64::MAX,
                };
                assert!(open_days < limit, "{i} {stage}: {open_days} days");
                let entered: Vec<&str> =
                    steps.iter().filter_map(|s| if let Step::Enter(to) = s.1 { Some(to) } else { None }).collect();
                assert_eq!(entered.last().copied().unwrap_or("new"), stage, "{i}: ends where it should");
            }
        }
    }
}
