#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The full duplicate scan and the review queue on real database files: evidence, restarts, "not a
//! duplicate", cancellation and campaign isolation.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use common::{fixture, lead, Fixture};
use rapport_core::duplicates::{ScanPhase, ScanProgress, Tier};
use rapport_core::leads::{LeadInput, SourceChannel};
use rapport_core::users::Role;
use rapport_core::{ErrorCode, Origin, Rapport};

/// A small book of leads: colleagues at one company, a household, strangers, and Robert Alves typed twice.
fn book(f: &Fixture) -> (i64, i64) {
    let mut ids = Vec::new();
    let people = [
        ("Robert", "Alves", "robert.alves71@example.com", "Acme", "7 Salsola Street"),
        ("Bob", "Alvez", "robert.alves71@example.com", "Acme", "7 Salsola St"),
        ("Carla", "Diaz", "carla.diaz@acme.example", "Acme", "1 Harbour Road"),
        ("Dmitri", "Orlov", "d.orlov@acme.example", "Acme", "1 Harbour Road"),
        ("Erin", "Walsh", "erin.walsh12@example.org", "", "4 Elm Grove"),
        ("Finn", "Walsh", "finn.walsh88@example.org", "", "4 Elm Grove"),
        ("Grace", "Hopper", "grace@navy.example", "Navy", "3 Yard Lane"),
        ("Alan", "Turing", "alan@bletchley.example", "GCHQ", "9 Park Place"),
    ];
    for (first, last, email, company, street) in people {
        let mut input: LeadInput = lead(first, last, email);
        input.company = company.into();
        input.address.street = street.into();
        input.address.city = "Leeds".into();
        input.address.postcode = "LS1 4AP".into();
        ids.push(f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead.id);
    }
    (ids[0], ids[1])
}

fn scan(f: &Fixture) -> rapport_core::duplicates::ScanReport {
    f.core.scan_duplicates(&f.admin, &AtomicBool::new(false), &mut |_| {}).unwrap()
}

fn queue_rows(f: &Fixture) -> Vec<Vec<String>> {
    let c = f.sql();
    let mut stmt = c.prepare("SELECT * FROM duplicate_pairs ORDER BY id").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>()))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn the_scan_finds_the_person_typed_twice_and_not_the_colleagues_or_the_household() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let report = scan(&f);
    assert_eq!(report.leads, 8);
    let found: Vec<(i64, i64)> = report.pairs.iter().map(|p| (p.lead_a, p.lead_b)).collect();
    assert_eq!(found, vec![(robert, bob)], "only Robert Alves is a duplicate");
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert_eq!(queue.len(), 1);
    let pair = &queue[0];
    assert_eq!((pair.a.id, pair.b.id), (robert, bob));
    assert!(pair.score >= 0.5 && pair.score <= 1.0, "{}", pair.score);
    let text: Vec<&str> = pair.evidence.iter().map(|e| e.text.as_str()).collect();
    assert!(text.contains(&"first name: the same name (bob is a short form of robert)"), "{text:?}");
    assert!(text.contains(&"email: the same after normalization"), "{text:?}");
    assert!(
        text.iter().any(|t| t.starts_with("last name: similar (") && t.ends_with("% alike in spelling)")),
        "{text:?}"
    );
}

#[test]
fn the_queue_survives_a_restart() {
    let f = fixture();
    book(&f);
    scan(&f);
    let before = f.core.duplicate_queue(&f.admin, 50).unwrap();
    let Fixture { dir, path, core, admin } = f;
    drop(core);
    let reopened = Rapport::open(&path).unwrap();
    assert_eq!(reopened.duplicate_queue(&admin, 50).unwrap(), before);
    assert!(!before.is_empty());
    drop(dir);
}

/// "Not a duplicate" answered on a pair whose stored fingerprint is out of date (an edit since it was found
/// that did not refresh it) holds at the next scan: the answer is about the leads as they are.
#[test]
fn not_a_duplicate_answered_on_a_stale_pair_holds_at_the_next_scan() {
    let f = fixture();
    book(&f);
    scan(&f);
    let pair = f.core.duplicate_queue(&f.admin, 50).unwrap()[0].id;
    f.sql().execute("UPDATE duplicate_pairs SET fingerprint = 'found before an edit' WHERE id = ?1", [pair]).unwrap();
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    let again = scan(&f);
    assert_eq!((again.open, again.kept_apart), (0, 1), "{again:?}");
    assert!(f.core.duplicate_queue(&f.admin, 50).unwrap().is_empty(), "not asked again");
}

#[test]
fn not_a_duplicate_is_remembered_until_a_matched_field_changes() {
    let f = fixture();
    let (robert, bob) = book(&f);
    scan(&f);
    let pair = f.core.duplicate_queue(&f.admin, 50).unwrap()[0].id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    assert!(f.core.duplicate_queue(&f.admin, 50).unwrap().is_empty());
    let again = scan(&f);
    assert_eq!((again.open, again.kept_apart), (0, 1));
    assert!(f.core.duplicate_queue(&f.admin, 50).unwrap().is_empty(), "not flagged again");
    // The decision is in the change log.
    let logged: i64 = f
        .sql()
        .query_row(
            "SELECT count(*) FROM change_log WHERE entity = 'duplicate_pair' AND entity_id = ?1 AND new_value = 'not_duplicate'",
            [pair],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 1);
    // A matched field changes: the pair is asked about again.
    let b = f.core.get_lead(&f.admin, bob).unwrap();
    let mut input = b.to_input();
    input.phones = vec!["+44 113 496 0000".into()];
    f.core.update_lead(&f.admin, bob, b.version, &input, &Origin::manual()).unwrap();
    scan(&f);
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert_eq!(queue.iter().map(|p| (p.a.id, p.b.id)).collect::<Vec<_>>(), vec![(robert, bob)]);
}

/// A phone corrected to another country's number whose last nine digits are the same is a change: the two
/// may now share a number. The pair comes back, on the save that made it as at the next scan.
#[test]
fn not_a_duplicate_is_asked_again_when_a_phone_moves_to_another_country_ending_alike() {
    let f = fixture();
    let mut maine = lead("John", "Smith", "john.smith@example.com");
    maine.phones = vec!["+1 207 946 0123".into()];
    let mut london = lead("John", "Smith", "j.smith@example.org");
    london.phones = vec!["+44 20 7946 0123".into()];
    let a = f.core.create_lead(&f.admin, &maine, &Origin::manual()).unwrap().lead.id;
    let b = f.core.create_lead(&f.admin, &london, &Origin::manual()).unwrap().lead.id;
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    f.core.mark_not_duplicate(&f.admin, queue[0].id).unwrap();
    assert_eq!(scan(&f).kept_apart, 1);

    let stored = f.core.get_lead(&f.admin, b).unwrap();
    let mut input = stored.to_input();
    input.phones = vec!["+1 207 946 0123".into()];
    f.core.update_lead(&f.admin, b, stored.version, &input, &Origin::manual()).unwrap();
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert_eq!(queue.iter().map(|p| (p.a.id, p.b.id)).collect::<Vec<_>>(), vec![(a, b)], "back from the save");
    let again = scan(&f);
    assert_eq!((again.open, again.kept_apart), (1, 0), "{again:?}");
}

/// One import's chunk reopened two pairs kept apart (it changed a lead of each). Undoing its change on one lead
/// puts back that lead's pair only: the other pair's lead still holds what reopened it, and deciding it is a
/// steward's, not the undo's.
#[test]
fn undoing_one_leads_change_puts_back_only_that_leads_pair() {
    let f = fixture();
    let mut ids = Vec::new();
    for (first, last, email) in [
        ("Nora", "Quist", "nora.quist@example.com"),
        ("Nora", "Quist", "nora.quist@example.com"),
        ("Ivo", "Brand", "ivo.brand61@example.com"),
        ("Ivo", "Brand", "ivo.brand61@example.com"),
    ] {
        let mut l = lead(first, last, email);
        // Two records each, told apart by their phones: same-tier pairs a steward set aside.
        l.phones = vec![format!("+44 20 7946 00{:02}", ids.len())];
        l.external_ref = format!("crm-{}", ids.len());
        ids.push(f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead.id);
    }
    scan(&f);
    let pairs: Vec<i64> = f.core.duplicate_queue(&f.admin, 50).unwrap().iter().map(|p| p.id).collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    for p in &pairs {
        f.core.mark_not_duplicate(&f.admin, *p).unwrap();
    }
    // One file brings a new phone for the second record of each.
    let path = f.dir.path().join("phones.csv");
    std::fs::write(&path, "external_ref,phone\ncrm-1,+44 20 7946 0099\ncrm-3,+44 20 7946 0098\n").unwrap();
    let preview = f.core.preview_import_path(&f.admin, &path, "", "phones.csv", None).unwrap();
    let plan = rapport_core::imports::ImportPlan {
        key: Some(rapport_core::imports::NaturalKey::ExternalRef),
        ..rapport_core::imports::ImportPlan::suggested(&preview)
    };
    let b = f.core.start_import(&f.admin, &path, "phones.csv", &plan, &mut |_| {}).unwrap();
    assert_eq!(b.counts.update, 2, "{b:?}");
    assert_eq!(f.core.duplicate_queue(&f.admin, 50).unwrap().len(), 2, "both reopened");
    let batch = f
        .core
        .lead_history(&f.admin, ids[1])
        .unwrap()
        .into_iter()
        .find(|e| e.source_ref == "phones.csv" && e.field == "phones")
        .unwrap()
        .batch_id;
    // An Editor who owns neither lead undoes the other lead's change: its field comes back, the pair is not
    // theirs to decide, and stays for a steward.
    let ed = f.user("ed", Role::Editor, &[]);
    let other = f.core.undo_lead_change(&ed, ids[3], batch).unwrap();
    assert_eq!(other.lead.phones[0].e164, "+442079460003");
    f.core.undo_lead_change(&f.admin, ids[1], batch).unwrap();
    let open: Vec<(i64, i64)> =
        f.core.duplicate_queue(&f.admin, 50).unwrap().iter().map(|p| (p.a.id, p.b.id)).collect();
    assert_eq!(open, [(ids[2], ids[3])], "only the undone lead's pair is set aside again");
}

/// "Not a duplicate" is one key: pressed by mistake, it is taken back and the pair is in the queue again, logged;
/// a scan leaves it there. Who may not decide about the pair may not take it back either (nothing written).
#[test]
fn not_a_duplicate_is_taken_back_and_the_pair_is_asked_about_again() {
    let f = fixture();
    book(&f);
    scan(&f);
    let pair = f.core.duplicate_queue(&f.admin, 50).unwrap()[0].id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    assert!(f.core.duplicate_queue(&f.admin, 50).unwrap().is_empty());
    let viewer = f.user("vic", Role::Viewer, &[]);
    let before = f.dump();
    assert!(f.core.reopen_pair(&viewer, pair).is_err());
    assert_eq!(f.dump(), before, "nothing written");
    f.core.reopen_pair(&f.admin, pair).unwrap();
    assert_eq!(f.core.duplicate_queue(&f.admin, 50).unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), [pair]);
    let logged: Vec<(Option<String>, Option<String>)> = f
        .sql()
        .prepare("SELECT old_value, new_value FROM change_log WHERE entity = 'duplicate_pair' AND entity_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([pair], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let last = logged.last().cloned().unwrap();
    assert_eq!(last, (Some("not_duplicate".to_owned()), Some("open".to_owned())), "{logged:?}");
    let again = scan(&f);
    assert_eq!((again.open, again.kept_apart), (1, 0), "{again:?}");
    // Taken back again while open: nothing to do.
    let before = f.dump();
    f.core.reopen_pair(&f.admin, pair).unwrap();
    assert_eq!(f.dump(), before);
}

