#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
mod common;

use common::{fixture, lead, Fixture};
use rapport_core::leads::{
    ExportProgress, ImportMode, ImportPhase, LeadInput, LeadQuery, LeadSort, LeadStatus, MissingField, SourceChannel,
};
use rapport_core::users::{Role, UserInput};
use rapport_core::ErrorCode;
use rapport_core::Origin;

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

    f.core
        .update_settings(
            &f.admin,
            &rapport_core::settings::Settings { default_region: "gb".into(), default_currency: String::new() },
        )
        .unwrap();
    let mut gb = lead("Tom", "Hale", "");
    gb.phones = vec!["020 7946 0018".into()];
    let l = f.core.create_lead(&f.admin, &gb, &Origin::manual()).unwrap().lead;
    assert_eq!(l.phones[0].e164, "+442079460018", "default region GB from settings");

    let bad = f.core.update_settings(
        &f.admin,
        &rapport_core::settings::Settings { default_region: "XX".into(), default_currency: String::new() },
    );
    assert_eq!(bad.unwrap_err().code(), ErrorCode::Validation);
}

#[test]
fn invalid_values_are_reported_per_field_and_nothing_is_written() {
    let f = fixture();
    let before = f.dump();
    let mut input = lead("Ann", "Lee", "ann@");
    input.phones = vec!["12".into()];
    input.stage = "nowhere".into();
    let err = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    let errors = err.field_errors();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["emails.0", "phones.0", "stage"]);
    assert!(err.field_errors()[0].message.contains("ann@"), "the message names the value: {}", err);
    assert_eq!(f.dump(), before, "a refused lead leaves no trace");
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
    // The addresses as typed are logged beside them (as phones are), so an undo gives their spelling back.
    assert_eq!(fields[0], ("emails_as_entered", Some("ann@x.com"), Some("ann@x.com; ann@acme.com")));
    assert_eq!(fields[1], ("emails", Some("ann@x.com"), Some("ann@x.com; ann@acme.com")));
    assert_eq!(fields[2], ("company", Some(""), Some("Acme")));
    assert_eq!(fields[3].0, "*", "the creation is the oldest entry");
    assert!(history.iter().all(|c| c.actor_name == "ed"));
    assert!(history[..3].iter().all(|c| c.batch_id == history[0].batch_id), "one save is one batch");

    // An edit made on the old version would silently undo Acme: refused.
    let mut stale = l.to_input();
    stale.job_title = "CEO".into();
    let err = f.core.update_lead(&editor, l.id, l.version, &stale, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(f.core.get_lead(&editor, l.id).unwrap().company, "Acme");

    // Saving without a change writes nothing: no log row, no new version, no touched time or index.
    let before = f.dump();
    f.core.update_lead(&editor, l.id, l2.version, &l2.to_input(), &Origin::manual()).unwrap();
    assert_eq!(f.dump(), before);
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
    f.core.create_lead(&f.admin, &lead("Bob", "Stone", "bob@stone.io"), &Origin::manual()).unwrap();

    let search = |text: &str| -> Vec<i64> {
        let q = LeadQuery { text: text.into(), limit: 20, ..Default::default() };
        f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect()
    };
    // A phone as it is written in German-speaking countries, and in Britain's "(0)" style.
    for q in [
        "mül",
        "muller",
        "zoe",
        "brightl",
        "zoe.mueller@bright",
        "030 901",
        "+49 30 9018",
        "hannover",
        "030/901820",
        "+49 (0)30 901820",
        // Dialled from North America, and from Russia the older way.
        "011 49 30 901820",
        "810 49 30 901820",
    ] {
        assert_eq!(search(q), vec![a.id], "search {q:?}");
    }
    // Moscow's number as Russians write it, with the trunk 8; counted as listed.
    let mut ivan = lead("Ivan", "Petrov", "ivan@petrov.example");
    ivan.phones = vec!["+7 495 123-45-67".into()];
    let ivan = f.core.create_lead(&f.admin, &ivan, &Origin::manual()).unwrap().lead;
    for q in ["8 (495) 123-45-67", "84951234567"] {
        assert_eq!(search(q), vec![ivan.id], "search {q:?}");
        let n = f.core.count_leads(&f.admin, &LeadQuery { text: q.into(), ..Default::default() }).unwrap();
        assert_eq!(n.count, 1, "count {q:?}");
    }
    // A Budapest number as Hungarians write it, with their trunk prefix 06, and a Vilnius mobile with
    // Lithuania's 8; counted as listed.
    let mut zsofi = lead("Zsófia", "Kovács", "zsofia@kovacs.example");
    zsofi.phones = vec!["+36 1 234 5678".into()];
    let zsofi = f.core.create_lead(&f.admin, &zsofi, &Origin::manual()).unwrap().lead;
    let mut ona = lead("Ona", "Kazlauskienė", "ona@kaz.example");
    ona.phones = vec!["+370 612 34567".into()];
    let ona = f.core.create_lead(&f.admin, &ona, &Origin::manual()).unwrap().lead;
    for (q, id) in [("06 1 234 5678", zsofi.id), ("06-1-234-5678", zsofi.id), ("8 612 34567", ona.id)] {
        assert_eq!(search(q), vec![id], "search {q:?}");
        let n = f.core.count_leads(&f.admin, &LeadQuery { text: q.into(), ..Default::default() }).unwrap();
        assert_eq!(n.count, 1, "count {q:?}");
    }
    // Michigan's area code 810 is no way out of the country: a Georgia number ending alike is not found.
    let mut gus = lead("Gus", "Hale", "gus@hale.example");
    gus.phones = vec!["+1 229 456 7890".into()];
    f.core.create_lead(&f.admin, &gus, &Origin::manual()).unwrap();
    assert!(search("(810) 229-4567").is_empty());
    assert!(search("nobody").is_empty());
    assert!(search("\"").is_empty(), "FTS syntax in the box is not an error");
    // An address with a domain in its own letters, typed whole as the lead page shows it.
    let anna = f.core.create_lead(&f.admin, &lead("Anna", "Dupont", "anna@café.fr"), &Origin::manual()).unwrap().lead;
    assert_eq!(search("anna@café.fr"), vec![anna.id]);
    assert_eq!(search("Anna@Café.fr"), vec![anna.id]);
    // Counted as it is listed (the count reads the index's words, the list the address too), and found by the
    // domain's own letters.
    let count = |text: &str| f.core.count_leads(&f.admin, &LeadQuery { text: text.into(), ..Default::default() });
    assert_eq!(count("anna@café.fr").unwrap().count, 1);
    assert_eq!(search("café"), vec![anna.id]);

    let mut input = a.to_input();
    input.last_name = "Schmidt".into();
    f.core.update_lead(&f.admin, a.id, a.version, &input, &Origin::manual()).unwrap();
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
        // A Draft (no email) stays in New: the gate does not let it on before it is complete.
        l.stage = if i % 3 == 0 && i % 5 != 0 { "qualification".into() } else { String::new() };
        let mut l = if i % 3 == 0 { common::qualified(l) } else { l };
        l.source = Some(if i % 4 == 0 { SourceChannel::Partner } else { SourceChannel::WebForm });
        l.owner_id = if i % 2 == 1 { owner_id } else { None };
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap();
    }
    let ids = |q: LeadQuery| f.core.list_leads(&f.admin, &q).unwrap().items.len();
    assert_eq!(ids(LeadQuery { status: Some(LeadStatus::Draft), limit: 100, ..Default::default() }), 5);
    assert_eq!(ids(LeadQuery { tag: Some("VIP".into()), limit: 100, ..Default::default() }), 13);
    assert_eq!(ids(LeadQuery { campaign: Some("spring".into()), limit: 100, ..Default::default() }), 10);
    assert_eq!(ids(LeadQuery { stage: Some("qualification".into()), limit: 100, ..Default::default() }), 7);
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
    // The form can point at the field: the campaign.
    assert_eq!(err.field_errors().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["campaign"]);
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
    let before = f.dump();
    let out = f
        .core
        .import_leads(&f.admin, &rows, &Origin::import("people.csv"), ImportMode::AllOrNothing, &mut |_| {})
        .unwrap();
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.rejected[0].line, 3);
    assert!(out.created.is_empty());
    assert_eq!(f.dump(), before);

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
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap();
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
        all_campaigns: true,
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

