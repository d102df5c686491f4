#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Approvals of chosen transitions (seed 003's controls) on real SQLite files: an Editor's move that a rule
//! covers (losing a deal of 10,000 or more, reopening a won deal) writes nothing and becomes a request; it
//! blocks until an Administrator decides; approval makes the move through the gate, rejection needs a
//! comment; every step is logged and the other side is told; only Administrators see the queue and decide.
mod common;

use common::{fixture, Fixture};
use rapport_core::leads::{Lead, LeadInput};
use rapport_core::pipeline::{ApprovalRule, ApprovalStatus, Passing};
use rapport_core::users::Role;
use rapport_core::{ErrorCode, Origin};

fn deal(first: &str, value: &str) -> LeadInput {
    let mut l = common::qualified(common::lead(first, "Lee", &format!("{}@lee.io", first.to_lowercase())));
    l.deal.value = value.into();
    l.deal.currency = "EUR".into();
    l
}

fn in_stage(f: &Fixture, input: &LeadInput, stage: &str) -> Lead {
    let mut i = input.clone();
    i.stage = stage.into();
    if stage == "lost" {
        i.deal.lost_reason = "price".into();
    }
    f.core.create_lead(&f.admin, &i, &Origin::manual()).unwrap().lead
}

fn logged(f: &Fixture, entity: &str) -> Vec<(String, Option<String>)> {
    f.sql()
        .prepare("SELECT field, new_value FROM change_log WHERE entity = ?1 ORDER BY id")
        .unwrap()
        .query_map([entity], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// A request's note and a decision's comment are checked as a lead's text is: a terminal escape or a direction
/// override was stored and shown raw to the approver (the CLI's queue prints it as it is).
#[test]
fn an_approval_s_note_and_comment_are_checked_as_text() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let won = in_stage(&f, &deal("Ann", "500"), "won");
    let before = f.dump();
    let err = f.core.request_move(&eve, won.id, won.version, "qualification", "", "more seats\u{1b}[2J").unwrap_err();
    assert_eq!(err.field_errors()[0].field, "note", "{err}");
    assert_eq!(f.dump(), before);
    // A lone carriage return is stored as the line break it is: kept raw, a terminal printed the next line over
    // the first, so a note could fake another request's line in the CLI's queue.
    let request =
        f.core.request_move(&eve, won.id, won.version, "qualification", "", " They signed\rfor more seats ").unwrap();
    assert_eq!(request.note, "They signed\nfor more seats");
    assert_eq!(f.core.approval_queue(&f.admin).unwrap()[0].note, "They signed\nfor more seats", "as stored");
    let before = f.dump();
    let err = f.core.decide_approval(&f.admin, request.id, false, "no \u{202E}thanks").unwrap_err();
    assert_eq!(err.field_errors()[0].field, "comment", "{err}");
    assert_eq!(f.dump(), before);
    let decided = f.core.decide_approval(&f.admin, request.id, false, "Not\rthis quarter").unwrap();
    assert_eq!(decided.comment, "Not\nthis quarter");
}

#[test]
fn a_covered_move_waits_as_a_request_until_an_administrator_approves_it() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let won = in_stage(&f, &deal("Ann", "500"), "won");

    // Reopening a won deal: refused with what to do, nothing written.
    let before = f.dump();
    let err = f.core.move_lead(&eve, won.id, won.version, "qualification", Passing::Checked).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired);
    assert!(err.to_string().contains("Reopening a won deal"), "{err}");
    assert_eq!(f.dump(), before);

    let request =
        f.core.request_move(&eve, won.id, won.version, "qualification", "", "They signed for more seats").unwrap();
    assert_eq!(
        (request.status, request.from_stage.as_str(), request.to_stage.as_str()),
        (ApprovalStatus::Pending, "won", "qualification")
    );
    assert_eq!(f.core.get_lead(&f.admin, won.id).unwrap().stage, "won", "nothing moves until it is decided");
    // It blocks: a second request waits behind the first.
    let again = f.core.request_move(&eve, won.id, won.version, "qualification", "", "").unwrap_err();
    assert_eq!(again.code(), ErrorCode::Validation);
    assert_eq!(again.field_errors()[0].field, "pending", "told apart from other refusals");
    let err = f.core.approval_queue(&eve).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    // Named as what was asked: listing or deciding changes no setting.
    assert!(err.to_string().contains("see the moves waiting for approval"), "{err}");
    let err = f.core.decide_approval(&eve, request.id, true, "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    assert!(err.to_string().contains("decide approval requests"), "{err}");

    let queue = f.core.approval_queue(&f.admin).unwrap();
    assert_eq!(
        queue.iter().map(|r| (r.id, r.lead_name.as_str(), r.note.as_str())).collect::<Vec<_>>(),
        [(request.id, "Ann Lee", "They signed for more seats")]
    );
    assert_eq!(
        f.core.take_notifications(&f.admin).unwrap(),
        ["eve asks to move Ann Lee to Qualification (Reopening a won deal)"]
    );

    let decided = f.core.decide_approval(&f.admin, request.id, true, "Go ahead").unwrap();
    assert_eq!(
        (decided.status, decided.comment.as_str(), decided.decided_by.as_deref()),
        (ApprovalStatus::Approved, "Go ahead", Some("Ada Admin"))
    );
    assert_eq!(f.core.get_lead(&f.admin, won.id).unwrap().stage, "qualification", "approved: moved");
    assert!(f.core.approval_queue(&f.admin).unwrap().is_empty());
    assert_eq!(
        f.core.take_notifications(&eve).unwrap(),
        ["Your request to move Ann Lee to Qualification was approved: Go ahead"]
    );
    assert_eq!(
        f.core.decide_approval(&f.admin, request.id, false, "late").unwrap_err().code(),
        ErrorCode::Conflict,
        "decided once"
    );
    let log = logged(&f, "approval_request");
    assert_eq!(log.len(), 2);
    assert_eq!(log[1], ("status".to_string(), Some("approved: Go ahead".to_string())));
    // The move itself is in the lead's history, made in the approval's batch.
    let history = f.core.lead_history(&f.admin, won.id).unwrap();
    let mv = history.iter().find(|e| e.field == "stage").unwrap();
    assert_eq!(
        (mv.actor_name.as_str(), mv.source_ref.as_str()),
        ("admin", format!("approval request {}", request.id).as_str())
    );
}

