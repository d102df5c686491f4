#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Upgrades from every earlier schema version, on real files holding data of that version.
mod common;

use common::PASSWORD;
use rapport_core::db::{migrate_to_version as migrate_to, LATEST_VERSION};
use rapport_core::leads::LeadQuery;
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

    for version in 0..LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("v{version}.db"));
        {
            let mut c = rusqlite::Connection::open(&path).unwrap();
            migrate_to(&mut c, version as usize).unwrap();
            if let Some(sql) = fixture_sql(version) {
                let hash = rapport_core::users::hash_password(PASSWORD).unwrap();
                let sql = sql.replace(":hash", &format!("'{hash}'"));
                c.execute_batch(&sql).unwrap();
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

        if fixture_sql(version).is_some() {
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
            if version >= 2 {
                // Leads of that version are found by the rebuilt index, by name, email and phone...
                for text in ["zoe mu", "muller", "brightline", "zoe.mueller@", "020 7946", "hannover"] {
                    let q = LeadQuery { text: text.into(), limit: 10, ..Default::default() };
                    let found: Vec<i64> = core.list_leads(&admin, &q).unwrap().items.iter().map(|l| l.id).collect();
                    assert_eq!(found, vec![1], "{text:?} finds the old lead");
                }
                assert!(core.get_lead(&editor, 1).is_ok(), "the editor of every campaign sees the old lead");
                // ...and their history speaks of the owner by its new name, so an old change can be undone.
                let history = core.lead_history(&admin, 1).unwrap();
                assert_eq!(history[0].field, "owner");
                let created: serde_json::Value =
                    serde_json::from_str(history[1].new_value.as_deref().unwrap()).unwrap();
                assert_eq!(created["owner"], "2");
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
