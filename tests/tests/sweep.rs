#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The stagnation sweep (seed 4.2) on real SQLite files: leads inactive longer than their stage allows, in
//! business days, move to Nurture or Lost through the gate, logged with the policy as the actor, and their
//! owners are told. The preview equals the run and writes nothing; a second run does nothing; a move the gate
//! refuses stays where it is; only an Administrator runs the sweep or changes the policy and the calendar.
mod common;

use std::sync::Arc;

use chrono::Duration;
use rapport_core::pipeline::{ActivityKind, BusinessCalendar, Holiday, NewActivity, StagnationPolicy, POLICY_ACTOR};
use rapport_core::users::Role;
use rapport_core::{Actor, ErrorCode, FixedClock, OpenOptions, Origin, Rapport};

struct World {
    dir: tempfile::TempDir,
    core: Rapport,
    clock: Arc<FixedClock>,
    admin: Actor,
    eve: Actor,
}

impl World {
    fn dump(&self) -> Vec<(String, Vec<String>)> {
        common::dump_file(&self.dir.path().join("rapport.db"))
    }
    fn stage_of(&self, id: i64) -> String {
        self.core.get_lead(&self.admin, id).unwrap().stage
    }
}

/// New's stale leads go to Lost after ten business days, and Lost also asks for a decision maker (Ann has
/// none): the gate refuses her move.
fn new_goes_to_a_lost_that_asks_a_decision_maker(w: &World) {
    let config = w.core.pipeline_config(&w.admin).unwrap();
    let lost = config.stages.iter().find(|s| s.key == "lost").unwrap();
    let stricter = rapport_core::pipeline::StageSettings {
        label: lost.label.clone(),
        probability: lost.probability,
        colour: lost.colour.clone(),
        required_fields: [lost.required_fields.clone(), vec!["decision_maker".into()]].concat(),
        required_activities: lost.required_activities.clone(),
        asked_when_skipped: false,
    };
    w.core.update_stage(&w.admin, "lost", &stricter).unwrap();
    let to_lost = StagnationPolicy { after_days: 10, target: "lost".into(), lost_reason: Some("stagnant".into()) };
    w.core.set_stagnation_policy(&w.admin, "new", Some(&to_lost)).unwrap();
}

/// Monday 23 November 2026: Ann (new, Eve's), Bo (in discussion) and Cy (qualification, Spring campaign).
/// An active Editor of `campaigns` (all when empty), as `UserInput`.
fn editor(username: &str, campaigns: &[&str]) -> rapport_core::users::UserInput {
    rapport_core::users::UserInput {
        username: username.into(),
        display_name: username.into(),
        role: Role::Editor,
        active: true,
        campaigns: campaigns.iter().map(|c| c.to_string()).collect(),
        all_campaigns: campaigns.is_empty(),
    }
}

/// Adds `input` and signs the user in.
fn signed_in(core: &Rapport, admin: &Actor, input: &rapport_core::users::UserInput) -> (i64, Actor) {
    let id = core.create_user(admin, input, common::PASSWORD).unwrap().id;
    (id, core.sign_in(&input.username, common::PASSWORD).unwrap())
}

fn world() -> (World, i64, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let core = Rapport::open_with(&dir.path().join("rapport.db"), &OpenOptions::default(), clock.clone()).unwrap();
    let admin = core.create_first_admin("admin", "Ada Admin", common::PASSWORD).unwrap();
    let (eve_id, eve) = signed_in(&core, &admin, &editor("eve", &[]));
    let mut ann = common::lead("Ann", "Lee", "ann@lee.io");
    ann.owner_id = Some(eve_id);
    let ann = core.create_lead(&admin, &ann, &Origin::manual()).unwrap().lead.id;
    let mut bo = common::qualified(common::lead("Bo", "Berg", "bo@berg.se"));
    bo.deal.value = "5000".into();
    bo.deal.currency = "EUR".into();
    bo.deal.expected_close = "2027-02-01".into();
    bo.stage = "qualification".into();
    let b = core.create_lead(&admin, &bo, &Origin::manual()).unwrap().lead;
    let proposal = NewActivity { kind: Some(ActivityKind::Proposal), subject: "Proposal".into(), ..Default::default() };
    core.log_activity(&admin, b.id, &proposal).unwrap();
    let b = core.get_lead(&admin, b.id).unwrap();
    core.move_lead(&admin, b.id, b.version, "engagement", rapport_core::pipeline::Passing::Checked).unwrap();
    let mut cy = common::qualified(common::lead("Cy", "Cole", "cy@cole.io"));
    cy.stage = "qualification".into();
    cy.campaign = "Spring".into();
    let cy = core.create_lead(&admin, &cy, &Origin::manual()).unwrap().lead.id;
    (World { dir, core, clock, admin, eve }, ann, b.id, cy)
}