/// Undoing a move is a move back, decided by the person undoing: an Editor cannot reopen a won deal by
/// undoing the move that won it (the rule asks an Administrator), while an Administrator can. And an undo that
/// would empty what the lead's stage asks of it (a Won deal's value) is refused like any such edit.
#[test]
fn undoing_a_move_meets_the_approval_rules_and_a_stay_keeps_what_its_stage_asks() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let mut input = deal("Ann", "");
    input.deal.currency = String::new();
    let ann = in_stage(&f, &input, "qualification");
    let mut priced = ann.to_input();
    priced.deal.value = "500".into();
    priced.deal.currency = "EUR".into();
    let priced = f.core.update_lead(&eve, ann.id, ann.version, &priced, &Origin::manual()).unwrap();
    let mut won = priced.lead.to_input();
    won.stage = "won".into();
    let won = f.core.update_lead(&eve, ann.id, priced.lead.version, &won, &Origin::manual()).unwrap();
    assert_eq!(won.lead.stage, "won");

    let before = f.dump();
    let reopen = f.core.undo_lead_change(&eve, ann.id, won.batch_id.unwrap()).unwrap_err();
    assert_eq!(reopen.code(), ErrorCode::ApprovalRequired, "{reopen}");
    assert!(reopen.to_string().contains("Reopening a won deal"), "{reopen}");
    assert_eq!(f.dump(), before, "nothing written");
    let unpriced = f.core.undo_lead_change(&eve, ann.id, priced.batch_id.unwrap()).unwrap_err();
    assert_eq!(unpriced.code(), ErrorCode::Validation, "{unpriced}");
    assert_eq!(f.dump(), before, "nothing written");

    let back = f.core.undo_lead_change(&f.admin, ann.id, won.batch_id.unwrap()).unwrap().lead;
    assert_eq!(back.stage, "qualification", "an Administrator decides approvals, and undoes the move");
}

