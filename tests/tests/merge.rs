#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Merge and unmerge on real database files: survivorship never overwrites, links move to the survivor, and
//! unmerge restores both records and their links exactly, keeping edits made to the survivor since.
mod common;

use common::{fixture, lead, Fixture};
use proptest::prelude::*;
use rapport_core::duplicates::{FieldChoice, SeenVersion};
use rapport_core::leads::{Lead, LeadInput};
use rapport_core::{ErrorCode, Origin};

fn create(f: &Fixture, input: &LeadInput) -> Lead {
    f.core.create_lead(&f.admin, input, &Origin::manual()).unwrap().lead
}

/// A lead's content, without what every save changes (version, update time).
fn content(l: &Lead) -> Lead {
    Lead { version: 0, updated_at: String::new(), ..l.clone() }
}

#[test]
fn merge_fills_what_is_empty_overwrites_nothing_and_moves_the_links() {
    let f = fixture();
    let mut a = lead("Robert", "Alves", "robert@alves.example");
    a.company = "Acme".into();
    a.tags = vec!["vip".into()];
    let mut b = lead("Bob", "Alves", "bob.alves71@gmail.com");
    b.company = "Acme Holdings".into();
    b.job_title = "Buyer".into();
    b.phones = vec!["+44 20 7946 0018".into()];
    b.tags = vec!["expo".into()];
    b.notes = "Met at the fair".into();
    let (a, b) = (create(&f, &a), create(&f, &b));
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let l = &out.lead;
    assert_eq!(l.id, a.id, "the survivor keeps its id");
    assert_eq!((l.first_name.as_str(), l.company.as_str()), ("Robert", "Acme"), "non-empty values stay");
    assert_eq!(l.job_title, "Buyer", "an empty field is filled");
    assert_eq!(l.notes, "Met at the fair");
    let emails: Vec<&str> = l.emails.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(emails, ["robert@alves.example", "bob.alves71@gmail.com"], "the other's email becomes secondary");
    assert_eq!(l.phones.len(), 1);
    assert_eq!(l.tags, ["expo", "vip"], "tags are a set, listed in order");
    assert_eq!(f.core.get_lead(&f.admin, b.id).unwrap_err().merged_into(), Some(a.id), "the other lives on in A");
    // The steward's choice wins over the survivor's value.
    let c = create(&f, &lead("Roberto", "Alves", "roberto@alves.example"));
    let choice = FieldChoice { field: "first_name".into(), lead_id: c.id };
    let out = f.core.merge_leads(&f.admin, a.id, &[c.id], &[choice]).unwrap();
    assert_eq!(out.lead.first_name, "Roberto");
    // A new lead never takes a merged lead's id.
    let d = create(&f, &lead("New", "Person", "new@person.example"));
    assert!(d.id > c.id, "{} after {}", d.id, c.id);
}

/// A merged lead's phone keeps the number it was read as: saved without a country under the default region US,
/// "(415) 555-2671" is not read again as a German number because the survivor is in Germany.
#[test]
fn a_merged_phone_keeps_the_number_it_was_read_as() {
    let f = fixture();
    let us = rapport_core::settings::Settings { default_region: "US".into(), default_currency: String::new() };
    f.core.update_settings(&f.admin, &us).unwrap();
    let mut a = lead("Jonas", "Weber", "jonas@weber.example");
    a.address.country = "DE".into();
    let mut b = lead("Jonas", "Weber", "j.weber@gmail.com");
    b.phones = vec!["(415) 555-2671".into()];
    let (a, b) = (create(&f, &a), create(&f, &b));
    assert_eq!(b.phones[0].e164, "+14155552671");
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let phones: Vec<(&str, &str)> = out.lead.phones.iter().map(|p| (p.e164.as_str(), p.original.as_str())).collect();
    assert_eq!(phones, [("+14155552671", "(415) 555-2671")], "the number as read, the spelling as typed");
}

/// An amount and its currency are one value: 5,000 of no stated currency does not become 5,000 EUR because the
/// other record named a currency without an amount.
#[test]
fn a_merged_amount_keeps_its_own_currency() {
    let f = fixture();
    let mut a = lead("Ines", "Moreau", "ines@moreau.example");
    a.deal.value = "5000".into();
    let mut b = lead("Ines", "Moreau", "ines.moreau@gmail.com");
    b.deal.currency = "EUR".into();
    let (a, b) = (create(&f, &a), create(&f, &b));
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert_eq!((out.lead.deal.value.as_str(), out.lead.deal.currency.as_str()), ("5000.00", ""));
    // Taken from the lead that has the amount, its currency comes with it.
    let mut c = lead("Ivo", "Brand", "ivo@brand.example");
    c.deal.currency = "USD".into();
    let mut d = lead("Ivo", "Brand", "ivo.brand@gmail.com");
    (d.deal.value, d.deal.currency) = ("700".into(), "GBP".into());
    let (c, d) = (create(&f, &c), create(&f, &d));
    let out = f.core.merge_leads(&f.admin, c.id, &[d.id], &[]).unwrap();
    assert_eq!((out.lead.deal.value.as_str(), out.lead.deal.currency.as_str()), ("700.00", "GBP"));
}

/// Why a deal was lost goes with the stage it was lost in: an open survivor does not take a Lost twin's reason
/// (a later move to Lost went through with a reason nobody gave for this deal); chosen with its stage, it comes.
#[test]
fn a_lost_reason_comes_with_the_stage_it_was_lost_in() {
    let f = fixture();
    let mut open = lead("Lo", "St", "lo@st.example");
    open.stage = "new".into();
    let mut lost = lead("Lo", "St", "lo.st@work.example");
    lost.stage = "lost".into();
    lost.deal.lost_reason = "price".into();
    let (a, b) = (create(&f, &open), create(&f, &lost));
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert_eq!((out.lead.stage.as_str(), out.lead.deal.lost_reason.as_str()), ("new", ""));
    f.core.unmerge(&f.admin, out.merge_id).unwrap();
    let choice = FieldChoice { field: "stage".into(), lead_id: b.id };
    let a = f.core.get_lead(&f.admin, a.id).unwrap();
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[choice]).unwrap();
    assert_eq!((out.lead.stage.as_str(), out.lead.deal.lost_reason.as_str()), ("lost", "price"));
    // Both lost, the survivor without a reason (moved there by the sweep): the other's fills the gap.
    let mut c = lead("Cy", "Lost", "cy@lost.example");
    c.stage = "lost".into();
    c.deal.lost_reason = "price".into();
    let c = create(&f, &c);
    f.sql().execute("UPDATE leads SET lost_reason = '' WHERE id = ?1", [c.id]).unwrap();
    let mut d = lead("Cy", "Lost", "cy.lost@work.example");
    d.stage = "lost".into();
    d.deal.lost_reason = "competitor".into();
    let d = create(&f, &d);
    let c = f.core.get_lead(&f.admin, c.id).unwrap();
    assert_eq!(c.deal.lost_reason, "");
    let out = f.core.merge_leads(&f.admin, c.id, &[d.id], &[]).unwrap();
    assert_eq!(out.lead.deal.lost_reason, "competitor");
}

/// A merged lead's owner who has been deactivated since is not handed to an ownerless survivor: it would be
/// refused, and the two records could never be merged.
#[test]
fn a_deactivated_owner_of_a_merged_lead_does_not_block_the_merge() {
    let f = fixture();
    f.user("olaf", rapport_core::users::Role::Editor, &[]);
    let olaf = f.core.list_users(&f.admin).unwrap().into_iter().find(|u| u.username == "olaf").unwrap();
    let a = create(&f, &lead("Tove", "Ahlgren", "tove@ahlgren.example"));
    let mut b = lead("Tove", "Ahlgren", "tove.ahlgren@gmail.com");
    b.owner_id = Some(olaf.id);
    let b = create(&f, &b);
    f.deactivate(olaf.id);
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert_eq!(out.lead.owner, None);
    assert_eq!(out.lead.emails.len(), 2, "merged");
}

