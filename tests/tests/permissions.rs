#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Every mutating core operation, tried by a role that may not do it: a permission error, nothing written.
mod common;

use common::{fixture, lead, Fixture, PASSWORD};
use rapport_core::leads::ImportMode;
use rapport_core::settings::Settings;
use rapport_core::Origin;
use rapport_core::users::{Role, UserInput};
use rapport_core::{Actor, ErrorCode};

fn user_input(name: &str, role: Role) -> UserInput {
    UserInput { username: name.into(), display_name: name.into(), role, active: true, campaigns: vec![] }
}

/// Each mutating operation of the core, run as `actor`.
type Mutation<'a> = (&'static str, Box<dyn Fn(&Actor) -> rapport_core::Result<()> + 'a>);

fn mutations(f: &Fixture, lead_id: i64, other_user: i64) -> Vec<Mutation<'_>> {
    vec![
        (
            "create_lead",
            Box::new(move |a: &Actor| f.core.create_lead(a, &lead("X", "Y", "x@y.com"), &Origin::manual()).map(|_| ())),
        ),
        (
            "update_lead",
            Box::new(move |a: &Actor| {
                f.core.update_lead(a, lead_id, 1, &lead("X", "Y", "x@y.com"), &Origin::manual()).map(|_| ())
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
            Box::new(move |a: &Actor| f.core.change_password(a, other_user, None, "a new password")),
        ),
        (
            "update_settings",
            Box::new(move |a: &Actor| f.core.update_settings(a, &Settings { default_region: "DE".into() }).map(|_| ())),
        ),
    ]
}

#[test]
fn a_viewer_can_change_nothing() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let viewer = f.user("vera", Role::Viewer, &[]);
    let other = f.user("otto", Role::Editor, &[]).user_id().unwrap();
    let before = f.snapshot();
    for (name, op) in mutations(&f, l.id, other) {
        let err = op(&viewer).expect_err(name);
        assert_eq!(err.code(), ErrorCode::PermissionDenied, "{name}: {err}");
        assert_eq!(f.snapshot(), before, "{name} wrote something for a viewer");
    }
    // Reading stays allowed.
    assert_eq!(f.core.get_lead(&viewer, l.id).unwrap().id, l.id);
    assert!(!f.core.lead_history(&viewer, l.id).unwrap().is_empty());
}

#[test]
fn an_editor_works_leads_but_cannot_configure() {
    let f = fixture();
    let l = f.core.create_lead(&f.admin, &lead("Ann", "Lee", "ann@x.com"), &Origin::manual()).unwrap().lead;
    let editor = f.user("ed", Role::Editor, &[]);
    let other = f.user("otto", Role::Viewer, &[]).user_id().unwrap();
    for (name, op) in mutations(&f, l.id, other) {
        let before = f.snapshot();
        let result = op(&editor);
        let allowed = matches!(name, "create_lead" | "update_lead" | "import_leads" | "undo_lead_change");
        if allowed {
            assert!(result.is_ok(), "{name} should be allowed for an editor: {:?}", result.err());
        } else {
            assert_eq!(result.unwrap_err().code(), ErrorCode::PermissionDenied, "{name}");
            assert_eq!(f.snapshot(), before, "{name} wrote something for an editor");
        }
    }
    assert_eq!(f.core.list_users(&editor).unwrap_err().code(), ErrorCode::PermissionDenied);
}

#[test]
fn rights_are_reloaded_on_every_call() {
    let f = fixture();
    let editor = f.user("ed", Role::Editor, &[]);
    let id = editor.user_id().unwrap();
    f.core.create_lead(&editor, &lead("A", "B", "a@b.com"), &Origin::manual()).unwrap().lead;

    // Demoted while signed in: the next call already runs as a viewer.
    f.core.update_user(&f.admin, id, &user_input("ed", Role::Viewer)).unwrap();
    let err = f.core.create_lead(&editor, &lead("A", "B", "a@b.com"), &Origin::manual()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PermissionDenied);

    // Deactivated: no reading either, and no new sign-in.
    let mut off = user_input("ed", Role::Editor);
    off.active = false;
    f.core.update_user(&f.admin, id, &off).unwrap();
    assert_eq!(f.core.list_leads(&editor, &Default::default()).unwrap_err().code(), ErrorCode::PermissionDenied);
    assert_eq!(f.core.sign_in("ed", PASSWORD).unwrap_err().code(), ErrorCode::AuthFailed);
}
