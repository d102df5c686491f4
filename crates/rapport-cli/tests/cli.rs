#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The `rapport` binary, run as a user would: real processes on real database files.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASSWORD: &str = "correct horse battery";

struct Run {
    ok: bool,
    out: String,
    err: String,
}

fn rapport_as(db: &Path, user: &str, password: &str, args: &[&str]) -> Run {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RAPPORT_USER", user)
        .env("RAPPORT_PASSWORD", password)
        .env("RAPPORT_NEW_PASSWORD", PASSWORD)
        .env("RAPPORT_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap();
    Run {
        ok: o.status.success(),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn rapport(db: &Path, args: &[&str]) -> Run {
    rapport_as(db, "admin", PASSWORD, args)
}

fn db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cli.db");
    (dir, path)
}

/// A list cut at its limit says so on stderr, in words and as JSON alike: stdout holds the leads alone, and
/// the JSON list stopped at 50 without a word.
#[test]
fn a_list_cut_at_its_limit_says_so_apart_from_the_leads() {
    let (_d, db) = db();
    for name in ["Ann", "Bo", "Cy"] {
        let email = format!("{}@example.com", name.to_lowercase());
        assert!(rapport(&db, &["leads", "add", "--first-name", name, "--last-name", "Lee", "--email", &email]).ok);
    }
    let r = rapport(&db, &["leads", "list", "--limit", "2", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(2));
    assert!(r.err.contains("more leads follow"), "{}", r.err);
    let r = rapport(&db, &["leads", "list", "--limit", "2"]);
    assert_eq!(r.out.lines().count(), 2, "{}", r.out);
    assert!(r.err.contains("more leads follow"), "{}", r.err);
    let r = rapport(&db, &["leads", "list", "--limit", "3", "--json"]);
    assert!(!r.err.contains("more leads follow"), "{}", r.err);
    // `-o -` is standard output (it wrote a file named "-").
    let r = rapport(&db, &["leads", "export", "--format", "json", "-o", "-"]);
    let rows: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(3), "{}", r.err);
    // An owner given in the history is named, not shown as the user's id.
    assert!(rapport(&db, &["users", "add", "sam", "--role", "editor", "--display-name", "Sam Seller"]).ok);
    assert!(rapport(&db, &["leads", "edit", "1", "--owner", "sam"]).ok);
    let r = rapport(&db, &["leads", "show", "1", "--history"]);
    assert!(r.out.contains("owner: \"\" → \"Sam Seller\""), "{}", r.out);
    let r = rapport(&db, &["ics", "export", "-o", "-"]);
    assert!(r.ok && r.out.starts_with("BEGIN:VCALENDAR"), "{}{}", r.out, r.err);
    assert!(!Path::new("-").exists(), "no file named -");
    // A lead typed in again is said to be possibly someone there already (the app's form says so before it
    // saves); it was created without a word.
    let again =
        rapport(&db, &["leads", "add", "--first-name", "Ann", "--last-name", "Lee", "--email", "ann@example.com"]);
    assert!(again.ok && again.out.contains("possibly the same person as lead 1 Ann Lee"), "{}", again.out);
}

#[test]
fn first_command_creates_the_administrator_then_leads_flow() {
    let (_d, db) = db();
    let r = rapport(
        &db,
        &[
            "leads",
            "add",
            "--first-name",
            "Ann",
            "--last-name",
            "Lee",
            "--email",
            "Ann@Example.COM",
            "--phone",
            "+44 20 7946 0018",
            "--tag",
            "vip",
        ],
    );
    assert!(r.ok, "{}", r.err);
    assert!(r.err.contains("created the first administrator, admin"));
    assert!(r.out.contains("created lead 1 (active): Ann Lee"), "{}", r.out);

    let r = rapport(&db, &["leads", "add", "--first-name", "Bo"]);
    assert!(r.ok);
    assert!(r.out.contains("(draft)") && r.out.contains("a valid email or phone number"), "{}", r.out);

    let r = rapport(&db, &["leads", "add", "--first-name", "Cy", "--email", "cy@", "--phone", "12"]);
    assert!(!r.ok);
    assert!(r.err.contains("email: \"cy@\"") && r.err.contains("phone: \"12\""), "{}", r.err);
    // A refusal quoting what was typed is said, whatever was typed.
    let r = rapport(&db, &["leads", "add", "--first-name", "Di", "--email", "Broken pipe"]);
    assert!(!r.ok && r.err.contains("\"Broken pipe\""), "{}", r.err);

    let r = rapport(&db, &["leads", "list", "--search", "ann@exam"]);
    assert!(r.out.contains("Ann Lee") && !r.out.contains("Bo"), "{}", r.out);
    let r = rapport(&db, &["leads", "list", "--status", "draft", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(rows.as_array().map(|a| a.len()), Some(1));
    assert_eq!(rows[0]["first_name"], "Bo");

    let r = rapport(&db, &["leads", "show", "1", "--history"]);
    assert!(r.out.contains("Ann@example.com") && r.out.contains("+44 20 7946 0018"), "{}", r.out);
    assert!(r.out.contains("admin  created (manual_edit)"), "{}", r.out);

    let r = rapport(&db, &["leads", "show", "99"]);
    assert!(!r.ok && r.err.contains("lead 99 does not exist"), "{}", r.err);

    // The deal is shown: why a move passed the gate, or was refused, is read there.
    let r = rapport(
        &db,
        &[
            "leads",
            "edit",
            "1",
            "--deal-value",
            "12.500,00",
            "--currency",
            "EUR",
            "--stage",
            "lost",
            "--lost-reason",
            "price",
        ],
    );
    assert!(r.ok, "{}", r.err);
    let r = rapport(&db, &["leads", "show", "1"]);
    assert!(r.out.contains("deal value     12500.00 EUR") && r.out.contains("lost reason    price"), "{}", r.out);
}

#[test]
fn wrong_passwords_and_viewers_are_refused() {
    let (_d, db) = db();
    assert!(rapport(&db, &["users", "list"]).ok);
    let r = rapport_as(&db, "admin", "wrong password", &["leads", "list"]);
    assert!(!r.ok && r.err.contains("wrong username or password"), "{}", r.err);

    assert!(rapport(&db, &["users", "add", "vic", "--role", "viewer"]).ok);
    let r = rapport_as(&db, "vic", PASSWORD, &["leads", "add", "--first-name", "X", "--email", "x@y.com"]);
    assert!(!r.ok && r.err.contains("viewer accounts cannot create or change leads"), "{}", r.err);
    let r = rapport_as(&db, "vic", PASSWORD, &["users", "add", "eve", "--role", "administrator"]);
    assert!(!r.ok && r.err.contains("cannot manage users"), "{}", r.err);
    assert!(rapport_as(&db, "vic", PASSWORD, &["leads", "list"]).ok, "viewers read");
    // An empty campaign (a script's unset variable) would give every campaign: refused.
    let r = rapport(&db, &["users", "add", "tia", "--campaign", ""]);
    assert!(!r.ok && r.err.contains("a --campaign is empty"), "{}", r.err);
    // An Administrator sees every campaign: a list given would be ignored while `users list` showed it.
    let r = rapport(&db, &["users", "add", "ida", "--role", "administrator", "--campaign", "Spring"]);
    assert!(!r.ok && r.err.contains("an administrator works on every campaign"), "{}", r.err);
    assert!(!rapport(&db, &["users", "list"]).out.contains("ida"), "nothing added");
    // Storage upkeep that holds the write lock is a data steward's, as a scan is.
    let r = rapport_as(&db, "vic", PASSWORD, &["duplicates", "fold"]);
    assert!(!r.ok && r.err.contains("viewer accounts cannot review duplicates"), "{}", r.err);
    assert!(rapport(&db, &["duplicates", "fold"]).ok);
}

/// The only Administrator forgot their password: `users recover-admin` sets a new one without signing in, logged
/// as a recovery; it recovers Administrators only, and no file that is not there.
#[test]
fn an_administrator_who_forgot_their_password_gets_back_in() {
    let (dir, db) = db();
    assert!(rapport(&db, &["users", "add", "eve"]).ok);
    let recover = |user: &str, new: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .arg("--db")
            .arg(&db)
            .args(["users", "recover-admin", user])
            .env_remove("RAPPORT_USER")
            .env("RAPPORT_NEW_PASSWORD", new)
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (ok, out, err) = recover("admin", "a new long password 7");
    assert!(ok && out.contains("new password set for admin"), "{out}{err}");
    assert!(!rapport(&db, &["users", "list"]).ok, "the old password no longer signs in");
    let listed = rapport_as(&db, "admin", "a new long password 7", &["users", "list"]);
    assert!(listed.ok && listed.out.contains("eve"), "{}", listed.err);
    // Logged as a recovery, never what the password is.
    let c = rusqlite::Connection::open(&db).unwrap();
    let (who, why, value): (String, String, String) = c
        .query_row(
            "SELECT b.actor_name, b.source_ref, l.new_value FROM change_log l JOIN change_batches b ON b.id = l.batch_id
             WHERE l.entity = 'user' AND l.field = 'password' ORDER BY l.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((who.as_str(), value.as_str()), ("password recovery", "(changed)"));
    assert!(why.contains("recovered"), "{why}");
    // Not another user's, nor a short password, nor a file that is not there.
    let (ok, _, err) = recover("eve", "a new long password 8");
    assert!(!ok && err.contains("not an active Administrator"), "{err}");
    let (ok, _, err) = recover("admin", "short");
    assert!(!ok, "{err}");
    assert!(rapport_as(&db, "admin", "a new long password 7", &["users", "list"]).ok);
    let missing = dir.path().join("none.db");
    let o = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--db")
        .arg(&missing)
        .args(["users", "recover-admin", "admin"])
        .env("RAPPORT_NEW_PASSWORD", "a new long password 9")
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("nothing to recover"));
    assert!(!missing.exists(), "no database made");
}

#[test]
fn import_export_round_trip_and_rejects_keep_every_row() {
    let (dir, db) = db();
    assert!(rapport(&db, &["users", "add", "olga"]).ok);
    let csv = dir.path().join("fair.csv");
    std::fs::write(
        &csv,
        "first_name,last_name,company,email,other_emails,phone,country,source,campaign,owner,tags,notes\n\
         Ann,Lee,Acme,ann@acme.com,ann.lee@gmail.com,020 7946 0018,GB,,Spring Expo,olga,vip;expo,\"Met at booth 4, wants demo\"\n\
         Bad,Row,,not-an-email,,,,,,,,\n\
         Cy,Doe,,,,,,partner,,nobody,,\n\
         Dee,Ray,,dee@ray.io,,,,,,,,\n",
    )
    .unwrap();
    let r = rapport(&db, &["import", csv.to_str().unwrap()]);
    assert!(!r.ok, "invalid rows stop the import by default");
    assert!(
        r.err.contains("line 3: email: \"not-an-email\"")
            && r.err.contains("line 4: owner: no user is named \"nobody\""),
        "{}",
        r.err
    );
    assert!(r.err.contains("nothing was imported"));
    // The dry run names whose row it is, though its owner stopped it before it was read whole.
    let dry = rapport(&db, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert!(dry.out.contains("line 4: reject Cy Doe owner: no user is named"), "{}", dry.out);
    let rejects = std::fs::read_to_string(dir.path().join("fair.csv.rejects.csv")).unwrap();
    // The file's own columns, then why: ready to fix and import again.
    assert!(
        rejects.starts_with("\u{feff}first_name,last_name,company,email,")
            && rejects.contains("Bad,Row,,not-an-email,")
            && rejects.contains("Cy,Doe,")
            && rejects.lines().next().unwrap().ends_with(",import_error"),
        "{rejects}"
    );
    let none = rapport(&db, &["leads", "list"]);
    assert!(none.out.is_empty() && none.err.contains("no leads match"), "{}", none.err);

    let r = rapport(&db, &["import", csv.to_str().unwrap(), "--skip-invalid"]);
    assert!(r.ok, "{}", r.err);
    assert!(r.out.contains("imported 2 lead(s) from fair.csv: 2 Active, 0 Draft"), "{}", r.out);

    let out = dir.path().join("export.csv");
    assert!(rapport(&db, &["leads", "export", "--format", "csv", "-o", out.to_str().unwrap()]).ok);
    let exported = std::fs::read_to_string(&out).unwrap();
    // A byte order mark, so a spreadsheet reads the file's accents right.
    let exported = exported.strip_prefix('\u{feff}').expect("a CSV file starts with a byte order mark").to_owned();
    let header = exported.lines().next().unwrap();
    assert_eq!(header, "id,first_name,last_name,company,job_title,email,other_emails,phone,other_phones,street,street2,city,postcode,region,country,source,source_detail,campaign,owner,stage,deal_value,currency,expected_close,budget,decision_maker,need,timeline,lost_reason,tags,notes,external_ref,status,created_at,updated_at");
    // A cell starting with + would run as a formula in a spreadsheet: the apostrophe guard keeps it text, and an
    // import takes it off again (the round trip below).
    assert!(exported.contains("ann@acme.com,ann.lee@gmail.com,'+442079460018"), "{exported}");
    assert!(
        exported.contains("bulk_import,fair.csv,Spring Expo,olga,new,,,,,,,,,expo; vip,\"Met at booth 4, wants demo\""),
        "{exported}"
    );

    // The export imports into another database unchanged.
    let (_d2, db2) = self::db();
    assert!(rapport(&db2, &["users", "add", "olga"]).ok);
    let r = rapport(&db2, &["import", out.to_str().unwrap()]);
    assert!(r.ok, "{}", r.err);
    let again = dir.path().join("again.csv");
    assert!(rapport(&db2, &["leads", "export", "-o", again.to_str().unwrap()]).ok);
    let strip = |s: &str| -> Vec<String> {
        s.lines().map(|l| l.split(',').skip(1).take(22).collect::<Vec<_>>().join(",")).collect()
    };
    let again = std::fs::read_to_string(&again).unwrap();
    assert_eq!(strip(again.trim_start_matches('\u{feff}')), strip(&exported));

    let r = rapport(&db, &["leads", "export", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v.as_array().map(|a| a.len()), Some(2));
    assert_eq!(v[0]["phones"][0]["original"], "020 7946 0018");

    // With a search or filters, the leads `leads list` would list, as the app's Export CSV saves them.
    let r = rapport(&db, &["leads", "export", "--search", "ann", "--format", "json"]);
    assert!(r.ok, "{}", r.err);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v.as_array().map(|a| a.len()), Some(1), "{}", r.out);
    assert_eq!(v[0]["first_name"], "Ann");
    let r = rapport(&db, &["leads", "export", "--campaign", "Nowhere"]);
    assert!(r.ok, "{}", r.err);
    assert_eq!(r.out.lines().count(), 1, "the header alone: {}", r.out);
    let r = rapport(&db, &["leads", "export", "--status", "sleeping"]);
    assert!(!r.ok && r.err.contains("unknown status \"sleeping\""), "{}", r.err);
}

#[test]
#[cfg(unix)] // file modes and setpriv are how a read-only file is made here
fn unusable_database_files_give_clear_errors() {
    let (dir, db) = db();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, just text\n".repeat(100)).unwrap();
    let r = rapport(&text, &["leads", "list"]);
    assert!(!r.ok && r.err.contains("is not a Rapport database"), "{}", r.err);

    assert!(rapport(&db, &["leads", "list"]).ok);
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let r = rapport(&db, &["leads", "add", "--first-name", "A", "--email", "a@b.com"]);
    assert!(!r.ok && r.err.contains("locked by another program"), "{}", r.err);
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);

    // A read-only file. Root ignores file modes, so as root the command runs as nobody via setpriv.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let is_root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(env!("CARGO_BIN_EXE_rapport"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_rapport"))
    };
    let o = cmd
        .arg("--db")
        .arg(&db)
        .args(["leads", "add", "--first-name", "A", "--email", "a@b.com"])
        .env("RAPPORT_USER", "admin")
        .env("RAPPORT_PASSWORD", PASSWORD)
        .env("HOME", "/tmp")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("read-only"), "{err}");
}

#[test]
fn keep_invalid_ragged_rows_and_utf16_files() {
    let (dir, db) = db();
    assert!(rapport(&db, &["settings", "show"]).ok); // first run: the administrator
                                                     // Excel's "Unicode text": UTF-16 with a byte-order mark, here with a ragged row and an invalid email.
    let text = "first_name,last_name,email,phone\r\nZoë,Ng,zoe@ng.io,\r\nBad,Email,bad@,+1 415 555 2671\r\nToo,Many,a@b.io,,extra\r\n";
    let bytes: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let file = dir.path().join("unicode.csv");
    std::fs::write(&file, bytes).unwrap();

    // Refused, naming the way to keep the row whose only fault is its email; the ragged row has no such way.
    let r = rapport(&db, &["import", file.to_str().unwrap()]);
    assert!(
        !r.ok
            && r.err.contains("nothing was imported: 2 row(s) would be rejected; fix them, pass --keep-invalid to import the 1 whose only faults are emails or phones as Drafts"),
        "{}",
        r.err
    );
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert!(
        r.out.contains("1 of the rejected rows fail only on an email or phone: --keep-invalid imports them as Drafts"),
        "{}",
        r.out
    );
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--keep-invalid"]);
    assert!(!r.ok, "a ragged row still stops an all-or-nothing import");
    assert!(r.err.contains("line 4: row: has 5 cells where the header has 4"), "{}", r.err);

    let r = rapport(&db, &["import", file.to_str().unwrap(), "--skip-invalid"]);
    assert!(r.ok, "{}", r.err);
    assert!(r.out.contains("imported 1 lead(s)"), "{}", r.out);
    let rejects = std::fs::read_to_string(dir.path().join("unicode.csv.rejects.csv")).unwrap();
    assert!(rejects.contains("Bad,Email,bad@") && rejects.contains("Too,Many,a@b.io,,extra"), "{rejects}");

    // The rejects file, fixed (the ragged row trimmed), imports with the bad email kept as typed.
    let fixed = "first_name,last_name,email,phone\nBad,Email,bad@,+1 415 555 2671\nToo,Many,a@b.io,\n";
    let file2 = dir.path().join("fixed.csv");
    std::fs::write(&file2, fixed).unwrap();
    let r = rapport(&db, &["import", file2.to_str().unwrap()]);
    assert!(
        !r.ok && r.err.contains("1 row(s) would be rejected; fix them, pass --keep-invalid to import it as a Draft with its email or phone kept as typed"),
        "{}",
        r.err
    );
    let kept = rapport(&db, &["import", file2.to_str().unwrap(), "--keep-invalid"]);
    assert!(kept.ok, "{}", kept.err);
    let listed = import_number(&kept.out);
    let hint = format!("rapport leads list --import {listed} --status draft");
    assert!(kept.out.contains("1 created Draft") && kept.out.contains(&hint), "{}", kept.out);
    // The command it gives lists the Draft it made.
    let r = rapport(&db, &["leads", "list", "--import", &listed, "--status", "draft"]);
    assert!(r.out.contains("Bad Email") && !r.out.contains("Too Many"), "{}", r.out);
    let r = rapport(&db, &["leads", "list", "--needs-fixing"]);
    assert!(r.out.contains("Bad Email") && !r.out.contains("Too Many"), "{}", r.out);
    // The import's own leads, by the number it printed: not the leads of the imports before it.
    let r = rapport(&db, &["leads", "list", "--import", &listed]);
    assert!(r.out.contains("Bad Email") && r.out.contains("Too Many") && !r.out.contains("Zoë"), "{}", r.out);
    // A number no import has is said so, in text and as JSON: not "no leads match", nor an empty list.
    for json in [false, true] {
        let args = ["leads", "list", "--import", "999", "--json"];
        let r = rapport(&db, &args[..if json { 5 } else { 4 }]);
        assert!(!r.ok && r.err.contains("import 999 does not exist") && r.out.is_empty(), "{} / {}", r.out, r.err);
    }
    let list = rapport(&db, &["leads", "list", "--search", "zoe", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&list.out).unwrap();
    assert_eq!(found[0]["first_name"], "Zoë", "decoded from UTF-16");

    // A file in no supported encoding is refused with a message, not decoded into mojibake.
    let binary = dir.path().join("photo.png");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0").unwrap();
    let r = rapport(&db, &["import", binary.to_str().unwrap()]);
    assert!(!r.ok && r.err.contains("not text in an encoding Rapport reads"), "{}", r.err);
    // A broken workbook (a zip that is not one) says so.
    let broken = dir.path().join("sheet.xlsx");
    std::fs::write(&broken, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00\x21\x00\x81\x9d").unwrap();
    let r = rapport(&db, &["import", broken.to_str().unwrap()]);
    assert!(!r.ok && r.err.contains("the spreadsheet could not be read"), "{}", r.err);
}

#[test]
fn exports_print_valid_json_and_report_io_errors_as_io_errors() {
    let (dir, db) = db();
    let add = rapport(&db, &["leads", "add", "--first-name", "Ann", "--phone", "+44 20 7946 0018", "--notes", "=1+1"]);
    assert!(add.ok, "{}", add.err);
    let r = rapport(&db, &["leads", "export", "--format", "json"]);
    assert!(r.ok, "{}", r.err);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", r.out));
    assert_eq!(v[0]["first_name"], "Ann");

    let csv = rapport(&db, &["leads", "export", "--format", "csv"]);
    assert!(csv.out.contains(",'=1+1,"), "a formula is exported as text: {}", csv.out);

    let nowhere = dir.path().join("missing-folder/leads.csv");
    let r = rapport(&db, &["leads", "export", "-o", nowhere.to_str().unwrap()]);
    assert!(!r.ok);
    assert!(r.err.contains("could not write") && r.err.contains("leads.csv"), "{}", r.err);
    assert!(!r.err.contains("upgrade") && !r.err.contains("schema"), "{}", r.err);
    let missing = dir.path().join("nope.csv");
    let r = rapport(&db, &["import", missing.to_str().unwrap()]);
    assert!(!r.ok && r.err.contains("could not read") && !r.err.contains("schema"), "{}", r.err);
}

#[test]
fn duplicates_scan_prints_pairs_by_external_ref_and_the_queue_shows_the_evidence() {
    let (dir, db) = db();
    let csv = dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "external_ref,first_name,last_name,email,city\n\
         =r1,Robert,Alves,robert.alves71@example.com,Leeds\n\
         r2,Bob,Alvez,robert.alves71@example.com,Leeds\n\
         r3,Carla,Diaz,carla@diaz.example,York\n",
    )
    .unwrap();
    assert!(rapport(&db, &["import", csv.to_str().unwrap()]).ok);
    let r = rapport(&db, &["duplicates", "scan", "--format", "csv"]);
    assert!(r.ok, "{}", r.err);
    assert_eq!(r.err.matches("saving").count(), 1, "each phase said once: {}", r.err);
    assert!(r.err.contains("1 pairs open in the queue now"), "counted after the merges: {}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], "external_ref_a,external_ref_b,score,tier,lead_a,lead_b");
    assert_eq!(lines.len(), 2, "{}", r.out);
    // A reference a spreadsheet would run as a formula is guarded, as in the lead export.
    assert!(lines[1].starts_with("'=r1,r2,") && lines[1].ends_with(",same,1,2"), "{}", lines[1]);
    let json = rapport(&db, &["duplicates", "scan", "--format", "json", "--min-score", "0.9"]);
    let pairs: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(pairs.as_array().map(Vec::len), Some(1));
    let q = rapport(&db, &["duplicates", "queue"]);
    assert!(q.out.contains("Robert Alves and #2 Bob Alvez"), "{}", q.out);
    assert!(q.out.contains("first name: the same name (bob is a short form of robert)"), "{}", q.out);
    // Why the scan left the sure pair in the queue: the names each lead fills differently.
    assert!(
        q.out.contains(
            "each lead holds its own first_name, last_name, external_ref: choose with `duplicates merge --keep \
             FIELD=LEAD`, or in the app"
        ),
        "{}",
        q.out
    );
    // Narrowed: the pair's leads came from the import, in no campaign.
    let q = rapport(&db, &["duplicates", "queue", "--source", "bulk_import", "--tier", "same"]);
    assert!(q.ok && q.out.starts_with("1 of the 1 pair in the queue matches.\n"), "{}", q.out);
    assert!(q.out.contains("Robert Alves and #2 Bob Alvez"), "{}", q.out);
    let q = rapport(&db, &["duplicates", "queue", "--campaign", "Spring"]);
    assert!(q.ok && q.out == "0 of the 1 pair in the queue match.\n", "{}", q.out);
    let j: serde_json::Value = serde_json::from_str(&rapport(&db, &["duplicates", "queue", "--json"]).out).unwrap();
    assert_eq!(
        (j["open"].as_u64(), j["matching"].as_u64(), j["pairs"].as_array().map(Vec::len)),
        (Some(1), Some(1), Some(1))
    );
    assert!(!rapport(&db, &["duplicates", "queue", "--source", "fax"]).ok);
    // A later import's namesake of Carla: its pair alone, by the command the import printed.
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "first_name,last_name,email\nCarla,Diaz,c.diaz@other.example\n").unwrap();
    let r = rapport(&db, &["import", more.to_str().unwrap()]);
    let (_, queue_line) = r
        .out
        .split_once("review its possible duplicates with: ")
        .unwrap_or_else(|| panic!("no queue line in {}", r.out));
    let args: Vec<&str> = queue_line.lines().next().unwrap_or_default().split(' ').skip(1).collect();
    assert_eq!(args[..3], ["duplicates", "queue", "--import"], "{queue_line}");
    let q = rapport(&db, &args);
    assert!(q.ok && q.out.starts_with("1 of the 2 pairs in the queue matches.\n"), "{}", q.out);
    assert!(q.out.contains("Carla Diaz and #") && !q.out.contains("Robert Alves"), "{}", q.out);
    let r = rapport(&db, &["duplicates", "queue", "--limit", "0"]);
    assert!(!r.ok && r.out.is_empty(), "{}", r.out);
    assert!(!rapport(&db, &["duplicates", "scan", "--min-score", "7"]).ok);
}

#[test]
fn pipeline_history_and_velocity_follow_the_moves_of_a_lead() {
    let (dir, db) = db();
    let add = ["leads", "add", "--first-name", "Ann", "--email", "ann@lee.io", "--stage", "qualification"];
    let r = rapport(&db, &add);
    assert!(!r.ok && r.err.contains("budget: is needed to enter Qualification"), "the gate: {}", r.err);
    let criteria = ["--budget", "approved", "--decision-maker", "CFO", "--need", "two sites", "--timeline", "Q1"];
    let r = rapport(&db, &[&add[..], &criteria[..]].concat());
    assert!(r.ok, "{}", r.err);
    let r = rapport(&db, &["pipeline", "stages"]);
    assert!(r.out.contains("In discussion") && r.out.contains("“Proposal sent” activity"), "{}", r.out);
    // A file moves her on, updating her by email, once the proposal is sent.
    let file = dir.path().join("crm.csv");
    std::fs::write(
        &file,
        "first_name,email,stage,deal_value,currency,expected_close\nAnn,ann@lee.io,engagement,900,EUR,2027-01-31\n",
    )
    .unwrap();
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--key", "email"]);
    let refusal = "line 2: a “Proposal sent” activity is needed to enter In discussion";
    assert!(!r.ok && format!("{}{}", r.out, r.err).contains(refusal), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "activity", "1", "--kind", "proposal", "--subject", "Proposal v1"]);
    assert!(r.ok && r.out.contains("logged activity 1 (Proposal sent) on lead 1"), "{} {}", r.out, r.err);
    assert!(rapport(&db, &["pipeline", "activities", "1"]).out.contains("Proposal v1"));
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--key", "email"]);
    assert!(r.ok, "{}", r.err);
    let r = rapport(&db, &["pipeline", "history", "1"]);
    assert!(r.ok, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.out);
    assert!(lines[0].starts_with("Qualification") && !lines[0].contains("now"), "{}", r.out);
    assert!(lines[1].starts_with("In discussion") && lines[1].contains("→ now"), "{}", r.out);
    let r = rapport(&db, &["pipeline", "velocity", "--json"]);
    assert!(r.ok, "{}", r.err);
    let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let stage = |key: &str| v["stages"].as_array().unwrap().iter().find(|s| s["stage"] == key).unwrap().clone();
    assert_eq!(
        (stage("qualification")["stays"].as_u64(), stage("qualification")["in_stage_now"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        (stage("engagement")["stays"].as_u64(), stage("engagement")["in_stage_now"].as_u64()),
        (Some(0), Some(1))
    );
    let r =
        rapport(&db, &["pipeline", "policy", "qualification", "--after", "3", "--to", "lost", "--reason", "timing"]);
    assert!(r.ok && r.out.contains("after 3 business days without activity, to lost"), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "sweep", "--dry-run"]);
    assert!(r.ok && r.out.contains("would move 0 lead(s); the gate refused 0"), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "policy", "qualification", "--after", "3", "--to", "qualification"]);
    assert!(!r.ok && r.err.contains("choose another stage"), "{}", r.err);
    let r = rapport(&db, &["pipeline", "history", "99"]);
    assert!(!r.ok && r.err.contains("lead 99 does not exist"), "{}", r.err);
}

/// The bench refuses what it cannot measure (fewer samples than kinds of search used to panic), and a
/// database that is somebody's (leads, no users yet: an app's before its first sign-in), where it would have
/// made an administrator with the password written in its source.
#[test]
fn the_bench_refuses_too_few_samples_and_a_database_that_is_not_its_own() {
    let (_d, db) = db();
    let r = rapport(&db, &["bench", "--leads", "10", "--samples", "3"]);
    assert!(!r.ok);
    assert!(r.err.contains("--samples must be at least 6"), "{}", r.err);
    assert!(!r.err.contains("panicked"), "{}", r.err);

    let core = rapport_core::Rapport::open(&db).unwrap();
    assert!(core.seed_demo_if_empty(5).unwrap() > 0);
    drop(core);
    let r = rapport(&db, &["bench", "--leads", "10", "--samples", "6"]);
    assert!(!r.ok);
    assert!(r.err.contains("holds leads and no users"), "{}", r.err);
    let core = rapport_core::Rapport::open(&db).unwrap();
    assert!(!core.has_users().unwrap(), "no administrator was made");
}

/// The first administrator's password, typed at a prompt (a real terminal: `script` gives the process one), is
/// asked twice; two that differ create nobody, so a slip cannot lock the only administrator out.
#[test]
fn a_first_password_typed_at_a_prompt_is_asked_twice() {
    let (_dir, db) = db();
    let typed = |lines: &str| {
        let command = format!("'{}' --db '{}' --as ada users list", env!("CARGO_BIN_EXE_rapport"), db.display());
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("RAPPORT_PASSWORD")
            .env_remove("RAPPORT_USER")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("`script` (util-linux, in every Debian) gives the CLI a terminal");
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), lines.as_bytes()).unwrap();
        let o = child.wait_with_output().unwrap();
        (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let (ok, out) = typed("first-pass-1\nfirst-pass-2\n");
    assert!(!ok && out.contains("the two passwords differ"), "{out}");
    assert!(out.contains("Type it again"), "{out}");
    assert!(!db.exists(), "nobody created, and no database left behind");
    let (ok, out) = typed("first-pass-1\nfirst-pass-1\n");
    assert!(ok && out.contains("created the first administrator, ada"), "{out}");
    assert!(rapport_as(&db, "ada", "first-pass-1", &["users", "list"]).ok);
}

/// `caldav connect --user` names the CalDAV server's user; the Rapport user signing in stays `--as`.
#[test]
fn caldav_connect_signs_in_as_the_rapport_user_not_the_caldav_one() {
    let (_dir, db) = db();
    assert!(rapport(&db, &["users", "list"]).ok);
    let o = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["--db"])
        .arg(&db)
        .args(["--as", "admin", "caldav", "connect", "--url", "http://127.0.0.1:9/cal/", "--user", "me@fastmail.com"])
        .env("RAPPORT_PASSWORD", PASSWORD)
        .env("RAPPORT_CALDAV_PASSWORD", "app-password-1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(!err.contains("wrong username or password"), "signed in as admin, then the server refused: {err}");
    assert!(err.contains("127.0.0.1:9"), "the server could not be reached: {err}");
}

/// Output piped into a reader that stops early (`| head`) ends the command quietly, as it ends other tools: no
/// panic, no error message, the status a shell gives a process whose reader left.
#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let (dir, db) = db();
    let file = dir.path().join("many.csv");
    let mut csv = String::from("first_name,last_name,email\n");
    for i in 0..3000 {
        csv.push_str(&format!("Pat{i},Quill{i},pat{i}@quill{i}.io\n"));
    }
    std::fs::write(&file, csv).unwrap();
    assert!(rapport(&db, &["import", file.to_str().unwrap(), "--no-dedup"]).ok);
    for args in [&["leads", "list", "--limit", "3000", "--json"][..], &["leads", "export"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("RAPPORT_USER", "admin")
            .env("RAPPORT_PASSWORD", PASSWORD)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked") && !err.contains("error"), "{args:?}: {err}");
    }
    // A limit above the core's page (500) is read page by page, not cut to one page.
    let r = rapport(&db, &["leads", "list", "--limit", "1200", "--json"]);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&r.out).unwrap();
    assert_eq!(listed.len(), 1200);
    let ids: std::collections::HashSet<i64> = listed.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 1200, "no lead listed twice");
}