/// Tags are kept in the order a read shows them, whatever order they were typed in: a tag added at the end
/// is undone without a conflict, and the same tags in another order are no change.
#[test]
fn tags_typed_in_any_order_are_undone_cleanly_and_reordering_them_is_no_change() {
    let f = fixture();
    let mut input = lead("Ann", "Lee", "ann@x.com");
    input.tags = vec!["vip".into(), "fair".into()];
    let v1 = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(v1.tags, ["fair", "vip"]);
    let mut edit = v1.to_input();
    edit.tags.push("Abc".into());
    let saved = f.core.update_lead(&f.admin, v1.id, v1.version, &edit, &Origin::manual()).unwrap();
    assert_eq!(saved.lead.tags, ["Abc", "fair", "vip"]);
    let undone = f.core.undo_lead_change(&f.admin, v1.id, saved.batch_id.unwrap()).unwrap().lead;
    assert_eq!(undone.tags, ["fair", "vip"]);
    let mut shuffled = undone.to_input();
    shuffled.tags = vec!["vip".into(), "fair".into()];
    let same = f.core.update_lead(&f.admin, v1.id, undone.version, &shuffled, &Origin::manual()).unwrap();
    assert_eq!(same.lead.version, undone.version, "nothing changed, nothing written");
    assert_eq!(same.batch_id, None);

    // A save logged before tags were kept in order (the typed order in its row) is undone all the same.
    let mut edit = undone.to_input();
    edit.tags.push("Abc".into());
    let saved = f.core.update_lead(&f.admin, v1.id, undone.version, &edit, &Origin::manual()).unwrap();
    let batch = saved.batch_id.unwrap();
    let rewritten = f
        .sql()
        .execute("UPDATE change_log SET new_value = 'fair; vip; Abc' WHERE batch_id = ?1 AND field = 'tags'", [batch])
        .unwrap();
    assert_eq!(rewritten, 1);
    let back = f.core.undo_lead_change(&f.admin, v1.id, batch).unwrap().lead;
    assert_eq!(back.tags, ["fair", "vip"]);
}

/// An email keeps the spelling it was typed in through every later save that starts from the lead (an edit of
/// another field, a move, an undo): only the comparable address is folded.
#[test]
fn an_email_keeps_its_typed_spelling_through_later_saves() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Jane", "Doe", "Jane.Doe@Example.COM"), &Origin::manual()).unwrap();
    let typed = l.lead.emails[0].original.clone();
    assert_eq!(typed, "Jane.Doe@Example.COM");
    let mut edit = l.lead.to_input();
    edit.company = "Acme".into();
    let saved = f.core.update_lead(&f.admin, l.lead.id, l.lead.version, &edit, &Origin::manual()).unwrap();
    assert_eq!(saved.lead.emails[0].original, typed);
    let undone = f.core.undo_lead_change(&f.admin, l.lead.id, saved.batch_id.unwrap()).unwrap();
    assert_eq!(undone.lead.emails[0].original, typed);
}

/// An email respelled only (its domain's capitals, which matching folds) is a change like any: saved, in the log
/// as the addresses as typed, and undone back to the old spelling. It was saved with no line in the log.
#[test]
fn an_email_changed_only_in_spelling_is_logged_and_undone() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Jane", "Doe", "Jane.Doe@Example.COM"), &Origin::manual()).unwrap();
    let mut edit = l.lead.to_input();
    edit.emails = vec!["Jane.Doe@example.com".into()];
    let saved = f.core.update_lead(&f.admin, l.lead.id, l.lead.version, &edit, &Origin::manual()).unwrap();
    assert_eq!(saved.lead.emails[0].original, "Jane.Doe@example.com");
    let batch = saved.batch_id.expect("the respelling is a change");
    let logged: Vec<(String, Option<String>, Option<String>)> = f
        .sql()
        .prepare(
            "SELECT field, old_value, new_value FROM change_log WHERE batch_id = ?1 AND entity = 'lead' ORDER BY id",
        )
        .unwrap()
        .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        logged,
        [(
            "emails_as_entered".to_owned(),
            Some("Jane.Doe@Example.COM".to_owned()),
            Some("Jane.Doe@example.com".to_owned())
        )]
    );
    let undone = f.core.undo_lead_change(&f.admin, l.lead.id, batch).unwrap();
    assert_eq!(undone.lead.emails[0].original, "Jane.Doe@Example.COM");
}

/// An owner who has left (deactivated) stays on their leads: the lead can still be saved, undone and
/// re-imported. Only a new assignment must name an active user.
#[test]
fn a_lead_whose_owner_was_deactivated_stays_editable_undoable_and_reimportable() {
    let f = fixture();
    let olga = f.user("olga", Role::Editor, &[]);
    let olga_id = olga.user_id().unwrap();
    let mut input = lead("Ann", "Lee", "ann@x.com");
    input.owner_id = Some(olga_id);
    let l = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    let off = UserInput {
        username: "olga".into(),
        display_name: "olga".into(),
        role: Role::Editor,
        active: false,
        campaigns: vec![],
        all_campaigns: true,
    };
    f.core.update_user(&f.admin, olga_id, &off).unwrap();

    let mut edit = l.to_input();
    edit.company = "Acme".into();
    let saved = f.core.update_lead(&f.admin, l.id, l.version, &edit, &Origin::manual()).unwrap();
    assert_eq!(saved.lead.owner.as_ref().map(|o| o.id), Some(olga_id));
    let undone = f.core.undo_lead_change(&f.admin, l.id, saved.batch_id.unwrap()).unwrap();
    assert_eq!(undone.lead.company, "");

    let rows = [(2, undone.lead.to_input())];
    let out = f
        .core
        .import_leads(&f.admin, &rows, &Origin::import("again.csv"), ImportMode::AllOrNothing, &mut |_| {})
        .unwrap();
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);

    // Assigning a lead to her now is refused.
    let other = f.core.create_lead(&f.admin, &lead("Bo", "Ng", "bo@x.com"), &Origin::manual()).unwrap().lead;
    let mut assign = other.to_input();
    assign.owner_id = Some(olga_id);
    let err = f.core.update_lead(&f.admin, other.id, other.version, &assign, &Origin::manual()).unwrap_err();
    assert_eq!(err.field_errors()[0].field, "owner");
}

/// The batch a save returns is that save's: undoing it reverts exactly that save, even after someone else
/// saved the same lead (another field) in the meantime.
#[test]
fn a_save_returns_its_own_change_batch() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let mut mine = l.to_input();
    mine.company = "Acme".into();
    let saved = f.core.update_lead(&f.admin, l.id, l.version, &mine, &Origin::manual()).unwrap();
    let ed = f.user("ed", Role::Editor, &[]);
    let mut theirs = saved.lead.to_input();
    theirs.job_title = "CTO".into();
    let their_save = f.core.update_lead(&ed, l.id, saved.lead.version, &theirs, &Origin::manual()).unwrap();
    assert_ne!(saved.batch_id, their_save.batch_id);
    let back = f.core.undo_lead_change(&f.admin, l.id, saved.batch_id.unwrap()).unwrap().lead;
    assert_eq!((back.company.as_str(), back.job_title.as_str()), ("", "CTO"), "only my save is undone");
    let unchanged = f.core.update_lead(&f.admin, l.id, back.version, &back.to_input(), &Origin::manual()).unwrap();
    assert_eq!(unchanged.batch_id, None, "a save that changes nothing writes no batch");
}