#[test]
fn losing_a_large_deal_needs_approval_a_small_one_does_not_and_a_rejection_says_why() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let big = in_stage(&f, &deal("Bo", "25000"), "qualification");
    let small = in_stage(&f, &deal("Cy", "900"), "qualification");
    let lost = |l: &Lead| {
        let mut i = l.to_input();
        i.stage = "lost".into();
        i.deal.lost_reason = "competitor".into();
        i
    };
    f.core.update_lead(&eve, small.id, small.version, &lost(&small), &Origin::manual()).unwrap();
    let before = f.dump();
    let err = f.core.update_lead(&eve, big.id, big.version, &lost(&big), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired);
    assert!(err.to_string().ends_with(": request it"), "{err}");
    assert_eq!(f.dump(), before);
    // Created lost at once, there is no lead to request the move for: the message says what to do instead.
    let mut created_lost = deal("Di", "25000");
    created_lost.stage = "lost".into();
    created_lost.deal.lost_reason = "competitor".into();
    let err = f.core.create_lead(&eve, &created_lost, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired);
    assert!(err.to_string().contains("create it in an open stage, then request the move"), "{err}");
    assert_eq!(f.dump(), before);
    // Emptying the value in the same edit does not make it a small deal.
    let mut emptied = lost(&big);
    emptied.deal.value = String::new();
    let err = f.core.update_lead(&eve, big.id, big.version, &emptied, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired);
    assert_eq!(f.dump(), before);
    // The criteria come first: without a reason, the request is refused with what is missing.
    let err = f.core.request_move(&eve, big.id, big.version, "lost", "", "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::StageGate);
    let request = f.core.request_move(&eve, big.id, big.version, "lost", "competitor", "They chose Globex").unwrap();
    assert_eq!(request.lost_reason, "competitor");
    let before = f.dump();
    assert_eq!(f.core.decide_approval(&f.admin, request.id, false, " ").unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(f.dump(), before, "a rejection without a comment writes nothing");
    let rejected = f.core.decide_approval(&f.admin, request.id, false, "Let us make one more offer").unwrap();
    assert_eq!(rejected.status, ApprovalStatus::Rejected);
    assert_eq!(f.core.get_lead(&f.admin, big.id).unwrap().stage, "qualification", "rejected: it stays");
    // A move that needs no approval is not a request.
    let err = f.core.request_move(&eve, small.id, small.version + 1, "nurture", "", "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    // An Administrator decides approvals, so their own moves are approved as they are made.
    let big = f.core.get_lead(&f.admin, big.id).unwrap();
    f.core.update_lead(&f.admin, big.id, big.version, &lost(&big), &Origin::manual()).unwrap();
}

/// A request is about the lead as it was asked: one that moved since and came back to the same stage (the
/// client returned) is not approved as if nothing had happened. The move away closed it, saying so.
#[test]
fn a_request_for_a_lead_that_moved_since_and_back_is_not_approved() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let big = in_stage(&f, &deal("Bo", "25000"), "qualification");
    let request = f.core.request_move(&eve, big.id, big.version, "lost", "competitor", "They chose Globex").unwrap();
    let away = f.core.move_lead(&eve, big.id, big.version, "new", Passing::Checked).unwrap().lead;
    f.core.move_lead(&eve, big.id, away.version, "qualification", Passing::Checked).unwrap();
    let before = f.dump();
    let err = f.core.decide_approval(&f.admin, request.id, true, "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    assert_eq!(f.core.get_lead(&f.admin, big.id).unwrap().stage, "qualification");
    let closed = f.core.lead_approval_requests(&f.admin, big.id).unwrap().into_iter().find(|r| r.id == request.id);
    let closed = closed.unwrap();
    assert_eq!(closed.status, ApprovalStatus::Rejected);
    assert!(closed.comment.contains("moved to New lead"), "{closed:?}");
}

#[test]
fn only_an_administrator_changes_the_rules_which_are_logged() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let rules = f.core.approval_rules(&eve).unwrap();
    assert_eq!(
        rules.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
        ["Losing a deal of 10,000 or more", "Reopening a won deal"]
    );
    let mine = vec![ApprovalRule {
        id: 0,
        from_stage: None,
        to_stage: Some("nurture".into()),
        min_value: Some(1000.0),
        min_currency: String::new(),
        label: "Parking a deal of 1,000 or more".into(),
    }];
    let before = f.dump();
    assert_eq!(f.core.set_approval_rules(&eve, &mine).unwrap_err().code(), ErrorCode::PermissionDenied);
    let bad = vec![ApprovalRule { to_stage: Some("limbo".into()), ..mine[0].clone() }];
    assert_eq!(f.core.set_approval_rules(&f.admin, &bad).unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(f.dump(), before);
    f.core.set_approval_rules_as_seen(&f.admin, Some(&rules), &mine).unwrap();
    assert_eq!(logged(&f, "settings").iter().filter(|(field, _)| field == "approval_rules").count(), 1);
    // A second editor of the list, opened before that save, would drop the rule just added: a conflict.
    let before = f.dump();
    let err = f.core.set_approval_rules_as_seen(&f.admin, Some(&rules), &rules).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(f.dump(), before);
    let ann = in_stage(&f, &deal("Ann", "1500"), "qualification");
    let err = f.core.move_lead(&eve, ann.id, ann.version, "nurture", Passing::Checked).unwrap_err();
    assert!(err.to_string().contains("Parking a deal of 1,000 or more"), "{err}");
}

/// A minimum names its currency: 10,000 EUR is not 10,000 JPY. A rule in euros compares deals in euros, and
/// covers a deal in another currency or in none, which it cannot compare (a control is not skipped by writing
/// the amount in yen). A currency needs a minimum, and is a code.
#[test]
fn a_minimum_value_in_a_currency_covers_the_deals_it_cannot_compare() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let rule = |currency: &str| ApprovalRule {
        id: 0,
        from_stage: None,
        to_stage: Some("nurture".into()),
        min_value: Some(10_000.0),
        min_currency: currency.into(),
        label: "Parking a deal of 10,000 EUR or more".into(),
    };
    let before = f.dump();
    let no_minimum = ApprovalRule { min_value: None, ..rule("EUR") };
    for bad in [rule("eur0"), rule("XXX"), no_minimum] {
        let err = f.core.set_approval_rules(&f.admin, &[bad]).unwrap_err();
        assert_eq!(err.field_errors()[0].field, "min_currency", "{err}");
    }
    assert_eq!(f.dump(), before, "nothing written");
    let saved = f.core.set_approval_rules(&f.admin, &[rule(" eur ")]).unwrap();
    assert_eq!(saved[0].min_currency, "EUR");

    let parks = |first: &str, value: &str, currency: &str| {
        let mut input = deal(first, value);
        input.deal.currency = currency.into();
        let lead = in_stage(&f, &input, "qualification");
        f.core.move_lead(&eve, lead.id, lead.version, "nurture", Passing::Checked).map(|_| ()).map_err(|e| e.code())
    };
    assert_eq!(parks("Ann", "9000", "EUR"), Ok(()), "under the minimum");
    assert_eq!(parks("Bea", "12000", "EUR"), Err(ErrorCode::ApprovalRequired));
    assert_eq!(parks("Cy", "9000", "JPY"), Err(ErrorCode::ApprovalRequired), "yen cannot be compared with euros");
    assert_eq!(parks("Di", "9000", ""), Err(ErrorCode::ApprovalRequired), "nor an amount of no stated currency");
    // No amount is under any minimum, in any currency.
    assert_eq!(parks("Ed", "", ""), Ok(()));

    // A rule without a currency (every rule written before rules had one) compares the amount as it stands.
    f.core.set_approval_rules(&f.admin, &[rule("")]).unwrap();
    assert_eq!(parks("Flo", "9000", "JPY"), Ok(()));
    assert_eq!(parks("Gus", "12000", "JPY"), Err(ErrorCode::ApprovalRequired));
}

/// A request whose lead is merged into another is closed by the merge (there is nothing left to move), saying
/// why, and the one who asked is told. It was left in the queue for an Administrator to reject by hand; and once
/// the lead was unmerged it could not be approved (the lead had moved) and refused a new request. Unmerged now,
/// the lead comes back with its request waiting, as it was.
#[test]
fn a_request_for_a_lead_merged_away_is_closed_by_the_merge_not_stuck() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let won = in_stage(&f, &deal("Ann", "500"), "won");
    let request = f.core.request_move(&eve, won.id, won.version, "qualification", "", "More seats").unwrap();
    f.core.take_notifications(&f.admin).unwrap();
    let twin = f.core.create_lead(&f.admin, &common::lead("Ann", "Lee", "ann.lee@x.io"), &Origin::manual()).unwrap();
    let merge = f.core.merge_leads(&f.admin, twin.lead.id, &[won.id], &[]).unwrap().merge_id;
    assert!(f.core.approval_queue(&f.admin).unwrap().is_empty(), "nothing left waiting");
    let stored = f.sql().query_row("SELECT status, comment FROM approval_requests WHERE id = ?1", [request.id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    });
    let (status, comment) = stored.unwrap();
    assert_eq!(status, "rejected");
    assert!(comment.contains("merged into another"), "{comment}");
    assert_eq!(
        f.core.take_notifications(&eve).unwrap(),
        ["Your request to move Ann Lee to Qualification was closed: the lead was merged into another"]
    );
    assert_eq!(f.core.decide_approval(&f.admin, request.id, true, "").unwrap_err().code(), ErrorCode::Conflict);
    // The closing is in the merge's change log, so its unmerge's history tells it too.
    let logged = logged(&f, "approval_request");
    assert!(logged.iter().any(|(field, v)| field == "status" && v.as_deref().is_some_and(|v| v.contains("merged"))));
    // Unmerged, the lead is back as it was, and so is its request: it waits again (closed for good, the move asked
    // for was lost, shown as rejected), its requester is told, and it is decided as any.
    f.core.unmerge(&f.admin, merge).unwrap();
    let waiting = f.core.approval_queue(&f.admin).unwrap();
    assert_eq!(waiting.iter().map(|r| (r.id, r.status)).collect::<Vec<_>>(), [(request.id, ApprovalStatus::Pending)]);
    assert_eq!((waiting[0].note.as_str(), waiting[0].comment.as_str()), ("More seats", ""));
    assert_eq!(
        f.core.take_notifications(&eve).unwrap(),
        ["Your request to move Ann Lee to Qualification waits again: the merge that closed it was taken back"]
    );
    let back = f.core.get_lead(&f.admin, won.id).unwrap();
    let err = f.core.request_move(&eve, back.id, back.version, "qualification", "", "Still more seats").unwrap_err();
    assert_eq!(err.field_errors()[0].field, "pending", "one request waits: {err}");
    let decided = f.core.decide_approval(&f.admin, request.id, true, "").unwrap();
    assert_eq!(decided.status, ApprovalStatus::Approved);
    assert_eq!(f.core.get_lead(&f.admin, won.id).unwrap().stage, "qualification");
}