/// A dry run saves no template, and a refused import none either; an import whose rejects file cannot be
/// written still says it is done, with its batch, before saying what failed.
#[test]
fn templates_are_saved_by_imports_done_and_a_rejects_file_that_fails_hides_no_batch() {
    let (dir, db) = db();
    let file = dir.path().join("people.csv");
    std::fs::write(&file, "first_name,last_name,email\nAnn,Lee,ann@lee.io\nBo,Ray,not-an-email\n").unwrap();
    let f = file.to_str().unwrap();
    assert!(rapport(&db, &["import", f, "--dry-run", "--save-template", "T1"]).ok);
    let refused = rapport(&db, &["import", f, "--save-template", "T2"]);
    assert!(!refused.ok && refused.err.contains("nothing was imported"), "{}", refused.err);
    let templates: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM import_templates", [], |r| r.get(0))
        .unwrap();
    assert_eq!(templates, 0, "neither a dry run nor a refused import saves its template");

    let nowhere = dir.path().join("no-such-folder").join("rejects.csv");
    let done = rapport(
        &db,
        &[
            "import",
            f,
            "--skip-invalid",
            "--save-template",
            "T3",
            "--rejects",
            nowhere.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(!done.ok, "the rejects file failed");
    let summary: serde_json::Value = serde_json::from_str(&done.out).expect("the summary is printed first");
    assert_eq!(summary["counts"]["create_active"], 1);
    assert!(summary["rejects_error"].as_str().is_some_and(|e| e.contains("rejects.csv")), "{summary}");
    assert!(done.err.contains(&format!("import {} is done", summary["batch"])), "{}", done.err);
    assert!(done.err.contains("saved the mapping as template \"T3\""), "{}", done.err);

    // A template that cannot be saved fails the command before anything is imported (it is saved before the
    // rows go in, so that an import killed half-way and resumed keeps it).
    let long = "T".repeat(81);
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "first_name,last_name,email\nCy,Dee,cy@dee.io\n").unwrap();
    let more = more.to_str().unwrap();
    let before = rapport(&db, &["leads", "list", "--json"]).out;
    let unsaved = rapport(&db, &["import", more, "--save-template", &long, "--format", "json"]);
    assert!(!unsaved.ok, "the template was not saved: {}", unsaved.err);
    assert!(
        unsaved.err.contains("could not be saved, and nothing was imported") && unsaved.err.contains("80 characters"),
        "{}",
        unsaved.err
    );
    assert_eq!(rapport(&db, &["leads", "list", "--json"]).out, before, "nothing imported");
    let blank = rapport(&db, &["import", f, "--save-template", " "]);
    assert!(!blank.ok && blank.err.contains("--save-template needs a name"), "{}", blank.err);
}

/// A mistyped --db leaves nothing behind: a folder that is not there is not made, and a command that cannot
/// sign in creates no database.
#[test]
fn a_mistyped_database_path_creates_nothing() {
    let (dir, _db) = db();
    let nested = dir.path().join("no-such-folder").join("crm.db");
    let r = rapport(&nested, &["leads", "list"]);
    assert!(!r.ok && r.err.contains("no folder") && r.err.contains("no-such-folder"), "{}", r.err);
    assert!(!dir.path().join("no-such-folder").exists(), "no folder made");
    let typo = dir.path().join("typo.db");
    let o = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--db")
        .arg(&typo)
        .args(["leads", "list"])
        .env_remove("RAPPORT_USER")
        .env_remove("RAPPORT_PASSWORD")
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("say who you are"));
    assert!(!typo.exists(), "no database made by a command that could not sign in");
    // Nor by one whose first Administrator is refused (a password too short, no name).
    let r = rapport_as(&typo, "ada", "short", &["leads", "list"]);
    assert!(!r.ok, "{}", r.err);
    let r2 = rapport_as(&typo, "", PASSWORD, &["leads", "list"]);
    assert!(!r2.ok, "{}", r2.err);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!left.iter().any(|n| n.to_string_lossy().starts_with("typo.db")), "{left:?}");
}