#[test]
fn keep_invalid_saves_a_draft_that_keeps_the_bad_values_and_lists_it_under_needs_fixing() {
    let f = fixture();
    let mut bad_contact = lead("Ann", "Lee", "ann@");
    bad_contact.phones = vec!["+1 415 555 2671".into(), "12".into()];
    let mut bad_stage = lead("Bo", "Ng", "bo@x.com");
    bad_stage.stage = "nowhere".into();
    let rows = [(2, bad_contact.clone()), (3, lead("Cy", "Wu", "cy@x.com"))];

    let before = f.dump();
    let refused =
        f.core.import_leads(&f.admin, &rows, &Origin::import("f.csv"), ImportMode::AllOrNothing, &mut |_| {}).unwrap();
    assert_eq!(refused.rejected.len(), 1);
    assert_eq!(f.dump(), before, "the default stays all-or-nothing");

    let with_other_fault = [(2, bad_contact.clone()), (3, bad_stage)];
    let out = f
        .core
        .import_leads(&f.admin, &with_other_fault, &Origin::import("f.csv"), ImportMode::KeepInvalid, &mut |_| {})
        .unwrap();
    assert_eq!(out.rejected.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3], "other faults are still faults");
    assert_eq!(f.dump(), before);

    let out =
        f.core.import_leads(&f.admin, &rows, &Origin::import("f.csv"), ImportMode::KeepInvalid, &mut |_| {}).unwrap();
    assert_eq!((out.created.len(), out.kept_invalid, out.rejected.len()), (2, 1, 0));
    let ann = f.core.get_lead(&f.admin, out.created[0]).unwrap();
    assert_eq!(ann.status, LeadStatus::Draft);
    assert_eq!(ann.missing, vec![MissingField::FixInvalid]);
    assert_eq!(ann.phones.iter().map(|p| p.e164.as_str()).collect::<Vec<_>>(), vec!["+14155552671"]);
    let kept: Vec<(&str, &str)> = ann.invalid.iter().map(|v| (v.field.as_str(), v.value.as_str())).collect();
    assert_eq!(kept, vec![("emails", "ann@"), ("phones", "12")]);
    assert!(ann.invalid.iter().all(|v| !v.reason.is_empty()), "each with its reason");
    // The export keeps the values kept as typed, with the others of their kind, so an export loses none.
    let header = rapport_core::leads::csv::export_header();
    let row = rapport_core::leads::csv::export_row(&ann, &|_| String::new());
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()].clone();
    assert_eq!((cell("email"), cell("other_emails")), ("ann@".to_string(), String::new()));
    assert_eq!((cell("phone"), cell("other_phones")), ("'+14155552671".to_string(), "12".to_string()));

    let fixing =
        f.core.list_leads(&f.admin, &LeadQuery { needs_fixing: true, limit: 50, ..Default::default() }).unwrap();
    assert_eq!(fixing.items.iter().map(|l| l.id).collect::<Vec<_>>(), vec![ann.id]);

    // Fixing it: the user types the email in and drops the flags; the lead becomes Active and leaves the list.
    let mut fixed = ann.to_input();
    fixed.emails = vec!["ann@lee.org".into()];
    fixed.invalid.clear();
    let saved = f.core.update_lead(&f.admin, ann.id, ann.version, &fixed, &Origin::manual()).unwrap();
    assert_eq!(saved.lead.status, LeadStatus::Active);
    let fixing =
        f.core.list_leads(&f.admin, &LeadQuery { needs_fixing: true, limit: 50, ..Default::default() }).unwrap();
    assert!(fixing.items.is_empty());
    // ...and undo brings the flags back with their reasons.
    let undone = f.core.undo_lead_change(&f.admin, ann.id, saved.batch_id.unwrap()).unwrap().lead;
    assert_eq!(undone.invalid, ann.invalid);
}

/// While an import validates its rows, other writers are not held up: validation runs before the write lock.
#[test]
fn an_import_validates_without_holding_the_write_lock() {
    let f = fixture();
    let core = std::sync::Arc::new(rapport_core::Rapport::open(&f.path).unwrap());
    let admin = core.sign_in("admin", common::PASSWORD).unwrap();
    let rows: Vec<(u32, LeadInput)> =
        (0..20_000u32).map(|i| (i + 2, lead("Row", &format!("N{i}"), &format!("r{i}@x.com")))).collect();
    let mut other_write: Option<std::time::Duration> = None;
    let out = core
        .import_leads(&admin, &rows, &Origin::import("big.csv"), ImportMode::AllOrNothing, &mut |p| {
            if p.phase == ImportPhase::Validating && p.done >= 5_000 && other_write.is_none() {
                // Mid-validation, another writer saves a lead; it must not wait for the import.
                let (tx, rx) = std::sync::mpsc::channel();
                let (core2, admin2) = (core.clone(), admin.clone());
                std::thread::spawn(move || {
                    let t = std::time::Instant::now();
                    let r = core2.create_lead(&admin2, &lead("Other", "Writer", "o@w.com"), &Origin::manual());
                    let _ = tx.send((r.is_ok(), t.elapsed()));
                });
                let answer = rx.recv_timeout(std::time::Duration::from_secs(30));
                let (ok, took) = answer.expect("a write during an import's validation was blocked");
                assert!(ok);
                other_write = Some(took);
            }
        })
        .unwrap();
    assert!(other_write.is_some(), "the import reported validation progress");
    assert_eq!(out.created.len(), 20_000);
}

/// The ids of every page of `q`, followed from cursor to cursor.
fn every_page(f: &Fixture, mut q: LeadQuery) -> Vec<i64> {
    let mut seen = Vec::new();
    loop {
        let page = f.core.list_leads(&f.admin, &q).unwrap();
        seen.extend(page.items.iter().map(|l| l.id));
        match page.next_cursor {
            Some(c) => q.after = Some(c),
            None => return seen,
        }
    }
}

/// A name is found typed in one piece, as people type it: "obrien" for O'Brien, "dartagnan" for d'Artagnan,
/// and a Chinese or Japanese name without the space the form put between family and given name; counted as
/// listed. An edit that splits the name no more takes its one-piece form out of the index.
/// A company written with punctuation inside a word is found as people type it ("loreal", "att", "mcdonalds",
/// "eon", "cocacola" for Coca-Cola), and names and companies with umlauts by their spelled-out forms ("mueller", "aalborg",
/// "soeren"); the plain forms still find them. Split at the punctuation only, "loreal" found nothing: the
/// company's leads had only a phone, and a second lead was made for a company that was there.
#[test]
fn a_company_or_an_umlaut_is_found_typed_as_people_type_it() {
    let f = fixture();
    let add = |first: &str, last: &str, company: &str| {
        let mut l = lead(first, last, "");
        l.company = company.into();
        l.phones = vec!["+44 20 7946 0018".into()];
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead.id
    };
    let loreal = add("Claire", "Dubois", "L'Oréal Paris");
    let att = add("Ann", "Lee", "AT&T");
    let mcd = add("Bo", "Berg", "McDonald's");
    let eon = add("Cy", "Roe", "E.ON SE");
    let coke = add("Di", "Ott", "Coca-Cola");
    let mueller = add("Jürgen", "Müller", "Bäckerei Groß");
    let soeren = add("Søren", "Ålborg", "");
    let search = |text: &str| -> Vec<i64> {
        let q = LeadQuery { text: text.into(), limit: 20, ..Default::default() };
        f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect()
    };
    let count = |text: &str| f.core.count_leads(&f.admin, &LeadQuery { text: text.into(), ..Default::default() });
    for (text, id) in [
        ("loreal", loreal),
        ("L'Oréal", loreal),
        ("oreal", loreal),
        ("att", att),
        ("mcdonalds", mcd),
        ("eon", eon),
        ("cocacola", coke),
        ("coca", coke),
        ("mueller", mueller),
        ("muller", mueller),
        ("Müller", mueller),
        ("juergen", mueller),
        ("baeckerei", mueller),
        ("soeren", soeren),
        ("soren", soeren),
        ("aalborg", soeren),
    ] {
        assert_eq!(search(text), vec![id], "search {text:?}");
        assert_eq!(count(text).unwrap().count, 1, "count {text:?}");
    }
}