#[test]
fn the_preview_equals_the_run_which_moves_through_the_gate_tells_the_owner_and_is_done_once() {
    let (w, ann, bo, cy) = world();
    // Three weeks on (Monday 14 December): 15 business days. New allows 10, Qualification 20, In discussion 30.
    w.clock.advance(Duration::days(21));
    let before = w.dump();
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert_eq!(w.dump(), before, "the preview writes nothing");
    let planned: Vec<(i64, &str, &str, u32)> = preview
        .moves
        .iter()
        .map(|m| (m.lead_id, m.from_stage.as_str(), m.to_stage.as_str(), m.inactive_days))
        .collect();
    assert_eq!(planned, vec![(ann, "new", "nurture", 15)]);

    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert_eq!((run.moved, run.refused), (1, 0));
    assert_eq!(run.moves, preview.moves, "the preview said exactly this");
    assert_eq!(
        (w.stage_of(ann), w.stage_of(bo), w.stage_of(cy)),
        ("nurture".into(), "engagement".into(), "qualification".into())
    );
    let logged: (String, String, String) = w
        .core
        .lead_history(&w.admin, ann)
        .unwrap()
        .into_iter()
        .find(|e| e.field == "stage")
        .map(|e| (e.actor_name, format!("{:?}", e.reason), e.source_ref))
        .unwrap();
    assert_eq!((logged.0.as_str(), logged.1.as_str()), (POLICY_ACTOR, "Policy"), "logged with the policy as the actor");
    // Run by a person ("Run now", `rapport pipeline sweep`), not the daily sweep: the log says who.
    assert!(logged.2.ends_with("; run by admin"), "{}", logged.2);
    let told = w.core.take_notifications(&w.eve).unwrap();
    assert_eq!(told, ["Ann Lee moved to Nurture: inactive more than 10 business days"]);
    assert!(w.core.take_notifications(&w.eve).unwrap().is_empty(), "told once");

    let after = w.dump();
    let again = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert_eq!((again.moved, again.moves.len()), (0, 0));
    assert_eq!(w.dump(), after, "a second sweep the same day changes nothing");

    // Seven more weeks: Bo's discussion went quiet (Lost, with the policy's reason); Cy called last week stays.
    w.clock.advance(Duration::days(42));
    let call = NewActivity { kind: Some(ActivityKind::Call), subject: "Check-in".into(), ..Default::default() };
    w.core.log_activity(&w.admin, cy, &call).unwrap();
    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert_eq!(run.moves.iter().map(|m| m.lead_id).collect::<Vec<_>>(), [bo]);
    let bo_now = w.core.get_lead(&w.admin, bo).unwrap();
    assert_eq!((bo_now.stage.as_str(), bo_now.deal.lost_reason.as_str()), ("lost", "stagnant"));
    assert_eq!(w.stage_of(cy), "qualification", "an activity resets the clock");
}

/// A lead whose move waits for an Administrator's decision is someone's work in hand: the sweep leaves it,
/// in the preview and the run. It lost a large deal as "stagnant" under the request, which could then no longer
/// be approved.
#[test]
fn the_sweep_leaves_a_lead_whose_move_waits_for_approval() {
    let (w, _, bo, _) = world();
    let lead = w.core.get_lead(&w.admin, bo).unwrap();
    let mut input = lead.to_input();
    input.deal.value = "50000".into();
    let lead = w.core.update_lead(&w.admin, bo, lead.version, &input, &Origin::manual()).unwrap().lead;
    let request = w.core.request_move(&w.eve, bo, lead.version, "lost", "competitor", "They chose Acme").unwrap();
    // Ten weeks on: In discussion allows 30 business days.
    w.clock.advance(Duration::days(70));
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(!preview.moves.iter().any(|m| m.lead_id == bo), "{:?}", preview.moves);
    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert!(!run.moves.iter().any(|m| m.lead_id == bo), "{:?}", run.moves);
    assert_eq!(w.stage_of(bo), "engagement");
    w.core.decide_approval(&w.admin, request.id, true, "Agreed").unwrap();
    let bo_now = w.core.get_lead(&w.admin, bo).unwrap();
    assert_eq!((bo_now.stage.as_str(), bo_now.deal.lost_reason.as_str()), ("lost", "competitor"));
}

