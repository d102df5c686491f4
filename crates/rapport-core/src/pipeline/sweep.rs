//! The stagnation sweep: every lead inactive in its stage longer than the stage's policy allows is moved to
//! the policy's target through the gate, logged with the policy as the actor, and its owner is told. The
//! preview (dry run) plans the same moves and asks the gate the same question without writing.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::config;
use super::gate::{self, Passage};
use super::stagnation::{self, BusinessCalendar, Days, StagnationPolicy, Stale};
use crate::access::{Actor, Grant, Permission};
use crate::audit::{ChangeReason, Origin};
use crate::calendar::time::utc_text;
use crate::error::{Error, Result};
use crate::leads::store as leads;
use crate::leads::{Lead, ValidationErrors};
use crate::rapport::Rapport;

/// Moves per transaction: a save typed meanwhile waits for one chunk at most, and a crash loses none.
const CHUNK: usize = 500;

/// The name the policy's moves are logged under.
pub const POLICY_ACTOR: &str = "stagnation policy";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SweepMove {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub name: String,
    pub from_stage: String,
    pub to_stage: String,
    /// Business days since it entered its stage or its last activity, whichever is later.
    pub inactive_days: u32,
    pub inactive_since: String,
    pub owner: Option<String>,
    /// Why the gate refused it (it stays where it is), if it did.
    pub refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SweepReport {
    pub dry_run: bool,
    /// What moved (or would move), and what the gate refused, oldest inactivity first.
    pub moves: Vec<SweepMove>,
    pub moved: u32,
    pub refused: u32,
}

/// What the Administrators are told of a daily sweep's refusals: how many, the first few by name with the
/// gate's reason, and where to look.
fn refusals_notice(report: &SweepReport, label: &dyn Fn(&str) -> String) -> Option<String> {
    const NAMED: usize = 3;
    let refused: Vec<&SweepMove> = report.moves.iter().filter(|m| m.refused.is_some()).collect();
    if refused.is_empty() {
        return None;
    }
    let plural = if refused.len() == 1 { "" } else { "s" };
    let named: Vec<String> = refused
        .iter()
        .take(NAMED)
        .map(|m| {
            let (from, to) = (label(&m.from_stage), label(&m.to_stage));
            format!("{} ({from} → {to}): {}", m.name, m.refused.as_deref().unwrap_or_default())
        })
        .collect();
    let more = refused.len().saturating_sub(NAMED);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    Some(format!(
        "The daily stagnation sweep could not move {} lead{plural}: {}{more}. Settings → Pipeline → Preview lists \
         them; change the policy or what the stage asks.",
        refused.len(),
        named.join("; ")
    ))
}

/// One planned move.
/// Where seed 4.2 lets a quiet lead of stage `from` go: Lost, or an open stage less likely to win (Nurture).
pub(crate) fn quiet_target(from: &config::StageConfig, to: &config::StageConfig) -> bool {
    // A closed deal is not stale: a won deal has no activity once won, and waiting must not reopen or lose it.
    if from.outcome != config::StageOutcome::Open {
        return false;
    }
    match to.outcome {
        config::StageOutcome::Lost => true,
        config::StageOutcome::Won => false,
        config::StageOutcome::Open => to.probability < from.probability,
    }
}

struct Planned {
    stale: Stale,
    from: String,
    policy: StagnationPolicy,
    /// The policy's target is a lost stage: only then is its lost reason given.
    to_lost: bool,
}

/// The leads each stage's policy would move `today`, within `scope` (a preview shows one's own campaigns).
fn plan(conn: &rusqlite::Connection, today: NaiveDate, now: &str, grant: &Grant) -> Result<Vec<Planned>> {
    let calendar = stagnation::calendar(conn)?;
    let days = Days::of(&calendar);
    let scope = grant.lead_scope();
    let mut out = Vec::new();
    for stage in config::stages(conn)? {
        let Some(policy) = stagnation::policy_of(conn, &stage.key)? else { continue };
        // A policy stored before targets were held to seed 4.2 (one winning quiet leads), or to the stage's own
        // pipeline, does nothing.
        let target = config::stage(conn, &policy.target)?;
        let fits = |t: &config::StageConfig| {
            policy.target != stage.key && t.pipeline == stage.pipeline && quiet_target(&stage, t)
        };
        let Some(target) = target.filter(fits) else { continue };
        let to_lost = target.outcome == config::StageOutcome::Lost;
        let Some(edge) = days.stale_if_before(u32::from(policy.after_days), today) else { continue };
        let before = calendar.start_of(edge);
        for stale in stagnation::stale_in(conn, &stage.key, &before, now)? {
            // A move waiting for an Administrator's decision is someone's work in hand, not a quiet lead.
            if scope.allows_campaign(&stale.campaign) && super::approvals::pending_for(conn, stale.id)?.is_none() {
                out.push(Planned { stale, from: stage.key.clone(), policy: policy.clone(), to_lost });
            }
        }
    }
    out.sort_by(|a, b| (&a.stale.inactive_since, a.stale.id).cmp(&(&b.stale.inactive_since, b.stale.id)));
    Ok(out)
}

/// The lead as the policy leaves it: in the target stage, with the policy's lost reason (to a lost stage). A
/// reason the open lead held is not why it is lost now: the policy's replaces it. A reason given by an older
/// policy to an open stage is not applied: it would stay on the lead and answer for it when it is lost later.
fn moved(lead: &Lead, p: &Planned) -> crate::leads::LeadInput {
    let mut input = lead.to_input();
    input.stage = p.policy.target.clone();
    if let Some(reason) = p.policy.lost_reason.as_ref().filter(|_| p.to_lost) {
        input.deal.lost_reason = reason.clone();
    }
    input
}

fn describe(
    lead: &Lead,
    planned: &Planned,
    (calendar, days): (&BusinessCalendar, &Days),
    today: NaiveDate,
    refused: Option<String>,
) -> SweepMove {
    let since_day = chrono::DateTime::parse_from_rfc3339(&planned.stale.inactive_since)
        .map(|t| calendar.day_of(t.with_timezone(&chrono::Utc)))
        .unwrap_or(today);
    SweepMove {
        lead_id: lead.id,
        name: lead.display_name(),
        from_stage: planned.from.clone(),
        to_stage: planned.policy.target.clone(),
        inactive_days: days.between(since_day, today),
        inactive_since: planned.stale.inactive_since.clone(),
        owner: lead.owner.as_ref().map(|o| o.name.clone()),
        refused,
    }
}

/// Who the policy's moves are made as: every campaign's leads, but not an Administrator's say. A machine losing
/// a deal an approval rule guards ("losing a deal of 10,000 or more") is nobody deciding it: such a lead is left,
/// and the day's notice tells the Administrators, who decide it themselves. It went to Lost unasked.
fn policy_grant() -> Grant {
    Grant { user_id: None, username: POLICY_ACTOR.into(), role: crate::users::Role::Editor, ..Grant::system() }
}

fn refusal_text(e: &Error) -> Option<String> {
    match e {
        Error::Gate(g) => Some(g.to_string()),
        // The Administrators read it in the day's notice: theirs to decide, not to request.
        Error::NeedsApproval(n) => Some(format!(
            "moving it to {} is an Administrator's decision ({}): move it yourself if it should go",
            n.stage_label, n.rule
        )),
        Error::Validation(v) => Some(v.to_string()),
        _ => None,
    }
}

impl Rapport {
    /// Applies the stagnation policy (`dry_run`: only says what it would do). The preview is open to anyone
    /// who reads leads, over their campaigns; the sweep itself to Administrators (and the app's background
    /// job, as the system).
    pub fn pipeline_sweep(&self, actor: &Actor, dry_run: bool) -> Result<SweepReport> {
        let permission = if dry_run { Permission::ReadLeads } else { Permission::ManageSettings };
        let (planned, calendar, today) = self.db.read(|conn| {
            let grant =
                Self::grant_to(conn, actor, permission, "run the stagnation sweep (its preview is open to all)")?;
            let calendar = stagnation::calendar(conn)?;
            let today = calendar.day_of(self.now_utc());
            let now = utc_text(self.now_utc());
            Ok::<_, Error>((plan(conn, today, &now, &grant)?, calendar, today))
        })?;
        let days = Days::of(&calendar);
        let mut report = SweepReport { dry_run, moves: Vec::with_capacity(planned.len()), moved: 0, refused: 0 };
        // The moves are the policy's, not the person's who started the sweep or looks at its preview.
        let policy = policy_grant();
        if dry_run {
            self.db.read(|conn| {
                // Read again: a lead moved to a campaign out of the reader's reach since the plan is not named.
                let scope = Self::grant(conn, actor, permission)?.lead_scope();
                let rules = crate::leads::api::Rules::load(conn)?;
                for p in &planned {
                    let Some(lead) = leads::get(conn, p.stale.id)? else { continue };
                    if !scope.allows_campaign(&lead.campaign) {
                        continue;
                    }
                    // As the sweep will: under the policy, the lead keeping its owner (even one deactivated).
                    let owner = lead.owner.as_ref().map(|o| o.id);
                    // Its phones as stored (read in the region they were saved in), as the run's save keeps them.
                    let (input, _) = crate::leads::api::stored_phones_kept(&lead, &[], &moved(&lead, p));
                    let after = rules.validate(conn, &input, &policy.lead_scope(), owner);
                    let verdict = after.and_then(|valid| {
                        gate::check(conn, &policy, Some(&lead), &valid.as_lead(lead.id), Passage::Checked)
                    });
                    let refused = match verdict {
                        Ok(_) => None,
                        Err(e) => Some(refusal_text(&e).ok_or(e)?),
                    };
                    report.moves.push(describe(&lead, p, (&calendar, &days), today, refused));
                }
                Ok::<_, Error>(())
            })?;
        } else {
            report.moves = self.apply_planned(actor, &planned, (&calendar, &days), today)?;
        }
        report.refused = report.moves.iter().filter(|m| m.refused.is_some()).count() as u32;
        report.moved = report.moves.len() as u32 - report.refused;
        Ok(report)
    }

    /// Moves the `planned` leads, a chunk per transaction. Each chunk asks again for the right to sweep (an
    /// Administrator demoted or deactivated meanwhile stops it) and takes only the leads still as planned: in the
    /// stage, not worked on since, inside the actor's campaigns, under the same policy (one removed or changed
    /// meanwhile is no longer the one the plan applied).
    fn apply_planned(
        &self,
        actor: &Actor,
        planned: &[Planned],
        (calendar, days): (&stagnation::BusinessCalendar, &Days),
        today: NaiveDate,
    ) -> Result<Vec<SweepMove>> {
        let policy = policy_grant();
        let mut out = Vec::with_capacity(planned.len());
        for chunk in planned.chunks(CHUNK) {
            let moves = self.db.write(|tx| {
                let runner = Self::grant(tx, actor, Permission::ManageSettings)?;
                let scope = runner.lead_scope();
                // The policy moves the lead; a person who pressed "Run now" is named beside it, so a run of theirs
                // is told apart from the daily one.
                let run_by = match runner.user_id {
                    Some(_) => format!("; run by {}", runner.username),
                    None => String::new(),
                };
                let mut out = Vec::with_capacity(chunk.len());
                // Working days or holidays saved meanwhile make other leads stale: the plan no longer holds,
                // and the next sweep plans again.
                if stagnation::calendar(tx)? != *calendar {
                    return Ok::<_, Error>(out);
                }
                for p in chunk {
                    let Some(lead) = leads::get(tx, p.stale.id)? else { continue };
                    // Moved or worked on since the plan was made: no longer this policy's to move.
                    let since = stagnation::inactive_since(tx, lead.id, &utc_text(self.now_utc()))?;
                    if lead.stage != p.from || since.as_deref() != Some(p.stale.inactive_since.as_str()) {
                        continue;
                    }
                    if !scope.allows_campaign(&lead.campaign)
                        || stagnation::policy_of(tx, &p.from)?.as_ref() != Some(&p.policy)
                        || super::approvals::pending_for(tx, lead.id)?.is_some()
                    {
                        continue;
                    }
                    let origin = Origin {
                        reason: ChangeReason::Policy,
                        source_ref: format!(
                            "stagnation policy of {}: inactive more than {} business days{run_by}",
                            p.from, p.policy.after_days
                        ),
                    };
                    let at = self.now();
                    let input = moved(&lead, p);
                    let result = self.write_update(tx, &policy, lead.clone(), &input, Passage::Checked, &mut || {
                        self.begin_batch(tx, &policy, &origin)
                    });
                    let refused = match result {
                        Ok(_) => {
                            if let Some(owner) = lead.owner.as_ref().map(|o| o.id) {
                                let label = config::stage(tx, &p.policy.target)?
                                    .map_or_else(|| p.policy.target.clone(), |s| s.label);
                                let message = format!(
                                    "{} moved to {label}: inactive more than {} business days",
                                    lead.display_name(),
                                    p.policy.after_days
                                );
                                stagnation::notify(tx, owner, lead.id, &message, &at)?;
                            }
                            None
                        }
                        Err(e) => Some(refusal_text(&e).ok_or(e)?),
                    };
                    out.push(describe(&lead, p, (calendar, days), today, refused));
                }
                Ok::<_, Error>(out)
            })?;
            out.extend(moves);
        }
        Ok(out)
    }

    /// The app's daily sweep: runs the policy as the system once per business day (in the business calendar's
    /// time zone), whoever is signed in,
    /// and says what it did; None when today's has run. The day is recorded after the sweep, so a crash
    /// mid-way runs it again (it is idempotent).
    pub fn sweep_if_due(&self) -> Result<Option<SweepReport>> {
        let calendar = self.db.read(|c| Ok::<_, Error>(stagnation::calendar(c)?))?;
        let today = calendar.day_of(self.now_utc()).format("%Y-%m-%d").to_string();
        let last = self.db.read(|c| Ok::<_, Error>(crate::settings::store::get(c, "last_sweep_day")?))?;
        // Another day than the last sweep's, not a later one: a clock once set ahead and set right again would
        // otherwise stop the policy until that later day came.
        if last.as_deref() == Some(today.as_str()) {
            return Ok(None);
        }
        let report = self.pipeline_sweep(&Actor::system(), false)?;
        let now = self.now();
        self.db.write(|tx| {
            crate::settings::store::set(tx, "last_sweep_day", &today)?;
            // A lead the gate keeps from the policy's target is refused again every day: only a notice tells the
            // Administrators, who change the policy or the target's criteria (one notice a day, not one a lead).
            let stages = config::stages(tx)?;
            let label = |key: &str| stages.iter().find(|s| s.key == key).map_or(key.to_string(), |s| s.label.clone());
            if let Some(notice) = refusals_notice(&report, &label) {
                for admin in crate::users::store::active_with_role(tx, crate::users::Role::Administrator)? {
                    stagnation::notify_user(tx, admin, &notice, &now)?;
                }
            }
            Ok::<_, Error>(())
        })?;
        Ok(Some(report))
    }

    /// `rapport bench --sweep`'s fixture: `n` leads in New, never worked on, made to have entered it two months
    /// before today (their stage history rewritten). It rewrites history: an Administrator's, logged, and meant
    /// for a copy of a database.
    #[doc(hidden)]
    pub fn bench_backdate_new_leads(&self, actor: &Actor, n: i64) -> Result<usize> {
        let at = crate::clock::to_db_time(self.now_utc() - chrono::Duration::days(60));
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let origin =
                Origin { reason: crate::audit::ChangeReason::ManualEdit, source_ref: "rapport bench --sweep".into() };
            let batch = self.begin_batch(tx, &grant, &origin)?;
            let done = stagnation::backdate_entries(tx, "new", n, &at)?;
            let what = format!("the entry into New of {done} leads never worked on, moved to {at}");
            crate::audit::store::record(tx, &batch, "stage_moves", 0, "at", None, Some(&what))?;
            Ok::<_, Error>(done)
        })
    }

    /// Sets (or, with None, removes) a stage's stagnation policy (Administrators); logged.
    pub fn set_stagnation_policy(&self, actor: &Actor, stage: &str, policy: Option<&StagnationPolicy>) -> Result<()> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            self.write_stagnation_policy(tx, &grant, stage, policy)
        })
    }

    /// [`Self::set_stagnation_policy`] inside the caller's transaction (`grant` checked by the caller).
    pub(crate) fn write_stagnation_policy(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        stage: &str,
        policy: Option<&StagnationPolicy>,
    ) -> Result<()> {
        let from = config::stage(tx, stage)?.ok_or_else(|| Error::NotFound { entity: "stage", id: stage.into() })?;
        let old = stagnation::policy_of(tx, stage)?;
        // A stage saved with its policy unchanged is not asked again about it (one set before a rule was added
        // stays until it is changed; the sweep skips it meanwhile).
        if old.as_ref() == policy {
            return Ok(());
        }
        if let Some(p) = policy {
            // A closed stage (Won, Lost) is where a deal ends, not where it waits: nothing there goes stale.
            if from.closed {
                let msg = format!("{} is a closed stage: its leads are done, and none of them goes stale", from.label);
                return Err(ValidationErrors::one("stage", msg).into());
            }
            // Of the stage's own pipeline: a lead parked in another pipeline's Nurture would leave its sales process
            // for one it was never in.
            let target = config::stage(tx, &p.target)?.filter(|t| t.pipeline == from.pipeline);
            if target.is_none() {
                let msg = format!("\"{}\" is not a stage of the pipeline", p.target);
                return Err(ValidationErrors::one("target", msg).into());
            }
            if p.target == stage {
                return Err(ValidationErrors::one("target", "choose another stage to move stale leads to").into());
            }
            // Seed 4.2: a lead that goes quiet is nurtured or lost, never moved on (let alone won) by waiting.
            if target.as_ref().is_some_and(|t| !quiet_target(&from, t)) {
                return Err(ValidationErrors::one(
                    "target",
                    "a lead that goes quiet moves down, not on: choose Nurture, Lost or a stage less likely to win",
                )
                .into());
            }
            if !(1..=3650).contains(&p.after_days) {
                return Err(ValidationErrors::one("after_days", "is 1 to 3650 business days").into());
            }
            if let Some(r) = &p.lost_reason {
                if !config::lost_reasons(tx)?.iter().any(|x| &x.key == r) {
                    return Err(ValidationErrors::one("lost_reason", format!("\"{r}\" is not a lost reason")).into());
                }
            }
            // A lost stage asks why (the gate would refuse every stale lead at every sweep); an open one is no
            // loss, and a reason left on its leads would answer for them when they are lost later.
            let to_lost = target.as_ref().is_some_and(|t| t.outcome == config::StageOutcome::Lost);
            match (&p.lost_reason, to_lost) {
                (None, true) => {
                    return Err(
                        ValidationErrors::one("lost_reason", "say why leads moved to a lost stage are lost").into()
                    )
                }
                (Some(_), false) => {
                    return Err(ValidationErrors::one(
                        "lost_reason",
                        "only a policy that moves leads to a lost stage gives a lost reason",
                    )
                    .into())
                }
                _ => {}
            }
        }
        let show = |p: Option<&StagnationPolicy>| {
            p.map_or_else(String::new, |p| {
                let why = p.lost_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                format!("after {} business days to {}{why}", p.after_days, p.target)
            })
        };
        {
            let batch = self.begin_batch(tx, grant, &Origin::manual())?;
            stagnation::save_policy(tx, stage, policy)?;
            let field = format!("{stage}.stagnation");
            crate::audit::store::record(
                tx,
                &batch,
                "stage",
                0,
                &field,
                Some(&show(old.as_ref())),
                Some(&show(policy)),
            )?;
        }
        Ok(())
    }

    pub fn business_calendar(&self, actor: &Actor) -> Result<BusinessCalendar> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(stagnation::calendar(conn)?)
        })
    }

    /// Sets the working weekdays and holidays the policy counts in (Administrators); logged.
    pub fn set_business_calendar(&self, actor: &Actor, calendar: &BusinessCalendar) -> Result<BusinessCalendar> {
        self.set_business_calendar_as_seen(actor, None, calendar)
    }

    /// [`Rapport::set_business_calendar`] from an editor that read the calendar as `seen`: a save over another
    /// Administrator's since (a holiday they added would go) is refused as a conflict.
    pub fn set_business_calendar_as_seen(
        &self,
        actor: &Actor,
        seen: Option<&BusinessCalendar>,
        calendar: &BusinessCalendar,
    ) -> Result<BusinessCalendar> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            if let Some(seen) = seen {
                if &stagnation::calendar(tx)? != seen {
                    return Err(Error::Conflict { entity: "business calendar" });
                }
            }
            if calendar.working_days.iter().any(|d| !(1..=7).contains(d)) {
                return Err(ValidationErrors::one("working_days", "weekdays are 1 (Monday) to 7 (Sunday)").into());
            }
            for h in &calendar.holidays {
                if NaiveDate::parse_from_str(&h.day, "%Y-%m-%d").is_err() {
                    return Err(
                        ValidationErrors::one("holidays", format!("\"{}\" is not a date (YYYY-MM-DD)", h.day)).into()
                    );
                }
            }
            let zone = calendar.time_zone.trim();
            if zone.parse::<chrono_tz::Tz>().is_err() {
                return Err(ValidationErrors::one(
                    "time_zone",
                    format!("\"{zone}\" is not a time zone (an IANA name such as Europe/Berlin)"),
                )
                .into());
            }
            let old = stagnation::calendar(tx)?;
            let mut new = calendar.clone();
            new.time_zone = zone.to_string();
            new.working_days.sort_unstable();
            new.working_days.dedup();
            new.holidays.sort();
            if old != new {
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                stagnation::save_calendar(tx, &new)?;
                let text = |c: &BusinessCalendar| serde_json::to_string(c).unwrap_or_default();
                crate::audit::store::record(
                    tx,
                    &batch,
                    "settings",
                    0,
                    "business_calendar",
                    Some(&text(&old)),
                    Some(&text(&new)),
                )?;
            }
            Ok(stagnation::calendar(tx)?)
        })
    }

    /// The actor's notifications not shown yet, marked shown: each is handed out once (the app shows them).
    pub fn take_notifications(&self, actor: &Actor) -> Result<Vec<String>> {
        let now = self.now();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ReadLeads)?;
            let Some(user) = grant.user_id else { return Ok(vec![]) };
            let mut out = Vec::new();
            for (lead, message) in stagnation::take_unshown(tx, user, &now)? {
                // About no lead (the user's own calendar): the user's to read.
                let Some(lead) = lead else {
                    out.push(message);
                    continue;
                };
                // Written naming the lead; one the user may no longer see (its campaign, or the campaign of the
                // lead it was merged into, no longer theirs) is not named, as nowhere else.
                out.push(if crate::duplicates::seen_through_merges(tx, &grant, lead)?.is_some() {
                    message
                } else if crate::duplicates::store::living_lead(tx, lead)?.is_some() {
                    "A lead outside your campaigns was moved or decided on".to_string()
                } else {
                    "A lead since removed was moved or decided on".to_string()
                });
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::core_with_admin;

    /// A sweep applies the plan it made only while it still holds: a policy removed or changed, or the business
    /// calendar saved, between the plan and a chunk's write moves nothing.
    #[test]
    fn a_policy_or_calendar_changed_after_the_plan_moves_no_lead() {
        let (_dir, core, admin) = core_with_admin();
        let input = crate::leads::LeadInput {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            emails: vec!["ann@lee.io".into()],
            ..Default::default()
        };
        core.create_lead(&admin, &input, &Origin::manual()).unwrap();
        core.bench_backdate_new_leads(&admin, 10).unwrap();
        let (planned, calendar, today) = core
            .db
            .read(|conn| {
                let grant = Rapport::grant(conn, &admin, Permission::ManageSettings)?;
                let calendar = stagnation::calendar(conn)?;
                let today = calendar.day_of(core.now_utc());
                Ok::<_, Error>((plan(conn, today, &utc_text(core.now_utc()), &grant)?, calendar, today))
            })
            .unwrap();
        assert_eq!(planned.len(), 1, "the New lead has been quiet for two months");
        let days = Days::of(&calendar);
        let mut changed = planned[0].policy.clone();
        changed.after_days += 100;
        core.set_stagnation_policy(&admin, "new", Some(&changed)).unwrap();
        assert!(core.apply_planned(&admin, &planned, (&calendar, &days), today).unwrap().is_empty());
        core.set_stagnation_policy(&admin, "new", None).unwrap();
        assert!(core.apply_planned(&admin, &planned, (&calendar, &days), today).unwrap().is_empty());
        core.set_stagnation_policy(&admin, "new", Some(&planned[0].policy)).unwrap();
        // A business calendar saved meanwhile (no working days: nothing goes stale) stops it too.
        let none_working = stagnation::BusinessCalendar { working_days: vec![], ..calendar.clone() };
        core.set_business_calendar(&admin, &none_working).unwrap();
        assert!(core.apply_planned(&admin, &planned, (&calendar, &days), today).unwrap().is_empty());
        core.set_business_calendar(&admin, &calendar).unwrap();
        let moved = core.apply_planned(&admin, &planned, (&calendar, &days), today).unwrap();
        assert_eq!(moved.len(), 1, "the plan's own policy and calendar back: it holds again");
    }
}