#[test]
fn a_name_is_found_typed_in_one_piece() {
    let f = fixture();
    let add = |first: &str, last: &str, email: &str| {
        f.core.create_lead(&f.admin, &lead(first, last, email), &Origin::manual()).unwrap().lead
    };
    let obrien = add("Ann", "O'Brien", "ann.o@example.org");
    let dart = add("Jean-Luc", "d'Artagnan", "jl@musketeers.example");
    let li = add("小龙", "李", "li@dragon.example");
    let yamada = add("太郎", "山田", "taro@yamada.example");
    add("Ann", "Lee", "ann@lee.example");
    let search = |text: &str| -> Vec<i64> {
        let q = LeadQuery { text: text.into(), limit: 20, ..Default::default() };
        f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect()
    };
    let count = |text: &str| f.core.count_leads(&f.admin, &LeadQuery { text: text.into(), ..Default::default() });
    for (text, id) in [
        ("obrien", obrien.id),
        ("OBrien", obrien.id),
        ("o brien", obrien.id),
        ("dartagnan", dart.id),
        ("jeanluc", dart.id),
        ("李小龙", li.id),
        ("小龙李", li.id),
        ("李小", li.id),
        ("山田太郎", yamada.id),
    ] {
        assert_eq!(search(text), vec![id], "search {text:?}");
        assert_eq!(count(text).unwrap().count, 1, "count {text:?}");
    }
    let mut input = obrien.to_input();
    input.last_name = "Byrne".into();
    f.core.update_lead(&f.admin, obrien.id, obrien.version, &input, &Origin::manual()).unwrap();
    assert!(search("obrien").is_empty());
}

#[test]
fn search_ranks_names_then_companies_then_contacts_then_notes() {
    let f = fixture();
    let mk = |first: &str, last: &str, company: &str, email: &str, notes: &str| {
        let mut l = lead(first, last, email);
        l.company = company.into();
        l.notes = notes.into();
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead.id
    };
    // Created oldest first; each tier lists newest first.
    let noted = mk("Di", "Wu", "Initech", "di@initech.com", "referred by Ann Smith");
    let mailer = mk("Cy", "Ng", "Globex", "smith.cy@globex.com", "");
    let worker = mk("Bo", "Lee", "Smith & Sons", "bo@sons.com", "");
    let ann = mk("Ann", "Smith", "Acme", "a@acme.com", "");
    let ann2 = mk("Anna", "Smithers", "Umbrella", "anna@umbrella.com", "");
    let contact = mk("Ed", "Fox", "Hooli", "ed.smithy@hooli.com", "");
    let page =
        f.core.list_leads(&f.admin, &LeadQuery { text: "smith".into(), limit: 50, ..Default::default() }).unwrap();
    let ids: Vec<i64> = page.items.iter().map(|l| l.id).collect();
    assert_eq!(ids, vec![ann2, ann, worker, mailer, contact, noted], "name, company, email start, contact word, notes");

    // Paging walks the same order without gaps or repeats.
    assert_eq!(every_page(&f, LeadQuery { text: "smith".into(), limit: 2, ..Default::default() }), ids);
    let count = f.core.count_leads(&f.admin, &LeadQuery { text: "smith".into(), ..Default::default() }).unwrap();
    assert_eq!(count.count as usize, ids.len());
}

/// Pages of a tier larger than a page: a search reads a few more candidates than a page holds, and the next
/// page must start after the last lead shown, not after the last one read (those between were skipped).
#[test]
fn paging_through_a_large_tier_lists_every_lead_once() {
    let f = fixture();
    for i in 0..20 {
        let mut l = lead("Kim", &format!("Osei{i}"), &format!("kim{i}@acme.example"));
        l.company = "Acme".into();
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap();
        f.core
            .create_lead(&f.admin, &lead("Zed", &format!("Park{i}"), &format!("zed{i}@p.example")), &Origin::manual())
            .unwrap();
    }
    // "acme" is a company tier (checked row by row), "zed" the name tier read straight from its index.
    for text in ["acme", "zed"] {
        let all = f.core.list_leads(&f.admin, &LeadQuery { text: text.into(), limit: 50, ..Default::default() });
        let all: Vec<i64> = all.unwrap().items.iter().map(|l| l.id).collect();
        assert_eq!(all.len(), 20, "{text}");
        for limit in [3, 7, 10] {
            let seen = every_page(&f, LeadQuery { text: text.into(), limit, ..Default::default() });
            assert_eq!(seen, all, "{text}, pages of {limit}");
        }
    }
}

/// A number typed into search is listed from the leads' phones (not their notes or company), and counted the
/// same way: the count said one more than the list showed.
#[test]
fn a_number_search_counts_what_it_lists() {
    let f = fixture();
    let mut called = lead("Ann", "Lee", "ann@lee.example");
    called.phones = vec!["+1 415 555 2026".into()];
    let called = f.core.create_lead(&f.admin, &called, &Origin::manual()).unwrap().lead.id;
    let mut noted = lead("Bo", "Berg", "info@2026.events");
    noted.notes = "Renewal due 2026".into();
    noted.company = "Class of 2026".into();
    f.core.create_lead(&f.admin, &noted, &Origin::manual()).unwrap();
    let q = LeadQuery { text: "415 555 2026".into(), limit: 50, ..Default::default() };
    let listed: Vec<i64> = f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect();
    assert_eq!(listed, [called]);
    assert_eq!(f.core.count_leads(&f.admin, &q).unwrap().count, 1);
    // An address that starts with digits ("2026@…", an SMS gateway's) is a phone search's too: the list and the
    // count read the same tiers.
    f.core.create_lead(&f.admin, &lead("Cy", "Day", "2026@gateway.example"), &Origin::manual()).unwrap();
    let q = LeadQuery { text: "2026".into(), limit: 50, ..Default::default() };
    let listed = f.core.list_leads(&f.admin, &q).unwrap().items.len();
    assert_eq!(f.core.count_leads(&f.admin, &q).unwrap().count as usize, listed, "the count is what the list holds");
    // Digits as an input method types them find the phone.
    for typed in ["４１５ ５５５", "٤١٥ ٥٥٥"] {
        let q = LeadQuery { text: typed.into(), limit: 50, ..Default::default() };
        let listed: Vec<i64> = f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect();
        assert_eq!(listed, [called], "{typed}");
        assert_eq!(f.core.count_leads(&f.admin, &q).unwrap().count, 1, "{typed}");
    }
}

