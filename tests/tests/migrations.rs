#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Upgrades from every earlier schema version, on real files holding data of that version.
mod common;

use common::PASSWORD;
use rapport_core::db::{migrate_to_version as migrate_to, LATEST_VERSION};
use rapport_core::leads::LeadQuery;
use rapport_core::users::Role;
use rapport_core::Origin;
use rapport_core::{ErrorCode, Rapport};

/// Data fixtures per version; versions without one are upgraded empty.
fn fixture_sql(version: i64) -> Option<&'static str> {
    match version {
        1 => Some(include_str!("../fixtures/schema/v1.sql")),
        2 => Some(include_str!("../fixtures/schema/v2.sql")),
        _ => None,
    }
}

fn schema(path: &std::path::Path) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn every_earlier_version_upgrades_to_the_latest_with_its_data() {
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dir.path().join("fresh.db");
    Rapport::open(&fresh).unwrap();
    let expected_schema = schema(&fresh);

    // The same leads written today: what an upgraded store must hold for them (its matched fields prepared as
    // this version prepares them).
    let fresh_core = Rapport::open(&fresh).unwrap();
    let fresh_admin = fresh_core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
    let mut jurgen = common::lead("Jürgen", "Groß", "j.gross@googlemail.com");
    jurgen.company = "Acme L.L.C.".into();
    let jurgen = fresh_core.create_lead(&fresh_admin, &jurgen, &Origin::manual()).unwrap().lead.id;
    let prepared_today: String = rusqlite::Connection::open(&fresh)
        .unwrap()
        .query_row("SELECT prepared FROM match_fields WHERE lead_id = ?1", [jurgen], |r| r.get(0))
        .unwrap();
    let name_keys = |path: &std::path::Path, id: i64| -> (String, String) {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT name_key, name_key_rev FROM leads WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let name_keys_today = name_keys(&fresh, jurgen);
    assert_eq!(name_keys_today.0, "jurgen gross");
    let match_keys = |path: &std::path::Path, id: i64| -> Vec<(i64, String)> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut stmt = c
            .prepare(
                "SELECT key, sig FROM match_keys WHERE lead_id = ?1
                 UNION ALL SELECT key, sig FROM match_keys_recent WHERE lead_id = ?1 ORDER BY 1, 2",
            )
            .unwrap();
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let match_keys_today = match_keys(&fresh, jurgen);
    assert!(!match_keys_today.is_empty());

    for version in 0..LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("v{version}.db"));
        // A version without data of its own holds the newest earlier version's, brought to it by the
        // migrations of that time: every migration meets real rows, from every version it may start from.
        let data_from = (0..=version).rev().find(|v| fixture_sql(*v).is_some());
        {
            let mut c = rusqlite::Connection::open(&path).unwrap();
            if let Some(from) = data_from {
                migrate_to(&mut c, from as usize).unwrap();
                let hash = rapport_core::users::hash_password(PASSWORD).unwrap();
                let sql = fixture_sql(from).unwrap().replace(":hash", &format!("'{hash}'"));
                c.execute_batch(&sql).unwrap();
            }
            migrate_to(&mut c, version as usize).unwrap();
            // Before version 18 a googlemail.com address was kept as typed: the matched fields the app of that
            // time stored (today's code prepares them in the migrations above) are what 018 must fold again.
            if data_from.is_some_and(|v| v >= 2) && (10..18).contains(&version) {
                c.execute(
                    "UPDATE match_fields SET prepared = replace(prepared, 'gmail.com', 'googlemail.com') WHERE lead_id = 2",
                    [],
                )
                .unwrap();
            }
            // Until version 18 keys were folded and digested otherwise (ß kept, googlemail.com as typed, each part
            // digested without its end mark): as many keys as today's, other ones, which the upgrade must write
            // again (010 for every lead, 012 to 018 for the leads they concern), or the check never finds him.
            if data_from.is_some_and(|v| v >= 2) && (4..18).contains(&version) {
                let changed = c.execute("UPDATE match_keys SET key = key + 1 WHERE lead_id = 2", []).unwrap();
                assert!(changed > 0);
            }
            // Migration 010 alone writes them again for every lead, not only those 012 to 018 look at: a copy
            // brought to version 10 only already holds today's keys.
            if data_from.is_some_and(|v| v >= 2) && (4..10).contains(&version) {
                let copy = dir.path().join(format!("v{version}-to-10.db"));
                c.execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
                let mut c10 = rusqlite::Connection::open(&copy).unwrap();
                migrate_to(&mut c10, 10).unwrap();
                drop(c10);
                assert_eq!(match_keys(&copy, 2), match_keys_today, "v{version} to 10: keyed as today");
            }
            // Before version 20 search left ß as it was: the folded names the app of that time stored (today's
            // code writes them in migration 003) are what 020 must fold again.
            if data_from.is_some_and(|v| v >= 2) && (3..20).contains(&version) {
                c.execute("UPDATE leads SET name_key = 'jurgen groß', name_key_rev = 'groß jurgen' WHERE id = 2", [])
                    .unwrap();
            }
            // Before version 21 a phone was matched by its last nine digits: the matched fields of that time,
            // which 021 must write again in full.
            if data_from.is_some_and(|v| v >= 2) && (10..21).contains(&version) {
                let changed = c
                    .execute(
                        "UPDATE match_fields SET prepared = replace(prepared, '+442079460018', '079460018')
                         WHERE lead_id = 1",
                        [],
                    )
                    .unwrap();
                assert_eq!(changed, 1);
            }
        }
        let core = Rapport::open(&path).unwrap_or_else(|e| panic!("upgrade from v{version} failed: {e}"));
        assert_eq!(schema(&path), expected_schema, "v{version} upgraded has exactly the fresh schema");
        let c = rusqlite::Connection::open(&path).unwrap();
        let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        let fk_problems: i64 = c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
        assert_eq!(fk_problems, 0);
        let user_version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(user_version, LATEST_VERSION);

        if let Some(from) = data_from {
            // The old data works in the new schema: its users sign in, keep their scope, and can write leads.
            let admin = core.sign_in("old-admin", PASSWORD).unwrap();
            assert_eq!(core.settings(&admin).unwrap().default_region, "GB");
            let viewer = core.sign_in("old-viewer", PASSWORD).unwrap();
            assert_eq!(core.session(&viewer).unwrap().user.campaigns, vec!["Spring".to_string()]);
            assert!(!core.session(&viewer).unwrap().user.all_campaigns);
            // A user kept without campaigns saw every campaign, and still does, now said (migration 015).
            let editor = core.sign_in("old-editor", PASSWORD).unwrap();
            assert!(core.session(&editor).unwrap().user.all_campaigns);
            let l = core.create_lead(&admin, &common::lead("New", "Lead", "n@l.com"), &Origin::manual()).unwrap().lead;
            assert_eq!(core.lead_history(&admin, l.id).unwrap().len(), 1);
            if from >= 2 {
                // Leads of that version are found by the rebuilt index, by name, email and phone...
                for text in ["zoe mu", "muller", "brightline", "zoe.mueller@", "020 7946", "hannover"] {
                    let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
                    let found: Vec<i64> = core.list_leads(&admin, &q).unwrap().items.iter().map(|l| l.id).collect();
                    assert_eq!(found, vec![1], "{text:?} finds the old lead");
                }
                // Jürgen Groß, indexed before ß folded to "ss" (migration 020), is found as people type him.
                for text in ["jurgen gross", "gross"] {
                    let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
                    let found: Vec<i64> = core.list_leads(&admin, &q).unwrap().items.iter().map(|l| l.id).collect();
                    assert_eq!(found, vec![2], "v{version}: {text:?} finds Jürgen Groß");
                }
                assert_eq!(name_keys(&path, 2), name_keys_today, "v{version}: folded as a lead written today");
                assert!(core.get_lead(&editor, 1).is_ok(), "the editor of every campaign sees the old lead");
                // ...and their history speaks of the owner by its new name, so an old change can be undone.
                let history = core.lead_history(&admin, 1).unwrap();
                assert_eq!(history[0].field, "owner");
                let created: serde_json::Value =
                    serde_json::from_str(history[1].new_value.as_deref().unwrap()).unwrap();
                assert_eq!(created["owner"], "2");
                // Its owner then, old-viewer, is a Viewer, whom no lead is given now (they could not work it):
                // the undo says so, and goes through once they are an Editor.
                let refused = core.undo_lead_change(&admin, 1, history[0].batch_id).unwrap_err();
                assert!(refused.to_string().contains("Viewer"), "{refused}");
                let as_editor = rapport_core::users::UserInput {
                    username: "old-viewer".into(),
                    display_name: "Old Viewer".into(),
                    role: Role::Editor,
                    active: true,
                    campaigns: vec!["Spring".into()],
                    all_campaigns: false,
                };
                core.update_user(&admin, 2, &as_editor).unwrap();
                let undone = core.undo_lead_change(&admin, 1, history[0].batch_id).unwrap().lead;
                assert_eq!(undone.owner.map(|o| o.id), Some(2));
                // Its stage history starts when it was created, in the stage it is in, though the change log
                // of that version did not name the stage.
                let stays = core.stage_history(&admin, 1).unwrap();
                assert_eq!(stays.len(), 1);
                assert_eq!((stays[0].stage.as_str(), stays[0].exited_at.as_deref()), ("new", None));
                let created: String =
                    c.query_row("SELECT created_at FROM leads WHERE id = 1", [], |r| r.get(0)).unwrap();
                assert_eq!(stays[0].entered_at, created);
                // The duplicate check knows it: typed again, it is flagged, scored from its stored fields.
                let mut again = common::lead("Zoe", "Mueller", "zoe.mueller@brightline.de");
                again.company = "Brightline Labs".into();
                let flagged: Vec<i64> =
                    core.possible_duplicates(&admin, &again, 5).unwrap().iter().map(|d| d.lead.id).collect();
                assert_eq!(flagged, vec![1]);
                let stored: i64 = c.query_row("SELECT count(*) FROM match_fields", [], |r| r.get(0)).unwrap();
                let leads: i64 = c.query_row("SELECT count(*) FROM leads", [], |r| r.get(0)).unwrap();
                assert_eq!(stored, leads, "every lead's matched fields are stored");
                let prepared: String =
                    c.query_row("SELECT prepared FROM match_fields WHERE lead_id = 2", [], |r| r.get(0)).unwrap();
                assert_eq!(prepared, prepared_today, "v{version}: prepared as a lead written today");
                assert_eq!(match_keys(&path, 2), match_keys_today, "v{version}: keyed as a lead written today");
                // Zoë's London number is matched in full: another number ending in the same nine digits (a
                // country or area code apart) is no longer the same phone.
                let prepared: String =
                    c.query_row("SELECT prepared FROM match_fields WHERE lead_id = 1", [], |r| r.get(0)).unwrap();
                assert!(prepared.contains("+442079460018"), "v{version}: {prepared:?}");
            }
        } else {
            assert!(!core.has_users().unwrap());
        }
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    Rapport::open(&path).unwrap();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", LATEST_VERSION + 1).unwrap();
    }
    let before = schema(&path);
    let err = Rapport::open(&path).err().unwrap();
    assert_eq!(err.code(), ErrorCode::DatabaseTooNew);
    assert!(err.to_string().contains("newer Rapport"), "{err}");
    assert_eq!(schema(&path), before);
}

