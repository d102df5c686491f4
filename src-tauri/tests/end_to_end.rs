#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Runs the end-to-end suite (tests/e2e) against this package's real binary, built by this same `cargo test`
//! with the same features, so CI compiles the app once. Needs Xvfb, tauri-driver, WebKitWebDriver and Node:
//! `scripts/setup.sh --e2e` installs them. It fails rather than skips when they are missing, unless
//! RAPPORT_SKIP_E2E is set, so a CI run can never pass without having driven the window.
use std::path::Path;
use std::process::Command;

#[test]
fn the_real_window_end_to_end() {
    if std::env::var_os("RAPPORT_SKIP_E2E").is_some() {
        eprintln!("end-to-end tests skipped: RAPPORT_SKIP_E2E is set");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let password = "correct horse battery";
    {
        let core = rapport_core::Rapport::open(&db).unwrap();
        core.create_first_admin("admin", "admin", password).unwrap();
    }
    let status = Command::new("bash")
        .arg(root.join("tests/e2e/run.sh"))
        .current_dir(root)
        .env("RAPPORT_APP", env!("CARGO_BIN_EXE_rapport-app"))
        .env("RAPPORT_DB", &db)
        .env("RAPPORT_E2E_USER", "admin")
        .env("RAPPORT_E2E_PASSWORD", password)
        .env("E2E_SCRIPT", std::env::var("E2E_SCRIPT").unwrap_or_default())
        .status()
        .expect("bash runs tests/e2e/run.sh");
    assert!(status.success(), "the end-to-end suite failed (its output is above)");
}