/// A lead whose owner was deactivated since keeps that owner through a requested move, as through a move: the
/// request is made, not refused for an owner nobody chose anew.
#[test]
fn a_move_of_a_lead_with_a_deactivated_owner_can_be_requested() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    f.user("olaf", Role::Editor, &[]);
    let olaf = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.username == "olaf").unwrap();
    let mut input = deal("Ann", "500");
    input.owner_id = Some(olaf.id);
    let won = in_stage(&f, &input, "won");
    f.deactivate(olaf.id);
    let request = f.core.request_move(&eve, won.id, won.version, "qualification", "", "More seats").unwrap();
    assert_eq!(request.status, ApprovalStatus::Pending);
}

/// A decision is told to who asked; if the lead is no longer in their campaigns by then, it is not named.
#[test]
fn a_decision_on_a_lead_outside_the_askers_campaigns_now_does_not_name_it() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &["Spring"]);
    let mut input = deal("Bo", "25000");
    input.campaign = "Spring".into();
    let big = in_stage(&f, &input, "qualification");
    let request = f.core.request_move(&eve, big.id, big.version, "lost", "competitor", "").unwrap();
    let moved = rapport_core::users::UserInput {
        username: "eve".into(),
        display_name: "eve".into(),
        role: Role::Editor,
        active: true,
        campaigns: vec!["Fall".into()],
        all_campaigns: false,
    };
    f.core.update_user(&f.admin, eve.user_id().unwrap(), &moved).unwrap();
    f.core.decide_approval(&f.admin, request.id, false, "One more offer").unwrap();
    let told = f.core.take_notifications(&eve).unwrap();
    assert_eq!(told, ["A lead outside your campaigns was moved or decided on"]);
    assert!(!told[0].contains("Bo"), "{told:?}");
}