/// A reference in another system pasted into search (a HubSpot record id, a Salesforce lead id, a partner's
/// number) finds the lead, whole and as typed, listed after names, companies and email starts and before phone
/// numbers that start with the same digits; counted as listed, and kept within a team's campaigns.
#[test]
fn a_reference_in_another_system_is_found_whole() {
    let f = fixture();
    let mk = |first: &str, email: &str, reference: &str, phone: Option<&str>, campaign: &str| {
        let mut l = lead(first, "Ref", email);
        l.external_ref = reference.into();
        l.campaign = campaign.into();
        l.phones = phone.map(|p| vec![p.into()]).unwrap_or_default();
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead.id
    };
    let salesforce = mk("Sal", "sal@ref.example", "00Q5e000001AbCd", None, "North");
    let hubspot = mk("Hub", "hub@ref.example", "51234", None, "North");
    let dialled = mk("Phil", "phil@ref.example", "", Some("+1 512 345 6789"), "North");
    let other_team = mk("Otto", "otto@ref.example", "HS-77", None, "South");
    let listed = |who: &rapport_core::Actor, text: &str| -> (Vec<i64>, u32) {
        let q = LeadQuery { text: text.into(), limit: 50, ..Default::default() };
        let ids = f.core.list_leads(who, &q).unwrap().items.iter().map(|l| l.id).collect();
        (ids, f.core.count_leads(who, &q).unwrap().count)
    };
    assert_eq!(listed(&f.admin, "00Q5e000001AbCd"), (vec![salesforce], 1));
    assert_eq!(listed(&f.admin, "  00Q5e000001AbCd "), (vec![salesforce], 1), "pasted with spaces around it");
    assert_eq!(listed(&f.admin, "00Q5E000001ABCD").0, Vec::<i64>::new(), "another record of that system");
    // Digits are a reference whole, and the start of a phone number: the reference first.
    assert_eq!(listed(&f.admin, "51234"), (vec![hubspot, dialled], 2));
    assert_eq!(listed(&f.admin, "HS-77"), (vec![other_team], 1));
    let north = f.user("north", Role::Editor, &["North"]);
    assert_eq!(listed(&north, "HS-77"), (vec![], 0), "a team finds no lead outside its campaigns");
    assert_eq!(listed(&north, "51234"), (vec![hubspot, dialled], 2));
}

/// A team's campaign picker lists its campaigns however many others there are (the walk over every campaign
/// stopped at 500, before a team whose campaigns sort last).
#[test]
fn a_teams_campaign_picker_lists_its_campaigns_among_many() {
    let f = fixture();
    let rows: Vec<(u32, LeadInput)> = (0..520u32)
        .map(|i| {
            let mut l = lead("Row", &format!("N{i}"), &format!("r{i}@many.example"));
            l.campaign = format!("Campaign {i:03}");
            (i + 2, l)
        })
        .collect();
    f.core.import_leads(&f.admin, &rows, &Origin::import("many.csv"), ImportMode::AllOrNothing, &mut |_| {}).unwrap();
    let team = f.user("late", Role::Editor, &["campaign 519", "Campaign 002", "Nowhere"]);
    let scoped = f.core.lead_facets(&team).unwrap();
    assert_eq!(scoped.campaigns, ["Campaign 002", "Campaign 519"], "as stored, those with leads");
}

/// A phone typed as a web page's `tel:` link holds a ';' of its own: an undo gives it back whole (it came back
/// split in two, the second half refused as no number, and the undo could not be made).
#[test]
fn a_phone_typed_as_a_tel_link_comes_back_whole_from_an_undo() {
    let f = fixture();
    let mut input = lead("Ann", "Lee", "ann@lee.example");
    input.phones = vec!["tel:+1-201-555-0123;ext=1234".into()];
    let l = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(l.phones[0].original, "tel:+1-201-555-0123;ext=1234");
    let mut edit = l.to_input();
    edit.phones = vec!["+1 201 555 0199".into()];
    let saved = f.core.update_lead(&f.admin, l.id, l.version, &edit, &Origin::manual()).unwrap();
    let back = f.core.undo_lead_change(&f.admin, l.id, saved.batch_id.unwrap()).unwrap().lead;
    assert_eq!(back.phones.len(), 1, "{:?}", back.phones);
    assert_eq!(
        (back.phones[0].e164.as_str(), back.phones[0].original.as_str()),
        ("+12015550123", "tel:+1-201-555-0123;ext=1234")
    );
}