#[test]
fn a_merge_with_nothing_to_merge_or_a_stranger_is_refused_and_writes_nothing() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let before = f.dump();
    assert_eq!(f.core.merge_leads(&f.admin, a.id, &[], &[]).unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(f.core.merge_leads(&f.admin, a.id, &[a.id], &[]).unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(f.core.merge_leads(&f.admin, a.id, &[999], &[]).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(f.core.unmerge(&f.admin, 12345).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(f.dump(), before);
}

/// A steward compares two leads and picks values; meanwhile a colleague edits one of them. The merge of the
/// versions the steward saw is refused whole, so the colleague's edit is neither overwritten by the steward's
/// pick nor folded away into the archive; merged again as they now stand, it goes through.
#[test]
fn a_merge_of_leads_changed_since_the_steward_compared_them_is_refused_and_writes_nothing() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let b = create(&f, &lead("Anne", "Lee", "anne.lee@other.example"));
    let seen = [SeenVersion { lead_id: a.id, version: a.version }, SeenVersion { lead_id: b.id, version: b.version }];
    let pick = [FieldChoice { field: "first_name".into(), lead_id: b.id }];
    let mut edit = a.to_input();
    edit.first_name = "Annabel".into();
    f.core.update_lead(&f.admin, a.id, a.version, &edit, &Origin::manual()).unwrap();
    let before = f.dump();
    let refused = f.core.merge_leads_as_seen(&f.admin, a.id, &[b.id], &pick, &seen).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Conflict, "{refused}");
    assert_eq!(f.dump(), before, "nothing written");
    // A version of a lead the merge does not name is a mistake of the caller, not a conflict.
    let stray = [SeenVersion { lead_id: 999, version: 1 }];
    let wrong = f.core.merge_leads_as_seen(&f.admin, a.id, &[b.id], &[], &stray).unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::Validation, "{wrong}");
    assert_eq!(f.dump(), before);
    let now = f.core.get_lead(&f.admin, a.id).unwrap();
    let seen = [SeenVersion { lead_id: a.id, version: now.version }, SeenVersion { lead_id: b.id, version: b.version }];
    let out = f.core.merge_leads_as_seen(&f.admin, a.id, &[b.id], &pick, &seen).unwrap();
    assert_eq!(out.lead.first_name, "Anne", "the pick made on the current values applies");
}

/// The merge's entry on the survivor's history is not undone field by field: that would take what the merge
/// brought off the survivor while the merged lead stays removed, so the data would be on no lead.
#[test]
fn a_merge_is_taken_back_by_unmerge_not_by_undoing_the_survivor_s_change() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let mut b = lead("Ann", "Lee", "ann.lee@work.example");
    b.job_title = "Buyer".into();
    let b = create(&f, &b);
    let merge = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let before = f.dump();
    let refused = f.core.undo_lead_change(&f.admin, a.id, merge).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Validation, "{refused}");
    assert!(refused.to_string().contains("Unmerge"), "{refused}");
    assert_eq!(f.dump(), before);
    let unmerged = f.core.unmerge(&f.admin, merge).unwrap();
    let undo_of_unmerge = f.core.lead_history(&f.admin, a.id).unwrap()[0].batch_id;
    assert_eq!(f.core.undo_lead_change(&f.admin, a.id, undo_of_unmerge).unwrap_err().code(), ErrorCode::Validation);
    assert_eq!(unmerged.restored[0].job_title, "Buyer");
}

/// An edit made on values a merge brought, that merge taken back since: undoing the edit would put the other
/// lead's city and job title back on the survivor (the unmerge gave them back to that lead). It is refused,
/// saying so, and writes nothing; an edit of the survivor's own values is undone as ever.
#[test]
fn an_edit_of_what_an_unmerged_merge_brought_is_not_undone_back_to_it() {
    let f = fixture();
    let a = create(&f, &lead("Anna", "Berg", "anna@x.example"));
    let mut b = lead("Anna", "Berg", "anna.berg@mail.example");
    b.job_title = "CTO".into();
    b.address.city = "Berlin".into();
    let b = create(&f, &b);
    let merged = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert_eq!((merged.lead.job_title.as_str(), merged.lead.address.city.as_str()), ("CTO", "Berlin"));
    let mut edit = merged.lead.to_input();
    edit.job_title = "CEO".into();
    edit.address.city = "Munich".into();
    edit.company = "Berg AB".into();
    let edited = f.core.update_lead(&f.admin, a.id, merged.lead.version, &edit, &Origin::manual()).unwrap();
    f.core.unmerge(&f.admin, merged.merge_id).unwrap();
    let before = f.dump();
    let refused = f.core.undo_lead_change(&f.admin, a.id, edited.batch_id.unwrap()).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Validation, "{refused}");
    assert!(refused.to_string().contains("came from a merge taken back since"), "{refused}");
    assert_eq!(f.dump(), before, "nothing written");
    // The survivor's own value, edited after no merge, is undone as ever.
    let own = f.core.get_lead(&f.admin, a.id).unwrap();
    let mut again = own.to_input();
    again.company = "Berg Group".into();
    let saved = f.core.update_lead(&f.admin, a.id, own.version, &again, &Origin::manual()).unwrap();
    let undone = f.core.undo_lead_change(&f.admin, a.id, saved.batch_id.unwrap()).unwrap();
    assert_eq!(undone.lead.company, "Berg AB");
}

/// An undo names a batch and a lead: a batch that did not touch the lead is not found, whatever it was. Asked
/// through a lead one may see, "a merge is taken back by Unmerge" told which batches of other campaigns were
/// merges.
#[test]
fn an_undo_of_another_lead_s_batch_says_nothing_of_what_it_was() {
    let f = fixture();
    let mut mine = lead("Cy", "Cole", "cy@cole.example");
    mine.campaign = "Spring".into();
    let mine = create(&f, &mine);
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let b = create(&f, &lead("Ann", "Lee", "ann.lee@work.example"));
    let merge = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let edit = f.core.get_lead(&f.admin, a.id).unwrap();
    let mut input = edit.to_input();
    input.job_title = "Buyer".into();
    let save = f.core.update_lead(&f.admin, a.id, edit.version, &input, &Origin::manual()).unwrap().batch_id.unwrap();
    let team = f.user("team", rapport_core::users::Role::Editor, &["Spring"]);
    let before = f.dump();
    let answers: Vec<(ErrorCode, String)> = [merge, save, i64::MAX]
        .into_iter()
        .map(|batch| {
            let e = f.core.undo_lead_change(&team, mine.id, batch).unwrap_err();
            (e.code(), e.to_string().replace(&batch.to_string(), "N"))
        })
        .collect();
    assert!(answers.iter().all(|a| *a == answers[2]), "as for a batch that never was: {answers:?}");
    assert_eq!(answers[2].0, ErrorCode::NotFound);
    assert_eq!(f.dump(), before);
}