/// Arguments that cannot mean anything are refused by name, not taken in some way: a list of no leads, an
/// invite (whose appointment names its agent) with another agent.
#[test]
fn arguments_that_mean_nothing_are_refused() {
    let (dir, db) = db();
    let r = rapport(&db, &["leads", "list", "--limit", "0"]);
    assert!(!r.ok && r.err.contains("--limit"), "{}", r.err);
    let r = rapport(&db, &["ics", "export", "--invite", "1", "--agent", "admin", "-o", "x.ics"]);
    assert!(!r.ok && r.err.contains("cannot be used with"), "{}", r.err);
    // A sheet named for a text file is said not to be taken.
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "first_name,last_name,email
Ann,Lee,ann@lee.io
",
    )
    .unwrap();
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--sheet", "Leads", "--dry-run"]);
    assert!(r.ok && r.err.contains("--sheet is for workbooks"), "{}", r.err);
}

/// An Administrator sets the capture API up from the command line (for `capture serve` on a machine without
/// the app): before, its port, network, origins and public address could be set in the app only, and without
/// an allowed origin no website could post. Options left out stay as they were; an Editor is refused.
#[test]
fn the_capture_api_is_set_up_from_the_command_line() {
    let (_d, db) = db();
    let r = rapport(&db, &["capture", "settings", "--json"]);
    assert!(r.ok, "{}", r.err);
    let s: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!((s["enabled"].as_bool(), s["open_to_network"].as_bool()), (Some(false), Some(false)), "{s}");
    let args = [
        "capture",
        "settings",
        "--enable",
        "--port",
        "8790",
        "--origin",
        "https://Shop.Example.com:443/",
        "--origin",
        "https://www.example.com",
        "--public-url",
        "https://leads.example.com/api/v1/leads",
        "--json",
    ];
    let r = rapport(&db, &args);
    assert!(r.ok, "{}", r.err);
    let s: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(s["port"], 8790);
    assert_eq!(s["enabled"], true);
    assert_eq!(s["allowed_origins"], serde_json::json!(["https://shop.example.com", "https://www.example.com"]));
    assert_eq!(s["public_url"], "https://leads.example.com");
    // One option changed; the rest as they were. Shown in words without --json.
    let r = rapport(&db, &["capture", "settings", "--network"]);
    assert!(r.ok, "{}", r.err);
    assert!(r.out.contains("every network interface") && r.out.contains("port:            8790"), "{}", r.out);
    assert!(r.out.contains("public address:  https://leads.example.com"), "{}", r.out);
    // Refused with the reason, and nothing changed.
    let r = rapport(&db, &["capture", "settings", "--public-url", "leads.example.com"]);
    assert!(!r.ok && r.err.contains("public_url"), "{} {}", r.out, r.err);
    let r = rapport(&db, &["capture", "settings", "--no-origins", "--public-url", "", "--json"]);
    assert!(r.ok, "{}", r.err);
    let s: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!((s["allowed_origins"].clone(), s["public_url"].clone()), (serde_json::json!([]), serde_json::json!("")));
    assert_eq!(s["open_to_network"], true);
    let r = rapport(&db, &["users", "add", "ed", "--role", "editor"]);
    assert!(r.ok, "{}", r.err);
    let r = rapport_as(&db, "ed", PASSWORD, &["capture", "settings", "--disable"]);
    assert!(!r.ok, "{}", r.out);
}