/// An unmerge puts back a state the log recorded, without asking the stage's criteria again, but a move back
/// that a rule covers is still an Administrator's to approve: an Editor cannot reopen a won deal by taking back
/// the merge that won it.
#[test]
fn an_unmerge_that_moves_a_won_deal_back_needs_the_approval() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let mut mine = deal("Bo", "500");
    mine.owner_id = Some(eve.user_id().unwrap());
    let survivor = in_stage(&f, &mine, "qualification");
    let twin = in_stage(&f, &deal("Bo", "500"), "won");
    let choice = rapport_core::duplicates::FieldChoice { field: "stage".into(), lead_id: twin.id };
    let merged = f.core.merge_leads(&f.admin, survivor.id, &[twin.id], &[choice]).unwrap();
    assert_eq!(merged.lead.stage, "won");
    let before = f.dump();
    let err = f.core.unmerge(&eve, merged.merge_id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired, "{err}");
    assert!(err.to_string().contains("Reopening a won deal"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    // An Administrator takes it back.
    f.core.unmerge(&f.admin, merged.merge_id).unwrap();
    assert_eq!(f.core.get_lead(&f.admin, survivor.id).unwrap().stage, "qualification");
}

/// An Editor's import that won a deal, undone by that Editor: the move back out of Won waits for an
/// Administrator (the lead is kept, saying why), as an undo of the same move by hand does.
#[test]
fn an_import_undone_by_an_editor_keeps_a_won_deal_it_would_reopen() {
    use rapport_core::imports::{ImportPlan, NaturalKey};
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let bo = in_stage(&f, &deal("Bo", "500"), "qualification");
    let path = f.dir.path().join("won.csv");
    std::fs::write(&path, "email,stage,deal_value,currency,job_title\nbo@lee.io,won,500,EUR,Buyer\n").unwrap();
    let mut plan = ImportPlan::suggested(&f.core.preview_import_path(&eve, &path, "", "won.csv", None).unwrap());
    plan.key = Some(NaturalKey::Email);
    let batch = f.core.start_import(&eve, &path, "won.csv", &plan, &mut |_| {}).unwrap();
    assert_eq!(f.core.get_lead(&f.admin, bo.id).unwrap().stage, "won");
    let report = f.core.undo_import(&eve, batch.id, &mut |_| {}).unwrap();
    let now = f.core.get_lead(&f.admin, bo.id).unwrap();
    assert_eq!(now.stage, "won", "kept: the approval is not eve's");
    // Only the stage waits for the approval: what else the import wrote is taken back.
    assert_eq!(now.job_title, bo.job_title, "{now:?}");
    let why = report.kept.iter().find(|k| k.lead_id == bo.id).map(|k| k.reason.clone()).unwrap_or_default();
    assert!(why.contains("needs an Administrator's approval"), "{:?}", report.kept);
    // What it says can be done: the import is undone now, so an Administrator moves the lead back.
    assert!(!why.contains("undo the import"), "{why}");
    assert!(why.contains("move it back"), "{why}");
}

/// Lowering a large deal's value in an edit before losing it does not make it a small deal: the rule weighs
/// the largest value it held in the stage it leaves.
#[test]
fn a_deal_made_small_before_it_is_lost_is_still_a_large_one() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let big = in_stage(&f, &deal("Bo", "25000"), "qualification");
    let mut small = big.to_input();
    small.deal.value = "100".into();
    let small = f.core.update_lead(&eve, big.id, big.version, &small, &Origin::manual()).unwrap().lead;
    let mut lost = small.to_input();
    lost.stage = "lost".into();
    lost.deal.lost_reason = "competitor".into();
    let before = f.dump();
    let err = f.core.update_lead(&eve, small.id, small.version, &lost, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired, "{err}");
    assert_eq!(f.dump(), before);
    // Nor parked in Nurture first: lowered, moved there (no rule covers it), then lost, it is still large.
    let mut nurtured = small.to_input();
    nurtured.stage = "nurture".into();
    let nurtured = f.core.update_lead(&eve, small.id, small.version, &nurtured, &Origin::manual()).unwrap().lead;
    let mut lost = nurtured.to_input();
    lost.stage = "lost".into();
    lost.deal.lost_reason = "competitor".into();
    let before = f.dump();
    let err = f.core.update_lead(&eve, nurtured.id, nurtured.version, &lost, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired, "{err}");
    assert_eq!(f.dump(), before);
    // A deal that was small all along in this stage is lost freely.
    let cy = in_stage(&f, &deal("Cy", "900"), "qualification");
    let mut lost = cy.to_input();
    lost.stage = "lost".into();
    lost.deal.lost_reason = "competitor".into();
    f.core.update_lead(&eve, cy.id, cy.version, &lost, &Origin::manual()).unwrap();
}

