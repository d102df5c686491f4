#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Runs the end-to-end suite (tests/e2e) against this package's real binary, built by this same `cargo test`
//! with the same features, so CI compiles the app once. Needs Xvfb, tauri-driver, WebKitWebDriver and Node:
//! `scripts/setup.sh --e2e` installs them. It fails rather than skips when they are missing, unless
//! RAPPORT_SKIP_E2E is set outside a run of everything (CI or scripts/test.sh), so such a run can never pass without
//! having driven the window.
use std::path::Path;
use std::process::Command;

#[test]
fn the_real_window_end_to_end() {
    if std::env::var_os("RAPPORT_SKIP_E2E").is_some() {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("RAPPORT_TEST_EVERYTHING").is_none(),
            "RAPPORT_SKIP_E2E is set, and this run was to test everything: unset it"
        );
        // Past the test harness, which keeps what a passing test prints: a skip must not read as a plain "ok".
        std::io::Write::write_all(
            &mut std::io::stderr(),
            "end-to-end tests skipped: RAPPORT_SKIP_E2E is set\n".as_bytes(),
        )
        .ok();
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let password = "correct horse battery";
    let seeded_day = seed(&db, password);
    let status = Command::new("bash")
        .arg(root.join("tests/e2e/run.sh"))
        .current_dir(root)
        .env("RAPPORT_APP", env!("CARGO_BIN_EXE_rapport-app"))
        .env("RAPPORT_DB", &db)
        .env("RAPPORT_E2E_USER", "admin")
        .env("RAPPORT_E2E_PASSWORD", password)
        .env("RAPPORT_E2E_SEEDED_DAY", seeded_day.to_string())
        .env("E2E_SCRIPT", std::env::var("E2E_SCRIPT").unwrap_or_default())
        .status()
        .expect("bash runs tests/e2e/run.sh");
    assert!(status.success(), "the end-to-end suite failed (its output is above)");
}

