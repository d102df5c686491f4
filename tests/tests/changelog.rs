#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The change log is written by every mutation, in its transaction, with who, when and why.
mod common;

use common::{fixture, lead};
use rapport_core::leads::ImportMode;
use rapport_core::settings::Settings;
use rapport_core::users::Role;
use rapport_core::Origin;

fn batches(f: &common::Fixture) -> Vec<(String, String, String, String)> {
    let c = f.sql();
    let mut s = c.prepare("SELECT at, actor_name, reason, source_ref FROM change_batches ORDER BY id").unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn every_mutation_writes_who_when_what_and_why() {
    let f = fixture();
    let ed = f.user("ed", Role::Editor, &[]);
    let l = f.core.create_lead(&ed, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let mut input = l.to_input();
    input.notes = "Called back".into();
    f.core.update_lead(&ed, l.id, l.version, &input, &Origin::manual()).unwrap();
    f.core
        .import_leads(
            &ed,
            &[(2, lead("B", "C", "b@c.com"))],
            &Origin::import("fair.csv"),
            ImportMode::AllOrNothing,
            &mut |_| {},
        )
        .unwrap();
    f.core
        .update_settings(&f.admin, &Settings { default_region: "DE".into(), default_currency: String::new() })
        .unwrap();

    let b = batches(&f);
    let reasons: Vec<(&str, &str, &str)> = b.iter().map(|x| (x.1.as_str(), x.2.as_str(), x.3.as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("admin", "manual_edit", "first run"),
            ("admin", "manual_edit", ""), // user ed created
            ("ed", "manual_edit", ""),
            ("ed", "manual_edit", ""),
            ("ed", "import", "fair.csv"),
            ("admin", "manual_edit", ""),
        ]
    );
    assert!(b.iter().all(|x| x.0.len() == 24 && x.0.ends_with('Z')), "UTC instants of fixed width: {:?}", b[0].0);
    assert!(b.windows(2).all(|w| w[0].0 < w[1].0), "times increase");

    let c = f.sql();
    let created: String = c
        .query_row("SELECT new_value FROM change_log WHERE entity='lead' AND entity_id=?1 AND field='*'", [l.id], |r| {
            r.get(0)
        })
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&created).unwrap();
    assert_eq!(v["emails"], "ann@x.com");
    assert_eq!(v["status"], "active");
    let region: (String, String) = c
        .query_row("SELECT old_value, new_value FROM change_log WHERE entity='setting'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(region, ("US".to_string(), "DE".to_string()));
}

#[test]
fn a_failed_write_leaves_no_log_rows() {
    let f = fixture();
    let before = f.dump();
    let mut bad = lead("A", "B", "a@b.com");
    bad.owner_id = Some(999);
    assert!(f.core.create_lead(&f.admin, &bad, &Origin::manual()).is_err());
    assert_eq!(f.dump(), before);
}

/// A failure injected after the change batch is written (a trigger that aborts the lead's insert, then one that
/// aborts its log row): the whole operation is rolled back, batch included.
#[test]
fn a_failure_after_the_batch_is_written_leaves_neither_batch_nor_lead() {
    let f = fixture();
    let before = f.dump();
    for trigger in [
        "CREATE TRIGGER fail BEFORE INSERT ON leads BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        "CREATE TRIGGER fail BEFORE INSERT ON change_log BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    ] {
        f.sql().execute_batch(trigger).unwrap();
        let before_with_trigger = f.dump();
        let err = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap_err();
        assert!(err.to_string().contains("injected failure"), "{err}");
        let rows = [(2, lead("B", "C", "b@c.com")), (3, lead("D", "E", "d@e.com"))];
        let err = f
            .core
            .import_leads(&f.admin, &rows, &Origin::import("x.csv"), ImportMode::AllOrNothing, &mut |_| {})
            .unwrap_err();
        assert!(err.to_string().contains("injected failure"), "{err}");
        assert_eq!(f.dump(), before_with_trigger, "no batch, no lead, no index row");
        f.sql().execute_batch("DROP TRIGGER fail").unwrap();
    }
    assert_eq!(f.dump(), before);
}

/// The history shows numbers as the lead's page does ("+44 20 7946 0018"), in a change and in the record a
/// creation logged; the log itself keeps them in E.164, which undo and the duplicate check compare.
#[test]
fn the_history_shows_phone_numbers_grouped_and_the_log_keeps_e164() {
    let f = fixture();
    let mut input = lead("Ann", "Lee", "ann@x.com");
    input.phones = vec!["+44 20 7946 0018".into()];
    let l = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    let mut input = l.to_input();
    input.phones = vec!["+1 415 555 2671".into(), "+44 20 7946 0018".into()];
    f.core.update_lead(&f.admin, l.id, l.version, &input, &Origin::manual()).unwrap();
    let history = f.core.lead_history(&f.admin, l.id).unwrap();
    let change = history.iter().find(|e| e.field == "phones").unwrap();
    assert_eq!(change.old_value.as_deref(), Some("+44 20 7946 0018"));
    assert_eq!(change.new_value.as_deref(), Some("+1 415-555-2671; +44 20 7946 0018"));
    let created = history.iter().find(|e| e.field == "*").unwrap();
    let record: serde_json::Value = serde_json::from_str(created.new_value.as_deref().unwrap()).unwrap();
    assert_eq!(record["phones"], "+44 20 7946 0018");
    assert_eq!(record["first_name"], "Ann", "the rest of the record is as logged");
    let logged: String = f
        .sql()
        .query_row(
            "SELECT new_value FROM change_log WHERE entity = 'lead' AND entity_id = ?1 AND field = 'phones'",
            [l.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, "+14155552671; +442079460018");
}

/// The log's time and the record's own timestamps are one clock reading (the test clock moves on every read).
#[test]
fn an_operation_reads_the_clock_once() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let history = f.core.lead_history(&f.admin, l.id).unwrap();
    assert_eq!(history[0].at, l.created_at);
    assert_eq!(l.created_at, l.updated_at);
    let mut input = l.to_input();
    input.company = "Acme".into();
    let saved = f.core.update_lead(&f.admin, l.id, l.version, &input, &Origin::manual()).unwrap();
    let history = f.core.lead_history(&f.admin, l.id).unwrap();
    assert_eq!(history[0].batch_id, saved.batch_id.unwrap());
    assert_eq!(history[0].at, saved.lead.updated_at);
    let ed = f.user("ed", Role::Editor, &[]);
    let user = f.core.session(&ed).unwrap().user;
    let c = f.sql();
    let logged: String = c
        .query_row("SELECT b.at FROM change_log c JOIN change_batches b ON b.id = c.batch_id WHERE c.entity = 'user' AND c.entity_id = ?1", [user.id], |r| r.get(0))
        .unwrap();
    assert_eq!(logged, user.created_at);
}

/// Undoing a change refuses when its field was written again since, even back to the value the change gave it:
/// Acme, then Globex, then Acme again by someone else, is an edit that undoing the first change would erase.
#[test]
fn undo_refuses_a_field_changed_since_even_back_to_the_same_value() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let save = |company: &str| {
        let now = f.core.get_lead(&f.admin, l.id).unwrap();
        let mut input = now.to_input();
        input.company = company.into();
        f.core.update_lead(&f.admin, l.id, now.version, &input, &Origin::manual()).unwrap()
    };
    let s1 = save("Acme");
    save("Globex");
    save("Acme");
    let before = f.dump();
    let e = f.core.undo_lead_change(&f.admin, l.id, s1.batch_id.unwrap()).unwrap_err();
    assert_eq!(e.code(), rapport_core::ErrorCode::Conflict, "{e}");
    assert_eq!(f.dump(), before, "a refused undo writes nothing");
    // A change nobody touched since is still undone.
    let mut input = f.core.get_lead(&f.admin, l.id).unwrap().to_input();
    input.job_title = "Buyer".into();
    let v = f.core.get_lead(&f.admin, l.id).unwrap().version;
    let titled = f.core.update_lead(&f.admin, l.id, v, &input, &Origin::manual()).unwrap();
    let undone = f.core.undo_lead_change(&f.admin, l.id, titled.batch_id.unwrap()).unwrap().lead;
    assert_eq!((undone.job_title.as_str(), undone.company.as_str()), ("", "Acme"));
}

/// Undoing the removal of a phone gives back the number the log holds, spelled as it was typed, whatever the
/// default region is now: the typed "(415) 555-2671" was read again in the new region (Germany), which gave
/// another number or refused the undo.
#[test]
fn undoing_a_phone_removal_gives_back_the_logged_number_after_the_region_changed() {
    let f = fixture();
    f.core
        .update_settings(&f.admin, &Settings { default_region: "US".into(), default_currency: String::new() })
        .unwrap();
    let mut input = lead("Ann", "Lee", "ann@x.com");
    input.phones = vec!["(415) 555-2671".into()];
    let l = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(l.phones[0].e164, "+14155552671");
    let mut input = l.to_input();
    input.phones.clear();
    let removed = f.core.update_lead(&f.admin, l.id, l.version, &input, &Origin::manual()).unwrap();
    f.core
        .update_settings(&f.admin, &Settings { default_region: "DE".into(), default_currency: String::new() })
        .unwrap();
    let back = f.core.undo_lead_change(&f.admin, l.id, removed.batch_id.unwrap()).unwrap().lead;
    let phones: Vec<(&str, &str)> = back.phones.iter().map(|p| (p.e164.as_str(), p.original.as_str())).collect();
    assert_eq!(phones, vec![("+14155552671", "(415) 555-2671")]);
}

/// A long history is read a page at a time and never cut without saying so: a page says whether older
/// entries were left out, and a save the limit runs through is left out whole (half of it would read as
/// another change), to come with the older ones.
#[test]
fn a_lead_history_longer_than_asked_says_so_and_keeps_each_save_whole() {
    let f = fixture();
    let mut l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    for n in 0..6 {
        let mut input = l.to_input();
        input.company = format!("Acme {n}");
        input.job_title = format!("Buyer {n}");
        l = f.core.update_lead(&f.admin, l.id, l.version, &input, &Origin::manual()).unwrap().lead;
    }
    let all = f.core.lead_history(&f.admin, l.id).unwrap();
    let whole = f.core.lead_history_page(&f.admin, l.id, all.len() as u32).unwrap();
    assert!(whole.complete);
    assert_eq!(whole.entries, all);

    // Five entries asked: two saves of two fields each, and not the first field of the third.
    let page = f.core.lead_history_page(&f.admin, l.id, 5).unwrap();
    assert!(!page.complete);
    assert_eq!(page.entries, all[..4].to_vec());
    assert_eq!(page.entries[3].batch_id, all[2].batch_id);
    assert_ne!(all[4].batch_id, all[3].batch_id, "the fifth entry starts another save");
    let one_short = f.core.lead_history_page(&f.admin, l.id, all.len() as u32 - 1).unwrap();
    assert!(!one_short.complete, "only the creation is left out, and that is said");
    assert_eq!(one_short.entries, all[..all.len() - 1].to_vec());
    // One save larger than the page is shown, not nothing.
    let one = f.core.lead_history_page(&f.admin, l.id, 1).unwrap();
    assert_eq!((one.entries.len(), one.complete), (1, false));
}
