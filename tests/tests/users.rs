#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
mod common;

use common::{fixture, PASSWORD};
use rapport_core::users::{Role, UserInput};
use rapport_core::ErrorCode;

/// A user as an Administrator's form gives it: active, every campaign unless named.
fn user(username: &str, display_name: &str, role: Role) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: display_name.into(),
        role,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    }
}

#[test]
fn the_first_administrator_is_created_once() {
    let f = fixture();
    let again = f.core.create_first_admin("mallory", "Mallory", PASSWORD).unwrap_err();
    assert_eq!(again.code(), ErrorCode::AuthFailed);
    assert_eq!(f.count("users"), 1);
    let session = f.core.session(&f.admin).unwrap();
    assert_eq!(session.user.role, Role::Administrator);
    assert_eq!(session.permissions, rapport_core::Permission::ALL.to_vec(), "an administrator holds every permission");
}

#[test]
fn sign_in_refuses_wrong_passwords_alike_for_unknown_users() {
    let f = fixture();
    let wrong = f.core.sign_in("admin", "not the password").unwrap_err();
    let unknown = f.core.sign_in("nobody", "not the password").unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::AuthFailed);
    assert_eq!(wrong.to_string(), unknown.to_string(), "no hint which usernames exist");
    assert_eq!(f.core.sign_in("ADMIN", PASSWORD).unwrap().username(), "admin", "usernames ignore case");
}