/// Version 17 makes the capture sources' table again so that a revoked source's name can be taken by its
/// replacement: the sources of version 16, their submissions and the references between them come through
/// whole, and a source in use still has its name to itself.
#[test]
fn capture_sources_of_version_16_come_through_and_a_revoked_name_can_be_taken_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v16.db");
    {
        let mut c = rusqlite::Connection::open(&path).unwrap();
        migrate_to(&mut c, 16).unwrap();
        c.execute_batch(
            "INSERT INTO capture_sources (id, name, kind, token_hash, token_hint, rate_per_minute, created_at, revoked_at)
               VALUES (1, 'Website', 'web_form', 'h1', 'rpk_a', 10, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
                      (2, 'Partner', 'partner', 'h2', 'rpk_b', 10, '2026-01-01T00:00:00Z', NULL);
             INSERT INTO capture_submissions (source_id, at, status, outcome, response)
               VALUES (1, '2026-01-05T00:00:00Z', 202, 'create_active', '{}'),
                      (2, '2026-01-06T00:00:00Z', 422, 'rejected', '{}');",
        )
        .unwrap();
    }
    let before: Vec<String> = {
        let c = rusqlite::Connection::open(&path).unwrap();
        let mut s = c
            .prepare(
                "SELECT id || name || kind || token_hash || coalesce(revoked_at, '-') FROM capture_sources ORDER BY id",
            )
            .unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    let core = Rapport::open(&path).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let mut s = c
        .prepare(
            "SELECT id || name || kind || token_hash || coalesce(revoked_at, '-') FROM capture_sources ORDER BY id",
        )
        .unwrap();
    let after: Vec<String> = s.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(after, before);
    let fk_problems: i64 = c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk_problems, 0);
    let submissions: i64 = c.query_row("SELECT count(*) FROM capture_submissions", [], |r| r.get(0)).unwrap();
    assert_eq!(submissions, 2);

    let admin = core.create_first_admin("admin", "Ada", PASSWORD).unwrap();
    // Version 25 gives sources a campaign: the earlier ones have none, and their leads stay as they were sent.
    let campaigns: Vec<(String, String)> =
        core.capture_sources(&admin).unwrap().into_iter().map(|s| (s.name, s.campaign)).collect();
    assert_eq!(campaigns, [("Partner".to_string(), String::new()), ("Website".to_string(), String::new())]);
    let input = |name: &str| rapport_core::capture::CaptureSourceInput {
        name: name.into(),
        kind: rapport_core::capture::CaptureSourceKind::WebForm,
        field_map: vec![],
        rate_per_minute: 10,
        campaign: String::new(),
    };
    let keychain = common::MemoryKeychain::default();
    let again = core.add_capture_source(&admin, &keychain, &input("website")).unwrap();
    assert_eq!(again.source.name, "website", "the revoked source's name is free again");
    let err = core.add_capture_source(&admin, &keychain, &input("PARTNER")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "a source in use keeps its name: {err}");
    let err = core.add_capture_source(&admin, &keychain, &input("Website")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "nor may two in use share one: {err}");
}