/// A lead merged away while someone has it open: reading it again, or saving their form of it, names the lead
/// it lives on in (the app opens that one) instead of saying it does not exist, and writes nothing. A team who
/// could not see the merged lead (another campaign's) is not told it lived on in theirs.
#[test]
fn a_lead_merged_away_while_open_names_the_lead_it_lives_on_in() {
    let f = fixture();
    let mut ann = lead("Ann", "Lee", "ann@lee.example");
    ann.campaign = "Spring".into();
    let ann = create(&f, &ann);
    let mut twin = lead("Anne", "Lee", "anne@lee.example");
    twin.campaign = "Spring".into();
    let twin = create(&f, &twin);
    let mut hidden = lead("Ann", "Lee", "ann.lee@autumn.example");
    hidden.campaign = "Autumn".into();
    let hidden = create(&f, &hidden);
    let team = f.user("team", rapport_core::users::Role::Editor, &["Spring"]);
    let opened = f.core.get_lead(&team, twin.id).unwrap();
    let merge = f.core.merge_leads(&f.admin, ann.id, &[twin.id, hidden.id], &[]).unwrap();
    let err = f.core.get_lead(&team, twin.id).unwrap_err();
    assert_eq!((err.code(), err.merged_into()), (ErrorCode::MergedAway, Some(ann.id)), "{err}");
    assert!(err.to_string().contains("Ann Lee"), "{err}");
    let before = f.dump();
    let mut edit = opened.to_input();
    edit.job_title = "CFO".into();
    let err = f.core.update_lead(&team, twin.id, opened.version, &edit, &Origin::manual()).unwrap_err();
    assert_eq!((err.code(), err.merged_into()), (ErrorCode::MergedAway, Some(ann.id)), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    let err = f.core.get_lead(&team, hidden.id).unwrap_err();
    assert_eq!((err.code(), err.merged_into()), (ErrorCode::NotFound, None), "{err}");
    assert!(!err.to_string().contains("Ann"), "{err}");
    let err = f.core.get_lead(&f.admin, hidden.id).unwrap_err();
    assert_eq!(err.merged_into(), Some(ann.id), "an Administrator sees where it went: {err}");
    // Unmerged, it is itself again.
    f.core.unmerge(&f.admin, merge.merge_id).unwrap();
    assert_eq!(f.core.get_lead(&team, twin.id).unwrap().id, twin.id);
}

/// Two stewards have the queue open on one pair: the first sets it aside as "not a duplicate", the second,
/// still looking at it, merges. The merge is refused, nothing written: that decision changed neither lead, so
/// the versions compared did not see it, and the merge went through and took the decision with it.
#[test]
fn a_queued_pair_set_aside_meanwhile_is_not_merged_over_the_decision() {
    let f = fixture();
    create(&f, &lead("Ann", "Lee", "ann.lee31@x.example"));
    create(&f, &lead("Ann", "Lee", "ann.lee31@x.example"));
    let pair = f.core.duplicate_queue(&f.admin, 10).unwrap().remove(0);
    let seen = [&pair.a, &pair.b].map(|l| SeenVersion { lead_id: l.id, version: l.version });
    let other = f.user("steward2", rapport_core::users::Role::Administrator, &[]);
    f.core.mark_not_duplicate_as_seen(&other, pair.id, &seen).unwrap();
    let before = f.dump();
    let err = f.core.merge_pair_as_seen(&f.admin, pair.id, pair.a.id, pair.b.id, &[], &seen).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    // Reopened, the pair is the queue's again and merges.
    f.core.reopen_pair(&other, pair.id).unwrap();
    let out = f.core.merge_pair_as_seen(&f.admin, pair.id, pair.a.id, pair.b.id, &[], &seen).unwrap();
    assert_eq!(out.lead.id, pair.a.id);
    // A pair id that is not the two leads' is refused too.
    let c = create(&f, &lead("Bo", "Chan", "bo.chan47@x.example"));
    let d = create(&f, &lead("Bo", "Chan", "bo.chan47@x.example"));
    let before = f.dump();
    let err = f.core.merge_pair_as_seen(&f.admin, pair.id, c.id, d.id, &[], &[]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert_eq!(f.dump(), before, "nothing written");
}

#[test]
fn a_team_cannot_merge_a_lead_outside_its_campaigns() {
    let f = fixture();
    let mut mine = lead("Ann", "Lee", "ann@lee.example");
    mine.campaign = "Spring".into();
    let mine = create(&f, &mine);
    let theirs = create(&f, &lead("Ann", "Lee", "ann.lee@other.example"));
    let team = f.user("team", rapport_core::users::Role::Editor, &["Spring"]);
    let before = f.dump();
    assert_eq!(f.core.merge_leads(&team, mine.id, &[theirs.id], &[]).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(f.dump(), before);
}

/// A lead of another campaign merged into one of the team's: the team sees neither its name in the merge
/// history nor, through an unmerge, its fields.
#[test]
fn a_merge_of_a_lead_outside_the_team_s_campaigns_is_neither_listed_nor_taken_back_by_the_team() {
    let f = fixture();
    let team = f.user("team", rapport_core::users::Role::Editor, &["Spring"]);
    let team_id: i64 = f.sql().query_row("SELECT id FROM users WHERE username = 'team'", [], |r| r.get(0)).unwrap();
    let mut mine = lead("Ann", "Lee", "ann@lee.example");
    mine.campaign = "Spring".into();
    mine.owner_id = Some(team_id);
    let mine = create(&f, &mine);
    let mut theirs = lead("Anne", "Lee", "anne.lee@other.example");
    theirs.campaign = "Autumn".into();
    theirs.job_title = "CFO".into();
    let theirs = create(&f, &theirs);
    let call = rapport_core::pipeline::NewActivity {
        kind: Some(rapport_core::pipeline::ActivityKind::Call),
        subject: "Autumn pricing call".into(),
        ..Default::default()
    };
    f.core.log_activity(&f.admin, theirs.id, &call).unwrap();
    let m = f.core.merge_leads(&f.admin, mine.id, &[theirs.id], &[]).unwrap();
    assert!(f.core.lead_merges(&team, mine.id).unwrap().is_empty(), "the team does not see who was merged in");
    // Nor its history or activities, which the survivor's pages show to those who may see it.
    let history = f.core.lead_history(&team, mine.id).unwrap();
    assert!(history.iter().all(|e| e.entity_id != theirs.id), "{history:?}");
    assert!(f.core.lead_history(&f.admin, mine.id).unwrap().iter().any(|e| e.entity_id == theirs.id));
    assert!(f.core.lead_activities(&team, mine.id).unwrap().is_empty());
    assert_eq!(f.core.lead_activities(&f.admin, mine.id).unwrap().len(), 1);
    assert_eq!(f.core.lead_merges(&f.admin, mine.id).unwrap().len(), 1);
    let before = f.dump();
    let refused = f.core.unmerge(&team, m.merge_id).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::PermissionDenied);
    assert!(!refused.to_string().contains("Autumn"), "nor the campaign's name: {refused}");
    assert_eq!(f.dump(), before, "nothing written");
    // A merge of the team's own leads stays theirs to take back.
    let mut twin = lead("Ann", "Lee", "ann.lee@spring.example");
    twin.campaign = "Spring".into();
    let twin = create(&f, &twin);
    let own = f.core.merge_leads(&team, mine.id, &[twin.id], &[]).unwrap();
    assert_eq!(f.core.lead_merges(&team, mine.id).unwrap().len(), 1);
    f.core.unmerge(&team, own.merge_id).unwrap();
    // A merge made wholly in another campaign is, to the team, no merge at all: the answer a batch that is no
    // merge gets, not the survivor's id.
    let mut other = lead("Bo", "Berg", "bo@autumn.example");
    other.campaign = "Autumn".into();
    let other = create(&f, &other);
    let mut other_twin = lead("Bo", "Berg", "bo.berg@autumn.example");
    other_twin.campaign = "Autumn".into();
    let other_twin = create(&f, &other_twin);
    let hidden = f.core.merge_leads(&f.admin, other.id, &[other_twin.id], &[]).unwrap();
    let refused = f.core.unmerge(&team, hidden.merge_id).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::NotFound, "{refused}");
    let no_merge = f.core.unmerge(&team, 999_999).unwrap_err();
    assert_eq!(refused.to_string(), no_merge.to_string().replace("999999", &hidden.merge_id.to_string()));
}

/// An unmerge takes a value and its detail back together: an amount edited since keeps the currency it is in,
/// and a lost reason given since keeps the stage it was given in. Taken back alone, the deal was left at 6,000
/// in no currency, and the lead back in New lead with a reason it was lost for.
#[test]
fn an_unmerge_keeps_a_value_and_its_detail_together() {
    let f = fixture();
    let a = create(&f, &lead("Ana", "Silva", "ana@silva.example"));
    let mut deal = lead("Ana", "Silva", "ana@silva.example");
    (deal.deal.value, deal.deal.currency) = ("5000".into(), "USD".into());
    let b = create(&f, &deal);
    let m = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let now = f.core.get_lead(&f.admin, a.id).unwrap();
    assert_eq!((now.deal.value.as_str(), now.deal.currency.as_str()), ("5000.00", "USD"));
    let mut input = now.to_input();
    input.deal.value = "6000".into();
    f.core.update_lead(&f.admin, a.id, now.version, &input, &Origin::manual()).unwrap();
    f.core.unmerge(&f.admin, m).unwrap();
    let back = f.core.get_lead(&f.admin, a.id).unwrap();
    assert_eq!((back.deal.value.as_str(), back.deal.currency.as_str()), ("6000.00", "USD"), "edited since, in USD");

    let c = create(&f, &lead("Cy", "Roe", "cy@roe.example"));
    let mut lost = lead("Cy", "Roe", "cy@roe.example");
    (lost.stage, lost.deal.lost_reason) = ("lost".into(), "price".into());
    let d = create(&f, &lost);
    let keep_stage = [FieldChoice { field: "stage".into(), lead_id: d.id }];
    let m = f.core.merge_leads(&f.admin, c.id, &[d.id], &keep_stage).unwrap().merge_id;
    let now = f.core.get_lead(&f.admin, c.id).unwrap();
    assert_eq!((now.stage.as_str(), now.deal.lost_reason.as_str()), ("lost", "price"));
    let mut input = now.to_input();
    input.deal.lost_reason = "competitor".into();
    f.core.update_lead(&f.admin, c.id, now.version, &input, &Origin::manual()).unwrap();
    f.core.unmerge(&f.admin, m).unwrap();
    let back = f.core.get_lead(&f.admin, c.id).unwrap();
    assert_eq!((back.stage.as_str(), back.deal.lost_reason.as_str()), ("lost", "competitor"), "given since, in Lost");
}

/// B then C merged into A, both bringing the same work email, phone, tag and deal A lacks: C's merge recorded no
/// change (B's had brought them), so B's unmerge took them all out, and they lived on only in C's merge's
/// archive. Now A keeps what C, still merged, holds, and C's own unmerge gives A back as it was.
#[test]
fn an_unmerge_keeps_the_contacts_and_deal_a_lead_still_merged_brought_too() {
    let f = fixture();
    let a = create(&f, &lead("Anna", "Kowalski", "anna@home.example"));
    let twin = || {
        let mut l = lead("Anna", "Kowalski", "anna.k@work.example");
        l.phones = vec!["+44 20 7946 0018".into()];
        l.tags = vec!["vip".into()];
        l.deal.value = "5000".into();
        l.deal.currency = "GBP".into();
        l.deal.expected_close = "2027-03-01".into();
        l
    };
    let (b, c) = (create(&f, &twin()), create(&f, &twin()));
    let original = content(&f.core.get_lead(&f.admin, a.id).unwrap());
    let m1 = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let m2 = f.core.merge_leads(&f.admin, a.id, &[c.id], &[]).unwrap().merge_id;
    f.core.unmerge(&f.admin, m1).unwrap();
    let now = f.core.get_lead(&f.admin, a.id).unwrap();
    let emails: Vec<&str> = now.emails.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(emails, ["anna@home.example", "anna.k@work.example"], "C, still merged, holds the work address");
    assert_eq!(now.phones.iter().map(|p| p.e164.as_str()).collect::<Vec<_>>(), ["+442079460018"]);
    assert_eq!(now.tags, ["vip"]);
    assert_eq!((now.deal.value.as_str(), now.deal.currency.as_str()), ("5000.00", "GBP"));
    assert_eq!(now.deal.expected_close, "2027-03-01");
    assert_eq!(content(&f.core.get_lead(&f.admin, b.id).unwrap()).emails, create_like(&twin()).emails);
    f.core.unmerge(&f.admin, m2).unwrap();
    assert_eq!(content(&f.core.get_lead(&f.admin, a.id).unwrap()), original, "A as it was before both merges");
}

/// The emails a lead is created with, as stored.
fn create_like(input: &LeadInput) -> Lead {
    let f = fixture();
    content(&create(&f, input))
}

/// B then C merged into A, both with the city A lacks: B's merge filled it, C's found it filled. B unmerged
/// first emptied it, though C, still merged, holds one. Now A keeps C's city, and C's own unmerge takes it
/// back, unless it was edited since.
#[test]
fn an_unmerge_refills_a_field_from_a_lead_still_merged_whose_own_unmerge_takes_it_back() {
    for edited_since in [false, true] {
        let f = fixture();
        let with = |first: &str, email: &str, city: &str, title: &str, campaign: &str| {
            let mut l = lead(first, "Lee", email);
            (l.address.city, l.job_title, l.campaign) = (city.into(), title.into(), campaign.into());
            create(&f, &l)
        };
        let a = with("Ann", "ann.lee@harbor.example", "", "", "");
        let b = with("Anne", "anne@lee.example", "Berlin", "Buyer", "Spring");
        let c = with("Annie", "annie@lee.example", "Berlin", "", "Autumn");
        let original = content(&f.core.get_lead(&f.admin, a.id).unwrap());
        let m1 = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
        let m2 = f.core.merge_leads(&f.admin, a.id, &[c.id], &[]).unwrap().merge_id;
        f.core.unmerge(&f.admin, m1).unwrap();
        let now = f.core.get_lead(&f.admin, a.id).unwrap();
        assert_eq!(now.address.city, "Berlin", "C, still merged, holds it");
        assert_eq!(now.job_title, "", "B's title left with B: C holds none");
        assert_eq!(now.campaign, "", "which team sees the lead never changes as a side effect");
        assert_eq!(f.core.get_lead(&f.admin, b.id).unwrap().address.city, "Berlin");
        if edited_since {
            let mut input = now.to_input();
            input.address.city = "Potsdam".into();
            f.core.update_lead(&f.admin, a.id, now.version, &input, &Origin::manual()).unwrap();
        }
        f.core.unmerge(&f.admin, m2).unwrap();
        let back = content(&f.core.get_lead(&f.admin, a.id).unwrap());
        if edited_since {
            assert_eq!(back.address.city, "Potsdam", "an edit made since stays");
        } else {
            assert_eq!(back, original, "A as it was before both merges");
        }
        assert_eq!(f.core.get_lead(&f.admin, c.id).unwrap().address.city, "Berlin");
    }
}

/// D merged into A filled its city; someone cleared it; B merged later filled it again. B's unmerge leaves it
/// empty, as the person left it: it filled it from D's archived city, the value they had taken out.
#[test]
fn an_unmerge_does_not_refill_a_field_from_a_merge_made_before_it() {
    let f = fixture();
    let with = |first: &str, email: &str, city: &str| {
        let mut l = lead(first, "Lee", email);
        l.address.city = city.into();
        create(&f, &l)
    };
    let a = with("Ann", "ann.lee@harbor.example", "");
    let d = with("Annie", "annie@lee.example", "Paris");
    let b = with("Anne", "anne@lee.example", "Berlin");
    f.core.merge_leads(&f.admin, a.id, &[d.id], &[]).unwrap();
    let now = f.core.get_lead(&f.admin, a.id).unwrap();
    assert_eq!(now.address.city, "Paris");
    let mut input = now.to_input();
    input.address.city = String::new();
    f.core.update_lead(&f.admin, a.id, now.version, &input, &Origin::manual()).unwrap();
    let m = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    assert_eq!(f.core.get_lead(&f.admin, a.id).unwrap().address.city, "Berlin");
    f.core.unmerge(&f.admin, m).unwrap();
    assert_eq!(f.core.get_lead(&f.admin, a.id).unwrap().address.city, "", "as the person left it");
}

/// Two merges into one lead, undone in either order, each take back what they gave: the first one's notes and
/// chosen job title stayed on the survivor (the second merge and its unmerge looked like edits made since).
#[test]
fn two_merges_into_one_lead_undone_in_either_order_give_the_lead_back_as_it_was() {
    for second_first in [true, false] {
        let f = fixture();
        let with = |first: &str, email: &str, notes: &str, title: &str| {
            let mut l = lead(first, "Lee", email);
            (l.notes, l.job_title) = (notes.into(), title.into());
            create(&f, &l)
        };
        let a = with("Ann", "ann.lee@harbor.example", "x", "");
        let b = with("Anne", "anne@lee.example", "y", "Buyer");
        let c = with("Annie", "annie@lee.example", "z", "CFO");
        let original = content(&f.core.get_lead(&f.admin, a.id).unwrap());
        let title_of = |l: &Lead| FieldChoice { field: "job_title".into(), lead_id: l.id };
        let m1 = f.core.merge_leads(&f.admin, a.id, &[b.id], &[title_of(&b)]).unwrap().merge_id;
        let m2 = f.core.merge_leads(&f.admin, a.id, &[c.id], &[title_of(&c)]).unwrap().merge_id;
        let order = if second_first { [m2, m1] } else { [m1, m2] };
        for m in order {
            f.core.unmerge(&f.admin, m).unwrap();
        }
        let back = content(&f.core.get_lead(&f.admin, a.id).unwrap());
        assert_eq!((back.notes.as_str(), back.job_title.as_str()), ("x", ""), "second first: {second_first}");
        assert_eq!(back, original, "second first: {second_first}");
        assert_eq!(f.core.get_lead(&f.admin, b.id).unwrap().notes, "y");
    }
}

/// A steward's "not a duplicate" between two leads each merged elsewhere comes back once both merges are
/// undone, in the order they were made too (the first unmerge found the other lead still merged away and
/// dropped the pair).
#[test]
fn a_decision_between_two_leads_merged_elsewhere_comes_back_with_both() {
    for made_order in [true, false] {
        let f = fixture();
        let ids: Vec<i64> = ["ann.lee@a.example", "ann.lee@b.example", "ann.lee@c.example", "ann.lee@d.example"]
            .iter()
            .map(|email| create(&f, &lead("Ann", "Lee", email)).id)
            .collect();
        let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
        let pair_bc = || -> Option<(i64, String)> {
            f.sql()
                .query_row("SELECT id, status FROM duplicate_pairs WHERE lead_a = ?1 AND lead_b = ?2", [b, c], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .ok()
        };
        let (bc, _) = pair_bc().expect("b and c are queued as a pair");
        f.core.mark_not_duplicate(&f.admin, bc).unwrap();
        let m1 = f.core.merge_leads(&f.admin, a, &[b], &[]).unwrap().merge_id;
        let m2 = f.core.merge_leads(&f.admin, d, &[c], &[]).unwrap().merge_id;
        let order = if made_order { [m1, m2] } else { [m2, m1] };
        for m in order {
            f.core.unmerge(&f.admin, m).unwrap();
        }
        let back = pair_bc().map(|(_, status)| status);
        assert_eq!(back.as_deref(), Some("not_duplicate"), "undone in the order made: {made_order}");
    }
}

/// A lead an unmerge brings back is checked for duplicates as a save is: one created meanwhile with its name
/// and email (paired then with the survivor only) is queued with it, and the survivor it was taken from is not.
#[test]
fn a_lead_brought_back_by_an_unmerge_is_checked_against_leads_created_meanwhile() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann.lee@harbor.example"));
    let b = create(&f, &lead("Anne", "Lee", "anne.lee77@other.example"));
    let merged = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let n = create(&f, &lead("Anne", "Lee", "anne.lee77@other.example"));
    f.core.unmerge(&f.admin, merged.merge_id).unwrap();
    let queued: Vec<(i64, i64)> = f
        .core
        .duplicate_queue(&f.admin, 10)
        .unwrap()
        .iter()
        .map(|p| (p.a.id.min(p.b.id), p.a.id.max(p.b.id)))
        .collect();
    assert!(queued.contains(&(b.id, n.id)), "{queued:?}");
    assert!(!queued.contains(&(a.id, b.id)), "taken apart, not queued again: {queued:?}");
}

/// A merged lead's pairs with other leads, a "not a duplicate" decision among them, come back with it on unmerge.
#[test]
fn unmerge_brings_back_the_merged_lead_s_pairs_and_decisions() {
    let f = fixture();
    let a = create(&f, &lead("Bo", "Berg", "bo@berg.example"));
    let mut person = lead("Ann", "Lee", "ann.lee@harbor.example");
    person.phones = vec!["+44 20 7946 0123".into()];
    let b = create(&f, &person);
    let mut c = person.clone();
    c.emails = vec!["ann@lee.example".into()];
    create(&f, &c);
    let mut d = person.clone();
    d.phones = vec![];
    d.company = "Harbor Labs".into();
    create(&f, &d);
    let pairs = || -> Vec<(i64, i64, String, String)> {
        let c = f.sql();
        let mut stmt = c
            .prepare("SELECT lead_a, lead_b, status, fingerprint FROM duplicate_pairs ORDER BY lead_a, lead_b")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    };
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let with_b: Vec<_> = queue.iter().filter(|p| p.a.id == b.id || p.b.id == b.id).collect();
    assert!(with_b.len() >= 2, "{queue:?}");
    f.core.mark_not_duplicate(&f.admin, with_b[0].id).unwrap();
    let before = pairs();
    assert!(before.iter().any(|p| p.2 == "not_duplicate"));
    let m = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert!(pairs().iter().all(|p| p.0 != b.id && p.1 != b.id), "gone with the lead");
    f.core.unmerge(&f.admin, m.merge_id).unwrap();
    // Every pair back, the decision with it; and the two leads just taken apart are set aside as two people.
    let (apart, others): (Vec<_>, Vec<_>) =
        pairs().into_iter().partition(|p| (p.0, p.1) == (a.id.min(b.id), a.id.max(b.id)));
    assert_eq!(others, before, "every pair back, the decision with it");
    assert_eq!(apart.iter().map(|p| p.2.as_str()).collect::<Vec<_>>(), ["not_duplicate"]);
}

/// What a later edit of the survivor does.
#[derive(Debug, Clone)]
enum Edit {
    JobTitle(String),
    Tag(String),
    Phone(u32),
    Company(String),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        "[A-Z][a-z]{2,8}".prop_map(Edit::JobTitle),
        "[a-z]{3,6}".prop_map(Edit::Tag),
        (1000u32..9999).prop_map(Edit::Phone),
        "[A-Z][a-z]{2,8}".prop_map(Edit::Company),
    ]
}