/// `capture serve` keeps to the settings: refused while the API is turned off (it took leads the settings said
/// were refused), and it stops, saying why, once the API is turned off while it listens.
#[test]
fn the_listener_in_the_foreground_keeps_to_the_settings() {
    use std::io::{BufRead, BufReader};
    let (_d, db) = db();
    let r = rapport(&db, &["capture", "serve", "--port", "0"]);
    assert!(!r.ok && r.err.contains("turned off"), "{} {}", r.out, r.err);
    assert!(rapport(&db, &["capture", "settings", "--enable"]).ok);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--db")
        .arg(&db)
        .args(["capture", "serve", "--port", "0"])
        .env("RAPPORT_USER", "admin")
        .env("RAPPORT_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
    let r = rapport(&db, &["capture", "settings", "--disable"]);
    assert!(r.ok, "{}", r.err);
    // It reads the settings every few seconds; a minute is far more than a loaded machine needs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("still listening a minute after the API was turned off");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success() && err.contains("the capture API was turned off"), "{status} {err}");
}

/// The approval queue in words says what the approver decides on: the deal's value and currency, who asked and
/// when. It printed the stages and the note only (the JSON had the value), and a blank where a requester was.
#[test]
fn the_approval_queue_shows_the_deal_an_approver_decides_on() {
    let (_d, db) = db();
    let add = [
        "leads",
        "add",
        "--first-name",
        "Bo",
        "--last-name",
        "Berg",
        "--email",
        "bo@berg.example",
        "--deal-value",
        "50000",
        "--currency",
        "EUR",
    ];
    let r = rapport(&db, &add);
    assert!(r.ok, "{}", r.err);
    assert!(rapport(&db, &["users", "add", "ed", "--role", "editor"]).ok);
    let core = rapport_core::Rapport::open(&db).unwrap();
    let ed = core.sign_in("ed", PASSWORD).unwrap();
    let q = rapport_core::leads::LeadQuery { limit: 5, ..Default::default() };
    let bo = core.list_leads(&ed, &q).unwrap().items.remove(0);
    let bo = core.get_lead(&ed, bo.id).unwrap();
    core.request_move(&ed, bo.id, bo.version, "lost", "price", "They chose the cheaper offer").unwrap();
    drop(core);
    let r = rapport(&db, &["pipeline", "approvals"]);
    assert!(r.ok, "{}", r.err);
    assert!(r.out.contains("Bo Berg (50000.00 EUR)"), "{}", r.out);
    assert!(r.out.contains("asked by ed at 20") && r.out.contains("They chose the cheaper offer"), "{}", r.out);
}

/// The lead as `leads show --json` prints it, without what every save moves on (its version and times).
fn lead_json(db: &Path, id: &str) -> serde_json::Value {
    let r = rapport(db, &["leads", "show", id, "--json"]);
    assert!(r.ok, "{}", r.err);
    let mut v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let lead = v["lead"].as_object_mut().unwrap();
    for moving in ["version", "updated_at", "last_activity_at"] {
        lead.remove(moving);
    }
    v["lead"].take()
}

/// A lead is changed and a change taken back from the command line, as in the app: the fields given replace
/// what it holds, --clear empties one, and undo of the edit's batch gives back the lead as it was.
#[test]
fn a_lead_is_edited_and_its_edit_taken_back_from_the_command_line() {
    let (_d, db) = db();
    let add = ["leads", "add", "--first-name", "Bo", "--last-name", "Berg", "--email", "bo@berg.example"];
    let r = rapport(&db, &[&add[..], &["--deal-value", "900", "--currency", "EUR", "--tag", "expo"]].concat());
    assert!(r.ok, "{}", r.err);
    let before = lead_json(&db, "1");
    let edit = ["leads", "edit", "1", "--company", "Berg AB", "--phone", "+46 8 123 456 78", "--clear", "currency"];
    let r = rapport(&db, &[&edit[..], &["--tag", "fair", "--tag", "nordics"]].concat());
    assert!(r.ok, "{}", r.err);
    assert!(r.out.contains("updated lead 1 (active): Bo Berg; changed "), "{}", r.out);
    let batch = r.out.rsplit("(batch ").next().unwrap().trim().trim_end_matches(')').to_string();
    let after = lead_json(&db, "1");
    assert_eq!(after["company"], "Berg AB");
    assert_eq!(after["deal"]["currency"], "");
    assert_eq!(after["deal"]["value"], before["deal"]["value"], "a field not named is kept");
    assert_eq!(after["emails"], before["emails"], "a list not named is kept");
    assert_eq!(after["tags"], serde_json::json!(["fair", "nordics"]), "a list named is replaced");
    assert_eq!(after["phones"][0]["e164"], "+46812345678");
    // The same edit again changes nothing and says so.
    let r = rapport(&db, &["leads", "edit", "1", "--company", "Berg AB"]);
    assert!(r.ok && r.out.contains("nothing changed on lead 1"), "{} {}", r.out, r.err);
    // Refusals write nothing.
    let refused = [
        (&["leads", "edit", "1", "--email", "not-an-address"][..], "email: \"not-an-address\""),
        (&["leads", "edit", "1", "--clear", "email", "--email", "a@b.example"][..], "both given and cleared"),
        (&["leads", "edit", "1", "--clear", "shoe-size"][..], "--clear shoe-size: not a field"),
        (&["leads", "edit", "1", "--stage", "won"][..], "is needed to enter Won"),
    ];
    for (args, why) in refused {
        let r = rapport(&db, args);
        assert!(!r.ok && r.err.contains(why), "{args:?}: {} {}", r.out, r.err);
        assert_eq!(lead_json(&db, "1"), after, "{args:?} wrote nothing");
    }
    let r = rapport(&db, &["leads", "show", "1", "--history"]);
    assert!(r.out.contains(&format!("batch {batch:<6} admin  company: \"\" → \"Berg AB\"")), "{}", r.out);
    let r = rapport(&db, &["leads", "undo", "1", &batch]);
    assert!(r.ok && r.out.contains(&format!("took back batch {batch} on lead 1")), "{} {}", r.out, r.err);
    assert_eq!(lead_json(&db, "1"), before, "the undo gives back the lead as it was");
    // The history says it was an undo, and of which change (it read as an edit).
    let r = rapport(&db, &["leads", "show", "1", "--history"]);
    assert!(r.out.contains(&format!("(manual_edit: undo of change {batch})")), "{}", r.out);
    // An undo of a change whose field was changed again since says so, and writes nothing.
    let r = rapport(&db, &["leads", "edit", "1", "--company", "Berg Group", "--notes", "first\rsecond"]);
    assert!(r.ok, "{}", r.err);
    let later = lead_json(&db, "1");
    let undone = r.out.rsplit("(batch ").next().unwrap().trim().trim_end_matches(')').to_string();
    let r = rapport(&db, &["leads", "edit", "1", "--company", "Berg Holding"]);
    assert!(r.ok, "{}", r.err);
    let latest = lead_json(&db, "1");
    let r = rapport(&db, &["leads", "undo", "1", &undone]);
    assert!(!r.ok && r.err.contains("was changed again since"), "{}", r.err);
    assert_eq!(lead_json(&db, "1"), latest);
    // A note's later lines print under its first, never at the margin where they would read as fields.
    assert_eq!(later["notes"], "first\nsecond", "a lone carriage return is a line break");
    let r = rapport(&db, &["leads", "show", "1"]);
    assert!(r.out.contains("  notes          first\n                 second\n"), "{}", r.out);
    let r = rapport(&db, &["leads", "undo", "1", "999"]);
    assert!(!r.ok && r.err.contains("does not exist"), "{}", r.err);
}

/// The pipeline's moves from the command line: a stage named by its key or its label, the gate's criteria
/// named when unmet, the approval a rule asks for requested instead of refused, and a task marked done.
#[test]
fn a_lead_moves_through_the_gate_and_asks_for_approval_from_the_command_line() {
    let (_d, db) = db();
    let add = ["leads", "add", "--first-name", "Bo", "--email", "bo@berg.example", "--campaign", "Expo"];
    assert!(rapport(&db, &[&add[..], &["--deal-value", "50000", "--currency", "EUR"]].concat()).ok);
    assert!(rapport(&db, &["users", "add", "ed", "--role", "editor"]).ok);
    let ed = |args: &[&str]| rapport_as(&db, "ed", PASSWORD, args);
    let r = rapport(&db, &["pipeline", "stages"]);
    assert!(r.out.contains("In discussion    engagement"), "the key is listed: {}", r.out);
    let r = ed(&["pipeline", "move", "1", "In Discussion"]);
    assert!(!r.ok && r.err.contains("the lead was not moved:\n"), "{}", r.err);
    assert!(r.err.contains("expected_close: is needed to enter In discussion"), "{}", r.err);
    let r = ed(&["pipeline", "move", "1", "nowhere"]);
    assert!(!r.ok && r.err.contains("\"nowhere\" is not a stage: one of new (New lead)"), "{}", r.err);
    let unmoved = lead_json(&db, "1");
    // Losing a deal of 10,000 or more waits for an Administrator.
    let r = ed(&["pipeline", "move", "1", "lost", "--lost-reason", "price"]);
    assert!(!r.ok && r.err.contains("needs an Administrator's approval") && r.err.contains("--request-approval"));
    assert_eq!(lead_json(&db, "1"), unmoved, "a refused move writes nothing");
    let r = ed(&["pipeline", "move", "1", "lost", "--lost-reason", "price", "--request-approval", "--note", "cheaper"]);
    assert!(r.ok && r.out.contains("asked for approval (request 1): new → lost"), "{} {}", r.out, r.err);
    assert_eq!(lead_json(&db, "1")["stage"], "new", "the lead waits where it was");
    let r = rapport(&db, &["pipeline", "approvals"]);
    assert!(r.out.contains("#1 Bo (50000.00 EUR): new → lost") && r.out.contains("cheaper"), "{}", r.out);
    // Withdrawn by who asked (only they may), then asked again.
    let r = rapport(&db, &["pipeline", "withdraw", "1"]);
    assert!(!r.ok && r.err.contains("only who asked may withdraw"), "{}", r.err);
    let r = ed(&["pipeline", "withdraw", "1"]);
    assert!(r.ok && r.out.contains("request 1 withdrawn: new → lost"), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "approvals"]);
    assert!(!r.out.contains("#1 Bo"), "{}", r.out);
    let r = ed(&["pipeline", "move", "1", "lost", "--lost-reason", "price", "--request-approval"]);
    assert!(r.ok && r.out.contains("(request 2)"), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "decide", "2", "--comment", "agreed"]);
    assert!(r.ok, "{}", r.err);
    assert_eq!(lead_json(&db, "1")["stage"], "lost");
    // An Editor's override is refused; an Administrator's passes the criteria, with its reason logged.
    let r = ed(&["pipeline", "move", "1", "qualification", "--override", "CFO said yes"]);
    assert!(!r.ok, "{}", r.out);
    let r = rapport(&db, &["pipeline", "move", "1", "qualification", "--override", "CFO said yes"]);
    assert!(r.ok && r.out.contains("moved lead 1 (Bo) from lost to qualification"), "{} {}", r.out, r.err);
    let r = ed(&["pipeline", "activity", "1", "--kind", "task", "--subject", "Call back"]);
    assert!(r.ok, "{}", r.err);
    let r = ed(&["pipeline", "activities", "1"]);
    assert!(r.out.contains("#1     Task           open  Call back"), "{}", r.out);
    let r = ed(&["pipeline", "done", "1"]);
    assert!(r.ok && r.out.contains("Task 1 done on lead 1: Call back"), "{} {}", r.out, r.err);
    let r = ed(&["pipeline", "done", "1"]);
    assert!(!r.ok && r.err.contains("activity 1 was not marked done"), "{}", r.err);
    let r = ed(&["pipeline", "remove-activity", "1"]);
    assert!(r.ok && r.out.contains("activity 1 removed"), "{} {}", r.out, r.err);
    let r = ed(&["pipeline", "activities", "1"]);
    assert!(r.out.contains("no activity on lead 1"), "{}", r.out);
    let r = ed(&["pipeline", "restore-activity", "1"]);
    assert!(r.ok && r.out.contains("Task 1 back on lead 1: Call back"), "{} {}", r.out, r.err);
}

