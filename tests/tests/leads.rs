#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
mod common;

use common::{fixture, lead};
use rapport_core::leads::ImportMode;
use rapport_core::Origin;
use rapport_core::leads::{LeadStatus, MissingField, SourceChannel};
use rapport_core::users::Role;
use rapport_core::leads::{LeadQuery, LeadSort};
use rapport_core::ErrorCode;

#[test]
fn create_normalizes_contact_points_and_keeps_what_was_typed() {
    let f = fixture();
    let mut input = lead("Ann", "Lee", "  Ann.Lee@Example.COM ");
    input.phones = vec!["(415) 555-2671".into(), "+44 20 7946 0018".into(), "+٣٣ ٦ ١٢ ٣٤ ٥٦ ٧٨".into()];
    let l = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(l.emails[0].address, "Ann.Lee@example.com", "domain lower-cased, local part kept");
    assert_eq!(l.emails[0].original, "Ann.Lee@Example.COM");
    let e164: Vec<&str> = l.phones.iter().map(|p| p.e164.as_str()).collect();
    // No country on the lead: the default region (US) reads national numbers; "+44" keeps its own country.
    assert_eq!(e164[..2], ["+14155552671", "+442079460018"]);
    assert_eq!(e164[2], "+33612345678", "Arabic-Indic digits are read as digits");
    assert_eq!(l.phones[0].original, "(415) 555-2671", "the text as typed is kept beside E.164");
    assert_eq!(l.status, LeadStatus::Active);
    assert!(l.missing.is_empty());
}

#[test]
fn phone_region_follows_the_lead_country_then_the_setting() {
    let f = fixture();
    let mut fr = lead("Léa", "Moreau", "");
    fr.phones = vec!["06 12 34 56 78".into()];
    fr.address.country = "FR".into();
    let l = f.core.create_lead(&f.admin, &fr, &Origin::manual()).unwrap().lead;
    assert_eq!(l.phones[0].e164, "+33612345678");

    f.core.update_settings(&f.admin, &rapport_core::settings::Settings { default_region: "gb".into() }).unwrap();
    let mut gb = lead("Tom", "Hale", "");
    gb.phones = vec!["020 7946 0018".into()];
    let l = f.core.create_lead(&f.admin, &gb, &Origin::manual()).unwrap().lead;
    assert_eq!(l.phones[0].e164, "+442079460018", "default region GB from settings");

    let bad = f.core.update_settings(&f.admin, &rapport_core::settings::Settings { default_region: "XX".into() });
    assert_eq!(bad.unwrap_err().code(), ErrorCode::Validation);
}

#[test]
fn invalid_values_are_reported_per_field_and_nothing_is_written() {
    let f = fixture();
    let before = f.snapshot();
    let mut input = lead("Ann", "Lee", "ann@");
    input.phones = vec!["12".into()];
    input.stage = "nowhere".into();
    let err = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    let fields: Vec<&str> = err.field_errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["emails.0", "phones.0", "stage"]);
    assert!(err.field_errors()[0].message.contains("ann@"), "the message names the value: {}", err);
    assert_eq!(f.snapshot(), before, "a refused lead leaves no trace");
}