fn person_strategy() -> impl Strategy<Value = LeadInput> {
    (
        prop::sample::select(vec!["Ann", "Bob", "Cy", ""]),
        prop::sample::select(vec!["Lee", "Alves", "Stone"]),
        prop::option::of("[a-z]{3,8}"),
        prop::option::of(1000u32..9999),
        prop::option::of("[A-Z][a-z]{2,8}"),
        prop::option::of("[A-Z][a-z]{2,8}"),
        prop::collection::vec("[a-z]{3,5}", 0..3),
        prop::option::of("[a-z ]{3,20}"),
    )
        .prop_map(|(first, last, email, phone, company, city, tags, notes)| {
            let mut i = lead(first, last, &email.map(|e| format!("{e}@example.com")).unwrap_or_default());
            i.phones = phone.map(|p| vec![format!("+44 20 7946 {p}")]).unwrap_or_default();
            i.company = company.unwrap_or_default();
            i.address.city = city.unwrap_or_default();
            i.tags = tags;
            i.notes = notes.unwrap_or_default();
            i
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Merge, then edit the survivor, then unmerge: the merged leads come back exactly (every field, version
    /// and time), and the survivor is what it was before the merge plus the later edits.
    #[test]
    fn merge_then_unmerge_restores_records_and_links_exactly(
        people in prop::collection::vec(person_strategy(), 2..4),
        choose in prop::collection::vec((0usize..4, prop::sample::select(vec!["first_name", "last_name", "company", "city", "notes"])), 0..3),
        edits in prop::collection::vec(edit_strategy(), 0..4),
    ) {
        let f = fixture();
        let leads: Vec<Lead> = people.iter().map(|p| create(&f, p)).collect();
        let bystander = create(&f, &lead("Zed", "Bystander", "zed@by.example"));
        let (survivor, others) = (&leads[0], &leads[1..]);
        let choices: Vec<FieldChoice> = choose
            .iter()
            .map(|(i, field)| FieldChoice { field: field.to_string(), lead_id: leads[i % leads.len()].id })
            .collect();
        let other_ids: Vec<i64> = others.iter().map(|l| l.id).collect();
        let merged = f.core.merge_leads(&f.admin, survivor.id, &other_ids, &choices).unwrap();
        for o in others {
            prop_assert_eq!(f.core.get_lead(&f.admin, o.id).unwrap_err().merged_into(), Some(survivor.id));
        }
        // Later edits of the survivor, each a separate save.
        let mut expected = survivor.to_input();
        for e in &edits {
            let now = f.core.get_lead(&f.admin, survivor.id).unwrap();
            let mut input = now.to_input();
            match e {
                Edit::JobTitle(t) => { input.job_title = t.clone(); expected.job_title = t.clone(); }
                Edit::Company(c) => { input.company = c.clone(); expected.company = c.clone(); }
                Edit::Tag(t) => {
                    if !input.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) { input.tags.push(t.clone()); }
                    if !expected.tags.iter().any(|x| x.eq_ignore_ascii_case(t)) { expected.tags.push(t.clone()); }
                }
                Edit::Phone(p) => {
                    let phone = format!("+44 161 496 {p}");
                    if !input.phones.contains(&phone) { input.phones.push(phone.clone()); }
                    if !expected.phones.contains(&phone) { expected.phones.push(phone); }
                }
            }
            f.core.update_lead(&f.admin, survivor.id, now.version, &input, &Origin::manual()).unwrap();
        }
        let out = f.core.unmerge(&f.admin, merged.merge_id).unwrap();
        for o in others {
            let back = f.core.get_lead(&f.admin, o.id).unwrap();
            prop_assert_eq!(&back, o, "a merged lead comes back exactly");
        }
        prop_assert_eq!(out.restored.len(), others.len());
        let after = f.core.get_lead(&f.admin, survivor.id).unwrap();
        // A later edit that set a field the merge had also changed keeps the edit; the rest is as before.
        let mut want = content(survivor);
        want.job_title = expected.job_title.clone();
        want.company = expected.company.clone();
        let sorted = |v: &[String]| { let mut v: Vec<String> = v.iter().map(|t| t.to_lowercase()).collect(); v.sort(); v };
        prop_assert_eq!(sorted(&after.tags), sorted(&expected.tags));
        let phones: Vec<String> = after.phones.iter().map(|p| p.original.clone()).collect();
        prop_assert_eq!(phones, expected.phones.clone());
        want.tags = after.tags.clone();
        want.phones = after.phones.clone();
        want.status = after.status;
        want.missing = after.missing.clone();
        prop_assert_eq!(content(&after), want);
        prop_assert_eq!(f.core.get_lead(&f.admin, bystander.id).unwrap(), bystander);
    }
}

#[test]
fn a_lead_lists_the_merges_into_it_until_they_are_taken_back() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let b = create(&f, &lead("Anne", "Lee", "anne@lee.example"));
    assert!(f.core.lead_merges(&f.admin, a.id).unwrap().is_empty());
    let m = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let merges = f.core.lead_merges(&f.admin, a.id).unwrap();
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].merge_id, m.merge_id);
    assert_eq!(merges[0].merged.iter().map(|l| (l.id, l.name.as_str())).collect::<Vec<_>>(), [(b.id, "Anne Lee")]);
    f.core.unmerge(&f.admin, m.merge_id).unwrap();
    assert!(f.core.lead_merges(&f.admin, a.id).unwrap().is_empty());
}