#[test]
fn passwords_are_hashed_and_never_logged() {
    let f = fixture();
    let stored: String = f.sql().query_row("SELECT password_hash FROM users", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(PASSWORD));
    let me = f.admin.user_id().unwrap();
    let err = f.core.change_password(&f.admin, me, Some("wrong current"), "brand new password").unwrap_err();
    assert_eq!(err.field_errors()[0].field, "current_password");
    f.core.change_password(&f.admin, me, Some(PASSWORD), "brand new password").unwrap();
    assert!(f.core.sign_in("admin", PASSWORD).is_err());
    f.core.sign_in("admin", "brand new password").unwrap();
    let logged: Vec<String> = {
        let c = f.sql();
        let mut s = c.prepare("SELECT coalesce(old_value,'') || coalesce(new_value,'') FROM change_log").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert!(logged.iter().any(|v| v == "(changed)"), "the password change is in the audit trail");
    assert!(logged.iter().all(|v| !v.contains("argon2") && !v.contains("brand new")), "but never the secret");
    let short = f.core.change_password(&f.admin, me, Some("brand new password"), "short").unwrap_err();
    assert_eq!(short.code(), ErrorCode::Validation);
}

#[test]
fn the_last_administrator_cannot_be_demoted_and_usernames_are_unique() {
    let f = fixture();
    let me = f.admin.user_id().unwrap();
    let demote = user("admin", "Ada", Role::Editor);
    let err = f.core.update_user(&f.admin, me, &demote).unwrap_err();
    assert_eq!(err.field_errors()[0].field, "role");
    let dup = user("Admin", "", Role::Viewer);
    let err = f.core.create_user(&f.admin, &dup, PASSWORD).unwrap_err();
    assert_eq!(err.field_errors()[0].field, "username");
    // Letters beyond ASCII too: "JÖRG" is taken once "Jörg" is.
    f.core.create_user(&f.admin, &UserInput { username: "Jörg".into(), ..dup.clone() }, PASSWORD).unwrap();
    let err =
        f.core.create_user(&f.admin, &UserInput { username: "JÖRG".into(), ..dup.clone() }, PASSWORD).unwrap_err();
    assert_eq!(err.field_errors()[0].field, "username");
    assert_eq!(f.core.sign_in("jörg", PASSWORD).unwrap().username(), "Jörg", "signed in in any case");
    let bad = UserInput { username: "a b".into(), ..dup };
    assert_eq!(f.core.create_user(&f.admin, &bad, PASSWORD).unwrap_err().code(), ErrorCode::Validation);
}

#[test]
fn user_changes_are_logged_field_by_field() {
    let f = fixture();
    let u = f.user("sam", Role::Viewer, &[]);
    let id = u.user_id().unwrap();
    let input = UserInput {
        username: "sam".into(),
        display_name: "Sam Reyes".into(),
        role: Role::Editor,
        active: true,
        campaigns: vec!["Spring".into()],
        all_campaigns: false,
    };
    f.core.update_user(&f.admin, id, &input).unwrap();
    let c = f.sql();
    let mut s = c.prepare("SELECT field, old_value, new_value FROM change_log WHERE entity = 'user' AND entity_id = ?1 AND field <> '*' ORDER BY id").unwrap();
    let rows: Vec<(String, Option<String>, Option<String>)> =
        s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect();
    let fields: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(fields, ["display_name", "role", "campaigns", "all_campaigns"]);
    assert_eq!((rows[3].1.as_deref(), rows[3].2.as_deref()), (Some("true"), Some("false")));
    assert_eq!(rows[1].1.as_deref(), Some("viewer"));
    assert_eq!(rows[1].2.as_deref(), Some("editor"));
}

/// Access to campaigns is granted, never implied: a user without campaigns is refused unless given all of them,
/// so taking a user's last campaign away cannot give them every campaign. Refusals write nothing.
#[test]
fn removing_a_users_last_campaign_does_not_give_them_every_campaign() {
    let f = fixture();
    let mut spring = common::lead("Ann", "Lee", "ann@lee.io");
    spring.campaign = "Spring".into();
    let mut autumn = common::lead("Bo", "Ray", "bo@ray.io");
    autumn.campaign = "Autumn".into();
    let spring = f.core.create_lead(&f.admin, &spring, &rapport_core::Origin::manual()).unwrap().lead;
    let autumn = f.core.create_lead(&f.admin, &autumn, &rapport_core::Origin::manual()).unwrap().lead;
    let vic = f.user("vic", Role::Viewer, &["Spring"]);
    let id = vic.user_id().unwrap();
    let limited = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.id == id).unwrap();
    assert!(!limited.all_campaigns);
    let mut input = UserInput {
        username: "vic".into(),
        display_name: limited.display_name.clone(),
        role: Role::Viewer,
        active: true,
        campaigns: vec![],
        all_campaigns: false,
    };
    for campaigns in [vec![], vec![" ".to_string()]] {
        input.campaigns = campaigns;
        let before = f.dump();
        let e = f.core.update_user(&f.admin, id, &input).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Validation, "{e}");
        assert!(e.to_string().contains("campaigns"), "{e}");
        assert_eq!(f.dump(), before, "a refusal writes nothing");
        let new = UserInput { username: "wes".into(), ..input.clone() };
        assert_eq!(
            f.core.create_user(&f.admin, &new, "a long enough password").unwrap_err().code(),
            ErrorCode::Validation
        );
    }
    assert!(f.core.get_lead(&vic, spring.id).is_ok());
    assert_eq!(f.core.get_lead(&vic, autumn.id).unwrap_err().code(), ErrorCode::NotFound);
    // Every campaign is said: then Vic sees both.
    input.campaigns = vec![];
    input.all_campaigns = true;
    assert!(f.core.update_user(&f.admin, id, &input).unwrap().all_campaigns);
    assert!(f.core.get_lead(&vic, autumn.id).is_ok());
    // An Administrator sees every campaign whatever the list says.
    let admin = UserInput { username: "ada".into(), role: Role::Administrator, all_campaigns: false, ..input };
    let ada = f.core.create_user(&f.admin, &admin, "a long enough password").unwrap();
    let ada = f.core.sign_in(&ada.username, "a long enough password").unwrap();
    assert!(f.core.get_lead(&ada, autumn.id).is_ok());
}