#[test]
fn completeness_decides_draft_or_active() {
    let f = fixture();
    let no_contact = f.core.create_lead(&f.admin, &lead("Ann", "Lee", ""), &Origin::manual()).unwrap().lead;
    assert_eq!((no_contact.status, no_contact.missing.clone()), (LeadStatus::Draft, vec![MissingField::ContactPoint]));

    let mut nothing = lead("", "", "x@y.com");
    nothing.source = None;
    let l = f.core.create_lead(&f.admin, &nothing, &Origin::manual()).unwrap().lead;
    assert_eq!(l.missing, vec![MissingField::Name, MissingField::Source]);

    // Completing the draft makes it Active, and the change log says so.
    let mut input = no_contact.to_input();
    input.phones = vec!["+1 415 555 2671".into()];
    let done = f.core.update_lead(&f.admin, no_contact.id, no_contact.version, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(done.status, LeadStatus::Active);
    let history = f.core.lead_history(&f.admin, done.id).unwrap();
    let status_change = history.iter().find(|c| c.field == "status").unwrap();
    assert_eq!(
        (status_change.old_value.as_deref(), status_change.new_value.as_deref()),
        (Some("draft"), Some("active"))
    );
}

#[test]
fn updates_log_each_changed_field_and_refuse_stale_versions() {
    let f = fixture();
    let editor = f.user("ed", Role::Editor, &[]);
    let l = f.core.create_lead(&editor, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let mut input = l.to_input();
    input.company = "Acme".into();
    input.emails.push("ann@acme.com".into());
    let l2 = f.core.update_lead(&editor, l.id, l.version, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(l2.version, l.version + 1);

    let history = f.core.lead_history(&f.admin, l.id).unwrap();
    let fields: Vec<(&str, Option<&str>, Option<&str>)> =
        history.iter().map(|c| (c.field.as_str(), c.old_value.as_deref(), c.new_value.as_deref())).collect();
    assert_eq!(fields[0], ("emails", Some("ann@x.com"), Some("ann@x.com; ann@acme.com")));
    assert_eq!(fields[1], ("company", Some(""), Some("Acme")));
    assert_eq!(fields[2].0, "*", "the creation is the oldest entry");
    assert!(history.iter().all(|c| c.actor_name == "ed"));
    assert_eq!(history[0].batch_id, history[1].batch_id, "one save is one batch");

    // An edit made on the old version would silently undo Acme: refused.
    let mut stale = l.to_input();
    stale.job_title = "CEO".into();
    let err = f.core.update_lead(&editor, l.id, l.version, &stale, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(f.core.get_lead(&editor, l.id).unwrap().company, "Acme");

    // Saving without a change writes nothing.
    let rows = f.count("change_log");
    f.core.update_lead(&editor, l.id, l2.version, &l2.to_input(), &Origin::manual()).unwrap().lead;
    assert_eq!(f.count("change_log"), rows);
}

#[test]
fn unknown_lead_ids_are_not_found() {
    let f = fixture();
    let bad_cursor = LeadQuery { after: Some("not a cursor".into()), ..Default::default() };
    assert_eq!(f.core.list_leads(&f.admin, &bad_cursor).unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(f.core.get_lead(&f.admin, 4242).unwrap_err().code(), ErrorCode::NotFound);
    let err = f.core.update_lead(&f.admin, 4242, 1, &lead("A", "B", ""), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(f.core.lead_history(&f.admin, 4242).unwrap_err().code(), ErrorCode::NotFound);
}

#[test]
fn search_finds_names_emails_phones_and_follows_edits() {
    let f = fixture();
    let mut a = lead("Zoë", "Müller", "zoe.mueller@brightline.de");
    a.phones = vec!["+49 30 901820".into()];
    a.company = "Brightline Labs".into();
    a.notes = "Met at the Hannover fair".into();
    let a = f.core.create_lead(&f.admin, &a, &Origin::manual()).unwrap().lead;
    f.core.create_lead(&f.admin, &lead("Bob", "Stone", "bob@stone.io"), &Origin::manual()).unwrap().lead;

    let search = |text: &str| -> Vec<i64> {
        let q = LeadQuery { text: text.into(), limit: 20, ..Default::default() };
        f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect()
    };
    for q in ["mül", "muller", "zoe", "brightl", "zoe.mueller@bright", "030 901", "+49 30 9018", "hannover"] {
        assert_eq!(search(q), vec![a.id], "search {q:?}");
    }
    assert!(search("nobody").is_empty());
    assert!(search("\"").is_empty(), "FTS syntax in the box is not an error");

    let mut input = a.to_input();
    input.last_name = "Schmidt".into();
    f.core.update_lead(&f.admin, a.id, a.version, &input, &Origin::manual()).unwrap().lead;
    assert!(search("müller").is_empty(), "the index forgets the old name in the same transaction");
    assert_eq!(search("schmi"), vec![a.id]);
}

#[test]
fn list_filters_sorts_and_pages_without_gaps() {
    let f = fixture();
    let owner = f.user("olga", Role::Editor, &[]);
    let owner_id = owner.user_id();
    for i in 0..25 {
        let mut l = lead(&format!("P{i:02}"), &format!("Name{:02}", 24 - i), &format!("p{i}@x.com"));
        if i % 5 == 0 {
            l.emails.clear();
        }
        l.tags = if i % 2 == 0 { vec!["vip".into()] } else { vec![] };
        l.campaign = if i < 10 { "Spring".into() } else { "Fall".into() };
        l.stage = if i % 3 == 0 { "qualification".into() } else { String::new() };
        l.source = Some(if i % 4 == 0 { SourceChannel::Partner } else { SourceChannel::WebForm });
        l.owner_id = if i % 2 == 1 { owner_id } else { None };
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead;
    }
    let ids = |q: LeadQuery| f.core.list_leads(&f.admin, &q).unwrap().items.len();
    assert_eq!(ids(LeadQuery { status: Some(LeadStatus::Draft), limit: 100, ..Default::default() }), 5);
    assert_eq!(ids(LeadQuery { tag: Some("VIP".into()), limit: 100, ..Default::default() }), 13);
    assert_eq!(ids(LeadQuery { campaign: Some("spring".into()), limit: 100, ..Default::default() }), 10);
    assert_eq!(ids(LeadQuery { stage: Some("qualification".into()), limit: 100, ..Default::default() }), 9);
    assert_eq!(ids(LeadQuery { source: Some(SourceChannel::Partner), limit: 100, ..Default::default() }), 7);
    assert_eq!(ids(LeadQuery { owner_id, limit: 100, ..Default::default() }), 12);

    for sort in [LeadSort::UpdatedAt, LeadSort::CreatedAt, LeadSort::LastName, LeadSort::Company] {
        for ascending in [false, true] {
            let mut seen = Vec::new();
            let mut q = LeadQuery { sort, ascending, limit: 7, ..Default::default() };
            loop {
                let page = f.core.list_leads(&f.admin, &q).unwrap();
                seen.extend(page.items.iter().map(|l| (l.last_name.clone(), l.id)));
                match page.next_cursor {
                    Some(c) => q.after = Some(c),
                    None => break,
                }
            }
            let mut unique: Vec<i64> = seen.iter().map(|s| s.1).collect();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 25, "{sort:?} asc={ascending}: every lead exactly once across pages");
            assert_eq!(seen.len(), 25);
            if sort == LeadSort::LastName {
                let names: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
                let mut sorted = names.clone();
                sorted.sort();
                if !ascending {
                    sorted.reverse();
                }
                assert_eq!(names, sorted);
            }
        }
    }
}

#[test]
fn campaign_isolation_limits_what_a_team_sees_and_touches() {
    let f = fixture();
    let spring = f
        .core
        .create_lead(
            &f.admin,
            &{
                let mut l = lead("S", "One", "s@x.com");
                l.campaign = "Spring Expo".into();
                l
            },
            &Origin::manual(),
        )
        .unwrap()
        .lead;
    let fall = f
        .core
        .create_lead(
            &f.admin,
            &{
                let mut l = lead("F", "Two", "f@x.com");
                l.campaign = "Fall Webinar".into();
                l
            },
            &Origin::manual(),
        )
        .unwrap()
        .lead;
    let team = f.user("spring-team", Role::Editor, &["spring expo"]);

    let visible: Vec<i64> = f
        .core
        .list_leads(&team, &LeadQuery { limit: 50, ..Default::default() })
        .unwrap()
        .items
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(visible, vec![spring.id]);
    let found = f.core.list_leads(&team, &LeadQuery { text: "two".into(), limit: 50, ..Default::default() }).unwrap();
    assert!(found.items.is_empty(), "search respects the scope too");
    assert_eq!(f.core.get_lead(&team, fall.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(f.core.lead_history(&team, fall.id).unwrap_err().code(), ErrorCode::NotFound);
    let err = f.core.update_lead(&team, fall.id, fall.version, &fall.to_input(), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    // Moving a lead out of one's campaigns, or creating one elsewhere, is refused.
    let mut moved = spring.to_input();
    moved.campaign = "Fall Webinar".into();
    let err = f.core.update_lead(&team, spring.id, spring.version, &moved, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);
    let mut elsewhere = lead("E", "Three", "e@x.com");
    elsewhere.campaign = "Fall Webinar".into();
    assert_eq!(
        f.core.create_lead(&team, &elsewhere, &Origin::manual()).unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
    let mut export = Vec::new();
    f.core
        .for_each_lead(&team, &mut |l| -> rapport_core::Result<()> {
            export.push(l.id);
            Ok(())
        })
        .unwrap();
    assert_eq!(export, vec![spring.id], "export is scoped as well");
}

#[test]
fn import_is_all_or_nothing_unless_told_to_skip() {
    let f = fixture();
    let rows =
        vec![(2, lead("A", "One", "a@x.com")), (3, lead("B", "Two", "not-an-email")), (4, lead("C", "Three", ""))];
    let before = f.snapshot();
    let out = f
        .core
        .import_leads(&f.admin, &rows, &Origin::import("people.csv"), ImportMode::AllOrNothing, &mut |_| {})
        .unwrap();
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.rejected[0].line, 3);
    assert!(out.created.is_empty());
    assert_eq!(f.snapshot(), before);

    let mut progress = Vec::new();
    let out = f
        .core
        .import_leads(&f.admin, &rows, &Origin::import("people.csv"), ImportMode::SkipInvalid, &mut |p| {
            progress.push((p.done, p.total))
        })
        .unwrap();
    assert_eq!((out.created.len(), out.drafts), (2, 1));
    assert_eq!(progress.last(), Some(&(2, 2)));
    let h = f.core.lead_history(&f.admin, out.created[0]).unwrap();
    assert_eq!((h[0].reason.as_str(), h[0].source_ref.as_str()), ("import", "people.csv"));
}

#[test]
fn counts_facets_and_the_user_directory_follow_filters_and_scope() {
    let f = fixture();
    for (i, (campaign, tag)) in [("Spring", "vip"), ("spring", "event"), ("Fall", "vip"), ("", "")].iter().enumerate() {
        let mut l = lead(&format!("N{i}"), "Count", &format!("n{i}@x.com"));
        l.campaign = campaign.to_string();
        l.tags = if tag.is_empty() { vec![] } else { vec![tag.to_string()] };
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead;
    }
    let all = f.core.count_leads(&f.admin, &LeadQuery::default()).unwrap();
    assert_eq!((all.count, all.more), (4, false));
    let vip = f.core.count_leads(&f.admin, &LeadQuery { tag: Some("vip".into()), ..Default::default() }).unwrap();
    assert_eq!(vip.count, 2);
    let searched = f.core.count_leads(&f.admin, &LeadQuery { text: "n1".into(), ..Default::default() }).unwrap();
    assert_eq!(searched.count, 1);

    let facets = f.core.lead_facets(&f.admin).unwrap();
    assert_eq!(facets.campaigns.len(), 2, "campaigns differ only in case count once: {:?}", facets.campaigns);
    assert!(
        facets.campaigns.iter().any(|c| c.eq_ignore_ascii_case("spring"))
            && facets.campaigns.contains(&"Fall".to_string())
    );
    assert_eq!(facets.tags, vec!["event".to_string(), "vip".to_string()]);

    let team = f.user("fall-team", Role::Editor, &["Fall"]);
    assert_eq!(f.core.count_leads(&team, &LeadQuery::default()).unwrap().count, 1);
    let scoped = f.core.lead_facets(&team).unwrap();
    assert_eq!((scoped.campaigns, scoped.tags), (vec!["Fall".to_string()], vec!["vip".to_string()]));

    // A deactivated user is still named in the directory (history must name them), not among owners.
    let gone = f.user("gone", Role::Editor, &[]).user_id().unwrap();
    let off = rapport_core::users::UserInput {
        username: "gone".into(),
        display_name: "Gone Away".into(),
        role: Role::Editor,
        active: false,
        campaigns: vec![],
    };
    f.core.update_user(&f.admin, gone, &off).unwrap();
    assert!(f.core.user_directory(&team).unwrap().iter().any(|u| u.id == gone && u.name == "Gone Away"));
    assert!(!f.core.owners(&team).unwrap().iter().any(|u| u.id == gone));
}

#[test]
fn a_save_can_be_undone_unless_it_was_edited_again() {
    let f = fixture();
    let mut input = lead("Ann", "Lee", "ann@x.com");
    input.phones = vec!["(415) 555-2671".into()];
    input.tags = vec!["vip".into()];
    let v1 = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;

    let mut edit = v1.to_input();
    edit.company = "Acme".into();
    edit.emails = vec!["ann@acme.com".into(), "ann@x.com".into()];
    edit.phones = vec!["+1 415 555 0000".into()];
    edit.tags = vec![];
    let v2 = f.core.update_lead(&f.admin, v1.id, v1.version, &edit, &Origin::manual()).unwrap().lead;
    let save = f.core.lead_history(&f.admin, v1.id).unwrap()[0].batch_id;

    let back = f.core.undo_lead_change(&f.admin, v1.id, save).unwrap().lead;
    assert_eq!(back.company, "");
    assert_eq!(back.emails, v1.emails);
    assert_eq!(back.phones, v1.phones, "numbers come back as they were typed");
    assert_eq!(back.tags, v1.tags);
    assert_eq!(back.version, v2.version + 1, "an undo is a change of its own");
    let h = f.core.lead_history(&f.admin, v1.id).unwrap();
    assert_eq!(h[0].source_ref, format!("undo of change {save}"));

    // Undoing the undo's original again now conflicts: the fields no longer hold what that save wrote.
    assert_eq!(f.core.undo_lead_change(&f.admin, v1.id, save).unwrap_err().code(), ErrorCode::Conflict);
    let created = h.last().unwrap().batch_id;
    assert_eq!(f.core.undo_lead_change(&f.admin, v1.id, created).unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(f.core.undo_lead_change(&f.admin, v1.id, 9999).unwrap_err().code(), ErrorCode::NotFound);
    let viewer = f.user("v", Role::Viewer, &[]);
    assert_eq!(f.core.undo_lead_change(&viewer, v1.id, save).unwrap_err().code(), ErrorCode::PermissionDenied);
}