#[test]
fn accepting_pairs_in_bulk_merges_each_on_its_own_and_skips_what_is_gone() {
    let f = fixture();
    let mut ids = Vec::new();
    for (first, email) in [("Ann", "ann.lee31@x.example"), ("Bo", "bo.chan47@x.example")] {
        let a = create(&f, &lead(first, "Lee", email));
        let b = create(&f, &lead(first, "Lee", email));
        ids.push((a.id, b.id));
    }
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    assert_eq!(queue.len(), 2, "{queue:?}");
    let mut pairs: Vec<i64> = queue.iter().map(|p| p.id).collect();
    pairs.push(9_999);
    let mut seen = Vec::new();
    let report = f.core.merge_pairs(&f.admin, &pairs, &mut |done, total| seen.push((done, total))).unwrap();
    assert_eq!(report.merged.len(), 2);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].pair_id, 9_999);
    assert_eq!(seen.last(), Some(&(3, 3)));
    for (a, b) in &ids {
        assert!(f.core.get_lead(&f.admin, *a).is_ok());
        assert_eq!(f.core.get_lead(&f.admin, *b).unwrap_err().merged_into(), Some(*a));
    }
    // Each merge is undone on its own: the first brings back its own merged lead, and the other stays merged.
    let undone = f.core.unmerge(&f.admin, report.merged[0].merge_id).unwrap();
    let first = ids.iter().position(|(a, _)| *a == report.merged[0].lead.id).unwrap();
    assert_eq!(undone.restored.iter().map(|l| l.id).collect::<Vec<_>>(), [ids[first].1]);
    assert!(f.core.get_lead(&f.admin, ids[first].1).is_ok());
    assert_eq!(f.core.get_lead(&f.admin, ids[1 - first].1).unwrap_err().merged_into(), Some(ids[1 - first].0));
    let viewer = f.user("v", rapport_core::users::Role::Viewer, &[]);
    assert_eq!(f.core.merge_pairs(&viewer, &pairs, &mut |_, _| {}).unwrap_err().code(), ErrorCode::PermissionDenied);
}