/// Version 19 makes the pairs' table again so that a pair id is never given twice: the pairs of version 18
/// come through with their ids and decisions, and the next pair found takes an id past every pair the change
/// log has named, deleted ones too.
#[test]
fn pairs_of_version_18_come_through_and_no_logged_pair_id_is_given_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v18.db");
    {
        let mut c = rusqlite::Connection::open(&path).unwrap();
        migrate_to(&mut c, 18).unwrap();
        c.execute_batch(
            "INSERT INTO leads (id, stage, status, created_at, updated_at)
               VALUES (1, 'new', 'draft', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                      (2, 'new', 'draft', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                      (3, 'new', 'draft', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                      (4, 'new', 'draft', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO duplicate_pairs (id, lead_a, lead_b, score, tier, evidence, fingerprint, status, found_at)
               VALUES (3, 1, 2, 0.9, 'review', '[]', 'f1', 'not_duplicate', '2026-01-02T00:00:00Z'),
                      (5, 3, 4, 0.99, 'same', '[]', 'f2', 'open', '2026-01-02T00:00:00Z');
             INSERT INTO change_batches (id, at, actor_id, actor_name, reason, source_ref)
               VALUES (1, '2026-01-03T00:00:00Z', NULL, 'system', 'merge', '');
             INSERT INTO change_log (batch_id, entity, entity_id, field, old_value, new_value)
               VALUES (1, 'duplicate_pair', 9, 'status', 'not_duplicate', 'open');",
        )
        .unwrap();
    }
    Rapport::open(&path).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let pairs: Vec<(i64, i64, i64, String)> = c
        .prepare("SELECT id, lead_a, lead_b, status FROM duplicate_pairs ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(pairs, vec![(3, 1, 2, "not_duplicate".into()), (5, 3, 4, "open".into())]);
    c.execute(
        "INSERT INTO duplicate_pairs (lead_a, lead_b, score, tier, evidence, fingerprint, found_at)
         VALUES (1, 3, 0.9, 'review', '[]', 'f3', '2026-01-04T00:00:00Z')",
        [],
    )
    .unwrap();
    assert_eq!(c.last_insert_rowid(), 10, "past pair 9, which the change log names");
    // Deleted, the newest pair's id is not given again.
    c.execute("DELETE FROM duplicate_pairs WHERE id = 10", []).unwrap();
    c.execute(
        "INSERT INTO duplicate_pairs (lead_a, lead_b, score, tier, evidence, fingerprint, found_at)
         VALUES (2, 4, 0.9, 'review', '[]', 'f4', '2026-01-04T00:00:00Z')",
        [],
    )
    .unwrap();
    assert_eq!(c.last_insert_rowid(), 11);
}

/// Migration 022 indexes names in one piece too ("obrien", "李小龙"): a store of version 21, whose search rows
/// hold the names' words only, finds those leads typed in one piece once upgraded, each once.
#[test]
fn names_of_version_21_are_found_typed_in_one_piece() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v21.db");
    let ids = {
        let core = Rapport::open(&path).unwrap();
        let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
        let obrien = core.create_lead(&admin, &common::lead("Ann", "O'Brien", "a@x.example"), &Origin::manual());
        let li = core.create_lead(&admin, &common::lead("小龙", "李", "l@x.example"), &Origin::manual());
        [obrien.unwrap().lead.id, li.unwrap().lead.id]
    };
    {
        // The search rows as version 21 wrote them: the name's words, no one-piece form.
        let c = rusqlite::Connection::open(&path).unwrap();
        for (id, words, email) in [(ids[0], "ann o brien", "a x example"), (ids[1], "小龙 李", "l x example")] {
            c.execute("DELETE FROM leads_fts WHERE rowid = ?1", [id]).unwrap();
            c.execute(
                "INSERT INTO leads_fts (rowid, name, company, emails, phones, notes) VALUES (?1, ?2, '', ?3, '', '')",
                rusqlite::params![id, words, email],
            )
            .unwrap();
        }
        common::pretend_version(&c, 21);
    }
    let core = Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", PASSWORD).unwrap();
    let search = |text: &str| -> Vec<i64> {
        let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
        core.list_leads(&admin, &q).unwrap().items.iter().map(|l| l.id).collect()
    };
    for (text, id) in [("obrien", ids[0]), ("o brien", ids[0]), ("李小龙", ids[1]), ("小龙", ids[1])] {
        assert_eq!(search(text), vec![id], "{text:?}");
        let count = core.count_leads(&admin, &LeadQuery { text: text.into(), ..Default::default() }).unwrap();
        assert_eq!(count.count, 1, "{text:?} counted once");
    }
}

/// Version 25 records a text file's separator on its import: an import of version 24 has none recorded, and
/// its rejected rows are still written with its file's separator while the file is there.
#[test]
fn an_import_of_version_24_writes_its_rejects_with_its_files_separator() {
    let f = common::fixture();
    let file = f.dir.path().join("messe.csv");
    std::fs::write(&file, "Vorname;Nachname;E-Mail\nAnn;Lee;ann@lee.io\nOtto;Falsch;kein-at\n").unwrap();
    let preview = f.core.preview_import_path(&f.admin, &file, "", "messe.csv", None).unwrap();
    let plan = rapport_core::imports::ImportPlan::suggested(&preview);
    let id = f.core.start_import(&f.admin, &file, "messe.csv", &plan, &mut |_| {}).unwrap().id;
    let path = f.path.clone();
    drop(f.core);
    common::pretend_version(&rusqlite::Connection::open(&path).unwrap(), 24);
    let core = Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", PASSWORD).unwrap();
    let rejects = core.import_rejects_csv(&admin, id).unwrap();
    assert!(rejects.trim_start_matches('\u{feff}').starts_with("Vorname;Nachname;E-Mail;"), "{rejects}");
    let recorded: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT delimiter FROM import_batches WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert_eq!(recorded, "", "nothing recorded for an import made before");
}

/// A file of version 8, made before activities were recorded, holds leads in New created long ago: once
/// upgraded, the first daily sweep moves none of them (nothing could show them active before), and their
/// inactivity counts from the upgrade, so the policy takes them once it has run its course from there.
#[test]
fn leads_of_a_file_made_before_activities_are_not_swept_as_inactive_since_they_were_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.db");
    {
        let mut c = rusqlite::Connection::open(&path).unwrap();
        migrate_to(&mut c, 2).unwrap();
        let hash = rapport_core::users::hash_password(PASSWORD).unwrap();
        c.execute_batch(&fixture_sql(2).unwrap().replace(":hash", &format!("'{hash}'"))).unwrap();
        migrate_to(&mut c, 8).unwrap();
    }
    let core = Rapport::open(&path).unwrap();
    let report = core.sweep_if_due().unwrap().expect("the first sweep of the day runs");
    assert_eq!((report.moved, report.refused), (0, 0), "{report:?}");
    let admin = core.sign_in("old-admin", PASSWORD).unwrap();
    for id in [1, 2] {
        assert_eq!(core.get_lead(&admin, id).unwrap().stage, "new", "lead {id} stays where it was");
    }
    // The board counts them idle as the sweep does: since the upgrade, not since they were created in 2025.
    let board = core.pipeline_board(&admin, &Default::default()).unwrap();
    let cards: Vec<_> = board.columns.iter().flat_map(|c| c.cards.iter()).collect();
    assert_eq!(cards.len(), 2);
    let upgraded = chrono::Utc::now() - chrono::Duration::hours(1);
    for c in cards {
        let since: chrono::DateTime<chrono::Utc> = c.idle_since.parse().unwrap();
        assert!(since > upgraded && c.entered_at.starts_with("2025-"), "{c:?}");
    }
    drop(core);

    // Three months on, nothing having happened to them, the policy moves them as it would any other lead.
    let later = chrono::Utc::now() + chrono::Duration::days(90);
    let clock = std::sync::Arc::new(rapport_core::FixedClock::new(later));
    let core = Rapport::open_with(&path, &rapport_core::OpenOptions::default(), clock).unwrap();
    let report = core.sweep_if_due().unwrap().expect("another day's sweep");
    assert_eq!(report.moved, 2, "{report:?}");
    let admin = core.sign_in("old-admin", PASSWORD).unwrap();
    assert_eq!(core.get_lead(&admin, 1).unwrap().stage, "nurture");
}

/// Migrations 025 and 026 each gained a second column after some builds had applied them. A file one of those
/// builds upgraded (version 25 without the import's separator, 26 without the calendar's "classes read") gets
/// the missing column from migration 029, and imports and calendar settings work on it again.
#[test]
fn a_file_upgraded_by_an_early_build_of_025_or_026_gets_their_later_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v26-early.db");
    {
        let mut c = rusqlite::Connection::open(&path).unwrap();
        migrate_to(&mut c, 24).unwrap();
        // 025 and 026 as those builds had them: one column each.
        c.execute_batch(
            "ALTER TABLE capture_sources ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
             ALTER TABLE appointments ADD COLUMN private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1));
             PRAGMA user_version = 26;",
        )
        .unwrap();
    }
    let has = |table: &str, column: &str| -> bool {
        rusqlite::Connection::open(&path)
            .unwrap()
            .prepare(&format!("SELECT 1 FROM pragma_table_info('{table}') WHERE name = '{column}'"))
            .unwrap()
            .exists([])
            .unwrap()
    };
    assert!(!has("import_batches", "delimiter") && !has("caldav_accounts", "classes_read"));
    let core = Rapport::open(&path).unwrap();
    assert!(has("import_batches", "delimiter") && has("caldav_accounts", "classes_read"));
    let admin = core.create_first_admin("admin", "Admin", PASSWORD).unwrap();
    let file = dir.path().join("messe.csv");
    std::fs::write(&file, "Vorname;Nachname;E-Mail\nAnn;Lee;ann@lee.io\n").unwrap();
    let preview = core.preview_import_path(&admin, &file, "", "messe.csv", None).unwrap();
    let plan = rapport_core::imports::ImportPlan::suggested(&preview);
    let batch = core.start_import(&admin, &file, "messe.csv", &plan, &mut |_| {}).unwrap();
    assert_eq!(batch.counts.create_active, 1);
    assert_eq!(core.import_history(&admin, 10).unwrap().len(), 1);

    // A file that had both columns already is left as it was by 029.
    let fresh = dir.path().join("fresh.db");
    drop(Rapport::open(&fresh).unwrap());
    assert_eq!(schema(&path), schema(&fresh), "the same schema as a file made today");
}