/// A long export reads chunk by chunk, each chunk checking the exporter's campaigns again: a user taken off a
/// campaign while the export runs stops receiving its leads from the next chunk on.
#[test]
fn an_export_rechecks_the_campaign_scope_per_chunk() {
    let f = fixture();
    let rows: Vec<(u32, LeadInput)> = (0..2500u32)
        .map(|i| {
            let mut l = lead("Row", &format!("N{i}"), &format!("r{i}@x.com"));
            l.campaign = "Spring".into();
            (i + 2, l)
        })
        .collect();
    f.core.import_leads(&f.admin, &rows, &Origin::import("spring.csv"), ImportMode::AllOrNothing, &mut |_| {}).unwrap();
    let team = f.user("team", Role::Editor, &["Spring"]);
    let team_id = team.user_id().unwrap();
    let mut seen = 0usize;
    f.core
        .for_each_lead(&team, &mut |_| -> rapport_core::Result<()> {
            seen += 1;
            if seen == 1 {
                let moved = UserInput {
                    username: "team".into(),
                    display_name: "team".into(),
                    role: Role::Editor,
                    active: true,
                    campaigns: vec!["Autumn".into()],
                    all_campaigns: false,
                };
                f.core.update_user(&f.admin, team_id, &moved).unwrap();
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, 1000, "the chunk under way finishes; the next ones are out of scope");
}

/// A word of digits beside a name ("lee 4155") finds the lead by its phone whatever other leads hold: an email
/// of digits elsewhere must not turn the word into that email's exact term.
#[test]
fn a_name_and_the_start_of_a_phone_find_the_lead_whatever_else_is_stored() {
    let f = fixture();
    let mut ann = lead("Ann", "Lee", "ann@lee.io");
    ann.phones = vec!["+1 415 555 2671".into()];
    let ann = f.core.create_lead(&f.admin, &ann, &Origin::manual()).unwrap().lead.id;
    let search = |text: &str| -> Vec<i64> {
        let q = LeadQuery { text: text.into(), limit: 20, ..Default::default() };
        f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect()
    };
    assert_eq!(search("lee 4155"), vec![ann]);
    f.core.create_lead(&f.admin, &lead("Txt", "Gateway", "4155559999@txt.att.example"), &Origin::manual()).unwrap();
    assert_eq!(search("lee 4155"), vec![ann], "another lead's email of digits changes nothing");
}

/// A number saved in one region stays that number when the default region changes: an edit of the notes does
/// not make "(415) 555-2671" a German number, nor, in Britain, refuse the edit.
#[test]
fn a_phone_keeps_its_number_when_the_default_region_changes() {
    let f = fixture();
    let mut input = common::lead("Ann", "Lee", "ann@lee.io");
    input.phones = vec!["(415) 555-2671".into()];
    let ann = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    assert_eq!(ann.phones[0].e164, "+14155552671");
    for region in ["DE", "GB"] {
        f.core
            .update_settings(
                &f.admin,
                &rapport_core::settings::Settings { default_region: region.into(), default_currency: String::new() },
            )
            .unwrap();
        let now = f.core.get_lead(&f.admin, ann.id).unwrap();
        let mut edit = now.to_input();
        edit.notes = format!("called from {region}");
        let saved = f.core.update_lead(&f.admin, now.id, now.version, &edit, &Origin::manual()).unwrap().lead;
        assert_eq!(
            (saved.phones[0].e164.as_str(), saved.phones[0].original.as_str()),
            ("+14155552671", "(415) 555-2671")
        );
        let history = f.core.lead_history(&f.admin, ann.id).unwrap();
        assert!(history.iter().all(|e| !e.field.starts_with("phones")), "no phone change logged: {history:?}");
    }
    // A number typed anew is read in today's region.
    let now = f.core.get_lead(&f.admin, ann.id).unwrap();
    let mut edit = now.to_input();
    edit.phones.push("020 7946 0018".into());
    let saved = f.core.update_lead(&f.admin, now.id, now.version, &edit, &Origin::manual()).unwrap().lead;
    assert_eq!(saved.phones[1].e164, "+442079460018");
}

/// The first run's sample leads are taken out by an Administrator: those nobody worked on go, each logged with
/// its snapshot, with their sample activities; one edited since stays (it is real work now), and real leads are
/// untouched. Nobody else may.
#[test]
fn the_first_runs_sample_leads_are_taken_out_and_the_ones_worked_on_stay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("first.db");
    let core = rapport_core::Rapport::open_with(&path, &Default::default(), common::clock()).unwrap();
    assert_eq!(core.seed_demo_if_empty(30).unwrap(), 30);
    let admin = core.create_first_admin("admin", "Ada Admin", common::PASSWORD).unwrap();
    assert_eq!((core.sample_data(&admin).unwrap().leads, core.sample_data(&admin).unwrap().worked_on), (30, 0));
    let real = core.create_lead(&admin, &lead("Real", "Person", "real@person.io"), &Origin::manual()).unwrap().lead;
    let all = |core: &rapport_core::Rapport| {
        core.list_leads(&admin, &LeadQuery { limit: 100, ..Default::default() }).unwrap().items
    };
    let worked = all(&core).into_iter().find(|l| l.id != real.id).unwrap();
    let w = core.get_lead(&admin, worked.id).unwrap();
    let mut input = w.to_input();
    input.job_title = "Buyer".into();
    core.update_lead(&admin, w.id, w.version, &input, &Origin::manual()).unwrap();
    let editor = UserInput {
        username: "eve".into(),
        display_name: "Eve".into(),
        role: Role::Editor,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    };
    core.create_user(&admin, &editor, common::PASSWORD).unwrap();
    let eve = core.sign_in("eve", common::PASSWORD).unwrap();
    let sample = core.sample_data(&admin).unwrap();
    assert_eq!((sample.leads, sample.worked_on), (30, 1), "the one edited would stay");
    let before = common::dump_file(&path);
    assert_eq!(core.remove_sample_data(&eve).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(common::dump_file(&path), before, "nothing written");

    let out = core.remove_sample_data(&admin).unwrap();
    assert_eq!((out.removed, out.kept), (29, 1));
    let left: Vec<i64> = all(&core).iter().map(|l| l.id).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.contains(&real.id) && left.contains(&worked.id));
    assert_eq!(core.get_lead(&admin, real.id).unwrap(), real, "a real lead is untouched");
    let sample = core.sample_data(&admin).unwrap();
    assert_eq!((sample.leads, sample.worked_on), (1, 1));
    let c = rusqlite::Connection::open(&path).unwrap();
    let logged: i64 = c
        .query_row(
            "SELECT count(*) FROM change_log c JOIN change_batches b ON b.id = c.batch_id
             WHERE b.source_ref = 'sample data removed' AND c.entity = 'lead' AND c.field = '*'
               AND c.old_value LIKE '{%' AND c.new_value IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 29, "each removal logged with the lead as it was");
    let orphans: i64 = c
        .query_row(
            "SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = a.lead_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "the sample activities went with their leads");
    let again = core.remove_sample_data(&admin).unwrap();
    assert_eq!((again.removed, again.kept), (0, 1));
}

/// A Viewer reads only: given a lead, they could not edit it, log its activities or hold its meetings. No lead
/// is given to one, by the form, an import or a merge; the owner pickers do not offer them.
#[test]
fn a_viewer_is_given_no_lead() {
    let f = fixture();
    let victor = f.user("victor", Role::Viewer, &[]).user_id().unwrap();
    let eve = f.user("eve", Role::Editor, &[]).user_id().unwrap();
    let mut input = lead("Ann", "Lee", "ann@lee.io");
    input.owner_id = Some(victor);
    let err = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert!(err.to_string().contains("Viewer"), "{err}");
    input.owner_id = Some(eve);
    let ann = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    let mut moved = ann.to_input();
    moved.owner_id = Some(victor);
    assert_eq!(
        f.core.update_lead(&f.admin, ann.id, ann.version, &moved, &Origin::manual()).unwrap_err().code(),
        ErrorCode::Validation
    );
    let owners: Vec<i64> = f.core.owners(&f.admin).unwrap().into_iter().map(|u| u.id).collect();
    assert!(owners.contains(&eve) && !owners.contains(&victor), "{owners:?}");
    let for_campaign: Vec<i64> = f.core.owners_for_campaign(&f.admin, "").unwrap().into_iter().map(|u| u.id).collect();
    assert!(for_campaign.contains(&eve) && !for_campaign.contains(&victor), "{for_campaign:?}");
}

/// The list sorted by last name or company reads as people read names, whatever their accents and case:
/// "Özdemir" among the O's, "élise" beside "Ebert", not after every Z; page by page without a gap.
#[test]
fn the_list_sorts_accented_names_and_companies_among_the_plain_ones() {
    let f = fixture();
    for (i, (last, company)) in
        [("Zimmer", "Zeta"), ("Özdemir", "Ölwerk"), ("Adams", "alpha"), ("élise", "Émile SA"), ("Ebert", "beta")]
            .into_iter()
            .enumerate()
    {
        let mut input = lead("Ann", last, &format!("ann{i}@example.com"));
        input.company = company.into();
        f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
    }
    let sorted = |sort: LeadSort, pick: fn(&rapport_core::leads::LeadSummary) -> String| {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let q = LeadQuery { sort, ascending: true, limit: 2, after: after.clone(), ..Default::default() };
            let page = f.core.list_leads(&f.admin, &q).unwrap();
            out.extend(page.items.iter().map(pick));
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => return out,
            }
        }
    };
    assert_eq!(sorted(LeadSort::LastName, |l| l.last_name.clone()), ["Adams", "Ebert", "élise", "Özdemir", "Zimmer"]);
    assert_eq!(sorted(LeadSort::Company, |l| l.company.clone()), ["alpha", "beta", "Émile SA", "Ölwerk", "Zeta"]);
}

/// Leads stored before migration 028 get their folded company from it, so the list sorts them as new ones.
#[test]
fn leads_stored_before_the_folded_sort_keys_sort_as_new_ones() {
    let f = fixture();
    for (i, company) in ["Zeta", "Ölwerk", "alpha"].into_iter().enumerate() {
        let mut input = lead("Ann", "Lee", &format!("ann{i}@example.com"));
        input.company = company.into();
        f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap();
    }
    let c = f.sql();
    common::pretend_version(&c, 27);
    drop(c);
    let Fixture { dir: _dir, path, core, .. } = f;
    drop(core);
    let core = rapport_core::Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", common::PASSWORD).unwrap();
    let q = LeadQuery { sort: LeadSort::Company, ascending: true, limit: 10, ..Default::default() };
    let companies: Vec<String> = core.list_leads(&admin, &q).unwrap().items.into_iter().map(|l| l.company).collect();
    assert_eq!(companies, ["alpha", "Ölwerk", "Zeta"]);
}