/// A steward deactivated while their bulk merge runs: the merges already done are reported (each undoable from
/// its lead's page) and the rest skipped, saying why; the call failed as a whole, and the report was lost.
#[test]
fn a_bulk_merge_stopped_by_a_deactivation_reports_the_merges_already_done() {
    let f = fixture();
    let steward = f.user("steward", rapport_core::users::Role::Administrator, &[]);
    for (first, email) in [("Ann", "ann.lee31@x.example"), ("Bo", "bo.chan47@x.example")] {
        create(&f, &lead(first, "Lee", email));
        create(&f, &lead(first, "Lee", email));
    }
    let pairs: Vec<i64> = f.core.duplicate_queue(&f.admin, 10).unwrap().iter().map(|p| p.id).collect();
    assert_eq!(pairs.len(), 2);
    let id = steward.user_id().unwrap();
    let report = f
        .core
        .merge_pairs(&steward, &pairs, &mut |done, _| {
            if done == 1 {
                f.deactivate(id);
            }
        })
        .unwrap();
    assert_eq!(report.merged.len(), 1, "{report:?}");
    assert_eq!(report.skipped.iter().map(|s| s.pair_id).collect::<Vec<_>>(), [pairs[1]], "{report:?}");
    assert!(report.skipped[0].reason.contains("deactivated"), "{report:?}");
}

/// Two leads of one person holding different values (two companies) are a steward's to decide field by field:
/// a bulk accept skips the pair, saying why, and writes nothing, rather than keep one company and drop the other.
#[test]
fn a_bulk_accept_leaves_a_pair_whose_leads_hold_different_values() {
    let f = fixture();
    let mut a = lead("Ivo", "Brand", "ivo@brand.example");
    a.company = "Brand GmbH".into();
    let a = create(&f, &a);
    let mut b = lead("Ivo", "Brand", "ivo@brand.example");
    b.company = "Brand Holding".into();
    let b = create(&f, &b);
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let pair = queue.iter().find(|p| [p.a.id, p.b.id].contains(&a.id)).expect("the pair is queued").id;
    let before = f.dump();
    let report = f.core.merge_pairs(&f.admin, &[pair], &mut |_, _| {}).unwrap();
    assert!(report.merged.is_empty());
    assert!(report.skipped[0].reason.contains("company"), "{:?}", report.skipped);
    assert_eq!(f.dump(), before, "nothing written");
    assert!(f.core.get_lead(&f.admin, b.id).is_ok());
}

#[test]
fn the_survivors_history_holds_the_merged_leads_history_until_unmerge() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let b = create(&f, &lead("Anne", "Lee", "anne@lee.example"));
    let mut input = b.to_input();
    input.notes = "called about pricing".into();
    f.core.update_lead(&f.admin, b.id, b.version, &input, &Origin::manual()).unwrap();
    let m = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let history = f.core.lead_history(&f.admin, a.id).unwrap();
    assert!(
        history.iter().any(|e| e.entity_id == b.id && e.field == "notes"),
        "the merged lead's edit is in the survivor's history"
    );
    assert!(history.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    f.core.unmerge(&f.admin, m.merge_id).unwrap();
    assert!(!f.core.lead_history(&f.admin, a.id).unwrap().iter().any(|e| e.entity_id == b.id));
    assert!(f.core.lead_history(&f.admin, b.id).unwrap().iter().any(|e| e.field == "notes"));
}