/// The data every end-to-end test may rely on, so that no test depends on what an earlier one created: a
/// failing test never takes the next ones down with it.
/// Returns the day (in Berlin) of the administrator's seeded meeting: the calendar tests run minutes later, maybe
/// on the next day.
fn seed(db: &Path, password: &str) -> chrono::NaiveDate {
    use rapport_core::leads::{ImportMode, LeadInput, SourceChannel};
    use rapport_core::users::{Role, UserInput};
    use rapport_core::Origin;
    let core = rapport_core::Rapport::open(db).unwrap();
    let admin = core.create_first_admin("admin", "admin", password).unwrap();
    let victor = UserInput {
        username: "victor".into(),
        display_name: "Victor Viewer".into(),
        role: Role::Viewer,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    };
    core.create_user(&admin, &victor, "viewer password").unwrap();
    let lead = |first: &str, last: &str, company: &str, email: &str, phone: &str| LeadInput {
        first_name: first.into(),
        last_name: last.into(),
        company: company.into(),
        emails: vec![email.into()],
        phones: vec![phone.into()],
        source: Some(SourceChannel::DirectEntry),
        ..Default::default()
    };
    core.create_lead(
        &admin,
        &lead("Alan", "Turing", "", "alan.turing@example.org", "+44 20 7946 0018"),
        &Origin::manual(),
    )
    .unwrap();
    core.create_lead(&admin, &lead("Ada", "Lovelace", "Analytical Engines", "ada@engines.io", ""), &Origin::manual())
        .unwrap();
    // A deal ready for Engagement but for its proposal: the board's drag is refused, then accepted.
    let mut margaret =
        lead("Margaret", "Hamilton", "MIT Instrumentation Lab", "margaret@mit.example", "+1 617 555 0199");
    margaret.stage = "qualification".into();
    margaret.deal = rapport_core::leads::Deal {
        value: "48000".into(),
        currency: "USD".into(),
        expected_close: "2027-03-31".into(),
        budget: "Approved".into(),
        decision_maker: "VP Engineering".into(),
        need: "Flight software".into(),
        timeline: "This quarter".into(),
        lost_reason: String::new(),
    };
    core.create_lead(&admin, &margaret, &Origin::manual()).unwrap();
    // A large deal an Editor asked to lose: it waits in the administrator's approval queue.
    let eve = UserInput {
        username: "eve".into(),
        display_name: "Eve Editor".into(),
        role: Role::Editor,
        active: true,
        campaigns: vec![],
        all_campaigns: true,
    };
    core.create_user(&admin, &eve, "editor password").unwrap();
    let eve = core.sign_in("eve", "editor password").unwrap();
    let mut mary = lead("Mary", "Jackson", "NACA Langley", "mary.jackson@naca.example", "+1 757 555 0187");
    mary.stage = "qualification".into();
    mary.deal = rapport_core::leads::Deal {
        value: "25000".into(),
        currency: "USD".into(),
        expected_close: "2027-01-31".into(),
        budget: "Approved".into(),
        decision_maker: "Director".into(),
        need: "Wind tunnel analysis".into(),
        timeline: "This quarter".into(),
        lost_reason: String::new(),
    };
    let mary = core.create_lead(&admin, &mary, &Origin::manual()).unwrap().lead;
    let request =
        core.request_move(&eve, mary.id, mary.version, "lost", "competitor", "They chose another vendor").unwrap();
    assert_eq!(request.status, rapport_core::pipeline::ApprovalStatus::Pending);
    // One person typed twice: saving the second puts the pair in the review queue.
    core.create_lead(
        &admin,
        &lead("Dorothy", "Vaughan", "NACA", "dorothy.vaughan@naca.example", "+1 757 555 0143"),
        &Origin::manual(),
    )
    .unwrap();
    let mut again = lead("Dorothy", "Vaughn", "", "dorothy.vaughan@naca.example", "");
    again.job_title = "Supervisor".into();
    again.phones.clear();
    core.create_lead(&admin, &again, &Origin::manual()).unwrap();
    assert_eq!(core.duplicate_queue(&admin, 10).unwrap().len(), 1, "the seeded pair is in the queue");
    // The administrator's calendar is in Berlin, open every day, with a meeting this afternoon (Berlin time):
    // the busy slot the end-to-end test drags an imported invite onto.
    let admin_id = admin.user_id().unwrap();
    let mut cal = core.agent_calendar(&admin, admin_id).unwrap();
    cal.time_zone = "Europe/Berlin".into();
    cal.email = "admin@rapport.test".into();
    cal.working_hours = (0..7)
        .map(|d| rapport_core::calendar::WorkingHours { weekday: d, start: "08:00".into(), end: "20:00".into() })
        .collect();
    core.update_agent_calendar(&admin, cal).unwrap();
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).date_naive();
    let at = |h: u32| {
        let wall = today.and_hms_opt(h, 0, 0).unwrap();
        chrono::TimeZone::from_local_datetime(&chrono_tz::Europe::Berlin, &wall).earliest().unwrap().to_rfc3339()
    };
    core.book_appointment(
        &admin,
        &rapport_core::calendar::AppointmentInput {
            agent_id: admin_id,
            lead_id: None,
            title: "Quarterly review".into(),
            start: at(14),
            end: at(15),
            time_zone: "Europe/Berlin".into(),
            location: "Room 2".into(),
            video_url: String::new(),
            notes: String::new(),
            status: rapport_core::calendar::AppointmentStatus::Confirmed,
            private: false,
        },
    )
    .unwrap();
    // An imported row whose email was invalid, kept as typed: the "needs fixing" case.
    let rows = [(2, lead("Bea", "Broken", "", "bea@", "+1 415 555 2671"))];
    let out =
        core.import_leads(&admin, &rows, &Origin::import("fair.csv"), ImportMode::KeepInvalid, &mut |_| {}).unwrap();
    assert_eq!(out.kept_invalid, 1);
    today
}