#[test]
fn a_move_the_gate_refuses_stays_and_is_reported_and_holidays_do_not_count() {
    let (w, ann, _, _) = world();
    // A lead that goes quiet is never won by waiting: that target is refused.
    let to_won = StagnationPolicy { after_days: 10, target: "won".into(), lost_reason: None };
    let before = w.dump();
    let err = w.core.set_stagnation_policy(&w.admin, "new", Some(&to_won)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(w.dump(), before);
    // Nor moved on by waiting.
    let onwards = StagnationPolicy { after_days: 10, target: "engagement".into(), lost_reason: None };
    let err = w.core.set_stagnation_policy(&w.admin, "new", Some(&onwards)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(w.dump(), before);
    // A policy to Lost says why (the gate would refuse every stale lead for ever), and one to an open stage
    // gives no lost reason (it would stay on its leads).
    let no_reason = StagnationPolicy { after_days: 10, target: "lost".into(), lost_reason: None };
    let err = w.core.set_stagnation_policy(&w.admin, "new", Some(&no_reason)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let nurtured = StagnationPolicy { after_days: 10, target: "nurture".into(), lost_reason: Some("stagnant".into()) };
    let err = w.core.set_stagnation_policy(&w.admin, "new", Some(&nurtured)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(w.dump(), before);
    // New's stale leads now go to Lost, which also asks for a decision maker (Ann has none): the gate refuses.
    new_goes_to_a_lost_that_asks_a_decision_maker(&w);
    // Two weeks on is exactly ten business days: not more than ten, so not stale.
    w.clock.advance(Duration::days(14));
    assert!(w.core.pipeline_sweep(&w.admin, true).unwrap().moves.is_empty());
    w.clock.advance(Duration::days(1));
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert_eq!(preview.refused, 1);
    let before = w.dump();
    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert_eq!(run, rapport_core::pipeline::SweepReport { dry_run: false, ..preview.clone() });
    let why = run.moves[0].refused.clone().unwrap_or_default();
    assert!(why.contains("To enter Lost"), "{why}");
    assert_eq!(w.stage_of(ann), "new");
    assert_eq!(w.dump(), before, "a refused move writes nothing");

    // A holiday on each of the last two business days puts her back under the limit.
    let calendar = BusinessCalendar {
        working_days: vec![1, 2, 3, 4, 5],
        holidays: vec![
            Holiday { day: "2026-12-07".into(), label: "Closed".into() },
            Holiday { day: "2026-12-08".into(), label: "Closed".into() },
        ],
        time_zone: "UTC".into(),
    };
    w.core.set_business_calendar(&w.admin, &calendar).unwrap();
    assert!(w.core.pipeline_sweep(&w.admin, true).unwrap().moves.is_empty());
}

/// Two Administrators edit the business calendar: the second save, from an editor opened before the first, is
/// refused as a conflict instead of taking away the holiday the first added.
#[test]
fn a_business_calendar_saved_over_another_save_is_a_conflict() {
    let (w, _, _, _) = world();
    let seen = w.core.business_calendar(&w.admin).unwrap();
    let mut first = seen.clone();
    first.holidays.push(Holiday { day: "2026-12-24".into(), label: "Christmas Eve".into() });
    w.core.set_business_calendar_as_seen(&w.admin, Some(&seen), &first).unwrap();
    let before = w.dump();
    let mut second = seen.clone();
    second.working_days = vec![1, 2, 3, 4, 5, 6];
    let err = w.core.set_business_calendar_as_seen(&w.admin, Some(&seen), &second).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(w.dump(), before);
    let now = w.core.business_calendar(&w.admin).unwrap();
    assert_eq!(now.holidays.len(), first.holidays.len(), "the first save's holiday stays");
    // Read again, the same change goes through.
    let mut again = now.clone();
    again.working_days = vec![1, 2, 3, 4, 5, 6];
    let saved = w.core.set_business_calendar_as_seen(&w.admin, Some(&now), &again).unwrap();
    assert_eq!(saved.working_days, [1, 2, 3, 4, 5, 6]);
    assert!(saved.holidays.iter().any(|h| h.label == "Christmas Eve"));
}

#[test]
fn only_an_administrator_sweeps_or_sets_the_policy_and_a_preview_shows_ones_campaigns() {
    let (w, _, _, cy) = world();
    w.clock.advance(Duration::days(60));
    let (_, spring) = signed_in(&w.core, &w.admin, &editor("sam", &["Spring"]));
    let before = w.dump();
    let err = w.core.pipeline_sweep(&w.eve, false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    assert!(err.to_string().contains("run the stagnation sweep"), "{err}");
    let policy = StagnationPolicy { after_days: 5, target: "nurture".into(), lost_reason: None };
    assert_eq!(
        w.core.set_stagnation_policy(&w.eve, "new", Some(&policy)).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
    let calendar = BusinessCalendar { working_days: vec![1, 2, 3, 4, 5, 6], holidays: vec![], time_zone: "UTC".into() };
    assert_eq!(w.core.set_business_calendar(&w.eve, &calendar).unwrap_err().code(), ErrorCode::PermissionDenied);
    let bad = StagnationPolicy { after_days: 5, target: "new".into(), lost_reason: None };
    assert_eq!(w.core.set_stagnation_policy(&w.admin, "new", Some(&bad)).unwrap_err().code(), ErrorCode::Validation);
    // Each refusal says what is wrong: a target that is no stage, a closed stage whose leads never go stale.
    let nowhere = StagnationPolicy { after_days: 5, target: "bogus".into(), lost_reason: None };
    let err = w.core.set_stagnation_policy(&w.admin, "new", Some(&nowhere)).unwrap_err();
    assert!(err.to_string().contains("\"bogus\" is not a stage"), "{err}");
    let from_won = StagnationPolicy { after_days: 5, target: "lost".into(), lost_reason: Some("price".into()) };
    let err = w.core.set_stagnation_policy(&w.admin, "won", Some(&from_won)).unwrap_err();
    assert!(err.to_string().contains("Won is a closed stage"), "{err}");
    assert_eq!(w.dump(), before);
    let theirs = w.core.pipeline_sweep(&spring, true).unwrap();
    assert_eq!(theirs.moves.iter().map(|m| m.lead_id).collect::<Vec<_>>(), [cy], "Spring's leads only");
    assert_eq!(w.core.pipeline_sweep(&w.admin, true).unwrap().moves.len(), 3);

    // The app's daily job runs the policy as the system, once a day, whoever is signed in.
    let first = w.core.sweep_if_due().unwrap().expect("the day's sweep runs");
    assert_eq!(first.moved, 3);
    assert!(w.core.sweep_if_due().unwrap().is_none(), "once a day");
    w.clock.advance(Duration::days(1));
    assert_eq!(w.core.sweep_if_due().unwrap().map(|r| r.moved), Some(0), "the next day's finds nothing new");
}

/// The preview says what the sweep will do, whoever looks: the policy moves leads as itself, so an Editor's
/// preview shows a large deal's move to Lost as an Administrator's decision exactly as the run leaves it (not as
/// a request for them to make), and a deactivated owner's lead not as refused.
#[test]
fn an_editor_s_preview_is_the_policy_s_sweep() {
    let (w, ann, bo, _) = world();
    let b = w.core.get_lead(&w.admin, bo).unwrap();
    let mut large = b.to_input();
    large.deal.value = "50000".into();
    w.core.update_lead(&w.admin, bo, b.version, &large, &Origin::manual()).unwrap();
    let eve = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap();
    let (_, viewer) = signed_in(&w.core, &w.admin, &editor("vic", &[]));
    let deactivated = rapport_core::users::UserInput { active: false, ..editor("eve", &[]) };
    w.core.update_user(&w.admin, eve.id, &deactivated).unwrap();
    w.clock.advance(Duration::days(63));
    let preview = w.core.pipeline_sweep(&viewer, true).unwrap();
    let refused: Vec<_> = preview.moves.iter().filter(|m| m.refused.is_some()).collect();
    assert_eq!(refused.iter().map(|m| m.lead_id).collect::<Vec<_>>(), [bo], "{refused:?}");
    assert!(refused[0].refused.as_deref().unwrap_or_default().contains("an Administrator's decision"), "{refused:?}");
    let ids: Vec<i64> = preview.moves.iter().map(|m| m.lead_id).collect();
    assert!(ids.contains(&ann) && ids.contains(&bo), "{ids:?}");
    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert_eq!(run.moves, preview.moves, "the preview said exactly this");
}

#[test]
fn a_task_reminds_its_author_once_when_its_time_comes() {
    let (w, ann, _, _) = world();
    let task = reminded_task("Send the price list");
    w.core.log_activity(&w.eve, ann, &task).unwrap();
    assert!(w.core.take_due_task_reminders(&w.eve).unwrap().is_empty(), "not before its time");
    w.clock.advance(Duration::days(1));
    assert_eq!(w.core.take_due_task_reminders(&w.eve).unwrap(), ["Task: Send the price list (Ann Lee)"]);
    assert!(w.core.take_due_task_reminders(&w.eve).unwrap().is_empty(), "once");
    assert!(w.core.take_due_task_reminders(&w.admin).unwrap().is_empty(), "its author's, no one else's");
}

/// A task on a lead of a campaign its author has since been taken off reminds them still (it is their task),
/// without naming the lead they may no longer see.
#[test]
fn a_task_reminder_does_not_name_a_lead_its_author_may_no_longer_see() {
    let (w, _, _, cy) = world();
    let task = reminded_task("Call back");
    w.core.log_activity(&w.eve, cy, &task).unwrap();
    let eve = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap();
    w.core.update_user(&w.admin, eve.id, &editor("eve", &["Autumn"])).unwrap();
    w.clock.advance(Duration::days(1));
    assert_eq!(w.core.take_due_task_reminders(&w.eve).unwrap(), ["Task: Call back (a lead outside your campaigns)"]);
}

/// A merged lead's task reminds its author with the name of the lead it now lives on in.
#[test]
fn a_task_reminder_of_a_merged_lead_names_the_lead_it_was_merged_into() {
    let (w, ann, _, _) = world();
    let task = reminded_task("Send the price list");
    w.core.log_activity(&w.eve, ann, &task).unwrap();
    let twin = w.core.create_lead(&w.admin, &common::lead("Ann", "Lee-Smith", "ann.smith@lee.io"), &Origin::manual());
    let twin = twin.unwrap().lead.id;
    w.core.merge_leads(&w.admin, twin, &[ann], &[]).unwrap();
    w.clock.advance(Duration::days(1));
    assert_eq!(w.core.take_due_task_reminders(&w.eve).unwrap(), ["Task: Send the price list (Ann Lee-Smith)"]);
}

/// A meeting is activity: a lead whose appointment took place lately, or is booked ahead, is being worked and
/// is not swept as stagnant. A cancelled one does not count.
#[test]
fn a_lead_with_a_recent_or_coming_appointment_is_not_stagnant() {
    let (w, ann, _, _) = world();
    let eve_id = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap().id;
    let mut meeting = common::booking(eve_id, "Intro call", "2026-12-07T10:00:00Z", "2026-12-07T10:30:00Z");
    meeting.lead_id = Some(ann);
    let booked = w.core.book_appointment(&w.eve, &meeting).unwrap();
    // Three weeks on: fifteen business days since Ann came in, five since the meeting.
    w.clock.advance(Duration::days(21));
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(preview.moves.iter().all(|m| m.lead_id != ann), "{:?}", preview.moves);
    // Called off, it was never a meeting.
    w.core.set_appointment_status(&w.eve, booked.id, rapport_core::calendar::AppointmentStatus::Cancelled).unwrap();
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(preview.moves.iter().any(|m| m.lead_id == ann), "{:?}", preview.moves);
}

/// A meeting still to come counts from the moment it was booked: booking it is a sign of life, but a placeholder
/// years ahead does not keep the lead out of the sweep until then.
#[test]
fn a_meeting_booked_far_ahead_counts_from_its_booking() {
    let (w, ann, _, _) = world();
    let eve_id = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap().id;
    let mut meeting = common::booking(eve_id, "Check back", "2030-01-07T10:00:00Z", "2030-01-07T10:30:00Z");
    meeting.lead_id = Some(ann);
    w.core.book_appointment(&w.eve, &meeting).unwrap();
    // Three weeks on, nothing since the booking.
    w.clock.advance(Duration::days(21));
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(preview.moves.iter().any(|m| m.lead_id == ann), "{:?}", preview.moves);
    // The board's card says the same: last active at the booking, not in 2030.
    let board = w.core.pipeline_board(&w.admin, &Default::default()).unwrap();
    let card = board.columns.iter().flat_map(|c| &c.cards).find(|c| c.id == ann).unwrap();
    assert!(card.last_activity_at.as_deref().is_some_and(|at| at.starts_with("2026-11-23")), "{card:?}");
    // Another meeting booked today, however far ahead, is today's sign of life.
    (meeting.start, meeting.end) = ("2030-02-04T10:00:00Z".into(), "2030-02-04T10:30:00Z".into());
    w.core.book_appointment(&w.eve, &meeting).unwrap();
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(preview.moves.iter().all(|m| m.lead_id != ann), "{:?}", preview.moves);
}

/// The stage dialog's save: new entry criteria and a policy together, or neither when the policy is refused.
#[test]
fn a_stage_and_its_policy_are_saved_together_or_not_at_all() {
    let (w, _, _, _) = world();
    let config = w.core.pipeline_config(&w.admin).unwrap();
    let stage = config.stages.iter().find(|s| s.key == "qualification").unwrap();
    let settings = rapport_core::pipeline::StageSettings {
        label: "Qualified".into(),
        probability: stage.probability,
        colour: stage.colour.clone(),
        required_fields: vec!["company".into()],
        required_activities: vec![],
        asked_when_skipped: false,
    };
    let refused =
        StagnationPolicy { after_days: 15, target: "lost".into(), lost_reason: Some("no-such-reason".into()) };
    let before = w.dump();
    let err = w.core.save_stage(&w.admin, "qualification", &settings, Some(&refused)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(w.dump(), before, "the settings were not written without the policy");
    let fine = StagnationPolicy { after_days: 15, target: "nurture".into(), lost_reason: None };
    let saved = w.core.save_stage(&w.admin, "qualification", &settings, Some(&fine)).unwrap();
    let stage = saved.stages.iter().find(|s| s.key == "qualification").unwrap();
    assert_eq!((stage.label.as_str(), stage.stagnation.as_ref()), ("Qualified", Some(&fine)));
    let editor = w.eve.clone();
    assert_eq!(
        w.core.save_stage(&editor, "qualification", &settings, None).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
}

/// Lowering New lead below Nurture while sending its quiet leads to Lost instead is one save: the policy checked
/// is the one saved (Lost, still less likely), not the stored one (Nurture), which the new probability would
/// stop. Lowered with its policy left to Nurture, the save is refused and nothing is written.
#[test]
fn a_stage_made_less_likely_with_its_policy_changed_to_fit_is_one_save() {
    let (w, _, _, _) = world();
    let config = w.core.pipeline_config(&w.admin).unwrap();
    let new = config.stages.iter().find(|s| s.key == "new").unwrap();
    let nurture = config.stages.iter().find(|s| s.key == "nurture").unwrap();
    assert!(nurture.probability > 0, "{nurture:?}");
    let settings = rapport_core::pipeline::StageSettings {
        label: new.label.clone(),
        probability: nurture.probability - 1,
        colour: new.colour.clone(),
        required_fields: new.required_fields.clone(),
        required_activities: new.required_activities.clone(),
        asked_when_skipped: new.asked_when_skipped,
    };
    let kept = new.stagnation.clone();
    assert_eq!(kept.as_ref().map(|p| p.target.as_str()), Some("nurture"));
    let before = w.dump();
    let err = w.core.save_stage(&w.admin, "new", &settings, kept.as_ref()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert!(err.to_string().contains("would stop the stagnation policy of"), "{err}");
    assert_eq!(w.dump(), before);
    let to_lost = StagnationPolicy { after_days: 10, target: "lost".into(), lost_reason: Some("stagnant".into()) };
    let saved = w.core.save_stage(&w.admin, "new", &settings, Some(&to_lost)).unwrap();
    let new = saved.stages.iter().find(|s| s.key == "new").unwrap();
    assert_eq!((new.probability, new.stagnation.as_ref()), (nurture.probability - 1, Some(&to_lost)));
}

/// A policy stored before quiet leads were kept from winning (or moving on) does nothing, and the stage it is on
/// can still be saved as it is.
#[test]
fn a_stored_policy_that_would_win_quiet_leads_is_skipped_and_does_not_block_the_stage() {
    let (w, ann, _, _) = world();
    rusqlite::Connection::open(w.dir.path().join("rapport.db"))
        .unwrap()
        .execute("UPDATE stages SET stale_target = 'won' WHERE key = 'new'", [])
        .unwrap();
    w.clock.advance(Duration::days(21));
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(preview.moves.iter().all(|m| m.lead_id != ann), "{:?}", preview.moves);
    let config = w.core.pipeline_config(&w.admin).unwrap();
    let new = config.stages.iter().find(|s| s.key == "new").unwrap();
    let settings = rapport_core::pipeline::StageSettings {
        label: "Fresh".into(),
        probability: new.probability,
        colour: new.colour.clone(),
        required_fields: new.required_fields.clone(),
        required_activities: new.required_activities.clone(),
        asked_when_skipped: false,
    };
    w.core.save_stage(&w.admin, "new", &settings, new.stagnation.as_ref()).unwrap();
}

/// A weekly meeting with the lead that goes on is activity, however long ago the series began.
#[test]
fn a_lead_in_a_running_series_of_meetings_is_not_stagnant() {
    let (w, ann, _, _) = world();
    let eve_id = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap().id;
    let _ = eve_id;
    let invite = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n\
UID:weekly-ann@example.com\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T103000Z\r\n\
RRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly check-in\r\nATTENDEE;CN=Ann Lee:mailto:ann@lee.io\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let file = rapport_core::calendar::IcsFile { name: "weekly.ics".into(), bytes: invite.as_bytes().to_vec() };
    let report = w.core.import_ics(&w.eve, &[file], None).unwrap().remove(0);
    let id = report.appointment_ids[0];
    assert_eq!(w.core.appointment(&w.eve, id).unwrap().lead_id, Some(ann), "{report:?}");
    w.clock.advance(Duration::days(60));
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    assert!(preview.moves.iter().all(|m| m.lead_id != ann), "{:?}", preview.moves);
}

/// Business days begin and end in the business's own time zone. Ann came in on Monday 23 November at 09:00 UTC;
/// ten business days later is Monday 7 December. At 02:00 UTC on Tuesday 8 December it is still Monday evening
/// in San Francisco: Ann has been inactive ten business days there, not eleven, so she is not stale yet.
#[test]
fn the_sweep_counts_days_in_the_business_time_zone() {
    let (w, ann, _, _) = world();
    w.clock.advance(Duration::hours(15 * 24 - 7)); // Tuesday 8 December, 02:00 UTC
    let moved = |w: &World| w.core.pipeline_sweep(&w.admin, true).unwrap().moves.iter().any(|m| m.lead_id == ann);
    assert!(moved(&w), "in UTC it is Tuesday: eleven business days");
    let mut calendar = w.core.business_calendar(&w.admin).unwrap();
    calendar.time_zone = "America/Los_Angeles".into();
    w.core.set_business_calendar(&w.admin, &calendar).unwrap();
    assert!(!moved(&w), "in San Francisco it is still Monday");
    w.clock.advance(Duration::hours(10)); // 12:00 UTC, Tuesday morning in San Francisco
    let preview = w.core.pipeline_sweep(&w.admin, true).unwrap();
    let ann_move = preview.moves.iter().find(|m| m.lead_id == ann).unwrap();
    assert_eq!(ann_move.inactive_days, 11);
    // A zone that does not exist is refused, saying why.
    calendar.time_zone = "Mars/Olympus_Mons".into();
    let before = w.dump();
    let err = w.core.set_business_calendar(&w.admin, &calendar).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert!(err.to_string().contains("time zone"), "{err}");
    assert_eq!(w.dump(), before);
}

/// An activity names the meeting it records: one of its own lead's, never another lead's (of another campaign,
/// maybe) nor one that does not exist.
#[test]
fn an_activity_records_only_a_meeting_of_its_own_lead() {
    let (w, ann, bo, _) = world();
    let eve_id = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap().id;
    let mut meeting = common::booking(eve_id, "Intro call", "2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z");
    meeting.lead_id = Some(ann);
    let booked = w.core.book_appointment(&w.eve, &meeting).unwrap();
    let held = |appointment_id: i64| NewActivity {
        kind: Some(ActivityKind::Meeting),
        subject: "Intro call held".into(),
        appointment_id: Some(appointment_id),
        ..Default::default()
    };
    let before = w.dump();
    for (lead, appointment) in [(bo, booked.id), (ann, booked.id + 1000)] {
        let err = w.core.log_activity(&w.admin, lead, &held(appointment)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "{err}");
        assert!(err.to_string().contains("appointment"), "{err}");
    }
    assert_eq!(w.dump(), before);
    w.core.log_activity(&w.admin, ann, &held(booked.id)).unwrap();
}

/// A task due on Wednesday 25 November, reminded a day before.
fn reminded_task(subject: &str) -> NewActivity {
    NewActivity {
        kind: Some(ActivityKind::Task),
        subject: subject.into(),
        due_at: Some("2026-11-25T09:00:00Z".into()),
        remind_at: Some("2026-11-24T09:00:00Z".into()),
        ..Default::default()
    }
}

/// A notice written naming a lead is not shown with that name once the lead lives on in another campaign's
/// lead (merged into it) that its reader does not work on.
#[test]
fn a_notice_about_a_lead_merged_into_another_campaigns_lead_does_not_name_it() {
    let (w, ann, _, _) = world();
    w.clock.advance(Duration::days(21));
    w.core.pipeline_sweep(&w.admin, false).unwrap();
    let mut twin = common::lead("Ann", "Lee-Smith", "ann.smith@lee.io");
    twin.campaign = "Autumn".into();
    let twin = w.core.create_lead(&w.admin, &twin, &Origin::manual()).unwrap().lead.id;
    w.core.merge_leads(&w.admin, twin, &[ann], &[]).unwrap();
    let eve = w.core.list_users(&w.admin).unwrap().into_iter().find(|u| u.username == "eve").unwrap();
    w.core.update_user(&w.admin, eve.id, &editor("eve", &["Spring"])).unwrap();
    let told = w.core.take_notifications(&w.eve).unwrap();
    assert!(!told.is_empty(), "Eve owned Ann: the sweep told her");
    assert!(told.iter().all(|m| !m.contains("Ann")), "{told:?}");
}

/// A policy parks quiet leads in a stage of their own pipeline: another pipeline's Nurture was taken, and the
/// sweep would have moved sales leads into the renewals process.
#[test]
fn a_policy_moves_leads_within_their_pipeline() {
    let (w, _, _, _) = world();
    w.core.create_pipeline(&w.admin, "renewals", "Renewals").unwrap();
    let parked = rapport_core::pipeline::NewStage {
        pipeline: "renewals".into(),
        key: "r_parked".into(),
        label: "Parked".into(),
        outcome: rapport_core::pipeline::StageOutcome::Open,
    };
    w.core.create_stage(&w.admin, &parked).unwrap();
    // Less likely to win than New, as a Nurture stage is: only its pipeline is wrong.
    common::change_stage(&w.core, &w.admin, "r_parked", |s| s.probability = 0);
    let before = w.dump();
    let policy = StagnationPolicy { after_days: 5, target: "r_parked".into(), lost_reason: None };
    let err = w.core.set_stagnation_policy(&w.admin, "new", Some(&policy)).unwrap_err();
    assert_eq!(err.field_errors().first().map(|e| e.field.as_str()), Some("target"), "{err}");
    assert_eq!(w.dump(), before, "nothing written");
    // One an older version stored does nothing: no lead of New is moved to the renewals pipeline.
    rusqlite::Connection::open(w.dir.path().join("rapport.db"))
        .unwrap()
        .execute("UPDATE stages SET stale_after_days = 1, stale_target = 'r_parked' WHERE key = 'new'", [])
        .unwrap();
    w.clock.advance(Duration::days(60));
    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert!(run.moves.iter().all(|m| m.to_stage != "r_parked"), "{run:?}");
}

/// A closed stage takes no stagnation policy: a won deal has no activity once won, and waiting must not reopen
/// or lose it. One stored before this rule does nothing.
#[test]
fn a_closed_stage_takes_no_stagnation_policy() {
    let (w, _, bo, _) = world();
    let b = w.core.get_lead(&w.admin, bo).unwrap();
    w.core.move_lead(&w.admin, bo, b.version, "won", rapport_core::pipeline::Passing::Checked).unwrap();
    let before = w.dump();
    for target in ["lost", "nurture"] {
        let reason = (target == "lost").then(|| "stagnant".to_string());
        let policy = StagnationPolicy { after_days: 5, target: target.into(), lost_reason: reason };
        let err = w.core.set_stagnation_policy(&w.admin, "won", Some(&policy)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    }
    assert_eq!(w.dump(), before, "refusals write nothing");
    // Stored by an older version: the sweep leaves the won deal where it is.
    rusqlite::Connection::open(w.dir.path().join("rapport.db"))
        .unwrap()
        .execute("UPDATE stages SET stale_after_days = 5, stale_target = 'lost', stale_reason = 'stagnant' WHERE key = 'won'", [])
        .unwrap();
    w.clock.advance(Duration::days(60));
    let run = w.core.pipeline_sweep(&w.admin, false).unwrap();
    assert!(run.moves.iter().all(|m| m.lead_id != bo), "{run:?}");
    assert_eq!(w.stage_of(bo), "won");
}

/// The bench's fixture rewrites stage history: an Editor is refused with nothing written, and an
/// Administrator's rewrite is in the change log.
#[test]
fn backdating_stage_entries_is_an_administrators_and_logged() {
    let (w, ann, _, _) = world();
    let before = w.dump();
    let err = w.core.bench_backdate_new_leads(&w.eve, 10).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    assert_eq!(w.dump(), before);
    assert_eq!(w.core.bench_backdate_new_leads(&w.admin, 10).unwrap(), 1);
    let stays = w.core.stage_history(&w.admin, ann).unwrap();
    assert!(stays[0].entered_at.starts_with("2026-09"), "{stays:?}");
    let logged: String = rusqlite::Connection::open(w.dir.path().join("rapport.db"))
        .unwrap()
        .query_row("SELECT new_value FROM change_log WHERE entity = 'stage_moves' ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(logged.contains("1 leads"), "{logged}");
}

/// A stage's probability changed so that a stagnation policy would no longer move leads (Nurture made more
/// likely to win than the stages whose quiet leads go there) is refused, naming the policy, with nothing
/// written; a change that keeps the policies working is saved.
#[test]
fn a_probability_that_would_stop_a_stagnation_policy_is_refused() {
    let (w, ..) = world();
    let config = w.core.pipeline_config(&w.admin).unwrap();
    let nurture = config.stages.iter().find(|s| s.key == "nurture").unwrap();
    let new_policy = config.stages.iter().find(|s| s.key == "new").and_then(|s| s.stagnation.clone());
    assert_eq!(new_policy.map(|p| p.target), Some("nurture".to_string()), "the seed's default");
    let with = |probability: u8| rapport_core::pipeline::StageSettings {
        label: nurture.label.clone(),
        probability,
        colour: nurture.colour.clone(),
        required_fields: nurture.required_fields.clone(),
        required_activities: nurture.required_activities.clone(),
        asked_when_skipped: false,
    };
    let before = w.dump();
    let err = w.core.update_stage(&w.admin, "nurture", &with(30)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert!(err.to_string().contains("stagnation policy of New"), "{err}");
    assert_eq!(w.dump(), before, "nothing written");
    w.core.update_stage(&w.admin, "nurture", &with(8)).unwrap();
}

/// The daily sweep's refusals reach the Administrators: a lead the gate keeps from the policy's target stays
/// where it is every day, and only a notice says so (the preview is not looked at every day).
#[test]
fn the_daily_sweeps_refusals_are_told_to_the_administrators() {
    let (w, ann, _, _) = world();
    new_goes_to_a_lost_that_asks_a_decision_maker(&w);
    w.clock.advance(Duration::days(15));
    w.core.take_notifications(&w.admin).unwrap();
    let run = w.core.sweep_if_due().unwrap().expect("the day's sweep runs");
    assert_eq!((run.moved, run.refused), (0, 1), "{run:?}");
    assert_eq!(w.stage_of(ann), "new");
    let told = w.core.take_notifications(&w.admin).unwrap();
    assert_eq!(told.len(), 1, "one notice for the day's sweep: {told:?}");
    assert!(told[0].contains("could not move 1 lead") && told[0].contains("Ann Lee (New lead → Lost)"), "{told:?}");
    assert!(told[0].contains("To enter Lost"), "the reason: {told:?}");
    // An Editor is not told of the policy's refusals.
    assert!(w.core.take_notifications(&w.eve).unwrap().iter().all(|m| !m.contains("could not move")));
}

/// A clock set ahead once (by hand, a virtual machine's snapshot) and set right again does not stop the daily
/// sweep until that later day comes.
#[test]
fn a_sweep_under_a_clock_set_ahead_does_not_stop_the_days_after_it_is_set_right() {
    let (w, _, _, _) = world();
    w.clock.advance(Duration::days(90));
    assert!(w.core.sweep_if_due().unwrap().is_some());
    w.clock.advance(Duration::days(-89));
    assert!(w.core.sweep_if_due().unwrap().is_some(), "the day after the clock was set right sweeps");
    assert!(w.core.sweep_if_due().unwrap().is_none(), "once a day still");
}