/// Version 30 keeps a merged lead's reference in another system beside its archive: a merge of version 29 has
/// it only inside the archived rows, read out by the migration, so an import keyed by reference finds the lead
/// it lives on in.
#[test]
fn a_merge_of_version_29_keeps_the_merged_lead_s_reference_for_keyed_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v29.db");
    let ann = {
        let core = Rapport::open(&path).unwrap();
        let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
        let with_ref = |email: &str, reference: &str| {
            let mut l = common::lead("Ann", "Lee", email);
            l.external_ref = reference.into();
            core.create_lead(&admin, &l, &Origin::manual()).unwrap().lead.id
        };
        let (ann, twin, none) =
            (with_ref("ann@lee.io", "P-17"), with_ref("ann@work.example", "P-18"), with_ref("a@b.co", ""));
        core.merge_leads(&admin, ann, &[twin], &[]).unwrap();
        core.merge_leads(&admin, ann, &[none], &[]).unwrap();
        ann
    };
    {
        // The archive as version 29 wrote it: no column beside it.
        let c = rusqlite::Connection::open(&path).unwrap();
        common::pretend_version(&c, 29);
    }
    let core = Rapport::open(&path).unwrap();
    let refs: Vec<String> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT external_ref FROM merged_leads ORDER BY lead_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(refs, ["P-18", ""]);
    let admin = core.sign_in("admin", PASSWORD).unwrap();
    let file = dir.path().join("partner.csv");
    std::fs::write(&file, "first_name,last_name,job_title,external_ref\nAnn,Lee,Buyer,P-18\n").unwrap();
    let preview = core.preview_import_path(&admin, &file, "", "partner.csv", None).unwrap();
    let plan = rapport_core::imports::ImportPlan {
        key: Some(rapport_core::imports::NaturalKey::ExternalRef),
        ..rapport_core::imports::ImportPlan::suggested(&preview)
    };
    let batch = core.start_import(&admin, &file, "partner.csv", &plan, &mut |_| {}).unwrap();
    assert_eq!(batch.counts.update, 1, "{:?}", batch.counts);
    assert_eq!(core.get_lead(&admin, ann).unwrap().job_title, "Buyer");
}