/// An edit that reopened a pair kept apart, undone from its toast, puts the steward's decision back: the fields
/// are as they judged them. It stayed in the queue, the decision (who, when) gone.
#[test]
fn undoing_an_edit_that_reopened_a_pair_puts_the_stewards_decision_back() {
    let f = fixture();
    let (_, bob) = book(&f);
    scan(&f);
    let pair = f.core.duplicate_queue(&f.admin, 50).unwrap()[0].id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    let b = f.core.get_lead(&f.admin, bob).unwrap();
    let mut input = b.to_input();
    input.phones = vec!["+44 113 496 0000".into()];
    let saved = f.core.update_lead(&f.admin, bob, b.version, &input, &Origin::manual()).unwrap();
    assert_eq!(f.core.duplicate_queue(&f.admin, 50).unwrap().len(), 1, "the edit reopened it");
    f.core.undo_lead_change(&f.admin, bob, saved.batch_id.unwrap()).unwrap();
    assert!(f.core.duplicate_queue(&f.admin, 50).unwrap().is_empty(), "the decision stands again");
    let status: String =
        f.sql().query_row("SELECT status FROM duplicate_pairs WHERE id = ?1", [pair], |r| r.get(0)).unwrap();
    assert_eq!(status, "not_duplicate");
    let again = scan(&f);
    assert_eq!((again.open, again.kept_apart), (0, 1), "{again:?}");
}

/// "Not a duplicate" decided on leads as they were shown: a lead edited since (perhaps given the other's
/// phone) refuses the decision, nothing written; decided on the current versions, it is taken.
#[test]
fn not_a_duplicate_on_a_lead_changed_since_it_was_shown_is_a_conflict() {
    let f = fixture();
    book(&f);
    scan(&f);
    let shown = f.core.duplicate_queue(&f.admin, 50).unwrap().remove(0);
    let seen = |p: &rapport_core::duplicates::DuplicatePair| {
        [(p.a.id, p.a.version), (p.b.id, p.b.version)]
            .map(|(lead_id, version)| rapport_core::duplicates::SeenVersion { lead_id, version })
    };
    let b = f.core.get_lead(&f.admin, shown.b.id).unwrap();
    let mut input = b.to_input();
    input.job_title = "Buyer".into();
    f.core.update_lead(&f.admin, b.id, b.version, &input, &Origin::manual()).unwrap();
    let before = f.dump();
    let err = f.core.mark_not_duplicate_as_seen(&f.admin, shown.id, &seen(&shown)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let other = rapport_core::duplicates::SeenVersion { lead_id: 999_999, version: 1 };
    let err = f.core.mark_not_duplicate_as_seen(&f.admin, shown.id, &[other]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "a lead outside the pair: {err}");
    assert_eq!(f.dump(), before);

    let now = f.core.duplicate_queue(&f.admin, 50).unwrap().into_iter().find(|p| p.id == shown.id).unwrap();
    f.core.mark_not_duplicate_as_seen(&f.admin, now.id, &seen(&now)).unwrap();
    assert!(f.core.duplicate_queue(&f.admin, 50).unwrap().iter().all(|p| p.id != shown.id));
}

#[test]
fn a_scan_cancelled_half_way_leaves_the_queue_as_it_was() {
    let f = fixture();
    book(&f);
    scan(&f);
    let pair = f.core.duplicate_queue(&f.admin, 50).unwrap()[0].id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    // More duplicates, so the next scan has more than one chunk of pairs to save.
    for i in 0..200 {
        let mut input = lead(&format!("Person{i}"), &format!("Family{i}"), &format!("p{i}x@example.net"));
        input.address.city = "York".into();
        f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
        f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
    }
    let before = f.dump();
    let cancel = AtomicBool::new(false);
    let mut saved = 0;
    let err = f
        .core
        .scan_duplicates(&f.admin, &cancel, &mut |p| {
            if p.phase == ScanPhase::Saving && p.done > 0 {
                saved = p.done;
                cancel.store(true, Ordering::Relaxed);
            }
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
    assert!(saved > 0, "cancelled while saving, after some pairs were written in the transaction");
    assert_eq!(f.dump(), before, "a cancelled scan leaves no partial state");
    let done = scan(&f);
    assert!(done.open >= 200, "the complete scan saves them all: {}", done.open);
    assert!(queue_rows(&f).len() as u32 >= done.open);
}

/// Leads change while a scan matches (it holds no lock then): a lead merged away meanwhile is left out of what
/// it saves (its pair would name a lead that is gone), and the pairs the save-time check found for a lead
/// created meanwhile stay in the queue (the scan never saw that lead, so not finding it proves nothing).
#[test]
fn a_scan_keeps_up_with_leads_merged_and_created_while_it_matches() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let grace = f
        .core
        .list_leads(&f.admin, &rapport_core::leads::LeadQuery { text: "grace".into(), limit: 5, ..Default::default() })
        .unwrap()
        .items[0]
        .id;
    let mut again = None;
    let report = f
        .core
        .scan_duplicates(&f.admin, &AtomicBool::new(false), &mut |p| {
            if p.phase == ScanPhase::Matching && again.is_none() {
                f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap();
                let mut twice = lead("Grace", "Hopper", "grace@navy.example");
                twice.company = "Navy".into();
                again = Some(f.core.create_lead(&f.admin, &twice, &Origin::manual()).unwrap().lead.id);
            }
        })
        .unwrap();
    let again = again.unwrap();
    assert!(report.pairs.iter().all(|p| p.lead_b != bob && p.lead_a != bob), "{:?}", report.pairs);
    let queue: Vec<(i64, i64)> =
        f.core.duplicate_queue(&f.admin, 50).unwrap().iter().map(|p| (p.a.id, p.b.id)).collect();
    assert!(queue.contains(&(grace, again)), "the pair found when Grace was typed again stays: {queue:?}");
    assert!(queue.iter().all(|(a, b)| *a != bob && *b != bob), "{queue:?}");
}

/// Leads edited while a scan matches were checked by their own saves against the leads as they are now: the
/// scan, which matched their old fields, does not save over that. Bob edited into another person leaves no pair
/// with Robert; Alan edited into Grace keeps the pair his save queued. A lead saved meanwhile in a field the
/// check does not read (Carla's deal value), which no save checks, still gets the pairs the scan found.
#[test]
fn a_scan_does_not_save_over_what_edits_made_while_it_matched() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let find = |text: &str| {
        let query = rapport_core::leads::LeadQuery { text: text.into(), limit: 5, ..Default::default() };
        f.core.list_leads(&f.admin, &query).unwrap().items[0].id
    };
    let (grace, alan) = (find("grace"), find("alan"));
    let edit = |id: i64, change: &dyn Fn(&mut LeadInput)| {
        let now = f.core.get_lead(&f.admin, id).unwrap();
        let mut input = now.to_input();
        change(&mut input);
        f.core.update_lead(&f.admin, id, now.version, &input, &Origin::manual()).unwrap();
    };
    let queue = || -> Vec<(i64, i64)> {
        f.core.duplicate_queue(&f.admin, 50).unwrap().iter().map(|p| (p.a.id, p.b.id)).collect()
    };
    let mut edited = false;
    let report = f
        .core
        .scan_duplicates(&f.admin, &AtomicBool::new(false), &mut |p| {
            if p.phase != ScanPhase::Matching || edited {
                return;
            }
            edited = true;
            edit(bob, &|l| {
                l.first_name = "Tomas".into();
                l.last_name = "Brandt".into();
                l.emails = vec!["t.brandt@example.net".into()];
                l.company = "Brandt Bau".into();
                l.address.street = "22 Quay Side".into();
            });
            edit(alan, &|l| {
                l.first_name = "Grace".into();
                l.last_name = "Hopper".into();
                l.emails = vec!["grace@navy.example".into()];
                l.company = "Navy".into();
                l.address.street = "3 Yard Lane".into();
            });
            assert!(queue().contains(&(grace, alan)), "Alan's save queued him with Grace: {:?}", queue());
            assert!(!queue().contains(&(robert, bob)));
        })
        .unwrap();
    assert!(edited);
    let after = queue();
    assert!(!after.contains(&(robert, bob)), "Bob is no longer Robert: {after:?} ({:?})", report.pairs);
    assert!(after.contains(&(grace, alan)), "the pair Alan's save queued stays: {after:?}");
    // Carla typed as Dmitri again; the queue emptied so that only the scan can find them.
    let (carla, dmitri) = (find("carla"), find("dmitri"));
    edit(carla, &|l| {
        l.first_name = "Dmitri".into();
        l.last_name = "Orlov".into();
        l.emails = vec!["d.orlov@acme.example".into()];
    });
    f.sql().execute("DELETE FROM duplicate_pairs", []).unwrap();
    let mut touched = false;
    f.core
        .scan_duplicates(&f.admin, &AtomicBool::new(false), &mut |p| {
            if p.phase == ScanPhase::Matching && !touched {
                touched = true;
                edit(carla, &|l| l.deal.value = "900".into());
            }
        })
        .unwrap();
    assert!(queue().contains(&(carla, dmitri)), "{:?}", queue());
}

/// Cancel asked for while same-tier pairs are being merged stops the merging: the merges done stand (each can
/// be unmerged), the others stay in the queue.
#[test]
fn cancel_stops_the_merging_of_sure_pairs() {
    let f = fixture();
    for (first, last, email) in
        [("Nora", "Quist", "nora.quist@example.com"), ("Ivo", "Brand", "ivo.brand61@example.com")]
    {
        f.core.create_lead(&f.admin, &lead(first, last, email), &Origin::manual()).unwrap();
        f.core.create_lead(&f.admin, &lead(first, last, email), &Origin::manual()).unwrap();
    }
    scan(&f);
    let cancel = AtomicBool::new(false);
    let mut merged = Vec::new();
    f.core
        .enrich_same_pairs(&f.admin, &cancel, &mut |_, _| cancel.store(true, Ordering::Relaxed), &mut merged)
        .unwrap();
    assert_eq!(merged.len(), 1, "the merge under way ends, and no other starts");
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 1, "the other pair waits in the queue");
}