/// Pipelines and stages are added from the command line too (Administrators): an open stage lands before the
/// closing ones, and a new pipeline takes its own stages.
#[test]
fn an_administrator_adds_a_pipeline_and_stages_from_the_command_line() {
    let (_d, db) = db();
    assert!(rapport(&db, &["users", "add", "ed", "--role", "editor"]).ok);
    let r = rapport_as(&db, "ed", PASSWORD, &["pipeline", "add-stage", "negotiation", "Negotiation"]);
    assert!(!r.ok, "an Editor may not: {}", r.out);
    let r = rapport(&db, &["pipeline", "add-stage", "negotiation", "Negotiation"]);
    assert!(r.ok && r.out.contains("stage negotiation added to sales (Negotiation, "), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "stages"]);
    let at = |label: &str| r.out.find(label).unwrap_or_else(|| panic!("{label} in {}", r.out));
    assert!(at("In discussion") < at("Negotiation") && at("Negotiation") < at("Won"), "{}", r.out);
    let r = rapport(&db, &["pipeline", "add-pipeline", "renewals", "Renewals"]);
    assert!(r.ok && r.out.contains("pipeline renewals added"), "{} {}", r.out, r.err);
    let r =
        rapport(&db, &["pipeline", "add-stage", "renewed", "Renewed", "--pipeline", "renewals", "--outcome", "won"]);
    assert!(r.ok && r.out.contains("(Renewed, 100%)"), "{} {}", r.out, r.err);
    let r = rapport(&db, &["pipeline", "add-stage", "x", "X", "--outcome", "maybe"]);
    assert!(!r.ok && r.err.contains("unknown outcome \"maybe\""), "{}", r.err);
    let r = rapport(&db, &["pipeline", "add-stage", "Bad Key", "X"]);
    assert!(!r.ok && r.err.contains("use lower-case letters, digits and _"), "{}", r.err);
    // Put in another order: every stage, by key; one left out is refused.
    let r = rapport(
        &db,
        &["pipeline", "reorder", "new", "qualification", "nurture", "engagement", "negotiation", "won", "lost"],
    );
    assert!(
        r.ok && r.out.contains("sales: New lead → Qualification → Nurture → In discussion → Negotiation → Won → Lost"),
        "{} {}",
        r.out,
        r.err
    );
    let r = rapport(&db, &["pipeline", "reorder", "new", "qualification"]);
    assert!(!r.ok && r.err.contains("name each stage of the pipeline once"), "{}", r.err);
}