/// A large deal merged into a small twin in the same stage (the merge keeps the survivor's value), then lost:
/// still a large deal lost, so it waits for the approval. It went through as a deal of 100.
#[test]
fn a_large_deal_merged_into_a_small_one_is_still_large_when_lost() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let mut mine = deal("Bo", "100");
    mine.owner_id = Some(eve.user_id().unwrap());
    let small = in_stage(&f, &mine, "qualification");
    let large = in_stage(&f, &deal("Bo", "50000"), "qualification");
    f.core.merge_leads(&eve, small.id, &[large.id], &[]).unwrap();
    let survivor = f.core.get_lead(&eve, small.id).unwrap();
    assert_eq!(survivor.deal.value, "100.00", "the survivor keeps its own value");
    let mut lost = survivor.to_input();
    lost.stage = "lost".into();
    lost.deal.lost_reason = "competitor".into();
    let before = f.dump();
    let err = f.core.update_lead(&eve, survivor.id, survivor.version, &lost, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired, "{err}");
    assert_eq!(f.dump(), before);
}

/// A merge that takes a lead out of Won (its survivor is elsewhere) reopens a won deal: an Editor's merge waits
/// for the approval the move would, and writes nothing; an Administrator's goes through.
#[test]
fn a_merge_that_takes_a_won_deal_out_of_won_needs_the_approval() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let mut mine = deal("Bo", "");
    mine.owner_id = Some(eve.user_id().unwrap());
    let survivor = in_stage(&f, &mine, "new");
    let won = in_stage(&f, &deal("Bo", "50000"), "won");
    let before = f.dump();
    let err = f.core.merge_leads(&eve, survivor.id, &[won.id], &[]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired, "{err}");
    assert!(err.to_string().contains("Reopening a won deal"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    f.core.merge_leads(&f.admin, survivor.id, &[won.id], &[]).unwrap();
}

/// The board says which cards wait for an approval, as the backend knows it: whoever asked, in whatever session.
#[test]
fn the_board_marks_the_cards_whose_move_waits_for_approval() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let won = in_stage(&f, &deal("Ann", "500"), "won");
    let waiting = |who: &rapport_core::Actor| -> bool {
        let query = rapport_core::pipeline::BoardQuery { include_closed: true, ..Default::default() };
        let board = f.core.pipeline_board(who, &query).unwrap();
        board.columns.iter().flat_map(|c| &c.cards).find(|c| c.id == won.id).unwrap().awaiting_approval
    };
    assert!(!waiting(&eve));
    let request = f.core.request_move(&eve, won.id, won.version, "qualification", "", "More seats").unwrap();
    assert!(waiting(&eve) && waiting(&f.admin));
    f.core.decide_approval(&f.admin, request.id, false, "Keep it won").unwrap();
    assert!(!waiting(&eve));
}