/// Someone signed in as "ann" is renamed, and a new user takes the name "ann": changing one's own password
/// must check the current password of the signed-in account, found by id, not by name.
#[test]
fn changing_ones_own_password_checks_ones_own_hash() {
    let f = common::fixture();
    let ann = f.user("ann", Role::Editor, &[]);
    let ann_id = ann.user_id().unwrap();
    let renamed = user("ann.old", "Ann", Role::Editor);
    f.core.update_user(&f.admin, ann_id, &renamed).unwrap();
    let newcomer = UserInput { username: "ann".into(), ..renamed.clone() };
    f.core.create_user(&f.admin, &newcomer, "the newcomer's password").unwrap();

    let err = f.core.change_password(&ann, ann_id, Some("the newcomer's password"), "a fresh password").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "another account's password is not yours");
    f.core.change_password(&ann, ann_id, Some(common::PASSWORD), "a fresh password").unwrap();
    assert!(f.core.sign_in("ann.old", "a fresh password").is_ok());
    assert!(f.core.sign_in("ann", "the newcomer's password").is_ok(), "the newcomer is untouched");
}

/// Every fault of a new user is named at once, on its field: a short password is a field to fix, not a failed
/// sign-in, on the first run too.
#[test]
fn a_new_users_faults_are_named_together_on_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let core = rapport_core::Rapport::open_with(
        &dir.path().join("first.db"),
        &rapport_core::OpenOptions::default(),
        common::clock(),
    )
    .unwrap();
    let short = core.create_first_admin("ada", "", "short").unwrap_err();
    assert_eq!(short.code(), ErrorCode::Validation);
    assert_eq!(short.field_errors().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["password"]);

    let f = fixture();
    let input = UserInput {
        username: "bad name".into(),
        display_name: String::new(),
        role: Role::Editor,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    };
    let before = f.dump();
    let e = f.core.create_user(&f.admin, &input, "x").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    assert_eq!(e.field_errors().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["username", "password"]);
    assert_eq!(f.dump(), before, "nothing written");
}

/// The same campaigns typed in another order are no change: nothing is written or logged.
#[test]
fn campaigns_in_another_order_are_no_change() {
    let f = fixture();
    let u = f.user("sam", Role::Editor, &["Zeta", "Alpha"]);
    let id = u.user_id().unwrap();
    let before = f.dump();
    let input = UserInput {
        username: "sam".into(),
        display_name: "sam".into(),
        role: Role::Editor,
        active: true,
        campaigns: vec!["Alpha".into(), "Zeta".into()],
        all_campaigns: false,
    };
    let same = f.core.update_user(&f.admin, id, &input).unwrap();
    assert_eq!(same.campaigns, ["Alpha", "Zeta"]);
    assert_eq!(f.dump(), before, "nothing written");
    // Nor typed with other spaces: a campaign is spelled with single ones, as a lead's is.
    let spaced = UserInput { campaigns: vec![" Zeta".into(), "Alpha\u{a0}".into()], ..input.clone() };
    assert_eq!(f.core.update_user(&f.admin, id, &spaced).unwrap().campaigns, ["Alpha", "Zeta"]);
    assert_eq!(f.dump(), before, "nothing written");
    let input = UserInput { campaigns: vec!["Zeta".into(), "beta".into(), "Alpha".into()], ..input };
    f.core.update_user(&f.admin, id, &input).unwrap();
    let logged: String = f
        .sql()
        .query_row(
            "SELECT new_value FROM change_log WHERE entity = 'user' AND entity_id = ?1 AND field = 'campaigns'",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, "Alpha; beta; Zeta", "logged as stored");
    assert_eq!(f.core.update_user(&f.admin, id, &input).unwrap().campaigns, ["Alpha", "beta", "Zeta"]);
}

/// An account deactivated while signed in ends its session: every call says so with its own code, which the
/// app takes back to the sign-in (not "permission denied", which it shows on the screen asked).
#[test]
fn a_session_of_an_account_deactivated_since_has_ended() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let id = eve.user_id().unwrap();
    assert!(f.core.session(&eve).is_ok());
    let off = UserInput {
        username: "eve".into(),
        display_name: "eve".into(),
        role: Role::Editor,
        active: false,
        campaigns: vec![],
        all_campaigns: true,
    };
    f.core.update_user(&f.admin, id, &off).unwrap();
    assert_eq!(f.core.session(&eve).unwrap_err().code(), ErrorCode::SessionEnded);
    let q = rapport_core::leads::LeadQuery { limit: 5, ..Default::default() };
    assert_eq!(f.core.list_leads(&eve, &q).unwrap_err().code(), ErrorCode::SessionEnded);
    // Refused by role is still that.
    let viewer = f.user("vic", Role::Viewer, &[]);
    let refused =
        f.core.create_lead(&viewer, &common::lead("A", "B", "a@b.io"), &rapport_core::Origin::manual()).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::PermissionDenied);
}