/// A steward changes their own password in the same window while a scan runs: the scan's enrichment (each of
/// its merges) and its closing count go on, as an import's chunks do; a new operation of the old session is
/// refused. The merging stopped as "deactivated" and the window went back to the sign-in.
#[test]
fn a_scans_merging_goes_on_when_the_steward_changes_their_own_password() {
    let f = fixture();
    let ada = f.user("ada2", Role::Administrator, &[]);
    let id = ada.user_id().unwrap();
    for (first, last, email) in
        [("Nora", "Quist", "nora.quist@example.com"), ("Ivo", "Brand", "ivo.brand61@example.com")]
    {
        f.core.create_lead(&f.admin, &lead(first, last, email), &Origin::manual()).unwrap();
        f.core.create_lead(&f.admin, &lead(first, last, email), &Origin::manual()).unwrap();
    }
    f.core.scan_duplicates(&ada, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let mut window = None;
    let mut merged = Vec::new();
    let mut changed = false;
    f.core
        .enrich_same_pairs(
            &ada,
            &AtomicBool::new(false),
            &mut |_, _| {
                if !changed {
                    changed = true;
                    window = f.core.change_password(&ada, id, Some(common::PASSWORD), "a brand new password").unwrap();
                }
            },
            &mut merged,
        )
        .unwrap();
    assert!(changed && window.is_some());
    assert_eq!(merged.len(), 2, "both pairs merged");
    assert_eq!(f.core.open_duplicate_pairs(&ada).unwrap(), 0);
    assert_eq!(f.core.list_leads(&ada, &Default::default()).unwrap_err().code(), ErrorCode::SessionEnded);
    assert!(f.core.list_leads(&window.unwrap(), &Default::default()).is_ok());
}

fn fastrand_title() -> usize {
    use std::sync::atomic::AtomicUsize;
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn a_steward_sees_only_pairs_inside_their_campaigns() {
    let f = fixture();
    for (campaign, email) in [("Spring", "sam.stone51@example.com"), ("Autumn", "kim.kale62@example.com")] {
        for _ in 0..2 {
            let mut input = lead("Sam", "Stone", email);
            if campaign == "Autumn" {
                input = lead("Kim", "Kale", email);
            }
            input.campaign = campaign.into();
            // Two job titles: a conflict, so the scan leaves the pair to a person instead of enriching it.
            input.job_title = format!("Title {}", fastrand_title());
            f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
        }
    }
    // A pair across campaigns: one Sam Stone in Autumn too.
    let mut cross = lead("Sam", "Stone", "sam.stone51@example.com");
    cross.campaign = "Autumn".into();
    f.core.create_lead(&f.admin, &cross, &Origin::manual()).unwrap();
    scan(&f);
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    f.core.set_data_steward(&f.admin, spring.user_id().unwrap(), true).unwrap();
    let queue = f.core.duplicate_queue(&spring, 50).unwrap();
    assert!(!queue.is_empty());
    for p in &queue {
        assert_eq!((p.a.campaign.as_str(), p.b.campaign.as_str()), ("Spring", "Spring"), "pair {}", p.id);
    }
    let all = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert!(all.len() > queue.len(), "the administrator sees the other campaign's pairs");
    // The counts are the queues' lengths, each read its own way (the administrator's without the leads).
    assert_eq!(f.core.open_duplicate_pairs(&spring).unwrap() as usize, queue.len());
    assert_eq!(f.core.open_duplicate_pairs(&f.admin).unwrap() as usize, all.len());
    let hidden = all.iter().find(|p| p.a.campaign != "Spring" || p.b.campaign != "Spring").unwrap();
    assert_eq!(f.core.mark_not_duplicate(&spring, hidden.id).unwrap_err().code(), ErrorCode::NotFound);
    assert!(all.iter().all(|p| p.tier == Tier::Same || p.tier == Tier::Review));
    // The steward's own scan keeps every pair, and reports only the Spring ones.
    let mut steps = Vec::new();
    let report = f.core.scan_duplicates(&spring, &AtomicBool::new(false), &mut |p| steps.push(p)).unwrap();
    assert!(!report.pairs.is_empty());
    let campaign = |id: i64| f.core.get_lead(&f.admin, id).unwrap().campaign;
    for p in &report.pairs {
        assert_eq!((campaign(p.lead_a), campaign(p.lead_b)), ("Spring".to_string(), "Spring".to_string()));
    }
    assert_eq!(f.core.duplicate_queue(&f.admin, 50).unwrap().len(), all.len(), "the other pairs are kept");
    // Its counts too: the Spring leads and the Spring pairs, not the database's.
    assert_eq!((report.leads, report.open as usize), (2, queue.len()), "{report:?}");
    let mut whole_steps = Vec::new();
    let whole = f.core.scan_duplicates(&f.admin, &AtomicBool::new(false), &mut |p| whole_steps.push(p)).unwrap();
    assert_eq!((whole.leads, whole.open as usize), (5, all.len()), "{whole:?}");
    // Nor does its progress count the database's leads and pairs: it goes in thousandths of each phase.
    let matching = |steps: &[ScanProgress]| steps.iter().find(|p| p.phase == ScanPhase::Matching).copied();
    assert_eq!(matching(&whole_steps).map(|p| (p.total, p.thousandths)), Some((5, false)), "{whole_steps:?}");
    assert_eq!(matching(&steps).map(|p| (p.total, p.thousandths)), Some((1000, true)), "{steps:?}");
    assert!(steps.iter().all(|p| p.thousandths && p.done <= p.total), "{steps:?}");
    assert!(steps.iter().any(|p| p.phase == ScanPhase::Saving && p.done == 1000), "{steps:?}");
}

#[test]
fn a_viewer_can_read_leads_but_not_review_duplicates() {
    let f = fixture();
    book(&f);
    let viewer = f.user("vera", Role::Viewer, &[]);
    let err = f.core.scan_duplicates(&viewer, &AtomicBool::new(false), &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    assert_eq!(f.core.duplicate_queue(&viewer, 10).unwrap_err().code(), ErrorCode::PermissionDenied);
}

#[test]
fn a_lead_typed_again_is_queued_when_it_is_saved_without_a_scan() {
    let f = fixture();
    let (robert, _) = book(&f);
    let queued_before = f.core.duplicate_queue(&f.admin, 50).unwrap();
    let names = |q: &[rapport_core::duplicates::DuplicatePair]| {
        q.iter()
            .map(|p| {
                format!("{} {} ~ {} {} {:.3}", p.a.first_name, p.a.last_name, p.b.first_name, p.b.last_name, p.score)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        queued_before.len(),
        1,
        "Bob Alvez was queued with Robert Alves when he was created: {:?}",
        names(&queued_before)
    );
    let mut again = lead("Rob", "Alves", "robert.alves71@example.com");
    again.address.city = "Leeds".into();
    let id = f.core.create_lead(&f.admin, &again, &Origin::manual()).unwrap().lead.id;
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert!(queue.iter().any(|p| (p.a.id, p.b.id) == (robert, id)), "queued on creation: {queue:?}");
    // Editing it apart does not remove the pair by itself, but a scan does; "not a duplicate" holds on save.
    let pair = queue.iter().find(|p| p.b.id == id).unwrap().id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    let l = f.core.get_lead(&f.admin, id).unwrap();
    let mut input = l.to_input();
    input.notes = "called back".into();
    f.core.update_lead(&f.admin, id, l.version, &input, &Origin::manual()).unwrap();
    assert!(!f.core.duplicate_queue(&f.admin, 50).unwrap().iter().any(|p| p.id == pair), "notes are not matched");
}

#[test]
fn an_import_finds_duplicates_within_the_file_unless_loaded_as_is() {
    let csv = "first_name,last_name,email\nAnn,Lee,ann.lee77@example.com\nAnne,Lee,ann.lee77@example.com\nCy,Doe,cy@doe.example\n";
    let import = |f: &common::Fixture, dedup: bool| {
        let path = f.dir.path().join("a.csv");
        std::fs::write(&path, csv).unwrap();
        let preview = f.core.preview_import_path(&f.admin, &path, "", "a.csv", None).unwrap();
        let plan =
            rapport_core::imports::ImportPlan { dedup, ..rapport_core::imports::ImportPlan::suggested(&preview) };
        f.core.start_import(&f.admin, &path, "a.csv", &plan, &mut |_| {}).unwrap()
    };
    let f = fixture();
    let b = import(&f, true);
    assert_eq!((b.counts.create_active, b.counts.review), (2, 1), "Anne is created and sent to review: {b:?}");
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert_eq!(
        queue.iter().map(|p| (p.a.first_name.as_str(), p.b.first_name.as_str())).collect::<Vec<_>>(),
        [("Ann", "Anne")]
    );
    let g = fixture();
    let b = import(&g, false);
    assert_eq!(b.counts.create_active, 3);
    assert!(g.core.duplicate_queue(&g.admin, 50).unwrap().is_empty(), "--no-dedup loads every row as it is");
    // Its keys are stored all the same: the next lead typed again is found.
    g.core.create_lead(&g.admin, &lead("Ann", "Lee", "ann.lee77@example.com"), &Origin::manual()).unwrap();
    assert_eq!(g.core.duplicate_queue(&g.admin, 50).unwrap().len(), 2, "paired with both Ann and Anne");
}

#[test]
fn possible_duplicates_show_what_a_save_would_flag_and_write_nothing() {
    let f = fixture();
    let (robert, _) = book(&f);
    let before = f.dump();
    let mut typed = lead("Rob", "Alves", "Robert.Alves71@example.com");
    typed.address.city = "Leeds".into();
    let found = f.core.possible_duplicates(&f.admin, &typed, 5).unwrap();
    assert_eq!(found.first().map(|d| d.lead.id), Some(robert), "{found:?}");
    assert!(found[0].evidence.iter().any(|e| e.text == "email: the same after normalization"));
    assert!(f.core.possible_duplicates(&f.admin, &lead("Zora", "Quill", "zora@quill.example"), 5).unwrap().is_empty());
    assert!(f.core.possible_duplicates(&f.admin, &lead("", "", "not an email"), 5).unwrap().is_empty());
    assert_eq!(f.dump(), before);
}

/// A John Smith in Maine and one in London whose numbers end in the same nine digits (+1 207 946 0123, +44 20
/// 7946 0123): two numbers, not one. While phones were matched by their last nine digits the two were the same
/// record on every matched field, and the second was merged into the first without a look (its number kept as
/// a secondary phone of the Maine lead).
#[test]
fn numbers_that_end_alike_in_other_countries_are_not_the_same_phone() {
    let f = fixture();
    let smith = |phone: &str| {
        let mut l = lead("John", "Smith", "");
        l.phones = vec![phone.into()];
        l
    };
    let stored = f.core.create_lead(&f.admin, &smith("+1 207 946 0123"), &Origin::manual()).unwrap().lead.id;
    let judged = |typed: &str| {
        let found = f.core.possible_duplicates(&f.admin, &smith(typed), 5).unwrap();
        let pair = found.iter().find(|d| d.lead.id == stored);
        pair.map(|d| {
            let phone = d.evidence.iter().find(|e| e.field == "phone").map(|e| e.level.clone()).unwrap_or_default();
            (phone, d.tier)
        })
    };
    assert_eq!(judged("+1 (207) 946-0123"), Some(("exact".to_string(), Tier::Same)), "typed again: the same");
    // Another country's number: namesakes a person tells apart, not one record merged without a look.
    assert_eq!(judged("+44 20 7946 0123"), Some(("different".to_string(), Tier::Review)));
    // One digit apart in the area code is close, as a slip anywhere is: never the same number.
    assert_eq!(judged("+1 307 946 0123").map(|(phone, _)| phone), Some("close".to_string()));
}

/// Two Administrators with Settings open: Bo raises "same person" after a wrong merge; Ada, whose page read the
/// tiers before, lowers only "review". Bo's tier stays (it was put back without a word, and the next scan
/// merged what he wanted a person to see). Both changing the same tier is a conflict, nothing written.
#[test]
fn a_tier_changed_by_another_administrator_since_the_form_was_read_is_kept() {
    use rapport_core::duplicates::DuplicateTiers;
    let f = fixture();
    let bo = f.user("bo", Role::Administrator, &[]);
    let read = f.core.duplicate_tiers(&f.admin).unwrap();
    let bos = DuplicateTiers { same: 0.999_999, ..read };
    f.core.update_duplicate_tiers_as_seen(&bo, Some(read), bos).unwrap();
    let adas = DuplicateTiers { review: 0.6, ..read };
    let saved = f.core.update_duplicate_tiers_as_seen(&f.admin, Some(read), adas).unwrap();
    assert_eq!(saved, DuplicateTiers { same: 0.999_999, review: 0.6 });
    assert_eq!(f.core.duplicate_tiers(&f.admin).unwrap(), saved);
    let before = f.dump();
    let clash = DuplicateTiers { same: 0.9999, ..read };
    let err = f.core.update_duplicate_tiers_as_seen(&f.admin, Some(read), clash).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
}

#[test]
fn an_administrator_tunes_the_tiers_and_the_next_check_uses_them() {
    use rapport_core::duplicates::DuplicateTiers;
    let f = fixture();
    assert_eq!(f.core.duplicate_tiers(&f.admin).unwrap(), DuplicateTiers::default());
    let before = f.dump();
    for bad in [
        DuplicateTiers { same: 0.4, review: 0.5 },
        DuplicateTiers { same: 1.0, review: 0.5 },
        DuplicateTiers { same: 0.99, review: f64::NAN },
    ] {
        assert_eq!(f.core.update_duplicate_tiers(&f.admin, bad).unwrap_err().code(), ErrorCode::Validation, "{bad:?}");
    }
    let editor = f.user("ed", Role::Editor, &[]);
    let before_editor = f.dump();
    assert_eq!(
        f.core.update_duplicate_tiers(&editor, DuplicateTiers { same: 0.9999, review: 0.9 }).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
    assert_eq!(f.dump(), before_editor);
    assert_ne!(before, before_editor, "(adding the editor wrote)");
    // A review tier so high that the household's near-miss and the typo'd twin no longer reach it.
    let strict = DuplicateTiers { same: 0.999_999, review: 0.99 };
    f.core.update_duplicate_tiers(&f.admin, strict).unwrap();
    assert_eq!(f.core.duplicate_tiers(&editor).unwrap(), strict);
    let a = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann.lee@a.example"), &Origin::manual()).unwrap().lead;
    let b = f.core.create_lead(&f.admin, &lead("Anne", "Leigh", ""), &Origin::manual()).unwrap().lead;
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    assert!(!queue.iter().any(|p| (p.a.id, p.b.id) == (a.id, b.id)), "below the tuned review tier: {queue:?}");
}

#[test]
fn a_data_steward_reviews_every_pair_and_an_owner_only_pairs_with_a_lead_of_their_own() {
    let f = fixture();
    let owner = f.user("olga", Role::Editor, &[]);
    let other = f.user("otto", Role::Editor, &[]);
    let steward = f.user("stella", Role::Editor, &[]);
    let olga = owner.user_id().unwrap();
    let in_campaign = |mut input: LeadInput, campaign: &str| {
        input.campaign = campaign.into();
        input
    };
    let mut mine = in_campaign(lead("Ann", "Lee", "ann.lee31@x.example"), "Spring");
    mine.owner_id = Some(olga);
    f.core.create_lead(&f.admin, &mine, &Origin::manual()).unwrap();
    let twin = in_campaign(lead("Ann", "Lee", "ann.lee31@x.example"), "Spring");
    f.core.create_lead(&f.admin, &twin, &Origin::manual()).unwrap();
    for _ in 0..2 {
        let bo = in_campaign(lead("Bo", "Chan", "bo.chan47@x.example"), "Autumn");
        f.core.create_lead(&f.admin, &bo, &Origin::manual()).unwrap();
    }
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 2);
    // Not yet a steward: sees only the pair with her own lead, cannot scan, cannot decide about Bo's pair.
    let seen = f.core.duplicate_queue(&owner, 10).unwrap();
    assert_eq!(seen.iter().map(|p| p.a.first_name.as_str()).collect::<Vec<_>>(), ["Ann"]);
    assert_eq!(f.core.open_duplicate_pairs(&owner).unwrap(), 1);
    assert!(f.core.duplicate_queue(&other, 10).unwrap().is_empty());
    assert_eq!(f.core.open_duplicate_pairs(&other).unwrap(), 0);
    // The filters offer the campaigns of the pairs they see, not of every pair.
    assert_eq!(f.core.duplicate_queue_facets(&f.admin).unwrap().campaigns, ["Autumn", "Spring"]);
    assert_eq!(f.core.duplicate_queue_facets(&owner).unwrap().campaigns, ["Spring"]);
    assert!(f.core.duplicate_queue_facets(&other).unwrap().campaigns.is_empty());
    assert_eq!(
        f.core.scan_duplicates(&owner, &AtomicBool::new(false), &mut |_| {}).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
    let bo = f.core.duplicate_queue(&f.admin, 10).unwrap().into_iter().find(|p| p.a.first_name == "Bo").unwrap();
    let before = f.dump();
    assert_eq!(f.core.mark_not_duplicate(&owner, bo.id).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(f.core.merge_leads(&owner, bo.a.id, &[bo.b.id], &[]).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(f.dump(), before);
    f.core.mark_not_duplicate(&owner, seen[0].id).unwrap();
    // Marked a steward by an administrator (logged): every pair, and the scan.
    assert_eq!(
        f.core.set_data_steward(&steward, steward.user_id().unwrap(), true).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
    let u = f.core.set_data_steward(&f.admin, steward.user_id().unwrap(), true).unwrap();
    assert!(u.data_steward);
    assert_eq!(f.core.duplicate_queue(&steward, 10).unwrap().len(), 1, "Bo's pair (Ann's was set aside)");
    f.core.merge_leads(&steward, bo.a.id, &[bo.b.id], &[]).unwrap();
    f.core.scan_duplicates(&steward, &AtomicBool::new(false), &mut |_| {}).unwrap();
}

/// An owner who is not a steward merges their own lead, the newer of a queued pair, into a colleague's: the
/// toast's Undo is theirs to use, as the lead it brings back was theirs; someone who owned neither may not.
#[test]
fn an_owner_takes_back_the_merge_of_their_own_lead_into_a_colleagues() {
    let f = fixture();
    let owner = f.user("olga", Role::Editor, &[]);
    let stranger = f.user("stan", Role::Editor, &[]);
    let colleague = f.user("carla", Role::Editor, &[]).user_id().unwrap();
    let mut theirs = lead("Ann", "Lee", "ann.lee31@x.example");
    theirs.owner_id = Some(colleague);
    let theirs = f.core.create_lead(&f.admin, &theirs, &Origin::manual()).unwrap().lead;
    let mut mine = lead("Ann", "Lee", "ann.lee31@x.example");
    mine.owner_id = owner.user_id();
    let mine = f.core.create_lead(&f.admin, &mine, &Origin::manual()).unwrap().lead;
    let pair = f.core.duplicate_queue(&owner, 10).unwrap();
    assert_eq!(pair.len(), 1, "{pair:?}");
    let merged = f.core.merge_leads(&owner, theirs.id, &[mine.id], &[]).unwrap();
    let before = f.dump();
    assert_eq!(f.core.unmerge(&stranger, merged.merge_id).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(f.dump(), before, "refused, nothing written");
    f.core.unmerge(&owner, merged.merge_id).unwrap();
    assert_eq!(f.core.get_lead(&f.admin, mine.id).unwrap().owner.map(|o| o.id), owner.user_id());

    // A steward's merge of hers and a third colleague's lead is not hers to take back: it would bring back his
    // lead and decide its pair under her name.
    let mut his = lead("Ann", "Lee", "ann.lee31@x.example");
    his.owner_id = stranger.user_id();
    let his = f.core.create_lead(&f.admin, &his, &Origin::manual()).unwrap().lead;
    let both = f.core.merge_leads(&f.admin, theirs.id, &[mine.id, his.id], &[]).unwrap();
    let before = f.dump();
    assert_eq!(f.core.unmerge(&owner, both.merge_id).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(f.dump(), before, "refused, nothing written");
}

/// An owner who is not a steward does not merge a colleague's lead away into theirs, nor an unowned lead of
/// another campaign: it would leave its owner's or its team's lists, where no one there could see it or take the
/// merge back. Their own lead into the colleague's is theirs to merge (above).
#[test]
fn an_owner_does_not_merge_away_a_colleagues_lead_or_another_teams() {
    let f = fixture();
    let kim = f.user("kim", Role::Editor, &["Spring", "Autumn"]);
    let ed = f.user("ed", Role::Editor, &[]).user_id().unwrap();
    let mut mine = lead("Kari", "Hansen", "kari.hansen@x.example");
    mine.owner_id = kim.user_id();
    mine.campaign = "Spring".into();
    let mine = f.core.create_lead(&f.admin, &mine, &Origin::manual()).unwrap().lead;
    let mut eds = lead("Kari", "Hansen", "kari.hansen@x.example");
    eds.owner_id = Some(ed);
    eds.campaign = "Spring".into();
    let eds = f.core.create_lead(&f.admin, &eds, &Origin::manual()).unwrap().lead;
    let mut autumns = lead("Kari", "Hansen", "kari.hansen@x.example");
    autumns.campaign = "Autumn".into();
    let autumns = f.core.create_lead(&f.admin, &autumns, &Origin::manual()).unwrap().lead;
    assert_eq!(f.core.duplicate_queue(&kim, 10).unwrap().len(), 2, "kim's lead with each");
    let before = f.dump();
    for other in [&eds, &autumns] {
        let err = f.core.merge_leads(&kim, mine.id, &[other.id], &[]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
        assert_eq!(f.dump(), before, "refused, nothing written");
    }
    // Her own into Ed's is hers to decide; a steward merges the rest.
    f.core.merge_leads(&kim, eds.id, &[mine.id], &[]).unwrap();
    f.core.merge_leads(&f.admin, eds.id, &[autumns.id], &[]).unwrap();
}

/// An owner who is not a steward merges a pair of the queue with a lead of their own, and nothing else: naming
/// their lead as the survivor of any other leads took those out of every list (a colleague's leads, not
/// duplicates at all), and only a steward could bring them back.
#[test]
fn an_owner_merges_only_a_queued_pair_with_a_lead_of_their_own() {
    let f = fixture();
    let owner = f.user("olga", Role::Editor, &[]);
    let olga = owner.user_id().unwrap();
    let mut mine = lead("Ann", "Lee", "ann.lee31@x.example");
    mine.owner_id = Some(olga);
    let mine = f.core.create_lead(&f.admin, &mine, &Origin::manual()).unwrap().lead;
    let twin = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann.lee31@x.example"), &Origin::manual()).unwrap();
    let carl = f.core.create_lead(&f.admin, &lead("Carl", "Dunn", "carl@dunn.example"), &Origin::manual()).unwrap();
    let dora = f.core.create_lead(&f.admin, &lead("Dora", "Eck", "dora@eck.example"), &Origin::manual()).unwrap();
    let before = f.dump();
    for others in [vec![carl.lead.id], vec![twin.lead.id, dora.lead.id]] {
        let err = f.core.merge_leads(&owner, mine.id, &others, &[]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PermissionDenied, "{others:?}: {err}");
    }
    assert_eq!(f.dump(), before, "nothing was merged");
    // The pair the check queued, with her own lead: hers to merge; set aside meanwhile, it is no longer there.
    let pair = f.core.duplicate_queue(&owner, 10).unwrap().remove(0);
    f.core.mark_not_duplicate(&f.admin, pair.id).unwrap();
    let before = f.dump();
    let err = f.core.merge_leads(&owner, mine.id, &[twin.lead.id], &[]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert_eq!(f.dump(), before);
    let twin = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann.lee31@x.example"), &Origin::manual()).unwrap();
    f.core.merge_leads(&owner, mine.id, &[twin.lead.id], &[]).unwrap();
    // A steward merges what they judge the same, queued or not.
    let steward = f.user("stella", Role::Editor, &[]);
    f.core.set_data_steward(&f.admin, steward.user_id().unwrap(), true).unwrap();
    f.core.merge_leads(&steward, carl.lead.id, &[dora.lead.id], &[]).unwrap();
}

#[test]
fn enrichment_merges_same_pairs_without_a_conflict_and_leaves_the_others_to_a_person() {
    let f = fixture();
    let mut a = lead("Nora", "Quist", "nora.quist58@example.com");
    a.company = "Quist & Co".into();
    let mut b = lead("Nora", "Quist", "nora.quist58@example.com");
    b.job_title = "Owner".into();
    b.phones = vec!["+44 20 7946 0991".into()];
    let (a, b) = (
        f.core.create_lead(&f.admin, &a, &Origin::manual()).unwrap().lead,
        f.core.create_lead(&f.admin, &b, &Origin::manual()).unwrap().lead,
    );
    let mut c = lead("Ivo", "Brand", "ivo.brand61@example.com");
    c.company = "Brand GmbH".into();
    let mut d = lead("Ivo", "Brand", "ivo.brand61@example.com");
    d.company = "Brand Holding".into();
    f.core.create_lead(&f.admin, &c, &Origin::manual()).unwrap();
    f.core.create_lead(&f.admin, &d, &Origin::manual()).unwrap();
    scan(&f);
    let mut steps = Vec::new();
    let mut enriched = Vec::new();
    f.core
        .enrich_same_pairs(
            &f.admin,
            &AtomicBool::new(false),
            &mut |done, total| steps.push((done, total)),
            &mut enriched,
        )
        .unwrap();
    assert_eq!(enriched.len(), 1, "Nora's two records agree wherever both have a value");
    assert_eq!(steps.last(), Some(&(1, 1)));
    let nora = f.core.get_lead(&f.admin, a.id).unwrap();
    assert_eq!((nora.company.as_str(), nora.job_title.as_str()), ("Quist & Co", "Owner"), "filled, not overwritten");
    assert_eq!(nora.phones.len(), 1);
    assert_eq!(f.core.get_lead(&f.admin, b.id).unwrap_err().merged_into(), Some(a.id));
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].a.first_name, "Ivo");
    assert_eq!(queue[0].conflicts, ["company"], "the conflict is named");
    // The enrichment is a merge like any: undone, Nora is two records again.
    let merge = f.core.lead_merges(&f.admin, a.id).unwrap()[0].merge_id;
    f.core.unmerge(&f.admin, merge).unwrap();
    assert!(f.core.get_lead(&f.admin, b.id).is_ok());
}

/// Two records a steward set apart (father and son) are not joined by the enrichment through a third record of
/// one of them: each merged into it in turn, they became one lead, overruling the steward.
#[test]
fn the_enrichment_does_not_join_two_leads_set_apart_through_a_third() {
    let f = fixture();
    let mut george = lead("George", "Foreman", "foremans@gmail.com");
    george.source_detail = String::new();
    let first = f.core.create_lead(&f.admin, &george, &Origin::manual()).unwrap().lead;
    george.phones = vec!["+1 713 555 0142".into()];
    george.address.street = "5 Elm Rd".into();
    george.address.city = "Houston".into();
    let mut father = george.clone();
    father.job_title = "Boxer".into();
    let father = f.core.create_lead(&f.admin, &father, &Origin::manual()).unwrap().lead;
    let son = f.core.create_lead(&f.admin, &george, &Origin::manual()).unwrap().lead;
    scan(&f);
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let apart = queue.iter().find(|p| [p.a.id, p.b.id] == [father.id, son.id]).expect("father and son queued");
    f.core.mark_not_duplicate(&f.admin, apart.id).unwrap();
    let mut merged = Vec::new();
    f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut merged).unwrap();
    let living = |id: i64| f.core.get_lead(&f.admin, id).map_or_else(|e| e.merged_into().unwrap_or(0), |l| l.id);
    assert_ne!(living(father.id), living(son.id), "set apart, they stay two: {merged:?}");
    assert_eq!(merged.len(), 1, "one of them joins the first record: {merged:?}");
    assert!([living(father.id), living(son.id)].contains(&first.id));
}

/// A pair a person set aside ("not a duplicate", or an unmerge) and an edit reopened since is a person's to
/// decide again: the enrichment merged it without anyone asked, undoing the steward's answer.
#[test]
fn enrichment_leaves_a_pair_once_set_aside_to_a_person() {
    let f = fixture();
    let twins = |first: &str, last: &str, email: &str| {
        let a = lead(first, last, email);
        let mut b = lead(first, last, email);
        b.job_title = "Owner".into();
        (
            f.core.create_lead(&f.admin, &a, &Origin::manual()).unwrap().lead,
            f.core.create_lead(&f.admin, &b, &Origin::manual()).unwrap().lead,
        )
    };
    let (a, b) = twins("Nora", "Quist", "nora.quist58@example.com");
    let (c, d) = twins("Ivo", "Brand", "ivo.brand61@example.com");
    scan(&f);
    // One pair merged and the merge taken back; the other answered "not a duplicate".
    f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let merge = f.core.lead_merges(&f.admin, a.id).unwrap()[0].merge_id;
    f.core.unmerge(&f.admin, merge).unwrap();
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let other = queue.iter().find(|p| p.a.id == c.id || p.b.id == c.id).unwrap().id;
    f.core.mark_not_duplicate(&f.admin, other).unwrap();
    // Edits of their matched fields reopen both pairs.
    for (id, phone) in [(a.id, "+44 20 7946 0991"), (c.id, "+49 30 901820")] {
        let stored = f.core.get_lead(&f.admin, id).unwrap();
        let mut input = stored.to_input();
        input.phones = vec![phone.into()];
        f.core.update_lead(&f.admin, id, stored.version, &input, &Origin::manual()).unwrap();
    }
    scan(&f);
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 2, "both asked again");
    let mut enriched = Vec::new();
    f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut enriched).unwrap();
    assert!(enriched.is_empty(), "{enriched:?}");
    for id in [a.id, b.id, c.id, d.id] {
        assert!(f.core.get_lead(&f.admin, id).is_ok(), "lead {id} kept");
    }
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 2, "left in the queue");
}

/// A merge taken back from the review queue's Undo puts the pair back in the queue for a person to decide again
/// (a slip of the key, the wrong values picked); taken back from the lead's page it stays set aside. Back in
/// the queue, the enrichment still leaves it to a person.
#[test]
fn a_merge_undone_from_the_queue_puts_its_pair_back_there() {
    let f = fixture();
    let a = lead("Nora", "Quist", "nora.quist58@example.com");
    let mut b = lead("Nora", "Quist", "nora.quist58@example.com");
    b.job_title = "Owner".into();
    let a = f.core.create_lead(&f.admin, &a, &Origin::manual()).unwrap().lead;
    let b = f.core.create_lead(&f.admin, &b, &Origin::manual()).unwrap().lead;
    scan(&f);
    let pairs = |f: &common::Fixture| -> Vec<(i64, i64)> {
        f.core.duplicate_queue(&f.admin, 10).unwrap().iter().map(|p| (p.a.id, p.b.id)).collect()
    };
    assert_eq!(pairs(&f), [(a.id, b.id)]);
    for to_queue in [true, false] {
        f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
        let merge = f.core.lead_merges(&f.admin, a.id).unwrap()[0].merge_id;
        let back = if to_queue { f.core.unmerge_to_queue(&f.admin, merge) } else { f.core.unmerge(&f.admin, merge) };
        assert_eq!(back.unwrap().restored.len(), 1);
        if to_queue {
            assert_eq!(pairs(&f), [(a.id, b.id)], "back in the queue");
            scan(&f);
            let mut enriched = Vec::new();
            f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut enriched).unwrap();
            assert!(enriched.is_empty(), "a person's to decide: {enriched:?}");
            assert_eq!(pairs(&f), [(a.id, b.id)]);
        } else {
            assert_eq!(pairs(&f), [], "set aside: two people");
        }
    }
}

/// Two colleagues who write from their company's shared mailbox (info@, sales@) are not one person for it: they
/// were rated the same (100%) and the enrichment would have merged them. The same person entered twice with it
/// is still found, by the rest.
#[test]
fn a_shared_mailbox_of_one_company_is_no_proof_of_one_person() {
    let f = fixture();
    let mk = |first: &str, last: &str| {
        let mut l = lead(first, last, "info@weber-bau.example");
        l.company = "Weber Bau".into();
        l.phones = vec!["+49 30 901820".into()];
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead.id
    };
    let (anna, thomas) = (mk("Anna", "Weber"), mk("Thomas", "Weber"));
    scan(&f);
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let pair = queue.iter().find(|p| p.a.id == anna && p.b.id == thomas);
    assert!(pair.is_none_or(|p| p.tier == Tier::Review), "{:?}", pair.map(|p| (p.score, &p.evidence)));
    let mut enriched = Vec::new();
    f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut enriched).unwrap();
    assert!(enriched.is_empty());
    let again = mk("Anna", "Weber");
    scan(&f);
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    assert!(queue.iter().any(|p| p.a.id == anna && p.b.id == again), "the same person typed twice is still found");
}

/// A currency its lead holds without an amount yet, against the other record's amount of no stated currency:
/// merged without a look, the amount's (empty) currency would replace EUR; 5,000 of which currency is a person's
/// call. So for a source detail a Draft holds without a channel.
#[test]
fn enrichment_leaves_a_currency_or_a_source_detail_the_merge_would_replace_to_a_person() {
    let f = fixture();
    let mut a = lead("Nora", "Quist", "nora.quist58@example.com");
    a.deal.currency = "EUR".into();
    let mut b = lead("Nora", "Quist", "nora.quist58@example.com");
    b.deal.value = "5000".into();
    let mut c = lead("Ivo", "Brand", "ivo.brand61@example.com");
    c.source = None;
    c.source_detail = "Phone call".into();
    let mut d = lead("Ivo", "Brand", "ivo.brand61@example.com");
    d.source = Some(SourceChannel::Partner);
    d.source_detail = String::new();
    let ids: Vec<i64> =
        [a, b, c, d].iter().map(|l| f.core.create_lead(&f.admin, l, &Origin::manual()).unwrap().lead.id).collect();
    let before: Vec<_> = ids.iter().map(|id| f.core.get_lead(&f.admin, *id).unwrap()).collect();
    scan(&f);
    let mut enriched = Vec::new();
    f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut enriched).unwrap();
    assert!(enriched.is_empty(), "{enriched:?}");
    let after: Vec<_> = ids.iter().map(|id| f.core.get_lead(&f.admin, *id).unwrap()).collect();
    assert_eq!(after, before, "no lead changed");
    let mut queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    queue.sort_by_key(|p| p.a.id);
    let named: Vec<_> = queue.iter().map(|p| (p.a.first_name.as_str(), p.conflicts.clone())).collect();
    assert_eq!(named, [("Nora", vec!["currency".to_string()]), ("Ivo", vec!["source_detail".to_string()])]);
}

/// Six records that agree with each other are more than one person is typed in: a chain (a household, an
/// office), never merged without a look. The scan keeps the matcher's guard, so enrichment leaves them.
#[test]
fn a_group_larger_than_one_person_is_reviewed_not_enriched() {
    let f = fixture();
    let mut ids = Vec::new();
    for _ in 0..6 {
        let mut input = lead("Mira", "Sandvik", "mira.sandvik40@example.com");
        input.phones = vec!["+44 20 7946 0123".into()];
        ids.push(f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead.id);
    }
    let report = scan(&f);
    assert_eq!(report.pairs.len(), 15, "every two of the six");
    assert!(report.pairs.iter().all(|p| p.tier == Tier::Review), "{:?}", report.pairs);
    let mut enriched = Vec::new();
    f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut enriched).unwrap();
    assert!(enriched.is_empty(), "{enriched:?}");
    assert!(ids.iter().all(|id| f.core.get_lead(&f.admin, *id).is_ok()), "no record merged away");
}

/// Three records of one person, two of them with different companies: the one without a company agrees with
/// each, but once it has taken one twin's company the other twin conflicts with it, and that is a person's call.
#[test]
fn enrichment_of_three_records_leaves_the_conflict_a_first_merge_made_to_a_person() {
    let f = fixture();
    let mut ids = Vec::new();
    for company in ["", "Acme", "Globex"] {
        let mut input = lead("Tove", "Ahlgren", "tove.ahlgren33@example.com");
        input.phones = vec!["+44 20 7946 0455".into()];
        input.company = company.into();
        ids.push(f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead.id);
    }
    scan(&f);
    let mut enriched = Vec::new();
    f.core.enrich_same_pairs(&f.admin, &AtomicBool::new(false), &mut |_, _| {}, &mut enriched).unwrap();
    assert_eq!(enriched.len(), 1, "{enriched:?}");
    let left: Vec<String> =
        ids.iter().filter_map(|id| f.core.get_lead(&f.admin, *id).ok()).map(|l| l.company).collect();
    assert_eq!(left.len(), 2, "one merge, two records left: {left:?}");
    let mut companies = left.clone();
    companies.sort();
    assert_eq!(companies, ["Acme", "Globex"], "no company dropped");
    // What the queue holds now, counted as it lists them (the scan's count less the merges would be wrong).
    let queued = f.core.duplicate_queue(&f.admin, 100).unwrap().len() as u32;
    assert_eq!(f.core.open_duplicate_pairs(&f.admin).unwrap(), queued);
    assert_eq!(queued, 1, "the two twins, for a person");
}

/// An edit that changes a field the duplicate check reads (here names and email, which make Bo the same
/// person as Ann) is checked against the other leads again, although edits of other fields skip the check.
#[test]
fn an_edit_of_a_matched_field_is_checked_again() {
    let f = fixture();
    f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@lee.io"), &Origin::manual()).unwrap();
    let bo = f.core.create_lead(&f.admin, &lead("Bo", "Berg", "bo@berg.se"), &Origin::manual()).unwrap().lead;
    assert!(f.core.duplicate_queue(&f.admin, 10).unwrap().is_empty());
    let mut deal = bo.to_input();
    deal.deal.value = "900".into();
    let bo = f.core.update_lead(&f.admin, bo.id, bo.version, &deal, &Origin::manual()).unwrap().lead;
    assert!(f.core.duplicate_queue(&f.admin, 10).unwrap().is_empty());
    let mut same = bo.to_input();
    same.first_name = "Ann".into();
    same.last_name = "Lee".into();
    same.emails = vec!["ann@lee.io".into()];
    f.core.update_lead(&f.admin, bo.id, bo.version, &same, &Origin::manual()).unwrap();
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 1, "the edited lead is paired with Ann");
    // Edited apart again (a typo fixed: another person): the pair leaves the queue rather than waiting there with
    // evidence that no longer holds, to be merged by a bulk accept.
    let ann_again = f.core.get_lead(&f.admin, bo.id).unwrap();
    let mut apart = ann_again.to_input();
    apart.first_name = "Bo".into();
    apart.last_name = "Berg".into();
    apart.emails = vec!["bo@berg.se".into()];
    f.core.update_lead(&f.admin, bo.id, ann_again.version, &apart, &Origin::manual()).unwrap();
    assert!(f.core.duplicate_queue(&f.admin, 10).unwrap().is_empty(), "the stale pair is gone");
}

/// Each lead's prepared fields as stored for the check, in lead order (ids left out: another file numbers its
/// leads its own way).
fn stored_fields(f: &Fixture) -> Vec<String> {
    let c = f.sql();
    let mut stmt = c.prepare("SELECT prepared FROM match_fields ORDER BY lead_id").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
}

/// What a fresh database stores for leads holding exactly what `f`'s leads hold now.
fn fields_of_a_fresh_copy(f: &Fixture) -> Vec<String> {
    let copy = fixture();
    let c = f.sql();
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM leads ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for id in ids {
        let input = f.core.get_lead(&f.admin, id).unwrap().to_input();
        copy.core.create_lead(&copy.admin, &input, &Origin::manual()).unwrap();
    }
    stored_fields(&copy)
}

#[test]
fn the_fields_the_check_reads_follow_an_edit_a_merge_and_an_unmerge() {
    let f = fixture();
    let (robert, bob) = book(&f);
    assert_eq!(stored_fields(&f).len(), 8);
    assert_eq!(stored_fields(&f), fields_of_a_fresh_copy(&f), "as created");
    let b = f.core.get_lead(&f.admin, bob).unwrap();
    let mut edited = b.to_input();
    edited.first_name = "Roberto".into();
    edited.emails = vec!["r.alves@elsewhere.example".into()];
    edited.address.street = "8 Salsola Street".into();
    f.core.update_lead(&f.admin, bob, b.version, &edited, &Origin::manual()).unwrap();
    let after_edit = stored_fields(&f);
    assert_eq!(after_edit, fields_of_a_fresh_copy(&f), "after an edit");
    let merged = f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap();
    assert_eq!(stored_fields(&f).len(), 7, "a merged lead's fields leave with it");
    assert_eq!(stored_fields(&f), fields_of_a_fresh_copy(&f), "after a merge");
    f.core.unmerge(&f.admin, merged.merge_id).unwrap();
    assert_eq!(stored_fields(&f), after_edit, "an unmerge puts back what was there");
}

#[test]
fn folding_the_recent_keys_changes_nothing_the_check_finds() {
    let f = fixture();
    book(&f);
    let probes = [
        lead("Robert", "Alves", "robert.alves71@example.com"),
        lead("Rob", "Alves", "rob@acme.example"),
        lead("Erin", "Walsh", "erin.walsh12@example.org"),
    ];
    let found = |f: &Fixture| -> Vec<Vec<rapport_core::duplicates::PossibleDuplicate>> {
        probes.iter().map(|p| f.core.possible_duplicates(&f.admin, p, 20).unwrap()).collect()
    };
    let before = found(&f);
    assert!(before.iter().filter(|d| !d.is_empty()).count() >= 2, "the probes are flagged: {before:?}");
    let keys = |f: &Fixture, table: &str| -> Vec<(i64, String, i64)> {
        let c = f.sql();
        let mut stmt = c.prepare(&format!("SELECT key, sig, lead_id FROM {table} ORDER BY 1, 2, 3")).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    let recent = keys(&f, "match_keys_recent");
    assert!(!recent.is_empty() && keys(&f, "match_keys").is_empty(), "saves write the recent table");
    assert_eq!(f.core.fold_match_keys().unwrap(), recent.len() as u64);
    assert_eq!(keys(&f, "match_keys"), recent, "every key moved, none changed");
    assert!(keys(&f, "match_keys_recent").is_empty());
    assert_eq!(found(&f), before);
}

/// Stopping a scan is asked of the core like the scan itself: somebody who may not scan every lead may not stop
/// one either (the flag is left as it was).
#[test]
fn only_who_may_scan_may_stop_a_scan() {
    let f = fixture();
    let flag = AtomicBool::new(false);
    let viewer = f.user("vic", Role::Viewer, &[]);
    let err = f.core.cancel_duplicate_scan(&viewer, &flag).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    assert!(!flag.load(Ordering::Relaxed));
    f.core.cancel_duplicate_scan(&f.admin, &flag).unwrap();
    assert!(flag.load(Ordering::Relaxed));
}

/// Version 12 folds letters of other scripts differently ("ß" as "ss", Indic vowel signs kept): the leads
/// stored with such letters are indexed again on upgrade, so a new lead spelling the name plainly finds them;
/// leads of plain ASCII are left as they are (the upgrade of a large store reads only the few concerned).
#[test]
fn the_leads_whose_names_fold_differently_are_indexed_again_on_upgrade() {
    let f = fixture();
    let mut anna = lead("Anna", "Weiß", "anna@weiss.example");
    anna.address.city = "Berlin".into();
    let anna = f.core.create_lead(&f.admin, &anna, &Origin::manual()).unwrap().lead.id;
    let bob = f.core.create_lead(&f.admin, &lead("Bob", "Lee", "bob@lee.example"), &Origin::manual()).unwrap().lead.id;
    let mut tanaka = lead("", "Tanaka", "tanaka@sony.example");
    tanaka.company = "Sony".into();
    let tanaka = f.core.create_lead(&f.admin, &tanaka, &Origin::manual()).unwrap().lead.id;
    // As version 11 left them: Anna's keys and fields of the old folding (here: none that meet the new ones).
    let c = f.sql();
    // Tanaka's, of one name, lacked the key such leads have now.
    for table in ["match_keys", "match_keys_recent"] {
        c.execute(&format!("DELETE FROM {table} WHERE lead_id IN (?1, ?2)"), [anna, tanaka]).unwrap();
    }
    c.execute("UPDATE match_fields SET prepared = 'written by version 11' WHERE lead_id IN (?1, ?2)", [anna, bob])
        .unwrap();
    common::pretend_version(&c, 11);
    drop(c);
    let Fixture { dir, path, core, .. } = f;
    drop(core);

    let core = Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", common::PASSWORD).unwrap();
    let mut twin = lead("Anna", "Weiss", "anna.weiss@other.example");
    twin.address.city = "Berlin".into();
    let found = core.possible_duplicates(&admin, &twin, 5).unwrap();
    assert!(found.iter().any(|d| d.lead.id == anna), "{found:?}");
    let stored = |id: i64| -> String {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.query_row("SELECT prepared FROM match_fields WHERE lead_id = ?1", [id], |r| r.get(0)).unwrap()
    };
    assert!(stored(anna).contains("weiss"), "{}", stored(anna));
    assert_eq!(stored(bob), "written by version 11", "plain ASCII is not read again");
    let keys: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM match_keys_recent WHERE lead_id = ?1", [tanaka], |r| r.get(0))
        .unwrap();
    assert!(keys > 0, "the lead of one name is indexed again");
    drop(dir);
}

/// A merge brings the merged lead's activities to the survivor, and its last activity too: the stagnation
/// sweep reads only that, and would take a survivor called yesterday through its twin for a stale lead.
#[test]
fn a_merge_carries_the_last_activity_to_the_survivor() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let call = rapport_core::pipeline::NewActivity {
        kind: Some(rapport_core::pipeline::ActivityKind::Call),
        subject: "Called about the renewal".into(),
        ..Default::default()
    };
    f.core.log_activity(&f.admin, bob, &call).unwrap();
    let last = |id: i64| -> Option<String> {
        f.sql().query_row("SELECT last_activity_at FROM leads WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    };
    let bobs = last(bob);
    assert!(bobs.is_some() && last(robert) != bobs);
    f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap();
    assert_eq!(last(robert), bobs);
}

#[test]
fn an_unmerge_gives_each_lead_back_the_last_activity_of_its_own_activities() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let call = rapport_core::pipeline::NewActivity {
        kind: Some(rapport_core::pipeline::ActivityKind::Call),
        subject: "Called about the renewal".into(),
        done_at: Some("2026-11-20T10:00:00Z".into()),
        ..Default::default()
    };
    let call = f.core.log_activity(&f.admin, bob, &call).unwrap();
    let last = |id: i64| -> Option<String> {
        f.sql().query_row("SELECT last_activity_at FROM leads WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    };
    assert_eq!(last(robert), None);
    let merge = f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap().merge_id;
    assert!(last(robert).is_some());
    f.core.unmerge(&f.admin, merge).unwrap();
    // Bob's call is Bob's again: Robert was never called, and the stagnation sweep must see him so.
    assert_eq!(last(robert), None);
    assert_eq!(last(bob), call.done_at);
}

#[test]
fn a_task_of_a_merged_lead_is_completed_from_the_lead_it_was_merged_into() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let task = renewal_task(&f, bob);
    let merge = f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap().merge_id;
    // The survivor's timeline shows the task with a Done button: pressing it must work.
    let shown = f.core.lead_activities(&f.admin, robert).unwrap();
    assert!(shown.iter().any(|a| a.id == task.id && a.done_at.is_none()));
    let done = f.core.complete_activity(&f.admin, task.id).unwrap();
    assert!(done.done_at.is_some());
    let last = |id: i64| -> Option<String> {
        f.sql().query_row("SELECT last_activity_at FROM leads WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    };
    // The inactivity clock that moves is the one of the lead that is worked: the survivor.
    assert_eq!(last(robert), done.done_at);
    // Taken back, the task and its time go with Bob.
    f.core.unmerge(&f.admin, merge).unwrap();
    assert_eq!(last(robert), None);
    assert_eq!(last(bob), done.done_at);
}

#[test]
fn a_merged_leads_task_is_not_completed_by_who_may_not_see_the_survivor() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let task = renewal_task(&f, bob);
    f.sql().execute("UPDATE leads SET campaign = 'North' WHERE id IN (?1, ?2)", [robert, bob]).unwrap();
    f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap();
    let south = f.user("sam", Role::Editor, &["South"]);
    let before = f.dump();
    let err = f.core.complete_activity(&south, task.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(f.dump(), before);
}

#[test]
fn a_merged_leads_task_of_another_campaign_stays_its_own_on_a_visible_survivor() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let task = renewal_task(&f, bob);
    f.sql().execute("UPDATE leads SET campaign = 'North' WHERE id = ?1", [robert]).unwrap();
    f.sql().execute("UPDATE leads SET campaign = 'South' WHERE id = ?1", [bob]).unwrap();
    f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap();
    let nina = f.user("nina", Role::Editor, &["North"]);
    // Nina sees Robert, not the South lead merged into him, nor its task.
    assert!(f.core.lead_activities(&nina, robert).unwrap().iter().all(|a| a.id != task.id));
    let before = f.dump();
    let err = f.core.complete_activity(&nina, task.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(f.dump(), before);
}

/// An open task on lead `id`: "Send the renewal quote", due at the end of the month.
fn renewal_task(f: &Fixture, id: i64) -> rapport_core::pipeline::Activity {
    let task = rapport_core::pipeline::NewActivity {
        kind: Some(rapport_core::pipeline::ActivityKind::Task),
        subject: "Send the renewal quote".into(),
        due_at: Some("2026-11-30T10:00:00Z".into()),
        ..Default::default()
    };
    f.core.log_activity(&f.admin, id, &task).unwrap()
}

/// An unmerge says the two were different people: the pair is set aside, so the next scan neither queues it
/// again nor lets enrichment merge it again unasked.
#[test]
fn an_unmerged_pair_is_set_aside_and_not_merged_again_by_the_next_scan() {
    let f = fixture();
    let (robert, bob) = book(&f);
    let merge = f.core.merge_leads(&f.admin, robert, &[bob], &[]).unwrap().merge_id;
    f.core.unmerge(&f.admin, merge).unwrap();
    scan(&f);
    assert!(f.core.get_lead(&f.admin, bob).is_ok(), "enrichment did not merge them again");
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    assert!(queue.iter().all(|p| ![p.a.id, p.b.id].contains(&robert) || ![p.a.id, p.b.id].contains(&bob)), "{queue:?}");
    // The history says so.
    let status: String = f
        .sql()
        .query_row(
            "SELECT status FROM duplicate_pairs WHERE lead_a = ?1 AND lead_b = ?2",
            [robert.min(bob), robert.max(bob)],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "not_duplicate");
}

/// Names are folded without breaking words at their letters' own marks since version 16: the leads with text
/// outside plain ASCII are indexed again on upgrade (their prepared fields written anew), the others left.
#[test]
fn names_with_voicing_marks_are_indexed_again_on_upgrade_to_16() {
    let f = fixture();
    let goto =
        f.core.create_lead(&f.admin, &lead("Ken", "ごとう", "ken@goto.example"), &Origin::manual()).unwrap().lead.id;
    let bob = f.core.create_lead(&f.admin, &lead("Bob", "Lee", "bob@lee.example"), &Origin::manual()).unwrap().lead.id;
    let c = f.sql();
    c.execute("UPDATE match_fields SET prepared = 'written by version 15' WHERE lead_id IN (?1, ?2)", [goto, bob])
        .unwrap();
    common::pretend_version(&c, 15);
    drop(c);
    let Fixture { dir, path, core, .. } = f;
    drop(core);
    Rapport::open(&path).unwrap();
    let stored = |id: i64| -> String {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.query_row("SELECT prepared FROM match_fields WHERE lead_id = ?1", [id], |r| r.get(0)).unwrap()
    };
    assert!(stored(goto).contains("ご") || stored(goto).contains("こ\u{3099}"), "{}", stored(goto));
    assert!(!stored(goto).contains("こ と"), "{}", stored(goto));
    assert_eq!(stored(bob), "written by version 15", "plain ASCII is not read again");
    drop(dir);
}

/// Since version 18 a company written with initials and full stops is keyed as written without them, and a
/// googlemail.com address as gmail.com: the leads holding such are indexed again on upgrade, the others left.
#[test]
fn companies_with_initials_and_googlemail_addresses_are_indexed_again_on_upgrade_to_18() {
    let f = fixture();
    let mut acme = lead("Ann", "Lee", "ann@acme.example");
    acme.company = "Acme L.L.C.".into();
    let acme = f.core.create_lead(&f.admin, &acme, &Origin::manual()).unwrap().lead.id;
    let google =
        f.core.create_lead(&f.admin, &lead("Bo", "Chan", "bo.chan@googlemail.com"), &Origin::manual()).unwrap().lead.id;
    let plain = f.core.create_lead(&f.admin, &lead("Cy", "Day", "cy@day.example"), &Origin::manual()).unwrap().lead.id;
    let c = f.sql();
    for id in [acme, google, plain] {
        c.execute("UPDATE match_fields SET prepared = 'written by version 17' WHERE lead_id = ?1", [id]).unwrap();
    }
    common::pretend_version(&c, 17);
    drop(c);
    let Fixture { dir, path, core, .. } = f;
    drop(core);
    Rapport::open(&path).unwrap();
    let stored = |id: i64| -> String {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.query_row("SELECT prepared FROM match_fields WHERE lead_id = ?1", [id], |r| r.get(0)).unwrap()
    };
    assert!(stored(acme).contains("acme") && !stored(acme).contains("l l c"), "{}", stored(acme));
    assert!(stored(google).contains("gmail.com"), "{}", stored(google));
    assert_eq!(stored(plain), "written by version 17", "a lead without either is not read again");
    drop(dir);
}

/// A steward's "not a duplicate", reopened by a later save that changes what the pair is compared on, is in the
/// change log of that save (who, when, old and new), as a scan's reopening is.
#[test]
fn a_save_that_reopens_a_decided_pair_logs_it() {
    let f = fixture();
    f.core.create_lead(&f.admin, &lead("Robert", "Alves", "robert.alves71@example.com"), &Origin::manual()).unwrap();
    let b = f
        .core
        .create_lead(&f.admin, &lead("Bob", "Alves", "robert.alves71@example.com"), &Origin::manual())
        .unwrap()
        .lead;
    let pair = f.core.duplicate_queue(&f.admin, 10).unwrap()[0].id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
    let mut input = b.to_input();
    input.phones = vec!["+44 20 7946 0991".into()];
    let saved = f.core.update_lead(&f.admin, b.id, b.version, &input, &Origin::manual()).unwrap();
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 1, "the pair is open again");
    let logged: Vec<(i64, String, String)> = f
        .sql()
        .prepare("SELECT batch_id, old_value, new_value FROM change_log WHERE entity = 'duplicate_pair' AND entity_id = ?1 AND field = 'status' ORDER BY id")
        .unwrap()
        .query_map([pair], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let last = logged.last().unwrap();
    assert_eq!(
        (last.0, last.1.as_str(), last.2.as_str()),
        (saved.batch_id.unwrap(), "not_duplicate", "open"),
        "{logged:?}"
    );
}

/// A data steward of one campaign: enrichment counts and merges that campaign's pairs only, and a bulk accept
/// answers a pair of another campaign as it answers one that does not exist, set aside or not.
#[test]
fn a_stewards_enrichment_and_bulk_accept_tell_nothing_of_other_campaigns() {
    let f = fixture();
    let twins = |first: &str, email: &str, campaign: &str| {
        for company in ["", "Quist & Co"] {
            let mut input = lead(first, "Quist", email);
            input.company = company.into();
            input.campaign = campaign.into();
            f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
        }
    };
    twins("Nora", "nora.quist58@example.com", "Spring");
    twins("Olga", "olga.quist77@example.com", "Autumn");
    twins("Pia", "pia.quist12@example.com", "Autumn");
    scan(&f);
    let all = f.core.duplicate_queue(&f.admin, 10).unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    let autumn: Vec<i64> = all.iter().filter(|p| p.a.campaign == "Autumn").map(|p| p.id).collect();
    f.core.mark_not_duplicate(&f.admin, autumn[0]).unwrap();
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    f.core.set_data_steward(&f.admin, spring.user_id().unwrap(), true).unwrap();

    let report = f.core.merge_pairs(&spring, &[autumn[0], autumn[1], 99_999], &mut |_, _| {}).unwrap();
    let reasons: Vec<String> = report.skipped.iter().map(|s| s.reason.replace(&s.pair_id.to_string(), "N")).collect();
    assert_eq!(reasons.len(), 3);
    assert!(reasons.iter().all(|r| *r == reasons[2]), "set aside, open or absent read alike: {reasons:?}");

    let mut steps = Vec::new();
    let mut enriched = Vec::new();
    let cancel = AtomicBool::new(false);
    f.core.enrich_same_pairs(&spring, &cancel, &mut |done, total| steps.push((done, total)), &mut enriched).unwrap();
    assert_eq!(enriched.len(), 1);
    assert_eq!(enriched[0].lead.first_name, "Nora");
    assert!(steps.iter().all(|(_, total)| *total == 1), "only the Spring pair is counted: {steps:?}");
    assert_eq!(f.core.duplicate_queue(&f.admin, 10).unwrap().len(), 1, "Pia's pair is left for Autumn's steward");
}

/// How many leads share a value is counted over every campaign: a steward of one campaign reading "email: the
/// same address; shared with 3 other leads" learnt that other campaigns hold this person's address. They read
/// the evidence without the count; an Administrator with it.
#[test]
fn a_steward_of_one_campaign_is_not_told_how_many_leads_elsewhere_share_a_value() {
    let f = fixture();
    // Enough leads for a scan to learn how common each value is.
    let mut csv = String::from("first_name,last_name,email,campaign\n");
    for i in 0..520 {
        csv.push_str(&format!("Filler{i},Person{i},filler{i}.person@example{i}.org,Spring\n"));
    }
    csv.push_str("Ann,Lee,ann@lee.io,Spring\nAnne,Lee,ann@lee.io,Spring\n");
    for first in ["Bo", "Cy", "Di"] {
        csv.push_str(&format!("{first},Ray,ann@lee.io,Autumn\n"));
    }
    let path = f.dir.path().join("many.csv");
    std::fs::write(&path, csv).unwrap();
    let preview = f.core.preview_import_path(&f.admin, &path, "", "many.csv", None).unwrap();
    let plan =
        rapport_core::imports::ImportPlan { dedup: false, ..rapport_core::imports::ImportPlan::suggested(&preview) };
    f.core.start_import(&f.admin, &path, "many.csv", &plan, &mut |_| {}).unwrap();
    scan(&f);
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    f.core.set_data_steward(&f.admin, spring.user_id().unwrap(), true).unwrap();
    let email_line = |who: &rapport_core::Actor| -> String {
        let queue = f.core.duplicate_queue(who, 50).unwrap();
        let pair = queue.iter().find(|p| p.a.first_name.starts_with("Ann") && p.b.first_name.starts_with("Ann"));
        let pair = pair.unwrap_or_else(|| panic!("the Spring pair: {queue:?}"));
        pair.evidence.iter().find(|e| e.field == "email").map(|e| e.text.clone()).unwrap_or_default()
    };
    let full = email_line(&f.admin);
    assert!(full.contains("shared with 3 other leads"), "{full}");
    let seen = email_line(&spring);
    assert!(seen.starts_with("email: ") && !seen.contains("shared with"), "{seen}");
}

/// A queue longer than a page: its counts and its filters' choices speak of every pair, not of those read, and
/// a filter reads the pairs it lets through from the whole queue.
#[test]
fn the_queue_counts_and_filters_every_pair_not_only_the_first_page() {
    use rapport_core::duplicates::{DuplicatePair, QueueFilter};
    let f = fixture();
    // People typed twice: some exactly (Same), some by name with phones of two countries (Review); in
    // two campaigns and from two sources. Winter holds a lead without a twin. Two job titles make each pair a
    // conflict, so nothing is merged without a person.
    let people = [
        ("Sam", "Stone", "Spring", SourceChannel::DirectEntry, false),
        ("Kim", "Kale", "Spring", SourceChannel::WebForm, false),
        ("Ola", "Berg", "Autumn", SourceChannel::WebForm, false),
        ("Ivo", "Marsh", "Autumn", SourceChannel::DirectEntry, false),
        ("Petra", "Lindqvist", "Spring", SourceChannel::DirectEntry, true),
        ("Aurelio", "Fontana", "Autumn", SourceChannel::Partner, true),
    ];
    for (i, (first, last, campaign, source, slip)) in people.into_iter().enumerate() {
        for copy in 0..2 {
            let email = format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), 40 + i);
            let mut input = lead(first, last, &email);
            if slip {
                // The same name with another country's number: namesakes a person tells apart.
                input = lead(first, last, "");
                input.phones =
                    vec![if copy == 0 { format!("+44 20 7946 01{i}{i}") } else { format!("+1 207 946 01{i}{i}") }];
            }
            input.campaign = campaign.into();
            input.source = Some(source);
            // Pairs whose second lead differs: Kim typed first by hand, then from a web form; Ivo's second record
            // in the other campaign.
            if copy == 0 && first == "Kim" {
                input.source = Some(SourceChannel::DirectEntry);
            }
            if copy == 1 && first == "Ivo" {
                input.campaign = "Spring".into();
            }
            input.job_title = format!("Title {i} {copy}");
            f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
        }
    }
    let mut alone = lead("Wanda", "Winter", "wanda.winter@example.com");
    alone.campaign = "Winter".into();
    f.core.create_lead(&f.admin, &alone, &Origin::manual()).unwrap();
    scan(&f);
    let whole = f.core.duplicate_queue(&f.admin, 1000).unwrap();
    assert!(whole.len() >= 6, "{}", whole.len());
    let tiers: std::collections::HashSet<&str> = whole.iter().map(|p| p.tier.as_str()).collect();
    assert_eq!(tiers.len(), 2, "both tiers are in the queue: {tiers:?}");

    // The first page of two, and how many there are in all.
    let page = f.core.duplicate_queue_page(&f.admin, &QueueFilter::default(), 2).unwrap();
    assert_eq!(page.pairs, whole[..2].to_vec());
    assert_eq!((page.open as usize, page.matching as usize), (whole.len(), whole.len()));

    // Each filter against the whole queue sifted here, pair by pair.
    let lets_through = |q: &QueueFilter, p: &DuplicatePair| {
        q.tier.is_none_or(|t| p.tier == t)
            && (q.campaign.is_empty()
                || [&p.a, &p.b].iter().any(|l| l.campaign.eq_ignore_ascii_case(q.campaign.trim())))
            && q.source.is_none_or(|s| p.a.source == Some(s) || p.b.source == Some(s))
    };
    let filters = [
        QueueFilter { tier: Some(Tier::Same), ..Default::default() },
        QueueFilter { tier: Some(Tier::Review), ..Default::default() },
        QueueFilter { campaign: " spring ".into(), ..Default::default() },
        QueueFilter { source: Some(SourceChannel::WebForm), ..Default::default() },
        QueueFilter {
            campaign: "Autumn".into(),
            source: Some(SourceChannel::Partner),
            tier: Some(Tier::Review),
            ..Default::default()
        },
        QueueFilter { campaign: "Winter".into(), ..Default::default() },
    ];
    for q in &filters {
        let expected: Vec<DuplicatePair> = whole.iter().filter(|p| lets_through(q, p)).cloned().collect();
        let all = f.core.duplicate_queue_page(&f.admin, q, 1000).unwrap();
        assert_eq!(all.pairs, expected, "{q:?}");
        assert_eq!((all.open as usize, all.matching as usize), (whole.len(), expected.len()), "{q:?}");
        let one = f.core.duplicate_queue_page(&f.admin, q, 1).unwrap();
        assert_eq!(one.pairs, expected.iter().take(1).cloned().collect::<Vec<_>>(), "{q:?}");
        assert_eq!((one.open as usize, one.matching as usize), (whole.len(), expected.len()), "{q:?}");
    }
    assert!(filters[..5].iter().all(|q| whole.iter().any(|p| lets_through(q, p))), "each filter finds a pair");
    assert!(filters[..4].iter().all(|q| !whole.iter().all(|p| lets_through(q, p))), "and leaves one out");

    // The choices: the campaigns and sources of the pairs' leads (not Winter's, whose lead has no twin).
    let facets = f.core.duplicate_queue_facets(&f.admin).unwrap();
    assert_eq!(facets.campaigns, ["Autumn", "Spring"]);
    assert_eq!(facets.sources, [SourceChannel::DirectEntry, SourceChannel::WebForm, SourceChannel::Partner]);

    // A steward of Spring: their pairs' counts and choices only, whatever they filter by.
    let spring = f.user("spring", Role::Editor, &["Spring"]);
    f.core.set_data_steward(&f.admin, spring.user_id().unwrap(), true).unwrap();
    let theirs: Vec<DuplicatePair> =
        whole.iter().filter(|p| p.a.campaign == "Spring" && p.b.campaign == "Spring").cloned().collect();
    assert!(!theirs.is_empty() && theirs.len() < whole.len());
    let page = f.core.duplicate_queue_page(&spring, &QueueFilter::default(), 1).unwrap();
    assert_eq!((page.open as usize, page.matching as usize), (theirs.len(), theirs.len()));
    let autumn = QueueFilter { campaign: "Autumn".into(), ..Default::default() };
    let page = f.core.duplicate_queue_page(&spring, &autumn, 10).unwrap();
    assert_eq!((page.pairs.len(), page.open as usize, page.matching), (0, theirs.len(), 0));
    // A page of one, so that the pairs a filter lets through are counted, not taken from a page not full.
    let mut counted_beyond_the_page = false;
    for q in &filters {
        let expected: Vec<DuplicatePair> = theirs.iter().filter(|p| lets_through(q, p)).cloned().collect();
        let one = f.core.duplicate_queue_page(&spring, q, 1).unwrap();
        assert_eq!(one.pairs, expected.iter().take(1).cloned().collect::<Vec<_>>(), "{q:?}");
        assert_eq!((one.open as usize, one.matching as usize), (theirs.len(), expected.len()), "{q:?}");
        counted_beyond_the_page |= expected.len() > 1;
    }
    assert!(counted_beyond_the_page, "a filter lets more of the steward's pairs through than one page holds");
    let facets = f.core.duplicate_queue_facets(&spring).unwrap();
    assert_eq!(facets.campaigns, ["Spring"]);
    assert_eq!(facets.sources, [SourceChannel::DirectEntry, SourceChannel::WebForm]);

    // A Viewer has no queue at all.
    let viewer = f.user("vic", Role::Viewer, &["Spring"]);
    assert_eq!(
        f.core.duplicate_queue_page(&viewer, &QueueFilter::default(), 10).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
    assert_eq!(f.core.duplicate_queue_facets(&viewer).unwrap_err().code(), ErrorCode::PermissionDenied);
}

/// The queue says whether lead B's owner may own the merged lead, and a merge told nothing does as it says: an
/// owner who does not work on A's campaign, or who has left, is not handed the lead.
#[test]
fn the_queue_says_whether_bs_owner_is_handed_the_merged_lead() {
    let f = fixture();
    let spring = f.user("sue", Role::Editor, &["Spring"]);
    let autumn = f.user("bo", Role::Editor, &["Autumn"]);
    let person = |first: &str, campaign: &str, owner: Option<i64>, title: &str| {
        let mut input = lead(first, "Quill", &format!("{}.quill77@example.com", first.to_lowercase()));
        input.campaign = campaign.into();
        input.owner_id = owner;
        input.job_title = title.into();
        f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead.id
    };
    // People typed twice: A without an owner, in Spring or in no campaign; B owned by Sue in Spring, by Bo in
    // Autumn, and by Sue again (who then leaves).
    let cases = [
        (person("Ada", "Spring", None, "one"), person("Ada", "Spring", spring.user_id(), "two"), true),
        (person("Cy", "Spring", None, "one"), person("Cy", "Autumn", autumn.user_id(), "two"), false),
        // A without a campaign takes B's: Bo works on Autumn, so the merged lead is his.
        (person("Di", "", None, "one"), person("Di", "Autumn", autumn.user_id(), "two"), true),
    ];
    let (left_a, left_b) = (person("Eve", "Spring", None, "one"), person("Eve", "Spring", spring.user_id(), "two"));
    scan(&f);
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    let pair_of = |a: i64, b: i64| queue.iter().find(|p| p.a.id == a && p.b.id == b).cloned().unwrap();
    for (a, b, may) in cases {
        assert_eq!(pair_of(a, b).b_owner_may_own, may, "{a} {b}");
    }
    assert!(pair_of(left_a, left_b).b_owner_may_own);
    // Merged without a choice, each survivor has the owner the queue said.
    let ada = f.core.merge_leads(&f.admin, cases[0].0, &[cases[0].1], &[]).unwrap();
    assert_eq!(ada.lead.owner.map(|o| o.id), spring.user_id());
    let cy = f.core.merge_leads(&f.admin, cases[1].0, &[cases[1].1], &[]).unwrap();
    assert_eq!(cy.lead.owner, None);
    let di = f.core.merge_leads(&f.admin, cases[2].0, &[cases[2].1], &[]).unwrap();
    assert_eq!((di.lead.campaign.as_str(), di.lead.owner.map(|o| o.id)), ("Autumn", autumn.user_id()));
    f.deactivate(spring.user_id().unwrap());
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    let eve = queue.iter().find(|p| p.a.id == left_a).unwrap();
    assert!(!eve.b_owner_may_own, "Sue has left");
    let eve = f.core.merge_leads(&f.admin, left_a, &[left_b], &[]).unwrap();
    assert_eq!(eve.lead.owner, None);
}