/// A lead's country written formally ("Republic of Ireland", "Korea, Republic of") reads its national phone
/// numbers in that country's plan, as "Ireland" does: they were read in the default region's (an Irish mobile
/// stored as a number in Bavaria). A country Rapport does not read is named in the phone's error. A number
/// copied from a right-to-left app, with its direction marks, is the number; searched as `leads show` prints it
/// (with its extension), it is found.
#[test]
fn a_formal_country_name_reads_its_phones_and_a_copied_number_is_the_number() {
    let f = fixture();
    f.core
        .update_settings(
            &f.admin,
            &rapport_core::settings::Settings { default_region: "DE".into(), default_currency: String::new() },
        )
        .unwrap();
    let mk = |country: &str, phone: &str| {
        let mut l = lead("Aoife", "Byrne", "");
        l.emails.clear();
        l.address.country = country.into();
        l.phones = vec![phone.into()];
        f.core.create_lead(&f.admin, &l, &Origin::manual())
    };
    let irish = mk("Republic of Ireland", "087 123 4567").unwrap().lead;
    assert_eq!(irish.phones[0].e164, "+353871234567");
    let korean = mk("Korea, Republic of", "02-123-4567").unwrap().lead;
    assert_eq!(korean.phones[0].e164, "+8221234567");
    let err = mk("Atlantis", "0800 1").unwrap_err().to_string();
    assert!(err.contains("\"Atlantis\", is not one Rapport knows"), "{err}");

    let copied = mk("", "\u{200E}+44 20 7946 0018\u{200E}").unwrap().lead;
    assert_eq!(
        (copied.phones[0].e164.as_str(), copied.phones[0].original.as_str()),
        ("+442079460018", "+44 20 7946 0018")
    );
    let embedded = mk("", "\u{202A}+44 20 7946 0019\u{202C}").unwrap().lead;
    assert_eq!(embedded.phones[0].e164, "+442079460019");

    let office = mk("US", "+1 212 555 0100 ext. 204").unwrap().lead;
    let shown = office.phones[0].display.clone();
    for typed in [shown.as_str(), "+1 212-555-0100 x204", "212.555.0100"] {
        let q = LeadQuery { text: typed.into(), limit: 10, ..Default::default() };
        let ids: Vec<i64> = f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect();
        assert_eq!(ids, [office.id], "{typed}");
    }
}

/// The currency written with a deal value is the deal's when it names none ("£5,000"), and may not contradict
/// the one it names ("5,000 USD" in EUR): it was dropped, and the deal summed with those of no currency.
#[test]
fn the_currency_written_with_a_deal_value_is_kept_or_its_contradiction_refused() {
    let f = fixture();
    let mk = |value: &str, currency: &str| {
        let mut l = lead("Ann", "Lee", "");
        l.emails.clear();
        l.deal.value = value.into();
        l.deal.currency = currency.into();
        f.core.create_lead(&f.admin, &l, &Origin::manual())
    };
    let pounds = mk("£5,000", "").unwrap().lead;
    assert_eq!((pounds.deal.value.as_str(), pounds.deal.currency.as_str()), ("5000.00", "GBP"));
    let rupees = mk("₹1,00,000", "").unwrap().lead;
    assert_eq!((rupees.deal.value.as_str(), rupees.deal.currency.as_str()), ("100000.00", "INR"));
    let agreed = mk("5,000 EUR", "eur").unwrap().lead;
    assert_eq!(agreed.deal.currency, "EUR");
    let err = mk("5,000 USD", "EUR").unwrap_err().to_string();
    assert!(err.contains("\"5,000 USD\" is in USD, but the deal's currency is EUR"), "{err}");
    // The dollar sign is Canada's and Australia's too.
    let loonies = mk("$5,000", "CAD").unwrap().lead;
    assert_eq!((loonies.deal.value.as_str(), loonies.deal.currency.as_str()), ("5000.00", "CAD"));
}

/// Names in Arabic and Hebrew are found as people type them, without vowel points or hamza, as the duplicate
/// check already compares them: "احمد" finds "أحمد إبراهيم", "محمد" finds "مُحَمَّد", "משה" finds "מֹשֶׁה".
#[test]
fn pointed_names_are_found_typed_without_their_points() {
    let f = fixture();
    let mk = |first: &str, last: &str| {
        let mut l = lead(first, last, "");
        l.emails.clear();
        l.phones = vec!["+44 20 7946 0018".into()];
        f.core.create_lead(&f.admin, &l, &Origin::manual()).unwrap().lead.id
    };
    let (ahmed, muhammad, moshe) = (mk("أحمد", "إبراهيم"), mk("مُحَمَّد", "علي"), mk("מֹשֶׁה", "כהן"));
    for (text, id) in [("احمد", ahmed), ("احمد ابراهيم", ahmed), ("محمد", muhammad), ("משה", moshe), ("أحمد", ahmed)]
    {
        let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
        let found: Vec<i64> = f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect();
        assert_eq!(found, vec![id], "{text:?}");
        assert_eq!(f.core.count_leads(&f.admin, &q).unwrap().count, 1, "{text:?}");
    }
}

/// A name an older version stored decomposed ("Zoe" and a combining diaeresis, as a Mac pastes it) stays as stored
/// through a save of another field: composed by the save, it was logged as changed by every later edit, and the
/// edits before became impossible to undo. A name typed anew is kept composed.
#[test]
fn a_name_stored_decomposed_is_not_rewritten_by_a_save_of_another_field() {
    let f = fixture();
    let zoe =
        f.core.create_lead(&f.admin, &lead("Zoe", "Bronte", "zoe@bronte.example"), &Origin::manual()).unwrap().lead;
    f.sql().execute("UPDATE leads SET first_name = 'Zoe\u{308}' WHERE id = ?1", [zoe.id]).unwrap();
    let stored = f.core.get_lead(&f.admin, zoe.id).unwrap();
    let mut edit = stored.to_input();
    edit.job_title = "Poet".into();
    let saved = f.core.update_lead(&f.admin, zoe.id, stored.version, &edit, &Origin::manual()).unwrap();
    assert_eq!(saved.lead.first_name, "Zoe\u{308}");
    let logged: Vec<String> = f
        .core
        .lead_history(&f.admin, zoe.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.batch_id == saved.batch_id.unwrap())
        .map(|e| e.field)
        .collect();
    assert_eq!(logged, ["job_title"]);
    let mut renamed = saved.lead.to_input();
    renamed.first_name = "Chlo\u{e9}".into();
    let renamed = f.core.update_lead(&f.admin, zoe.id, saved.lead.version, &renamed, &Origin::manual()).unwrap();
    assert_eq!(renamed.lead.first_name, "Chlo\u{e9}");
}

/// A lead of nothing (the form saved empty, or only notes) is refused, naming the first field to fill, and
/// nothing is written; a company alone, or an email alone, is someone.
#[test]
fn a_lead_that_names_no_one_is_refused_and_nothing_is_written() {
    let f = fixture();
    let before = f.dump();
    for input in [LeadInput::default(), LeadInput { notes: "met at the fair".into(), ..Default::default() }] {
        let err = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation);
        assert_eq!(err.field_errors()[0].field, "first_name", "{err}");
        assert!(err.field_errors()[0].message.contains("a name, a company, an email or a phone"), "{err}");
    }
    assert_eq!(f.dump(), before, "nothing written");
    let firm = LeadInput { company: "Acme Ltd".into(), ..Default::default() };
    assert_eq!(f.core.create_lead(&f.admin, &firm, &Origin::manual()).unwrap().lead.company, "Acme Ltd");
    let mailbox = LeadInput { emails: vec!["ann@acme.example".into()], ..Default::default() };
    assert!(f.core.create_lead(&f.admin, &mailbox, &Origin::manual()).is_ok());
}

/// The address's country as typed is read as its code for the app to write the address as that country does;
/// a country it does not know has none, and is kept as typed.
#[test]
fn a_lead_tells_the_code_of_its_country_as_typed() {
    let f = fixture();
    let code = |country: &str| {
        let mut input = lead("Ann", "Lee", "");
        input.address.country = country.into();
        let saved = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
        assert_eq!(f.core.get_lead(&f.admin, saved.id).unwrap().country_code, saved.country_code, "read as saved");
        (saved.country_code, saved.address.country)
    };
    assert_eq!(code("Deutschland"), ("DE".to_string(), "Deutschland".to_string()));
    assert_eq!(code("UK").0, "GB");
    assert_eq!(code("Atlantis"), (String::new(), "Atlantis".to_string()));
    assert_eq!(code("").0, "");
}