/// An account manager (no steward) accepts in bulk a pair of their own leads and one of another's: theirs is
/// merged and reported, the other skipped with why, not the whole call failed after a merge was committed.
#[test]
fn a_bulk_accept_skips_the_pairs_one_may_not_decide_and_reports_the_merges_done() {
    let f = fixture();
    let ed = f.user("ed", rapport_core::users::Role::Editor, &[]);
    let ed_id = ed.user_id().unwrap();
    let mine = |first: &str, email: &str| {
        let mut input = lead(first, "Lee", email);
        input.owner_id = Some(ed_id);
        input
    };
    let a = create(&f, &mine("Ann", "ann.lee31@x.example"));
    let b = create(&f, &mine("Ann", "ann.lee31@x.example"));
    create(&f, &lead("Bo", "Chan", "bo.chan47@x.example"));
    create(&f, &lead("Bo", "Chan", "bo.chan47@x.example"));
    let queue = f.core.duplicate_queue(&f.admin, 10).unwrap();
    let own = queue.iter().find(|p| p.a.id == a.id || p.b.id == a.id).unwrap().id;
    let other = queue.iter().find(|p| p.id != own).unwrap().id;
    let report = f.core.merge_pairs(&ed, &[other, own], &mut |_, _| {}).unwrap();
    assert_eq!(report.merged.len(), 1, "{report:?}");
    assert_eq!(report.skipped.iter().map(|s| s.pair_id).collect::<Vec<_>>(), [other]);
    assert_eq!(f.core.get_lead(&f.admin, b.id).unwrap_err().merged_into(), Some(a.id));
}

/// A pair a steward sets aside while enrichment runs (the queue on screen holds it) is not merged by it.
#[test]
fn enrichment_leaves_a_pair_set_aside_while_it_runs() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann.lee31@x.example"));
    let b = create(&f, &lead("Ann", "Lee", "ann.lee31@x.example"));
    let pair = f.core.duplicate_queue(&f.admin, 10).unwrap()[0].id;
    let mut merged = Vec::new();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut set_aside = false;
    f.core
        .enrich_same_pairs(
            &f.admin,
            &cancel,
            &mut |done, _| {
                if done == 0 && !set_aside {
                    f.core.mark_not_duplicate(&f.admin, pair).unwrap();
                    set_aside = true;
                }
            },
            &mut merged,
        )
        .unwrap();
    assert!(set_aside);
    assert!(merged.is_empty(), "{merged:?}");
    assert!(f.core.get_lead(&f.admin, a.id).is_ok() && f.core.get_lead(&f.admin, b.id).is_ok());
}

/// A steward's "not a duplicate" that a merge reopened (the survivor took a new phone, so its pairs were
/// compared again) stands again once the merge is taken apart: the survivor's fields are what was decided on.
#[test]
fn unmerge_gives_back_the_decisions_the_merge_reopened() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann.lee31@x.example"));
    let x = create(&f, &lead("Ann", "Lee", "ann.lee@other.example"));
    let pair = f.core.duplicate_queue(&f.admin, 10).unwrap().into_iter().find(|p| [p.a.id, p.b.id] == [a.id, x.id]);
    f.core.mark_not_duplicate(&f.admin, pair.expect("Ann and her namesake are queued").id).unwrap();
    let mut b = lead("Ann", "Lee", "ann.lee31@x.example");
    b.phones = vec!["+44 20 7946 0311".into()];
    let b = create(&f, &b);
    let merge = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let queued = |f: &common::Fixture| -> Vec<(i64, i64)> {
        f.core.duplicate_queue(&f.admin, 10).unwrap().iter().map(|p| (p.a.id, p.b.id)).collect()
    };
    assert!(queued(&f).contains(&(a.id, x.id)), "the merge reopened it: {:?}", queued(&f));
    f.core.unmerge(&f.admin, merge).unwrap();
    assert!(!queued(&f).contains(&(a.id, x.id)), "set aside again: {:?}", queued(&f));
}

/// The pairs a merge reopened are set aside again by its unmerge, by the ids the change log names. A pair
/// deleted since (here, the merged pair itself) never hands its id to a pair found later, and unmerge leaves
/// that later pair, of two other leads, in the queue.
#[test]
fn unmerge_sets_aside_only_the_pairs_its_merge_reopened_never_a_later_pair() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let mut b = lead("Ann", "Lee", "ann.lee@work.example");
    b.phones = vec!["+44 20 7946 0018".into()];
    let b = create(&f, &b);
    let queue = f.core.duplicate_queue(&f.admin, 50).unwrap();
    let pair = queue.iter().find(|p| (p.a.id, p.b.id) == (a.id, b.id)).expect("Ann and Ann queued").id;
    f.core.mark_not_duplicate(&f.admin, pair).unwrap();

    let merge = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let reopened: i64 = f
        .sql()
        .query_row(
            "SELECT count(*) FROM change_log WHERE batch_id = ?1 AND entity = 'duplicate_pair' AND entity_id = ?2
             AND old_value = 'not_duplicate' AND new_value = 'open'",
            [merge, pair],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reopened, 1, "the merge reopened the pair (the survivor took the other's email and phone)");

    let x = create(&f, &lead("Cy", "Dee", "cy@dee.example"));
    let w = create(&f, &lead("Cy", "Dee", "cy.dee@dee.example"));
    let later = f.core.duplicate_queue(&f.admin, 50).unwrap();
    let later = later.iter().find(|p| (p.a.id, p.b.id) == (x.id, w.id)).expect("Cy and Cy queued").id;
    assert_ne!(later, pair, "a pair id the change log names is never given to another pair");

    f.core.unmerge(&f.admin, merge).unwrap();
    let open: Vec<(i64, i64)> =
        f.core.duplicate_queue(&f.admin, 50).unwrap().iter().map(|p| (p.a.id, p.b.id)).collect();
    assert!(open.contains(&(x.id, w.id)), "the later pair stays open: {open:?}");
}

/// A bulk accept of a pair outside the reader's campaigns says it is not found, as the queue would: not which
/// fields its leads hold differently.
#[test]
fn a_bulk_accept_of_a_pair_outside_ones_campaigns_tells_nothing_of_its_leads() {
    let f = fixture();
    let fall = |company: &str| {
        let mut input = lead("Ivo", "Brand", "ivo@brand.example");
        input.company = company.into();
        input.campaign = "Fall".into();
        input
    };
    let a = create(&f, &fall("Brand GmbH"));
    create(&f, &fall("Brand Holding"));
    let pair = f.core.duplicate_queue(&f.admin, 10).unwrap().iter().find(|p| p.a.id == a.id).unwrap().id;
    let sam = f.user("sam", rapport_core::users::Role::Editor, &["Spring"]);
    f.core.set_data_steward(&f.admin, sam.user_id().unwrap(), true).unwrap();
    let before = f.dump();
    let outcome = f.core.merge_pairs(&sam, &[pair], &mut |_, _| {});
    let said = match outcome {
        Ok(report) => report.skipped.iter().map(|s| s.reason.clone()).collect::<Vec<_>>().join("; "),
        Err(e) => e.to_string(),
    };
    assert!(!said.to_lowercase().contains("company") && !said.contains("different values"), "{said}");
    assert!(said.contains("does not exist"), "{said}");
    assert_eq!(f.dump(), before, "nothing written");
}

/// Unmerge keeps a field written since the merge, even written back to the value the merge gave (as an undo
/// does): someone chose it.
#[test]
fn unmerge_keeps_a_field_written_since_even_back_to_the_merges_value() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let mut b = lead("Ann", "Lee", "ann.lee@work.example");
    b.job_title = "CTO".into();
    let b = create(&f, &b);
    let merge = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert_eq!(merge.lead.job_title, "CTO", "the merge fills the empty title");
    let mut l = merge.lead;
    for title in ["CEO", "CTO"] {
        let mut input = l.to_input();
        input.job_title = title.into();
        l = f.core.update_lead(&f.admin, a.id, l.version, &input, &Origin::manual()).unwrap().lead;
    }
    let out = f.core.unmerge(&f.admin, merge.merge_id).unwrap();
    assert_eq!(out.survivor.job_title, "CTO", "the title written since stays");
    assert_eq!(out.restored[0].job_title, "CTO");
}