/// A request to lose a deal without a reason of its own applies none at the approval: the reason a colleague
/// set meanwhile stays (the request does not bring back the one the lead held when it was made).
#[test]
fn a_request_to_lose_a_deal_asks_its_reason_and_an_open_deal_holds_none() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let bo = in_stage(&f, &deal("Bo", "25000"), "qualification");
    // Given to the open deal, a reason is refused: it would answer for a loss nobody has asked for yet.
    let mut early = bo.to_input();
    early.deal.lost_reason = "competitor".into();
    let before = f.dump();
    let err = f.core.update_lead(&eve, bo.id, bo.version, &early, &Origin::manual()).unwrap_err();
    assert_eq!(err.field_errors().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["lost_reason"], "{err}");
    // A request to lose it without one is refused, naming the reason.
    let err = f.core.request_move(&eve, bo.id, bo.version, "lost", "", "They went quiet").unwrap_err();
    assert_eq!(err.field_errors().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["lost_reason"], "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let request = f.core.request_move(&eve, bo.id, bo.version, "lost", "competitor", "They went quiet").unwrap();
    f.core.decide_approval(&f.admin, request.id, true, "").unwrap();
    let after = f.core.get_lead(&f.admin, bo.id).unwrap();
    assert_eq!((after.stage.as_str(), after.deal.lost_reason.as_str()), ("lost", "competitor"));
}

/// Four eyes: an Editor who asked and was made an Administrator since may withdraw the request (reject it), not
/// approve it; another Administrator may.
#[test]
fn a_requester_made_administrator_cannot_approve_their_own_request() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let won = in_stage(&f, &deal("Ann", "500"), "won");
    let request = f.core.request_move(&eve, won.id, won.version, "qualification", "", "more seats").unwrap();
    let promoted = rapport_core::users::UserInput {
        username: "eve".into(),
        display_name: String::new(),
        role: Role::Administrator,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    };
    f.core.update_user(&f.admin, eve.user_id().unwrap(), &promoted).unwrap();
    let before = f.dump();
    let err = f.core.decide_approval(&eve, request.id, true, "").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let decided = f.core.decide_approval(&f.admin, request.id, true, "").unwrap();
    assert_eq!(decided.status, ApprovalStatus::Approved);
}

/// A loss's reason is given with the move into Lost and saved by it: a move that waits for approval writes
/// nothing, so the open lead holds no reason while it waits (or after a rejection).
#[test]
fn a_lost_reason_given_with_the_move_is_saved_only_by_the_move() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let big = in_stage(&f, &deal("Ann", "50000"), "qualification");
    let before = f.dump();
    let err = f.core.move_lead_losing(&eve, big.id, big.version, "lost", Some("price"), Passing::Checked).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApprovalRequired, "{err}");
    assert_eq!(f.dump(), before, "nothing written, the reason included");
    let small = in_stage(&f, &deal("Bo", "500"), "qualification");
    let lost =
        f.core.move_lead_losing(&eve, small.id, small.version, "lost", Some("price"), Passing::Checked).unwrap().lead;
    assert_eq!((lost.stage.as_str(), lost.deal.lost_reason.as_str()), ("lost", "price"));
}

