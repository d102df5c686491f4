#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Every mutating core operation, tried by a role that may not do it: a permission error, nothing written.
mod common;

use common::{fixture, lead, Fixture, PASSWORD};
use rapport_core::calendar::{AppointmentStatus, Confirmation, IcsFile};
use rapport_core::leads::ImportMode;
use rapport_core::pipeline::{
    ActivityKind, BusinessCalendar, NewActivity, NewStage, Passing, StageOutcome, StageSettings, StagnationPolicy,
};
use rapport_core::settings::Settings;
use rapport_core::users::{Role, UserInput};
use rapport_core::Origin;
use rapport_core::{Actor, ErrorCode};

fn user_input(name: &str, role: Role) -> UserInput {
    UserInput {
        username: name.into(),
        display_name: name.into(),
        role,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    }
}

/// Each mutating operation of the core, run as `actor`.
type Mutation<'a> = (&'static str, Box<dyn Fn(&Actor) -> rapport_core::Result<()> + 'a>);

fn mutations(f: &Fixture, lead_id: i64, other_user: i64, edit_batch: i64) -> Vec<Mutation<'_>> {
    vec![
        (
            "create_lead",
            Box::new(move |a: &Actor| f.core.create_lead(a, &lead("X", "Y", "x@y.com"), &Origin::manual()).map(|_| ())),
        ),
        ("undo_lead_change", Box::new(move |a: &Actor| f.core.undo_lead_change(a, lead_id, edit_batch).map(|_| ()))),
        (
            "update_lead",
            Box::new(move |a: &Actor| {
                let version = f.core.get_lead(&f.admin, lead_id)?.version;
                f.core.update_lead(a, lead_id, version, &lead("X", "Y", "x@y.com"), &Origin::manual()).map(|_| ())
            }),
        ),
        (
            "import_leads",
            Box::new(move |a: &Actor| {
                f.core
                    .import_leads(
                        a,
                        &[(2, lead("X", "Y", "x@y.com"))],
                        &Origin::import("f.csv"),
                        ImportMode::SkipInvalid,
                        &mut |_| {},
                    )
                    .map(|_| ())
            }),
        ),
        (
            "create_user",
            Box::new(move |a: &Actor| f.core.create_user(a, &user_input("newbie", Role::Editor), PASSWORD).map(|_| ())),
        ),
        (
            "update_user",
            Box::new(move |a: &Actor| {
                f.core.update_user(a, other_user, &user_input("renamed", Role::Administrator)).map(|_| ())
            }),
        ),
        (
            "change_password (someone else's)",
            Box::new(move |a: &Actor| f.core.change_password(a, other_user, None, "a new password").map(|_| ())),
        ),
        (
            "scan_duplicates",
            Box::new(move |a: &Actor| {
                f.core.scan_duplicates(a, &std::sync::atomic::AtomicBool::new(false), &mut |_| {}).map(|_| ())
            }),
        ),
        (
            "mark_not_duplicate",
            Box::new(move |a: &Actor| {
                let pair = f.core.duplicate_queue(&f.admin, 1)?.first().map(|p| p.id).expect("a pair in the queue");
                f.core.mark_not_duplicate(a, pair)
            }),
        ),
        (
            "merge_leads",
            Box::new(move |a: &Actor| {
                // Ann Lee typed twice: the copy was created right after the edited lead.
                f.core.merge_leads(a, lead_id, &[lead_id + 1], &[]).map(|_| ())
            }),
        ),
        (
            "unmerge",
            Box::new(move |a: &Actor| {
                let merge =
                    f.core.lead_history(&f.admin, lead_id)?.into_iter().find(|e| e.source_ref.starts_with("merge of"));
                f.core.unmerge(a, merge.map_or(i64::MAX, |e| e.batch_id)).map(|_| ())
            }),
        ),
        (
            "merge_pairs",
            Box::new(move |a: &Actor| {
                let pairs: Vec<i64> = f.core.duplicate_queue(&f.admin, 10)?.iter().map(|p| p.id).collect();
                f.core.merge_pairs(a, &pairs, &mut |_, _| {}).map(|_| ())
            }),
        ),
        (
            "update_duplicate_tiers",
            Box::new(move |a: &Actor| {
                let tiers = rapport_core::duplicates::DuplicateTiers { same: 0.9999, review: 0.6 };
                f.core.update_duplicate_tiers(a, tiers).map(|_| ())
            }),
        ),
        (
            "update_settings",
            Box::new(move |a: &Actor| {
                f.core
                    .update_settings(a, &Settings { default_region: "DE".into(), default_currency: String::new() })
                    .map(|_| ())
            }),
        ),
        // The calendar's operations.
        (
            "book_appointment",
            Box::new(move |a: &Actor| {
                let admin = f.admin.user_id().unwrap_or_default();
                f.core
                    .book_appointment(a, &common::booking(admin, "b", "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z"))
                    .map(|_| ())
            }),
        ),
        (
            "update_appointment",
            Box::new(move |a: &Actor| {
                let appt = f.core.appointment(&f.admin, seeded_appointment(f)?)?;
                let input = common::booking(appt.agent_id, "renamed", &appt.start, &appt.end);
                f.core.update_appointment(a, appt.id, appt.version, &input).map(|_| ())
            }),
        ),
        (
            "move_appointment",
            Box::new(move |a: &Actor| {
                let appt = f.core.appointment(&f.admin, seeded_appointment(f)?)?;
                f.core
                    .move_appointment(a, appt.id, appt.version, "2026-12-06T09:00:00Z", "2026-12-06T10:00:00Z")
                    .map(|_| ())
            }),
        ),
        (
            "set_appointment_status",
            Box::new(move |a: &Actor| {
                f.core.set_appointment_status(a, seeded_appointment(f)?, AppointmentStatus::Completed).map(|_| ())
            }),
        ),
        (
            "set_confirmation",
            Box::new(move |a: &Actor| {
                f.core.set_confirmation(a, seeded_appointment(f)?, Confirmation::Sent).map(|_| ())
            }),
        ),
        (
            "import_ics",
            Box::new(move |a: &Actor| {
                let file = IcsFile { name: "p.ics".into(), bytes: invite("perm-2", "20261208T090000Z").into_bytes() };
                f.core.import_ics(a, &[file], a.user_id()).map(|_| ())
            }),
        ),
        (
            "create_lead_from_attendee",
            Box::new(move |a: &Actor| {
                f.core.create_lead_from_attendee(a, seeded_appointment(f)?, "new.person@example.org", None).map(|_| ())
            }),
        ),
        (
            "update_agent_calendar (someone else's)",
            Box::new(move |a: &Actor| {
                let mut cal = f.core.agent_calendar(&f.admin, other_user)?;
                cal.buffer_minutes = 30;
                f.core.update_agent_calendar(a, cal).map(|_| ())
            }),
        ),
        (
            "add_time_off (someone else's)",
            Box::new(move |a: &Actor| {
                f.core
                    .add_time_off(a, other_user, "2026-12-24T00:00:00Z", "2026-12-27T00:00:00Z", "holiday")
                    .map(|_| ())
            }),
        ),
        (
            "remove_time_off (someone else's)",
            Box::new(move |a: &Actor| {
                let id = f.core.agent_calendar(&f.admin, other_user)?.time_off.first().map_or(0, |t| t.id);
                f.core.remove_time_off(a, other_user, id).map(|_| ())
            }),
        ),
        (
            "log_activity",
            Box::new(move |a: &Actor| {
                let call = NewActivity { kind: Some(ActivityKind::Call), subject: "Call".into(), ..Default::default() };
                f.core.log_activity(a, lead_id, &call).map(|_| ())
            }),
        ),
        (
            "complete_activity",
            Box::new(move |a: &Actor| {
                let open = f.core.lead_activities(&f.admin, lead_id)?.into_iter().find(|x| x.done_at.is_none());
                f.core.complete_activity(a, open.map_or(0, |x| x.id)).map(|_| ())
            }),
        ),
        (
            "update_stage",
            Box::new(move |a: &Actor| {
                let stage = f.core.pipeline_config(&f.admin)?.stages.into_iter().find(|s| s.key == "won");
                let s = stage.ok_or(rapport_core::Error::Internal("no won stage".into()))?;
                let settings = StageSettings {
                    label: "Closed won".into(),
                    probability: s.probability,
                    colour: s.colour,
                    required_fields: vec![],
                    required_activities: vec![],
                    asked_when_skipped: false,
                };
                f.core.update_stage(a, "won", &settings).map(|_| ())
            }),
        ),
        ("pipeline_sweep", Box::new(move |a: &Actor| f.core.pipeline_sweep(a, false).map(|_| ()))),
        (
            "set_stagnation_policy",
            Box::new(move |a: &Actor| {
                let p = StagnationPolicy { after_days: 3, target: "lost".into(), lost_reason: Some("stagnant".into()) };
                f.core.set_stagnation_policy(a, "new", Some(&p))
            }),
        ),
        (
            "set_business_calendar",
            Box::new(move |a: &Actor| {
                let c = BusinessCalendar { working_days: vec![1, 2, 3, 4], holidays: vec![], time_zone: "UTC".into() };
                f.core.set_business_calendar(a, &c).map(|_| ())
            }),
        ),
        ("decide_approval", Box::new(move |a: &Actor| f.core.decide_approval(a, 1, true, "ok").map(|_| ()))),
        // Logged by the Administrator: theirs (or another Administrator's) to remove.
        (
            "remove_activity",
            Box::new(move |a: &Actor| {
                // The oldest: the Administrator's task (an Editor's own, logged above, would be theirs).
                let first = f.core.lead_activities(&f.admin, lead_id)?.into_iter().last();
                f.core.remove_activity(a, first.map_or(0, |x| x.id))
            }),
        ),
        ("set_approval_rules", Box::new(move |a: &Actor| f.core.set_approval_rules(a, &[]).map(|_| ()))),
        ("create_pipeline", Box::new(move |a: &Actor| f.core.create_pipeline(a, "renewals", "Renewals").map(|_| ()))),
        (
            "create_stage",
            Box::new(move |a: &Actor| {
                let s = NewStage {
                    pipeline: "sales".into(),
                    key: "demo".into(),
                    label: "Demo".into(),
                    outcome: StageOutcome::Open,
                };
                f.core.create_stage(a, &s).map(|_| ())
            }),
        ),
        ("set_lost_reasons", Box::new(move |a: &Actor| f.core.set_lost_reasons(a, &[]).map(|_| ()))),
        (
            "reorder_stages",
            Box::new(move |a: &Actor| {
                let order = ["new", "qualification", "nurture", "engagement", "won", "lost"].map(String::from);
                f.core.reorder_stages(a, "sales", None, &order).map(|_| ())
            }),
        ),
        (
            "override the stage gate",
            Box::new(move |a: &Actor| {
                let l = f.core.get_lead(&f.admin, lead_id)?;
                let mut input = l.to_input();
                input.stage = "won".into();
                let passage = Passing::Override("signed on paper");
                f.core.update_lead_passing(a, lead_id, l.version, &input, &Origin::manual(), passage).map(|_| ())
            }),
        ),
    ]
}