/// Version 31 searches a company in one piece and umlauts spelled out: the search rows of version 30 are
/// written again for the leads they change.
#[test]
fn companies_and_umlauts_of_version_30_are_found_as_people_type_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v30.db");
    let ids = {
        let core = Rapport::open(&path).unwrap();
        let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
        let mut loreal = common::lead("Claire", "Dubois", "c@x.example");
        loreal.company = "L'Oréal".into();
        let loreal = core.create_lead(&admin, &loreal, &Origin::manual()).unwrap().lead.id;
        let mueller = core.create_lead(&admin, &common::lead("Jürgen", "Müller", "j@x.example"), &Origin::manual());
        [loreal, mueller.unwrap().lead.id]
    };
    {
        // The search rows as version 30 wrote them: the words only.
        let c = rusqlite::Connection::open(&path).unwrap();
        for (id, name, company, email) in
            [(ids[0], "claire dubois", "l oreal", "c x example"), (ids[1], "jurgen muller", "", "j x example")]
        {
            c.execute("DELETE FROM leads_fts WHERE rowid = ?1", [id]).unwrap();
            c.execute(
                "INSERT INTO leads_fts (rowid, name, company, emails, phones, notes) VALUES (?1, ?2, ?3, ?4, '', '')",
                rusqlite::params![id, name, company, email],
            )
            .unwrap();
        }
        common::pretend_version(&c, 30);
    }
    let core = Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", PASSWORD).unwrap();
    for (text, id) in [("loreal", ids[0]), ("mueller", ids[1]), ("muller", ids[1])] {
        let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
        let found: Vec<i64> = core.list_leads(&admin, &q).unwrap().items.iter().map(|l| l.id).collect();
        assert_eq!(found, vec![id], "{text:?}");
    }
}