/// A renamed user's changes say who it was: the name then, and the name now (a newcomer may have taken the
/// old one, and made changes of their own under it).
#[test]
fn history_tells_a_renamed_user_from_a_newcomer_with_their_old_name() {
    let f = fixture();
    let ann = f.user("ann", Role::Editor, &[]);
    let ann_id = ann.user_id().unwrap();
    let lead = f.core.create_lead(&ann, &common::lead("Lee", "Park", "lee@park.io"), &rapport_core::Origin::manual());
    let lead = lead.unwrap().lead;
    let renamed = user("ann.old", "Ann", Role::Editor);
    f.core.update_user(&f.admin, ann_id, &renamed).unwrap();
    f.core.create_user(&f.admin, &UserInput { username: "ann".into(), ..renamed }, PASSWORD).unwrap();
    let newcomer = f.core.sign_in("ann", PASSWORD).unwrap();
    let mut edit = lead.to_input();
    edit.company = "Park & Co".into();
    f.core.update_lead(&newcomer, lead.id, lead.version, &edit, &rapport_core::Origin::manual()).unwrap();

    let history = f.core.lead_history(&f.admin, lead.id).unwrap();
    let who: Vec<(String, Option<i64>, Option<String>)> =
        history.iter().map(|c| (c.actor_name.clone(), c.actor_id, c.actor_renamed_to.clone())).collect();
    let (newest, oldest) = (who.first().unwrap(), who.last().unwrap());
    assert_eq!(newest, &("ann".to_string(), newcomer.user_id(), None));
    assert_eq!(oldest, &("ann".to_string(), Some(ann_id), Some("ann.old".to_string())));
}

/// A password reset ends every session opened with the old one (a reset because it leaked must lock out whoever
/// holds it), as a deactivation does; one's own change keeps the session that made it, as the one handed back.
#[test]
fn a_password_reset_ends_the_sessions_opened_with_the_old_one() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let eve_id = eve.user_id().unwrap();
    let elsewhere = f.core.sign_in("eve", PASSWORD).unwrap();
    assert!(f.core.list_leads(&elsewhere, &Default::default()).is_ok());
    assert_eq!(f.core.change_password(&f.admin, eve_id, None, "a reset password").unwrap(), None);
    for session in [&eve, &elsewhere] {
        let e = f.core.list_leads(session, &Default::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SessionEnded, "{e}");
        // Said as it is: the account is not deactivated, and the new password signs in.
        assert!(
            e.to_string().contains("password was changed or reset") && !e.to_string().contains("deactivated"),
            "{e}"
        );
    }
    let again = f.core.sign_in("eve", "a reset password").unwrap();
    let other = f.core.sign_in("eve", "a reset password").unwrap();
    let renewed = f.core.change_password(&again, eve_id, Some("a reset password"), "eve's own password").unwrap();
    let renewed = renewed.expect("one's own change hands back the session");
    assert!(f.core.list_leads(&renewed, &Default::default()).is_ok());
    assert_eq!(f.core.list_leads(&other, &Default::default()).unwrap_err().code(), ErrorCode::SessionEnded);
    assert!(f.core.list_leads(&f.admin, &Default::default()).is_ok(), "the administrator's session is untouched");
}

/// A display name is shown as the owner of every lead the user holds: a line break or a direction override
/// (which makes "Eve" read as someone else) is refused, naming the field.
#[test]
fn a_display_name_that_would_read_as_something_else_is_refused() {
    let f = fixture();
    for name in ["Eve\u{202E}evE", "Eve\nAdmin"] {
        let err = f.core.create_user(&f.admin, &user("eve", name, Role::Editor), "a long password").unwrap_err();
        let fields: Vec<String> = err.field_errors().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["display_name"], "{name:?}: {err}");
    }
    assert!(f.core.create_user(&f.admin, &user("eve", "Eve Editor", Role::Editor), "a long password").is_ok());
}