fn invite(uid: &str, start: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\n\
DURATION:PT1H\r\nSUMMARY:Seeded\r\nATTENDEE;CN=New Person:mailto:new.person@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The appointment `edited_lead` imports into the administrator's calendar.
fn seeded_appointment(f: &Fixture) -> rapport_core::Result<i64> {
    let occ = f.core.occurrences(&f.admin, &[], "2026-12-01T00:00:00Z", "2026-12-31T00:00:00Z")?;
    Ok(occ.iter().find(|o| o.uid == "perm-1").map_or(0, |o| o.appointment_id))
}

/// A lead with one saved edit, whose batch an undo can name; and the same person typed again, so the review
/// queue holds a pair.
fn edited_lead(f: &Fixture) -> (i64, i64) {
    let l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap();
    assert_eq!(f.core.duplicate_queue(&f.admin, 5).unwrap().len(), 1, "Ann Lee typed twice is in the queue");
    // A third copy, merged by the administrator: a merge that unmerge can name.
    let mut third = lead("Ann", "Lee", "ann.lee@y.example");
    third.job_title = "Buyer".into();
    let third = f.core.create_lead(&f.admin, &third, &Origin::manual()).unwrap().lead;
    f.core.merge_leads(&f.admin, l.id, &[third.id], &[]).unwrap();
    let l = f.core.get_lead(&f.admin, l.id).unwrap();
    let mut input = l.to_input();
    input.company = "Acme".into();
    let saved = f.core.update_lead(&f.admin, l.id, l.version, &input, &Origin::manual()).unwrap();
    // An appointment with an unknown attendee in the administrator's calendar, for the calendar's operations.
    let file = IcsFile { name: "seed.ics".into(), bytes: invite("perm-1", "20261203T090000Z").into_bytes() };
    f.core.import_ics(&f.admin, &[file], None).unwrap();
    // An open task, for completing.
    let task = NewActivity {
        kind: Some(ActivityKind::Task),
        subject: "Send the brochure".into(),
        due_at: Some("2026-12-01T09:00:00Z".into()),
        ..Default::default()
    };
    f.core.log_activity(&f.admin, l.id, &task).unwrap();
    (l.id, saved.batch_id.unwrap())
}

#[test]
fn a_viewer_can_change_nothing() {
    let f = fixture();
    let (lead_id, edit_batch) = edited_lead(&f);
    let viewer = f.user("vera", Role::Viewer, &[]);
    let other = f.user("otto", Role::Editor, &[]).user_id().unwrap();
    let before = f.dump();
    for (name, op) in mutations(&f, lead_id, other, edit_batch) {
        let err = op(&viewer).expect_err(name);
        assert_eq!(err.code(), ErrorCode::PermissionDenied, "{name}: {err}");
        assert_eq!(f.dump(), before, "{name} wrote something for a viewer");
    }
    // Reading stays allowed.
    assert_eq!(f.core.get_lead(&viewer, lead_id).unwrap().id, lead_id);
    assert!(!f.core.lead_history(&viewer, lead_id).unwrap().is_empty());
}

#[test]
fn an_editor_works_leads_but_cannot_configure() {
    let f = fixture();
    let (lead_id, edit_batch) = edited_lead(&f);
    let editor = f.user("ed", Role::Editor, &[]);
    let other = f.user("otto", Role::Viewer, &[]).user_id().unwrap();
    for (name, op) in mutations(&f, lead_id, other, edit_batch) {
        let before = f.dump();
        let result = op(&editor);
        let allowed = matches!(
            name,
            "create_lead"
                | "update_lead"
                | "import_leads"
                | "undo_lead_change"
                | "import_ics"
                | "log_activity"
                | "complete_activity"
        );
        // The calendar's operations here touch the administrator's own events (a lead-less booking, an imported
        // invite): theirs alone (tests/calendar.rs has an editor change their own, and the team's lead meetings).
        // Duplicates of leads the editor does not own are for data stewards (tests/duplicates.rs gives an
        // editor the steward mark and an owner their own pairs).
        if allowed {
            assert!(result.is_ok(), "{name} should be allowed for an editor: {:?}", result.err());
        } else {
            assert_eq!(result.map_err(|e| e.code()).err(), Some(ErrorCode::PermissionDenied), "{name}");
            assert_eq!(f.dump(), before, "{name} wrote something for an editor");
        }
    }
    assert_eq!(f.core.list_users(&editor).unwrap_err().code(), ErrorCode::PermissionDenied);
}

/// A campaign typed with other spaces (two, a non-breaking one pasted from a document) is the same campaign:
/// its team sees the lead, which was hidden from them as another campaign's.
#[test]
fn a_campaign_typed_with_other_spaces_is_the_same_campaign() {
    let f = fixture();
    let team = f.user("team", Role::Editor, &["Spring Expo"]);
    let mut input = common::lead("Ann", "Lee", "ann@lee.io");
    input.campaign = "Spring\u{a0} Expo".into();
    let id = f.core.create_lead(&f.admin, &input, &rapport_core::Origin::manual()).unwrap().lead.id;
    assert_eq!(f.core.get_lead(&team, id).unwrap().campaign, "Spring Expo");
}

#[test]
fn a_team_outside_a_campaign_changes_nothing_of_its_leads() {
    let f = fixture();
    let (lead_id, edit_batch) = edited_lead(&f); // no campaign: outside "Spring"
    let team = f.user("team", Role::Editor, &["Spring"]);
    let other = f.user("otto", Role::Viewer, &[]).user_id().unwrap();
    let before = f.dump();
    for name in ["update_lead", "undo_lead_change", "log_activity", "complete_activity"] {
        let ops = mutations(&f, lead_id, other, edit_batch);
        let (_, op) = ops.into_iter().find(|(n, _)| *n == name).unwrap();
        assert_eq!(op(&team).unwrap_err().code(), ErrorCode::NotFound, "{name}: out of scope is not found");
        assert_eq!(f.dump(), before, "{name} wrote something outside the team's campaigns");
    }
}

#[test]
fn demo_data_is_written_only_into_an_empty_database() {
    let f = fixture(); // has its first administrator: not empty
    let before = f.dump();
    assert_eq!(f.core.seed_demo_if_empty(50).unwrap(), 0);
    assert_eq!(f.dump(), before, "a database with users gets no demo data");

    let dir = tempfile::tempdir().unwrap();
    let core = std::sync::Arc::new(rapport_core::Rapport::open(&dir.path().join("new.db")).unwrap());
    // Two first runs at once: "empty?" is decided inside the writing transaction, so only one seeds.
    let seeded: Vec<usize> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2).map(|_| s.spawn(|| core.seed_demo_if_empty(40).unwrap())).collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(seeded.iter().sum::<usize>(), 40, "{seeded:?}");
    let stored: i64 = rusqlite::Connection::open(dir.path().join("new.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 40);
    assert!(core.has_leads().unwrap());
}

#[test]
fn rights_are_reloaded_on_every_call() {
    let f = fixture();
    let editor = f.user("ed", Role::Editor, &[]);
    let id = editor.user_id().unwrap();
    f.core.create_lead(&editor, &lead("A", "B", "a@b.com"), &Origin::manual()).unwrap();

    // Demoted while signed in: the next call already runs as a viewer.
    f.core.update_user(&f.admin, id, &user_input("ed", Role::Viewer)).unwrap();
    let err = f.core.create_lead(&editor, &lead("A", "B", "a@b.com"), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);

    // Deactivated: no reading either (the session has ended), and no new sign-in.
    let mut off = user_input("ed", Role::Editor);
    off.active = false;
    f.core.update_user(&f.admin, id, &off).unwrap();
    assert_eq!(f.core.list_leads(&editor, &Default::default()).unwrap_err().code(), ErrorCode::SessionEnded);
    assert_eq!(f.core.sign_in("ed", PASSWORD).unwrap_err().code(), ErrorCode::AuthFailed);
}

/// The operations the benchmarks use check who asks like every other: counting every campaign's leads and
/// reading the bare search index take one who sees every campaign, writing leads without their change log an
/// Administrator; refused, nothing is written.
#[test]
fn the_benchmarks_operations_check_who_asks() {
    let f = fixture();
    f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@lee.io"), &Origin::manual()).unwrap();
    let spring = f.user("sam", Role::Editor, &["Spring"]);
    let editor = f.user("eve", Role::Editor, &[]);
    assert_eq!(f.core.lead_count(&f.admin).unwrap(), 1);
    assert_eq!(f.core.lead_count(&spring).unwrap_err().code(), ErrorCode::PermissionDenied);
    let floor = rapport_core::leads::IndexFloor::NamePrefix;
    assert_eq!(f.core.search_index_floor(&spring, floor, "ann", 10).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert!(f.core.search_index_floor(&editor, floor, "ann", 10).is_ok());
    let before = f.dump();
    let rows = [lead("Bo", "Ray", "bo@ray.io")];
    assert_eq!(f.core.bench_plain_insert(&editor, &rows).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(f.dump(), before, "nothing written");
}

/// Seed 3.2: a team sees only its campaigns' leads, so a lead is not given to an owner who could not open it.
/// Creating, reassigning and importing with such an owner are refused on the owner field, and write nothing.
#[test]
fn a_lead_is_not_given_to_an_owner_outside_its_campaign() {
    let f = fixture();
    let spring = f.user("sam", Role::Editor, &["Spring"]).user_id().unwrap();
    let autumn = f.user("otto", Role::Editor, &["Autumn"]).user_id().unwrap();
    let owner_error = |e: rapport_core::Error| match e {
        rapport_core::Error::Validation(v) => {
            assert_eq!(v.errors.len(), 1, "{v:?}");
            assert_eq!(v.errors[0].field, "owner");
            assert!(v.errors[0].message.contains("otto does not work on campaign \"Spring\""), "{v:?}");
        }
        other => panic!("expected an owner error, got {other:?}"),
    };
    let mut input = lead("Ann", "Lee", "ann@lee.example");
    input.campaign = "Spring".into();
    input.owner_id = Some(autumn);
    let before = f.dump();
    owner_error(f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap_err());
    let rows = [(2, input.clone())];
    let out = f.core.import_leads(&f.admin, &rows, &Origin::import("x.csv"), ImportMode::SkipInvalid, &mut |_| {});
    let out = out.unwrap();
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.rejected[0].errors[0].field, "owner");
    assert_eq!(f.dump(), before, "nothing written for an owner outside the campaign");

    input.owner_id = Some(spring);
    let created = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(created.owner.clone().map(|o| o.id), Some(spring));
    let before = f.dump();
    let mut reassigned = created.to_input();
    reassigned.owner_id = Some(autumn);
    owner_error(f.core.update_lead(&f.admin, created.id, created.version, &reassigned, &Origin::manual()).unwrap_err());
    assert_eq!(f.dump(), before);

    // An owner the lead already has stays when the lead moves to a campaign they do not work on, as a
    // deactivated owner does: refusing would make the move impossible without a reassignment first.
    let mut moved = created.to_input();
    moved.campaign = "Autumn".into();
    let moved = f.core.update_lead(&f.admin, created.id, created.version, &moved, &Origin::manual()).unwrap().lead;
    assert_eq!(moved.campaign, "Autumn");
    assert_eq!(moved.owner.map(|o| o.id), Some(spring));
}

/// The owners a lead of a campaign can be given to are those who work on it, and may work it (a Viewer, who sees
/// every campaign, reads only); a reader asks only about a campaign of their own.
#[test]
fn the_owners_offered_for_a_campaign_are_those_who_work_on_it() {
    let f = fixture();
    let sam = f.user("sam", Role::Editor, &["Spring"]);
    f.user("otto", Role::Editor, &["Autumn"]);
    f.user("alma", Role::Viewer, &[]);
    let names = |list: Vec<rapport_core::leads::UserRef>| list.into_iter().map(|u| u.name).collect::<Vec<_>>();
    let spring = f.core.owners_for_campaign(&sam, "spring").unwrap();
    assert_eq!(names(spring), ["Ada Admin", "sam"]);
    let err = f.core.owners_for_campaign(&sam, "Autumn").unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    assert_eq!(names(f.core.owners_for_campaign(&f.admin, "Autumn").unwrap()), ["Ada Admin", "otto"]);
}