/// Names in Hebrew and Arabic stored by version 31 are found typed without their points and hamza, as people
/// type them: migration 032 writes their search rows again.
#[test]
fn pointed_names_of_version_31_are_found_without_their_points() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v31.db");
    let ids = {
        let core = Rapport::open(&path).unwrap();
        let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
        let ahmed = core.create_lead(&admin, &common::lead("أحمد", "إبراهيم", "a@x.example"), &Origin::manual());
        let moshe = core.create_lead(&admin, &common::lead("מֹשֶׁה", "כהן", "m@x.example"), &Origin::manual());
        [ahmed.unwrap().lead.id, moshe.unwrap().lead.id]
    };
    {
        // The search rows as version 31 wrote them: the points and hamza kept.
        let c = rusqlite::Connection::open(&path).unwrap();
        for (id, name) in [(ids[0], "أحمد إبراهيم"), (ids[1], "מֹשֶׁה כהן")] {
            let folded: String = name.chars().flat_map(char::to_lowercase).collect();
            c.execute("DELETE FROM leads_fts WHERE rowid = ?1", [id]).unwrap();
            c.execute(
                "INSERT INTO leads_fts (rowid, name, company, emails, phones, notes) VALUES (?1, ?2, '', '', '', '')",
                rusqlite::params![id, folded],
            )
            .unwrap();
            c.execute("UPDATE leads SET name_key = ?2 WHERE id = ?1", rusqlite::params![id, folded]).unwrap();
        }
        common::pretend_version(&c, 31);
    }
    let core = Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", PASSWORD).unwrap();
    for (text, id) in [("احمد", ids[0]), ("ابراهيم", ids[0]), ("משה", ids[1])] {
        let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
        let found: Vec<i64> = core.list_leads(&admin, &q).unwrap().items.iter().map(|l| l.id).collect();
        assert_eq!(found, vec![id], "{text:?}");
    }
}