/// Two Administrators edit one account: the second saves a form opened before the first deactivated it. The
/// save is refused, nothing written, instead of turning the account on again unseen; from the account as it
/// is now, it goes through.
#[test]
fn an_edit_from_a_form_opened_before_another_administrators_change_is_a_conflict() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &["Spring"]);
    let id = eve.user_id().unwrap();
    let opened = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.id == id).unwrap();
    f.deactivate(id);
    let mut renamed = UserInput {
        username: opened.username.clone(),
        display_name: "Eve Adams".into(),
        role: opened.role,
        active: opened.active,
        campaigns: opened.campaigns.clone(),
        all_campaigns: opened.all_campaigns,
    };
    let before = f.dump();
    let err = f.core.update_user_as_seen(&f.admin, id, &opened, &renamed, false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(f.dump(), before, "nothing written");

    let now = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.id == id).unwrap();
    renamed.active = now.active;
    let saved = f.core.update_user_as_seen(&f.admin, id, &now, &renamed, false).unwrap();
    assert_eq!((saved.display_name.as_str(), saved.active), ("Eve Adams", false));
}

/// What a user holds that nobody looks after once they are deactivated or made a Viewer, as the user dialog says
/// it before such a save: their leads in an open stage (not a won one) and their meetings still to come (not a
/// past one, nor a cancelled one). Only an Administrator asks.
#[test]
fn a_users_open_leads_and_meetings_to_come_are_counted_before_they_are_let_go() {
    let f = fixture();
    let eve = f.user("eve", Role::Editor, &[]);
    let eve_id = eve.user_id().unwrap();
    let owned = |first: &str, stage: &str| {
        let mut l = common::lead(first, "Lee", &format!("{}@lee.io", first.to_lowercase()));
        l.owner_id = Some(eve_id);
        l.stage = stage.into();
        l
    };
    let origin = rapport_core::Origin::manual();
    common::without_entry_criteria(&f.core, &f.admin);
    for (first, stage) in [("Ann", "new"), ("Bo", "qualification"), ("Cy", "won")] {
        f.core.create_lead(&f.admin, &owned(first, stage), &origin).unwrap();
    }
    // The fixture's clock reads 2026-11-23 09:00Z.
    let coming = common::booking(eve_id, "Demo", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
    let past = common::booking(eve_id, "Call", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z");
    let called_off = common::booking(eve_id, "Visit", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    f.core.book_appointment(&eve, &coming).unwrap();
    f.core.book_appointment(&eve, &past).unwrap();
    let off = f.core.book_appointment(&eve, &called_off).unwrap();
    f.core.set_appointment_status(&eve, off.id, rapport_core::calendar::AppointmentStatus::Cancelled).unwrap();

    let held = f.core.user_holdings(&f.admin, eve_id).unwrap();
    assert_eq!((held.open_leads, held.upcoming_appointments), (2, 1), "{held:?}");
    assert_eq!(f.core.user_holdings(&eve, eve_id).unwrap_err().code(), ErrorCode::PermissionDenied);
    let nothing = f.core.user_holdings(&f.admin, f.admin.user_id().unwrap()).unwrap();
    assert_eq!((nothing.open_leads, nothing.upcoming_appointments), (0, 0));
}

/// Campaigns taken from a user hide from them their own open leads there and their meetings with those leads
/// (an owner must see what they own): the user dialog says what such a change leaves to nobody before the save.
#[test]
fn a_users_leads_and_meetings_in_campaigns_taken_from_them_are_counted_before_the_save() {
    let f = fixture();
    let sam = f.user("sam", Role::Editor, &["Spring", "Autumn"]);
    let sam_id = sam.user_id().unwrap();
    let origin = rapport_core::Origin::manual();
    let mut ids = Vec::new();
    for (first, campaign) in [("Ann", "Spring"), ("Bo", "Spring"), ("Cy", "Autumn")] {
        let mut l = common::lead(first, "Lee", &format!("{}@lee.io", first.to_lowercase()));
        (l.owner_id, l.campaign) = (Some(sam_id), campaign.into());
        ids.push(f.core.create_lead(&f.admin, &l, &origin).unwrap().lead.id);
    }
    let mut demo = common::booking(sam_id, "Demo", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
    demo.lead_id = Some(ids[0]);
    f.core.book_appointment(&sam, &demo).unwrap();
    let own = common::booking(sam_id, "Dentist", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    f.core.book_appointment(&sam, &own).unwrap();

    let held = |campaigns: &[&str], all: bool| {
        let list: Vec<String> = campaigns.iter().map(|c| c.to_string()).collect();
        let h = f.core.user_holdings_outside(&f.admin, sam_id, &list, all).unwrap();
        (h.open_leads, h.upcoming_appointments)
    };
    assert_eq!(held(&["Autumn"], false), (2, 1), "Spring taken: Ann and Bo, and the demo with Ann");
    assert_eq!(held(&["spring", "Autumn"], false), (0, 0), "as typed in another case, nothing is taken");
    assert_eq!(held(&[], true), (0, 0), "every campaign");
    assert_eq!(held(&[], false), (3, 1), "no campaign: all of them; not the meeting without a lead");
    let err = f.core.user_holdings_outside(&sam, sam_id, &[], false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    // Autumn taken by an earlier change (Cy left to him there): a later change that takes Spring counts Ann and
    // Bo only, what he sees now.
    let account = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.id == sam_id).unwrap();
    let spring_only = rapport_core::users::UserInput {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        role: account.role,
        active: true,
        campaigns: vec!["Spring".into()],
        all_campaigns: false,
    };
    f.core.update_user(&f.admin, sam_id, &spring_only).unwrap();
    assert_eq!(held(&["Winter"], false), (2, 1), "not Cy, whom he no longer sees");
}

/// The user dialog's save is one transaction, the data-steward mark with the rest: an Administrator who makes
/// themselves an Editor and a data steward in one save gets both (asked in two steps, the second was refused,
/// no longer theirs to make), with both in one batch of the log; a save refused writes neither.
#[test]
fn a_save_of_the_user_dialog_writes_the_steward_mark_with_the_rest_or_nothing() {
    let f = fixture();
    let ann = f.user("ann", Role::Administrator, &[]);
    let id = ann.user_id().unwrap();
    let opened = f.core.list_users(&ann).unwrap().into_iter().find(|u| u.id == id).unwrap();
    let editor = user("ann", "ann", Role::Editor);
    let saved = f.core.update_user_as_seen(&ann, id, &opened, &editor, true).unwrap();
    assert_eq!((saved.role, saved.data_steward), (Role::Editor, true));
    let c = f.sql();
    let batches: Vec<(String, i64)> = c
        .prepare("SELECT field, batch_id FROM change_log WHERE entity = 'user' AND entity_id = ?1 AND field <> '*' ORDER BY id")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(batches.iter().map(|b| b.0.as_str()).collect::<Vec<_>>(), ["role", "data_steward"]);
    assert_eq!(batches[0].1, batches[1].1, "one batch: {batches:?}");

    // Refused (the username is taken): the mark is not written either.
    let eve = f.user("eve", Role::Editor, &[]);
    let eve_id = eve.user_id().unwrap();
    let eve_opened = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.id == eve_id).unwrap();
    let before = f.dump();
    let taken = user("ann", "Eve", Role::Editor);
    let err = f.core.update_user_as_seen(&f.admin, eve_id, &eve_opened, &taken, true).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert_eq!(f.dump(), before, "nothing written");

    // Only the mark changed: it alone is written; a new user comes marked.
    let marked = f.core.update_user_as_seen(&f.admin, eve_id, &eve_opened, &user("eve", "eve", Role::Editor), true);
    assert!(marked.unwrap().data_steward);
    let new = f.core.add_user(&f.admin, &user("sam", "Sam", Role::Editor), PASSWORD, true).unwrap();
    assert!(new.data_steward);
    let logged: String = c
        .query_row(
            "SELECT new_value FROM change_log WHERE entity = 'user' AND entity_id = ?1 AND field = 'data_steward'",
            [new.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, "true");
}