/// A steward works the queue from the command line: a pair set aside, leads merged with a field taken from
/// the other lead, the merge listed and taken back, which gives both leads back as they were.
#[test]
fn a_steward_merges_and_unmerges_from_the_command_line() {
    let (_d, db) = db();
    let add = |first: &str, email: &str, company: &str| {
        let r = rapport(
            &db,
            &["leads", "add", "--first-name", first, "--last-name", "Lee", "--email", email, "--company", company],
        );
        assert!(r.ok, "{}", r.err);
    };
    add("Ann", "ann@lee.example", "Lee Ltd");
    add("Ann", "ann@lee.example", "Lee Group");
    let (before_1, before_2) = (lead_json(&db, "1"), lead_json(&db, "2"));
    let r = rapport(&db, &["duplicates", "merge", "1", "2", "--keep", "shoe_size=2"]);
    assert!(!r.ok && r.err.contains("\"shoe_size\" is not a field a merge chooses"), "{}", r.err);
    let r = rapport(&db, &["duplicates", "merge", "1", "2", "--keep", "company=3"]);
    assert!(!r.ok && r.err.contains("lead 3 is not part of this merge"), "{}", r.err);
    assert_eq!((lead_json(&db, "1"), lead_json(&db, "2")), (before_1.clone(), before_2.clone()), "nothing written");
    let r = rapport(&db, &["duplicates", "merge", "1", "2", "--keep", "company=2"]);
    assert!(r.ok && r.out.contains("merged #2 into lead 1 (active): Ann Lee (merge "), "{} {}", r.out, r.err);
    assert_eq!(lead_json(&db, "1")["company"], "Lee Group");
    assert!(!rapport(&db, &["leads", "show", "2"]).ok, "merged away");
    let r = rapport(&db, &["duplicates", "merges", "1"]);
    assert!(r.ok && r.out.starts_with("merge ") && r.out.contains(": #2 Ann Lee at "), "{} {}", r.out, r.err);
    let merge = r.out.split_whitespace().nth(1).unwrap().trim_end_matches(':').to_string();
    let r = rapport(&db, &["duplicates", "unmerge", &merge]);
    assert!(
        r.ok && r.out.contains(&format!("took back merge {merge}: #2 Ann Lee back beside #1 Ann Lee")),
        "{}",
        r.err
    );
    assert_eq!((lead_json(&db, "1"), lead_json(&db, "2")), (before_1, before_2), "both as they were");
    let r = rapport(&db, &["duplicates", "merges", "1"]);
    assert!(r.out.contains("no merge into lead 1"), "{}", r.out);
    // The unmerge set the pair aside; a new one is dismissed from the queue.
    add("Ann", "ann@lee.example", "");
    let q = rapport(&db, &["duplicates", "queue"]);
    let pair = q.out.lines().find(|l| l.contains("#3")).and_then(|l| l.split_whitespace().nth(1)).unwrap();
    let pair = pair.trim_end_matches(':').to_string();
    let r = rapport(&db, &["duplicates", "dismiss", &pair]);
    assert!(r.ok && r.out.contains(&format!("pair {pair} set aside")), "{} {}", r.out, r.err);
    assert!(!rapport(&db, &["duplicates", "queue"]).out.contains(&format!("pair {pair}:")));
}