/// A lost reason an open deal held in version 32 (the form, an import and a capture gave one) is cleared by the
/// upgrade, logged as the rule's change: it would have answered for the deal's next loss. A lost deal keeps its.
#[test]
fn lost_reasons_of_open_deals_of_version_32_are_cleared_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v32.db");
    let (open, lost) = {
        let core = Rapport::open(&path).unwrap();
        let admin = core.create_first_admin("admin", "Ada Admin", PASSWORD).unwrap();
        let open = core.create_lead(&admin, &common::lead("Ann", "Lee", "ann@lee.io"), &Origin::manual()).unwrap();
        let mut gone = common::lead("Bo", "Berg", "bo@berg.se");
        gone.stage = "lost".into();
        gone.deal.lost_reason = "price".into();
        let lost = core.create_lead(&admin, &gone, &Origin::manual()).unwrap();
        (open.lead, lost.lead)
    };
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute("UPDATE leads SET lost_reason = 'timing' WHERE id = ?1", [open.id]).unwrap();
        common::pretend_version(&c, 32);
    }
    let core = Rapport::open(&path).unwrap();
    let admin = core.sign_in("admin", PASSWORD).unwrap();
    let now = core.get_lead(&admin, open.id).unwrap();
    assert_eq!((now.deal.lost_reason.as_str(), now.version), ("", open.version + 1));
    assert_eq!(core.get_lead(&admin, lost.id).unwrap().deal.lost_reason, "price", "a lost deal keeps its reason");
    let history = core.lead_history(&admin, open.id).unwrap();
    let cleared = history.iter().find(|e| e.field == "lost_reason").expect("logged");
    assert_eq!((cleared.old_value.as_deref(), cleared.new_value.as_deref()), (Some("timing"), Some("")));
    assert_eq!((cleared.reason, cleared.actor_name.as_str()), (rapport_core::audit::ChangeReason::Policy, "system"));
    assert!(core.lead_history(&admin, lost.id).unwrap().iter().all(|e| e.field != "lost_reason"));
}