/// The owner a merge replaced, deactivated since, is not given back by unmerge (it would be refused, and the
/// unmerge with it): the survivor keeps its owner, and the merged lead comes back.
#[test]
fn unmerge_succeeds_when_the_owner_it_would_give_back_is_deactivated() {
    let f = fixture();
    let (u1, u2) =
        (f.user("una", rapport_core::users::Role::Editor, &[]), f.user("ugo", rapport_core::users::Role::Editor, &[]));
    let (u1, u2) = (u1.user_id().unwrap(), u2.user_id().unwrap());
    let mut a = lead("Ann", "Lee", "ann@lee.example");
    a.owner_id = Some(u1);
    let a = create(&f, &a);
    let mut b = lead("Ann", "Lee", "ann.lee@work.example");
    b.owner_id = Some(u2);
    let b = create(&f, &b);
    let choice = FieldChoice { field: "owner".into(), lead_id: b.id };
    let merge = f.core.merge_leads(&f.admin, a.id, &[b.id], &[choice]).unwrap();
    assert_eq!(merge.lead.owner.as_ref().map(|o| o.id), Some(u2));
    f.deactivate(u1);
    let out = f.core.unmerge(&f.admin, merge.merge_id).unwrap();
    assert_eq!(out.survivor.owner.as_ref().map(|o| o.id), Some(u2), "the survivor keeps its active owner");
    assert_eq!(out.restored[0].id, b.id);
    assert_eq!(f.core.get_lead(&f.admin, b.id).unwrap().owner.map(|o| o.id), Some(u2));
}

/// A merge took a Nurture lead's stage for a Lost one (its reason goes with the stage); a reason was cleared
/// since. Unmerge leaves it in Nurture rather than put it back in Lost without a reason.
#[test]
fn unmerge_does_not_put_the_survivor_back_in_a_stage_without_what_it_asks() {
    let f = fixture();
    let mut s = lead("Lo", "St", "lo@st.example");
    s.stage = "lost".into();
    s.deal.lost_reason = "price".into();
    let s = create(&f, &s);
    let mut n = lead("Lo", "St", "lo.st@work.example");
    n.stage = "nurture".into();
    let n = create(&f, &n);
    let choice = FieldChoice { field: "stage".into(), lead_id: n.id };
    let merge = f.core.merge_leads(&f.admin, s.id, &[n.id], &[choice]).unwrap();
    assert_eq!((merge.lead.stage.as_str(), merge.lead.deal.lost_reason.as_str()), ("nurture", ""));
    // The open lead holds a reason (as an older version let one be given to an open deal), which is cleared.
    f.sql().execute("UPDATE leads SET lost_reason = 'competitor' WHERE id = ?1", [s.id]).unwrap();
    let noted = f.core.get_lead(&f.admin, s.id).unwrap();
    let mut input = noted.to_input();
    input.deal.lost_reason = String::new();
    f.core.update_lead(&f.admin, s.id, noted.version, &input, &Origin::manual()).unwrap();
    let out = f.core.unmerge(&f.admin, merge.merge_id).unwrap();
    assert_eq!((out.survivor.stage.as_str(), out.survivor.deal.lost_reason.as_str()), ("nurture", ""));
    assert_eq!(out.restored[0].id, n.id);
}

/// A merged lead's owner who does not work on the survivor's campaign is not handed to an ownerless survivor:
/// they could not see the lead they would own, and the merge would be refused.
#[test]
fn an_owner_outside_the_survivors_campaign_is_not_taken_by_a_merge() {
    let f = fixture();
    let otto = f.user("otto", rapport_core::users::Role::Editor, &["Autumn"]).user_id().unwrap();
    let mut a = lead("Tove", "Ahlgren", "tove@ahlgren.example");
    a.campaign = "Spring".into();
    let a = create(&f, &a);
    let mut b = lead("Tove", "Ahlgren", "tove.ahlgren@gmail.com");
    b.campaign = "Autumn".into();
    b.owner_id = Some(otto);
    let b = create(&f, &b);
    let out = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    assert_eq!((out.lead.campaign.as_str(), out.lead.owner), ("Spring", None));
    assert_eq!(out.lead.emails.len(), 2, "merged");
}

/// A merge whose survivor was merged into another lead since cannot be taken back on its own: the steward is
/// told which lead it went into (that merge comes back first), not that the merge does not exist; nothing is
/// written. Once that merge is back, this one is taken back too.
#[test]
fn a_merge_whose_survivor_was_merged_again_names_the_merge_to_take_back_first() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let b = create(&f, &lead("Ann", "Lee", "ann.lee@work.example"));
    let d = create(&f, &lead("Ann", "Lee", "a.lee@home.example"));
    let first = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap().merge_id;
    let second = f.core.merge_leads(&f.admin, d.id, &[a.id], &[]).unwrap().merge_id;
    let before = f.dump();
    let err = f.core.unmerge(&f.admin, first).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    assert!(err.to_string().contains(&format!("lead {} has been merged into lead {} since", a.id, d.id)), "{err}");
    assert_eq!(f.dump(), before, "nothing written");
    f.core.unmerge(&f.admin, second).unwrap();
    f.core.unmerge(&f.admin, first).unwrap();
    assert_eq!(content(&f.core.get_lead(&f.admin, b.id).unwrap()), content(&b));
}

/// A list item the merge brought, taken out since and put back (by hand, or by a later merge of a lead that
/// holds it), is someone's choice: unmerge leaves it, as it leaves a text field written since. The later merge's
/// own unmerge takes back what it put back.
#[test]
fn unmerge_keeps_a_list_item_put_back_since_the_merge() {
    let f = fixture();
    let a = create(&f, &lead("Ann", "Lee", "ann@lee.example"));
    let mut b = lead("Ann", "Lee", "ann.lee@work.example");
    b.phones = vec!["+44 20 7946 0018".into()];
    b.tags = vec!["trade fair".into()];
    let b = create(&f, &b);
    let first = f.core.merge_leads(&f.admin, a.id, &[b.id], &[]).unwrap();
    let phones = |l: &Lead| l.phones.iter().map(|p| p.e164.clone()).collect::<Vec<_>>();
    assert_eq!(phones(&first.lead), ["+442079460018"], "the merge brings the phone");
    // The tag is taken out and typed again; the phone taken out, and brought again by a later merge.
    let mut l = first.lead;
    for (tags, phones) in [(vec![], vec![]), (vec!["trade fair".to_string()], vec![])] {
        let mut input = l.to_input();
        input.tags = tags;
        input.phones = phones;
        l = f.core.update_lead(&f.admin, a.id, l.version, &input, &Origin::manual()).unwrap().lead;
    }
    let mut c = lead("Ann", "Lee", "a.lee@home.example");
    c.phones = vec!["+44 20 7946 0018".into()];
    let c = create(&f, &c);
    let second = f.core.merge_leads(&f.admin, a.id, &[c.id], &[]).unwrap();
    assert_eq!(phones(&second.lead), ["+442079460018"], "the later merge brings the phone again");

    let out = f.core.unmerge(&f.admin, first.merge_id).unwrap();
    assert_eq!(out.survivor.tags, ["trade fair"], "the tag typed again stays");
    assert_eq!(phones(&out.survivor), ["+442079460018"], "the phone the later merge brought stays");
    let emails: Vec<_> = out.survivor.emails.iter().map(|e| e.address.clone()).collect();
    assert_eq!(emails, ["ann@lee.example", "a.lee@home.example"], "the first merge's email leaves");

    let out = f.core.unmerge(&f.admin, second.merge_id).unwrap();
    assert!(out.survivor.phones.is_empty(), "the later merge's own unmerge takes its phone back");
    assert_eq!(out.survivor.tags, ["trade fair"]);
}