/// The country a file's phone numbers show is read for the mapping the command ends with: a column mapped to
/// the phone by `--map` (no header the suggestion knows) is read as the app's wizard reads it.
#[test]
fn the_country_of_phone_numbers_follows_the_columns_mapped_on_the_command_line() {
    let (dir, db) = db();
    assert!(rapport(&db, &["settings", "show"]).ok); // first run: the administrator
    let mut csv = String::from("first_name,last_name,email,R\u{fc}ckruf unter\n");
    for (i, phone) in
        ["0459 024 058", "02 9374 4000", "0412 345 678", "03 9123 4567", "07 3123 4567"].iter().enumerate()
    {
        csv.push_str(&format!("Kyra,Webb{i},p{i}@bigpond.com.au,{phone}\n"));
    }
    let file = dir.path().join("fair.csv");
    std::fs::write(&file, csv).unwrap();
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--map", "R\u{fc}ckruf unter=phone"]);
    assert!(r.ok, "{}", r.err);
    assert!(r.out.contains("imported 5 lead(s)"), "{}", r.out);
    let list = rapport(&db, &["leads", "list", "--search", "Webb0", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&list.out).unwrap();
    assert_eq!(found[0]["primary_phone"], "+61 459 024 058", "read as Australian: {}", list.out);
}

/// `--campaign`: a user who works on some campaigns imports a list into one of them (without it, every row
/// without a campaign is refused); one outside theirs is refused before anything is read in.
#[test]
fn a_campaign_limited_user_imports_into_one_of_their_campaigns() {
    let (dir, db) = db();
    assert!(rapport(&db, &["settings", "show"]).ok); // first run: the administrator
    assert!(rapport(&db, &["users", "add", "sam", "--role", "editor", "--campaign", "Spring Expo"]).ok);
    let file = dir.path().join("fair.csv");
    std::fs::write(&file, "first_name,last_name,email\nAnn,Lee,ann@lee.io\n").unwrap();
    let r = rapport_as(&db, "sam", PASSWORD, &["import", file.to_str().unwrap()]);
    assert!(!r.ok && r.err.contains("a lead without a campaign is outside the campaigns you work on"), "{}", r.err);
    let r = rapport_as(&db, "sam", PASSWORD, &["import", file.to_str().unwrap(), "--campaign", "Winter"]);
    assert!(!r.ok && r.err.contains("\"Winter\" is not one of the campaigns you work on"), "{}", r.err);
    let r = rapport_as(&db, "sam", PASSWORD, &["import", file.to_str().unwrap(), "--campaign", "Spring Expo"]);
    assert!(r.ok, "{}", r.err);
    let list = rapport_as(&db, "sam", PASSWORD, &["leads", "list", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&list.out).unwrap();
    assert_eq!(found[0]["campaign"], "Spring Expo", "{}", list.out);
}

/// A file whose national numbers are another country's than the settings' region: the notice says which region
/// they are read in, as one sentence (a lost line continuation put a run of spaces in its middle).
#[test]
fn the_region_a_file_s_phone_numbers_are_read_in_is_said_in_one_sentence() {
    let (dir, db) = db();
    assert!(rapport(&db, &["settings", "show"]).ok); // first run: the administrator
    let file = dir.path().join("messe.csv");
    std::fs::write(
        &file,
        "Vorname;Nachname;E-Mail;Telefon\nAnn;Lee;ann@lee.de;030 901820\nBo;Berg;bo@berg.de;089 2333 7000\n\
         Cy;Roe;cy@roe.de;040 428280\nDi;Ott;di@ott.de;0221 2210\nEd;Nau;ed@nau.de;069 21201\n\
         Flo;Wu;flo@wu.de;0711 2160\n",
    )
    .unwrap();
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--dry-run"]);
    let notice = r.err.lines().find(|l| l.starts_with("phone numbers without a country code")).unwrap_or_default();
    assert!(
        notice.contains("are read as DE numbers: most of the file's are, and are not valid in the default"),
        "{}",
        r.err
    );
}

/// A dry run in words lists fifty rows and says how many more there are, and how many of them are rejected: the
/// list stopped at fifty without a word, under a count of 120 rejected rows.
#[test]
fn a_dry_run_says_how_many_rows_it_does_not_list() {
    let (dir, db) = db();
    let file = dir.path().join("many.csv");
    let mut text = String::from("first_name,email\n");
    for i in 0..120 {
        text.push_str(&format!("Bad{i},not-an-address-{i}\n"));
    }
    for i in 0..5 {
        text.push_str(&format!("Good{i},good{i}@example.com\n"));
    }
    std::fs::write(&file, text).unwrap();
    let r = rapport(&db, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(r.out.lines().filter(|l| l.starts_with("line ")).count(), 50, "{}", r.out);
    assert!(r.out.contains("… and 75 more rows (70 of them rejected"), "{}", r.out);
}

/// A task logged from the command line with a due time reminds its author then, as the app's do, or as long
/// before as asked; `--no-reminder` makes none. No way to set one existed, so no task reminder ever came.
#[test]
fn a_task_with_a_due_time_reminds_at_it_unless_told_otherwise() {
    let (_dir, db) = db();
    assert!(rapport(&db, &["leads", "add", "--first-name", "Bo", "--email", "bo@x.example"]).ok);
    let task = |extra: &[&str]| {
        let mut args = vec!["pipeline", "activity", "1", "--kind", "task", "--subject", "Call back"];
        args.extend_from_slice(extra);
        rapport(&db, &args)
    };
    assert!(task(&["--due", "2030-03-02T10:00:00Z"]).ok);
    assert!(task(&["--due", "2030-03-02T10:00:00+01:00", "--remind-before", "60"]).ok);
    assert!(task(&["--due", "2030-03-02T10:00:00Z", "--no-reminder"]).ok);
    let r = task(&["--remind-before", "15"]);
    assert!(!r.ok && r.err.contains("give --due too"), "{}", r.err);
    let r = rapport(&db, &["pipeline", "activities", "1", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let mut reminders: Vec<(String, serde_json::Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["due_at"].as_str().unwrap_or_default().to_owned(), a["remind_at"].clone()))
        .collect();
    reminders.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.to_string().cmp(&b.1.to_string())));
    assert_eq!(
        reminders,
        [
            ("2030-03-02T09:00:00.000Z".to_owned(), serde_json::json!("2030-03-02T08:00:00.000Z")),
            ("2030-03-02T10:00:00.000Z".to_owned(), serde_json::json!("2030-03-02T10:00:00.000Z")),
            ("2030-03-02T10:00:00.000Z".to_owned(), serde_json::Value::Null),
        ],
        "{}",
        r.out
    );
}

/// A stage given by its label on the command line names one stage: a label two pipelines share is asked by key
/// (it moved a sales lead into the other pipeline), and an empty one (a script's unset variable) is refused, not
/// read as the first stage (a lead in discussion went back to "New lead").
#[test]
fn a_stage_typed_by_an_ambiguous_or_empty_label_is_refused() {
    let (_d, db) = db();
    assert!(rapport(&db, &["leads", "add", "--first-name", "Bo", "--email", "bo@x.example"]).ok);
    assert!(rapport(&db, &["pipeline", "move", "1", "Nurture"]).ok);
    assert!(rapport(&db, &["pipeline", "add-pipeline", "renewals", "Renewals"]).ok);
    assert!(rapport(&db, &["pipeline", "add-stage", "renewal_new", "New lead", "--pipeline", "renewals"]).ok);
    let before = lead_json(&db, "1");
    let r = rapport(&db, &["pipeline", "move", "1", "New lead"]);
    assert!(!r.ok && r.err.contains("\"New lead\" is the label of several stages"), "{} {}", r.out, r.err);
    assert!(r.err.contains("renewal_new (renewals pipeline)") && r.err.contains("new (sales pipeline)"), "{}", r.err);
    let r = rapport(&db, &["leads", "edit", "1", "--stage", ""]);
    assert!(!r.ok && r.err.contains("\"\" is not a stage"), "{} {}", r.out, r.err);
    assert_eq!(lead_json(&db, "1"), before, "nothing written");
    let r = rapport(&db, &["leads", "edit", "1", "--stage", "new"]);
    assert!(r.ok, "{}", r.err);
    assert_eq!(lead_json(&db, "1")["stage"], "new");
}

/// A lead merged away, asked for by its id, names the lead it lives on in by name and id: with several "Ann
/// Lee", the name alone did not say which to open.
#[test]
fn a_merged_lead_asked_for_names_the_lead_it_lives_on_in_by_id() {
    let (_d, db) = db();
    assert!(rapport(&db, &["leads", "add", "--first-name", "Ann", "--last-name", "Lee", "--email", "a@x.example"]).ok);
    assert!(rapport(&db, &["leads", "add", "--first-name", "Ann", "--last-name", "Lee", "--email", "b@x.example"]).ok);
    assert!(rapport(&db, &["duplicates", "merge", "1", "2"]).ok);
    let r = rapport(&db, &["leads", "show", "2"]);
    assert!(!r.ok && r.err.contains("merged into Ann Lee (lead 1)"), "{}", r.err);
}

/// A report's end (a total, an "exported by" note) is left out of a plain import, said, and kept with the
/// rejected rows; a faulty row beside it still stops the file.
#[test]
fn lines_below_the_table_do_not_stop_a_plain_import() {
    let (dir, db) = db();
    let csv = dir.path().join("report.csv");
    std::fs::write(
        &csv,
        "first_name,last_name,email\nAnn,Lee,ann@lee.io\nBo,Ito,bo@ito.io\n\nTotal: 2 contacts\nExported by HubSpot on 2026-12-01\n",
    )
    .unwrap();
    let r = rapport(&db, &["import", csv.to_str().unwrap()]);
    assert!(r.ok, "{}", r.err);
    assert!(
        r.err.contains("2 lines are left out, not contacts (a total, a note below the table): line 5, 6"),
        "{}",
        r.err
    );
    assert!(r.out.contains("imported 2 lead(s) from report.csv: 2 Active, 0 Draft"), "{}", r.out);
    let rejects = std::fs::read_to_string(dir.path().join("report.csv.rejects.csv")).unwrap();
    assert!(rejects.contains("Total: 2 contacts") && rejects.contains("Exported by HubSpot"), "{rejects}");

    // A lone name below a gap may be a contact typed without the rest of its row: a person looks at it.
    let names = dir.path().join("names.csv");
    std::fs::write(&names, "first_name,last_name,email\nAnn,Lee,ann@lee.io\n\nJürgen Müller\nTotal: 1\n").unwrap();
    let r = rapport(&db, &["import", names.to_str().unwrap()]);
    assert!(!r.ok && r.err.contains("nothing was imported: 2 row(s) would be rejected"), "{}", r.err);

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "first_name,last_name,email\nCy,Doe,not-an-email\nDee,Fox,dee@fox.io\n\nTotal: 2\n").unwrap();
    let r = rapport(&db, &["import", bad.to_str().unwrap()]);
    assert!(!r.ok && r.err.contains("nothing was imported: 2 row(s) would be rejected"), "{}", r.err);
}

/// The import's number in its "list its leads with: rapport leads list --import N" line.
fn import_number(out: &str) -> String {
    let (_, rest) = out.split_once("rapport leads list --import ").unwrap_or_else(|| panic!("no list line in {out}"));
    rest.chars().take_while(char::is_ascii_digit).collect()
}