/// An edit that clears the last thing a lead was named by is refused as a create of it is, and nothing is
/// written; clearing the name of a lead that keeps its email is an edit like any other.
#[test]
fn an_edit_that_leaves_a_lead_naming_no_one_is_refused_and_nothing_is_written() {
    let f = fixture();
    let input = LeadInput {
        first_name: "Ann".into(),
        emails: vec!["ann@acme.example".into()],
        notes: "met at the fair".into(),
        ..Default::default()
    };
    let saved = f.core.create_lead(&f.admin, &input, &Origin::manual()).unwrap().lead;
    let before = f.dump();
    let emptied = LeadInput { notes: "met at the fair".into(), ..Default::default() };
    let err = f.core.update_lead(&f.admin, saved.id, saved.version, &emptied, &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert_eq!(err.field_errors()[0].field, "first_name", "{err}");
    assert!(err.field_errors()[0].message.contains("a name, a company, an email or a phone"), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let mailbox = LeadInput { emails: vec!["ann@acme.example".into()], ..emptied };
    let kept = f.core.update_lead(&f.admin, saved.id, saved.version, &mailbox, &Origin::manual()).unwrap().lead;
    assert_eq!((kept.first_name.as_str(), kept.emails.len()), ("", 1));
}

/// The list's export is what the list shows: its search and filters, in its order, only the campaigns the user
/// sees, every page of it; the file is the canonical CSV an import maps back.
#[test]
fn a_lists_export_holds_what_the_list_shows_in_its_order() {
    let f = fixture();
    let rows: Vec<(u32, LeadInput)> = (0..1203u32)
        .map(|i| {
            // Names and companies in another order than the ids (37 is prime to 1,203; a third of the leads
            // are still in each campaign), companies shared, so that each sort gives its own order.
            let mut l = lead("Row", &format!("N{:04}", i * 37 % 1203), &format!("r{i}@x.com"));
            l.company = format!("Co {}", i % 7);
            l.campaign = if i % 3 == 0 { "Autumn".into() } else { "Spring".into() };
            (i + 2, l)
        })
        .collect();
    let imported =
        f.core.import_leads(&f.admin, &rows, &Origin::import("f.csv"), ImportMode::AllOrNothing, &mut |_| {}).unwrap();
    // Two leads edited since: the latest change first in the list's default order.
    for id in [imported.created[700], imported.created[5]] {
        let l = f.core.get_lead(&f.admin, id).unwrap();
        let edited = LeadInput { notes: "called back".into(), ..l.to_input() };
        f.core.update_lead(&f.admin, id, l.version, &edited, &Origin::manual()).unwrap();
    }
    let team = f.user("team", Role::Viewer, &["Spring"]);
    let query = LeadQuery { sort: LeadSort::LastName, ascending: false, limit: 50, ..Default::default() };
    let mut listed = Vec::new();
    let mut q = query.clone();
    loop {
        let page = f.core.list_leads(&team, &q).unwrap();
        listed.extend(page.items.iter().map(|l| l.id));
        match page.next_cursor {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    assert_eq!(listed.len(), 802, "the Spring leads: two in three");

    let mut out = Vec::new();
    let mut heard = Vec::new();
    let count = f
        .core
        .export_leads_csv(&team, Some(&query), &mut out, &mut |n| {
            heard.push(n);
            true
        })
        .unwrap();
    assert_eq!(count, 802);
    assert_eq!(heard, [ExportProgress { written: 0, total: 802 }], "fewer than a thousand: the total, then the end");
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, rapport_core::leads::csv::export_header());
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<i64> = records.iter().map(|r| r[at("id")].parse().unwrap()).collect();
    assert_eq!(ids, listed, "the list's leads, in its order");
    assert!(records.iter().all(|r| &r[at("campaign")] == "Spring"));
    assert_eq!(&records[0][at("last_name")], "N1202");

    // A search exports its matches only.
    let found = LeadQuery { text: "N0005".into(), ..Default::default() };
    let mut out = Vec::new();
    assert_eq!(f.core.export_leads_csv(&f.admin, Some(&found), &mut out, &mut |_| true).unwrap(), 1);
    assert!(String::from_utf8(out).unwrap().contains(",N0005,"));

    // Every order the list offers, both ways, and a search of more than one page: the export reads its ids
    // apart from the list's pages, and must give the same leads in the same order (ties broken alike: the
    // import gave every lead the same time and company).
    let exported_ids = |q: &LeadQuery| -> Vec<i64> {
        let mut out = Vec::new();
        f.core.export_leads_csv(&team, Some(q), &mut out, &mut |_| true).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        reader.records().map(|r| r.unwrap()[at("id")].parse().unwrap()).collect()
    };
    let listed_ids = |q: &LeadQuery| -> Vec<i64> {
        let mut q = q.clone();
        let mut ids = Vec::new();
        loop {
            let page = f.core.list_leads(&team, &q).unwrap();
            ids.extend(page.items.iter().map(|l| l.id));
            match page.next_cursor {
                Some(c) => q.after = Some(c),
                None => return ids,
            }
        }
    };
    let mut orders = std::collections::HashSet::new();
    for sort in [LeadSort::UpdatedAt, LeadSort::CreatedAt, LeadSort::LastName, LeadSort::Company] {
        for ascending in [false, true] {
            let q = LeadQuery { sort, ascending, campaign: Some("spring".into()), limit: 100, ..Default::default() };
            let listed = listed_ids(&q);
            assert_eq!(listed.len(), 802, "{sort:?} ascending={ascending}");
            assert_eq!(exported_ids(&q), listed, "{sort:?} ascending={ascending}");
            orders.insert(listed);
        }
    }
    assert_eq!(orders.len(), 8, "each order its own, or the comparison proves little");
    let everyone = LeadQuery { text: "Row".into(), limit: 100, ..Default::default() };
    let listed = listed_ids(&everyone);
    assert_eq!(listed.len(), 802, "a search of two export pages");
    assert_eq!(exported_ids(&everyone), listed);
}

/// A long export tells how far it is every thousand leads and stops when told to; a destination that refuses
/// a write ends it with an I/O error that says so, not a panic or a short file called whole.
#[test]
fn an_export_reports_progress_stops_when_cancelled_and_says_when_it_cannot_write() {
    let f = fixture();
    let rows: Vec<(u32, LeadInput)> =
        (0..2100u32).map(|i| (i + 2, lead("Row", &format!("N{i}"), &format!("r{i}@x.com")))).collect();
    f.core.import_leads(&f.admin, &rows, &Origin::import("f.csv"), ImportMode::AllOrNothing, &mut |_| {}).unwrap();
    let every = LeadQuery::default();
    let mut heard = Vec::new();
    let mut out = Vec::new();
    let n = f.core.export_leads_csv(&f.admin, Some(&every), &mut out, &mut |n| {
        heard.push(n);
        true
    });
    let told: Vec<(u32, u32)> = heard.iter().map(|p| (p.written, p.total)).collect();
    assert_eq!((n.unwrap(), told), (2100, vec![(0, 2100), (1000, 2100), (2000, 2100)]));

    // Stopped at its first thousand: what the caller was given ends there, and the error says it stopped.
    let mut partial = Vec::new();
    let stopped = f.core.export_leads_csv(&f.admin, Some(&every), &mut partial, &mut |p| p.written < 1000).unwrap_err();
    assert_eq!(stopped.code(), ErrorCode::Cancelled);
    assert_eq!(String::from_utf8(partial).unwrap().lines().count(), 1001, "the header and the first thousand");

    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let full = f.core.export_leads_csv(&f.admin, None, &mut Full, &mut |_| true).unwrap_err();
    assert_eq!(full.code(), ErrorCode::Io);
    assert!(full.to_string().contains("could not write the export: no space left on device"), "{full}");
}