/// An Editor asks to lose a large deal; before the queue is looked at, an Administrator moves the lead another
/// way (to Nurture). The request is closed (logged, the Editor told): left pending it could not be approved,
/// blocked a new request and kept the lead from the stagnation sweep.
#[test]
fn a_request_is_closed_when_its_lead_is_moved_another_way() {
    let f = fixture();
    common::without_entry_criteria(&f.core, &f.admin);
    let eve = f.user("eve", Role::Editor, &[]);
    let big = in_stage(&f, &deal("Bo", "50000"), "engagement");
    let asked = f.core.request_move(&eve, big.id, big.version, "lost", "price", "they chose another").unwrap();
    assert_eq!(f.core.approval_queue(&f.admin).unwrap().len(), 1);
    let lead = f.core.get_lead(&f.admin, big.id).unwrap();
    let mut input = lead.to_input();
    input.stage = "nurture".into();
    f.core.update_lead(&f.admin, big.id, lead.version, &input, &Origin::manual()).unwrap();
    assert!(f.core.approval_queue(&f.admin).unwrap().is_empty(), "nothing left to decide");
    let request =
        f.core.lead_approval_requests(&f.admin, big.id).unwrap().into_iter().find(|r| r.id == asked.id).unwrap();
    assert_eq!(request.status, ApprovalStatus::Rejected);
    assert!(request.comment.contains("moved to Nurture"), "{request:?}");
    let told = f.core.take_notifications(&eve).unwrap();
    assert!(told.iter().any(|n| n.contains("was closed") && n.contains("Nurture")), "{told:?}");
    // A new request can be made now.
    let lead = f.core.get_lead(&f.admin, big.id).unwrap();
    assert!(f.core.request_move(&eve, big.id, lead.version, "lost", "price", "still lost").is_ok());
}

/// Who asked may withdraw their request (the wrong reason, a move no longer wanted): it leaves the queue, is
/// logged, and the lead is free for another request. Nobody else withdraws it, and a decided one is not.
#[test]
fn who_asked_withdraws_a_request_and_may_ask_again() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let bo = f.user("bo", Role::Editor, &[]);
    let viewer = f.user("vic", Role::Viewer, &[]);
    let autumn = f.user("otto", Role::Editor, &["Autumn"]);
    let big = in_stage(&f, &deal("Bo", "25000"), "qualification");
    let asked = f.core.request_move(&eve, big.id, big.version, "lost", "price", "wrong reason").unwrap();
    let before = f.dump();
    for other in [&bo, &f.admin, &viewer] {
        let err = f.core.withdraw_approval(other, asked.id).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    }
    // Outside the lead's campaigns, the request is not found, as one that never was: not its lead, which named
    // the lead of every request number.
    let err = f.core.withdraw_approval(&autumn, asked.id).unwrap_err();
    assert_eq!(
        err.to_string(),
        f.core
            .withdraw_approval(&autumn, asked.id + 1000)
            .unwrap_err()
            .to_string()
            .replace(&(asked.id + 1000).to_string(), &asked.id.to_string())
    );
    assert!(err.to_string().starts_with("approval request"), "{err}");
    assert_eq!(f.dump(), before, "a refused withdrawal writes nothing");
    let withdrawn = f.core.withdraw_approval(&eve, asked.id).unwrap();
    assert_eq!((withdrawn.status, withdrawn.withdrawn), (ApprovalStatus::Rejected, true));
    assert_eq!(withdrawn.requested_by_id, eve.user_id());
    assert!(f.core.approval_queue(&f.admin).unwrap().is_empty());
    let log = logged(&f, "approval_request");
    assert!(log
        .iter()
        .any(|(field, new)| field == "status" && new.as_deref() == Some("rejected: withdrawn by who asked")));
    assert_eq!(f.core.withdraw_approval(&eve, asked.id).unwrap_err().code(), ErrorCode::Conflict);
    let again = f.core.request_move(&eve, big.id, big.version, "lost", "competitor", "").unwrap();
    assert!(!again.withdrawn);
    // A rejection by an Administrator is no withdrawal.
    let rejected = f.core.decide_approval(&f.admin, again.id, false, "One more offer").unwrap();
    assert!(!rejected.withdrawn);
}
