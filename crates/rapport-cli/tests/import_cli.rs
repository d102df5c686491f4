#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! `rapport import` as a real process: killed with SIGKILL in the middle of a 100,000-row import, the
//! database is consistent afterwards (every committed row whole, nothing of the chunk in flight), the batch
//! is marked interrupted, and it can be resumed to exactly the file's rows or undone to nothing. And the
//! suggested mapping of a localized file, printed, with its JSON summary.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";

fn cmd(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
    c.arg("--db")
        .arg(db)
        .env("RAPPORT_USER", "admin")
        .env("RAPPORT_PASSWORD", PASSWORD)
        .env("RAPPORT_NEW_PASSWORD", PASSWORD);
    c
}

fn run(db: &Path, args: &[&str]) -> (bool, String, String) {
    let o = cmd(db).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn names_in_db(db: &Path) -> BTreeSet<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut stmt = c.prepare("SELECT last_name FROM leads").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect()
}

fn batch_json(db: &Path) -> serde_json::Value {
    let (ok, out, err) = run(db, &["import", "history", "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

fn copy_db(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let src = PathBuf::from(format!("{}{suffix}", from.display()));
        if src.exists() {
            std::fs::copy(&src, format!("{}{suffix}", to.display())).unwrap();
        }
    }
}

#[test]
#[cfg(unix)] // Child::kill is SIGKILL there: the process gets no chance to tidy up
fn sigkill_mid_import_leaves_a_consistent_database_and_a_batch_to_resume_or_undo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let csv = dir.path().join("prospects.csv");
    let mut text = String::from("first_name,last_name,email,company\n");
    for i in 0..100_000 {
        text.push_str(&format!("P{i},Row{i:06},p{i}@prospect{}.example,Firm {}\n", i % 997, i % 5000));
    }
    // One bad row at the end, refused by the resumed run.
    text.push_str("Bad,Egg,not-an-email,Firm 0\n");
    std::fs::write(&csv, &text).unwrap();
    let file_rows: BTreeSet<String> = (0..100_000).map(|i| format!("Row{i:06}")).collect();
    assert!(run(&db, &["users", "list"]).0, "the first command creates the administrator");

    let mut child = cmd(&db)
        .args(["import", csv.to_str().unwrap(), "--skip-invalid", "--no-dedup", "--save-template", "Prospects"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a few chunks are in and it is writing the next.
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let done: i64 = rusqlite::Connection::open(&db)
            .and_then(|c| c.query_row("SELECT coalesce(max(rows_done), 0) FROM import_batches", [], |r| r.get(0)))
            .unwrap_or(0);
        if done >= 3000 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the import did not get going");
        assert!(child.try_wait().unwrap().is_none(), "the import ended before it could be killed");
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // After the restart: the batch is interrupted, and what is in is exactly its first rows_done rows, whole.
    let b = batch_json(&db);
    assert_eq!(b["status"], "interrupted", "{b}");
    let done = b["rows_done"].as_u64().unwrap() as usize;
    assert!((3000..100_000).contains(&done), "{done}");
    let names = names_in_db(&db);
    let first: BTreeSet<String> = (0..done).map(|i| format!("Row{i:06}")).collect();
    assert_eq!(names, first, "exactly the committed rows, none of the chunk in flight");
    let c = rusqlite::Connection::open(&db).unwrap();
    let (leads, emails, logged, fts): (i64, i64, i64, i64) = c
        .query_row(
            "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM lead_emails),
                    (SELECT count(*) FROM change_log WHERE entity = 'lead' AND field = '*'),
                    (SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'prospect*')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (leads, emails, logged, fts),
        (done as i64, done as i64, done as i64, done as i64),
        "no row half-written"
    );
    // And each lead with its own row's email, not another's.
    let own: i64 = c
        .query_row(
            "SELECT count(*) FROM leads l JOIN lead_emails e ON e.lead_id = l.id
             WHERE e.address = 'p' || substr(l.first_name, 2) || '@prospect'
                               || (CAST(substr(l.first_name, 2) AS INTEGER) % 997) || '.example'
               AND l.last_name = printf('Row%06d', CAST(substr(l.first_name, 2) AS INTEGER))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(own, done as i64, "every lead whole, with its own row's values");
    let integrity: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    // The template asked for is saved though the run never ended (it was saved at the end, and lost).
    let saved: i64 =
        c.query_row("SELECT count(*) FROM import_templates WHERE name = 'Prospects'", [], |r| r.get(0)).unwrap();
    assert_eq!(saved, 1);
    drop(c);

    // Undo, on a copy: nothing of the import is left.
    let copy = dir.path().join("copy.db");
    copy_db(&db, &copy);
    let (ok, out, err) = run(&copy, &["import", "undo", "1"]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("{done} lead(s) removed")), "{out}");
    assert!(names_in_db(&copy).is_empty());
    assert_eq!(batch_json(&copy)["status"], "undone");

    // Resume: the rest of the file, each row exactly once; its rejected rows where it is told.
    let told = dir.path().join("told.rejects.csv");
    let (ok, _, err) = run(&db, &["import", "resume", "1", "--rejects", told.to_str().unwrap()]);
    assert!(ok, "{err}");
    let rejects = std::fs::read_to_string(&told).unwrap();
    assert!(rejects.contains("Bad,Egg,not-an-email,Firm 0,\"line 100002: email:"), "{rejects}");
    let b = batch_json(&db);
    assert_eq!((b["status"].as_str(), b["rows_done"].as_u64()), (Some("completed"), Some(100_001)));
    assert_eq!((b["counts"]["create_active"].as_u64(), b["counts"]["reject"].as_u64()), (Some(100_000), Some(1)));
    assert_eq!(names_in_db(&db), file_rows);
    // Written again on demand (a rejects file lost as the import was killed writing it): beside the file, as a
    // first run writes them, or to standard output.
    let beside = dir.path().join("prospects.csv.rejects.csv");
    assert!(!beside.exists());
    let (ok, _, err) = run(&db, &["import", "rejects", "1"]);
    assert!(ok, "{err}");
    assert_eq!(std::fs::read_to_string(&beside).unwrap(), rejects, "the same rows, the same way");
    let (ok, out, err) = run(&db, &["import", "rejects", "1", "-o", "-"]);
    assert!(ok && out == rejects, "{err}");

    // An undo killed as soon as the import shows as undoing, on a copy: what it took back is committed with
    // that mark, so the import is partly undone (resume refused, the undo goes on), never "interrupted" with
    // nothing taken back and a resume offered on a completed import.
    let killed = dir.path().join("undo-killed.db");
    copy_db(&db, &killed);
    let mut child =
        cmd(&killed).args(["import", "undo", "1"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(5));
        let status: String = rusqlite::Connection::open(&killed)
            .and_then(|c| c.query_row("SELECT status FROM import_batches WHERE id = 1", [], |r| r.get(0)))
            .unwrap_or_default();
        if status == "undoing" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the undo did not get going");
        assert!(child.try_wait().unwrap().is_none(), "the undo ended before it could be killed");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (ok, _, err) = run(&killed, &["import", "resume", "1"]);
    assert!(!ok && err.contains("finish the undo"), "{err}");
    let (ok, _, err) = run(&killed, &["import", "undo", "1"]);
    assert!(ok, "{err}");
    assert!(names_in_db(&killed).is_empty());
    assert_eq!(batch_json(&killed)["status"], "undone");

    // A second file, keyed by email, gives 20,000 of the leads another company (fewer than the first file's rows,
    // only for the test's time: an update is the slowest row there is); a third, later, edits one of them
    // again. The second's undo puts 19,999 companies back and keeps the edited lead's.
    let renamed = dir.path().join("renamed.csv");
    let mut text = String::from("email,company\n");
    for i in 0..20_000 {
        text.push_str(&format!("p{i}@prospect{}.example,Renamed {}\n", i % 997, i % 5000));
    }
    std::fs::write(&renamed, &text).unwrap();
    let keyed = ["--key", "email", "--replace", "--no-dedup", "--format", "json"];
    let (ok, out, err) = run(&db, &[&["import", renamed.to_str().unwrap()][..], &keyed[..]].concat());
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["counts"]["update"].as_u64(), Some(20_000), "{v}");
    let later = dir.path().join("later.csv");
    std::fs::write(&later, "email,company\np7@prospect7.example,Edited Later\n").unwrap();
    let (ok, _, err) = run(&db, &[&["import", later.to_str().unwrap()][..], &keyed[..]].concat());
    assert!(ok, "{err}");
    let (ok, out, err) = run(&db, &["import", "undo", "2"]);
    assert!(ok, "{err}");
    assert!(out.contains("undid import 2: 0 lead(s) removed, 19999 reverted, 1 kept"), "{out}");
    let c = rusqlite::Connection::open(&db).unwrap();
    let companies: Vec<(String, String)> = c
        .prepare("SELECT last_name, company FROM leads ORDER BY last_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let expected: Vec<(String, String)> = (0..100_000)
        .map(|i| (format!("Row{i:06}"), if i == 7 { "Edited Later".into() } else { format!("Firm {}", i % 5000) }))
        .collect();
    assert_eq!(companies, expected, "each company as before the second file, the later edit kept");
    drop(c);

    // The first import's undo: 100,000 rows, all but the lead edited after it gone with their emails and their
    // search entries.
    let (ok, out, err) = run(&db, &["import", "undo", "1"]);
    assert!(ok, "{err}");
    assert!(out.contains("undid import 1: 99999 lead(s) removed, 0 reverted, 1 kept"), "{out}");
    assert_eq!(names_in_db(&db), BTreeSet::from(["Row000007".to_string()]));
    let c = rusqlite::Connection::open(&db).unwrap();
    let (emails, fts): (i64, i64) = c
        .query_row(
            "SELECT (SELECT count(*) FROM lead_emails), (SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'prospect*')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((emails, fts), (1, 1));
}

#[test]
fn a_localized_file_gets_the_suggested_mapping_printed_and_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let csv = dir.path().join("salon.csv");
    std::fs::write(&csv, "Prénom;Nom;Courriel;Société;Couleur préférée\nÉlise;Roux;elise@roux.fr;Roux SA;vert\nJean;;pas-un-courriel;;\n").unwrap();
    let (ok, _, err) = run(&db, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert!(ok, "{err}");
    assert!(err.contains("Courriel -> email") && err.contains("Couleur préférée -> notes"), "{err}");
    let (ok, _, err) = run(&db, &["import", csv.to_str().unwrap()]);
    assert!(!ok && err.contains("nothing was imported") && err.contains("line 3: Courriel:"), "{err}");
    // Asked for JSON, the refusal is a summary too (and still a failure), and each summary names its mapping.
    let (ok, out, err) = run(&db, &["import", csv.to_str().unwrap(), "--format", "json"]);
    assert!(!ok && err.contains("nothing was imported"), "{err}");
    let refused: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let v = &refused;
    assert_eq!((v["status"].as_str(), v["counts"]["reject"].as_u64()), (Some("refused"), Some(1)), "{v}");
    assert!(v["rejects_file"].as_str().is_some_and(|f| f.ends_with("salon.csv.rejects.csv")), "{v}");
    let (ok, out, _) = run(&db, &["import", csv.to_str().unwrap(), "--dry-run", "--format", "json"]);
    let dry: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    for json in [&refused, &dry] {
        let courriel = json["mapping"].as_array().and_then(|m| m.iter().find(|c| c["column"] == "Courriel"));
        assert_eq!(courriel.map(|c| c["target"].clone()), Some(serde_json::json!("email")), "{json}");
    }
    assert!(ok);
    let (ok, out, err) = run(
        &db,
        &[
            "import",
            csv.to_str().unwrap(),
            "--skip-invalid",
            "--format",
            "json",
            "--map",
            "Couleur préférée=ignore",
            "--source",
            "Salon Lyon",
        ],
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["counts"]["create_active"].as_u64(), v["counts"]["reject"].as_u64()), (Some(1), Some(1)), "{v}");
    let rejects = std::fs::read_to_string(v["rejects_file"].as_str().unwrap()).unwrap();
    // Split as the file was: a French spreadsheet splits on semicolons.
    assert!(rejects.contains("Jean;;pas-un-courriel;;;\"line 3: Courriel:"), "{rejects}");
    let (_, out, _) = run(&db, &["leads", "list", "--json"]);
    let leads: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = leads[0]["id"].as_i64().unwrap().to_string();
    let (_, out, _) = run(&db, &["leads", "show", &id, "--json"]);
    let lead: serde_json::Value = serde_json::from_str::<serde_json::Value>(&out).unwrap()["lead"].clone();
    assert_eq!(
        (lead["source"].as_str(), lead["source_detail"].as_str()),
        (Some("bulk_import"), Some("Salon Lyon")),
        "{lead}"
    );
    assert_eq!(lead["notes"], "", "the ignored column is not in the notes");
}

/// A mailing list of one column under a title line, one cell of which holds two addresses: every address comes
/// in (the cell's two to one lead), and the title line is said to be passed over. The cell's separator made it a
/// table of two columns whose header was that cell's row: the rows above it were lost without a word.
#[test]
fn a_list_of_one_column_keeps_every_row_and_says_what_it_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let csv = dir.path().join("newsletter.csv");
    std::fs::write(
        &csv,
        "Newsletter export\nE-Mail\nann@example.com\nbob@example.de\ncarl@example.com; carl.private@gmail.com\n\
         dora@example.org\neve@example.net\n",
    )
    .unwrap();
    let (ok, _, err) = run(&db, &["import", csv.to_str().unwrap(), "--keep-invalid", "--no-dedup"]);
    assert!(ok, "{err}");
    assert!(err.contains("the header is on line 2: what comes before it (a title, notes) is not imported"), "{err}");
    let (_, out, _) = run(&db, &["leads", "list", "--json"]);
    let leads: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut primary: Vec<&str> = leads.as_array().unwrap().iter().filter_map(|l| l["primary_email"].as_str()).collect();
    primary.sort_unstable();
    let expected = ["ann@example.com", "bob@example.de", "carl@example.com", "dora@example.org", "eve@example.net"];
    assert_eq!(primary, expected, "{leads}");
    let carl = leads.as_array().unwrap().iter().find(|l| l["primary_email"] == "carl@example.com").unwrap();
    let (_, out, _) = run(&db, &["leads", "show", &carl["id"].to_string(), "--json"]);
    let lead: serde_json::Value = serde_json::from_str::<serde_json::Value>(&out).unwrap()["lead"].clone();
    let emails: Vec<&str> = lead["emails"].as_array().unwrap().iter().filter_map(|e| e["address"].as_str()).collect();
    assert_eq!(emails, ["carl@example.com", "carl.private@gmail.com"], "{lead}");
}

/// A template named as typed brings its update key as in the app, and the batch records the template's own name.
/// Replacing a stored value takes `--replace`.
#[test]
fn a_template_brings_its_update_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let first = dir.path().join("first.csv");
    std::fs::write(&first, "email,first_name,last_name,company\nann@x.com,Ann,Lee,Old\n").unwrap();
    let (ok, _, err) =
        run(&db, &["import", first.to_str().unwrap(), "--key", "email", "--save-template", "Fair Leads"]);
    assert!(ok, "{err}");
    let again = dir.path().join("again.csv");
    std::fs::write(&again, "email,first_name,last_name,company\nann@x.com,Ann,Lee,New\n").unwrap();
    // A row that disagrees with the lead its key finds is held back unless the file may replace stored values.
    let (ok, out, err) = run(&db, &["import", again.to_str().unwrap(), "--template", "fair leads"]);
    assert!(
        !ok && format!("{out}{err}").contains("the file says “New” where lead 1 (Ann Lee) holds “Old”"),
        "{out}{err}"
    );
    let (ok, _, err) = run(&db, &["import", again.to_str().unwrap(), "--replace"]);
    assert!(!ok && err.contains("--replace needs --key"), "{err}");
    let (ok, out, err) =
        run(&db, &["import", again.to_str().unwrap(), "--template", "fair leads", "--replace", "--format", "json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["counts"]["update"].as_u64(), Some(1), "updated by the template's key: {v}");
    assert_eq!(batch_json(&db)["template"].as_str(), Some("Fair Leads"));
    assert_eq!(names_in_db(&db).len(), 1);
}

/// A deal moved from another CRM, refused by its stage's criteria alone, is named as such with the way in; the
/// Administrator's `--override REASON` brings it in its stage, the reason in its history.
#[test]
fn deals_refused_by_their_stage_alone_come_in_with_an_administrator_s_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let deals = dir.path().join("deals.csv");
    std::fs::write(
        &deals,
        "first_name,last_name,email,stage,deal_value,currency,expected_close\n\
         Fay,Fox,fay@fox.io,In discussion,500,EUR,2027-03-31\n",
    )
    .unwrap();
    // A folder named instead of a file is said so, not "Is a directory (os error 21)".
    let (ok, _, err) = run(&db, &["import", dir.path().to_str().unwrap()]);
    assert!(!ok && err.contains("is a folder: name the file to import in it"), "{err}");
    let (ok, out, err) = run(&db, &["import", deals.to_str().unwrap()]);
    assert!(
        !ok && err.contains("1 of the rejected rows are refused only by their stage's entry criteria"),
        "{out}{err}"
    );
    assert!(err.contains("--override REASON"), "{err}");
    assert!(names_in_db(&db).is_empty());
    let (ok, out, err) = run(&db, &["import", deals.to_str().unwrap(), "--override", "Moved from Pipedrive"]);
    assert!(ok, "{out}{err}");
    assert_eq!(names_in_db(&db), BTreeSet::from(["Fox".to_string()]));
    let (ok, out, err) = run(&db, &["leads", "show", "1", "--history"]);
    assert!(ok, "{err}");
    assert!(out.contains("stage engagement)"), "in its stage: {out}");
    assert!(out.contains("gate_override") && out.contains("Moved from Pipedrive"), "{out}");
}

/// An import that fails part-way says which batch holds the rows already in, and how to resume or undo it.
#[test]
fn a_failed_import_names_its_batch_and_what_can_be_done() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let (ok, _, err) = run(&db, &["import", "history"]);
    assert!(ok, "{err}");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON leads WHEN NEW.first_name = 'P5300'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let csv = dir.path().join("people.csv");
    let mut text = String::from("first_name,last_name,email\n");
    for i in 0..5600 {
        text.push_str(&format!("P{i},Person,p{i}@example.com\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let (ok, _, err) = run(&db, &["import", csv.to_str().unwrap(), "--no-dedup", "--skip-invalid"]);
    assert!(!ok);
    let id = batch_json(&db)["id"].as_i64().unwrap();
    assert!(err.contains(&format!("import {id} stopped after ")) && err.contains("injected failure"), "{err}");
    assert!(
        err.contains(&format!("rapport import resume {id}")) && err.contains(&format!("import undo {id}")),
        "{err}"
    );
    // The same file again with a mapping refused before any batch is recorded: the earlier failed import is
    // not named as this one.
    let (ok, _, err) =
        run(&db, &["import", csv.to_str().unwrap(), "--no-dedup", "--skip-invalid", "--map", "email=fax"]);
    assert!(!ok);
    assert!(!err.contains(&format!("import {id}")) && !err.contains("resume"), "{err}");
}

#[test]
fn the_rejected_rows_never_replace_the_file_being_imported_and_the_batch_is_named_as_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rejects.db");
    let csv = dir.path().join("leads.csv");
    let text = "first_name,last_name,email\nAnn,Lee,ann@lee.io\nBo,Ray,not-an-email\n";
    std::fs::write(&csv, text).unwrap();
    let file = csv.to_str().unwrap();
    let (ok, _, err) = run(&db, &["import", file, "--skip-invalid", "--rejects", file]);
    assert!(!ok && err.contains("that is the file being imported"), "{err}");
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), text, "the file is as it was");
    assert!(names_in_db(&db).is_empty(), "nothing imported");
    // Written through what is not a plain file (a link here; /dev/stdout, a pipe), not beside it and renamed
    // over it: the link stays a link, and /dev has no room for a file of ours.
    #[cfg(unix)]
    {
        let piped = dir.path().join("piped.db");
        let real = dir.path().join("kept.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let (ok, _, err) = run(&piped, &["import", file, "--skip-invalid", "--rejects", link.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
        let written = std::fs::read_to_string(&real).unwrap();
        let expected = "\u{feff}first_name,last_name,email,import_error\nBo,Ray,not-an-email,\"line 3: ";
        assert!(written.starts_with(expected), "{written}");
        assert_eq!(names_in_db(&piped), BTreeSet::from(["Lee".to_string()]));
    }
    let (ok, _, err) = run(&db, &["import", file, "--skip-invalid"]);
    assert!(ok, "{err}");
    let named = "import 1 is running; if it stops, go on with: rapport import resume 1";
    assert!(err.lines().any(|l| l.starts_with(named)), "{err}");
    assert_eq!(names_in_db(&db), BTreeSet::from(["Lee".to_string()]));
}

/// A workbook's one sheet is imported, as the app's wizard picks one: the others are named on stderr, with how
/// to import one of them, and --sheet does.
#[test]
fn a_workbook_s_other_sheets_are_named_not_left_unsaid() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sheets.db");
    let file = dir.path().join("months.xlsx");
    let mut wb = Workbook::new();
    for (month, last) in [("Jan", "January"), ("Feb", "February")] {
        let ws = wb.add_worksheet();
        ws.set_name(month).unwrap();
        for (c, h) in ["first_name", "last_name", "email"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "Ann").unwrap();
        ws.write_string(1, 1, last).unwrap();
        ws.write_string(1, 2, format!("ann.{month}@example.com").to_lowercase()).unwrap();
    }
    wb.save(&file).unwrap();
    let (ok, _, err) = run(&db, &["import", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("reading the sheet \"Jan\"") && err.contains("not imported: \"Feb\""), "{err}");
    assert!(err.contains("--sheet"), "{err}");
    assert_eq!(names_in_db(&db), BTreeSet::from(["January".to_string()]));
    let (ok, _, err) = run(&db, &["import", file.to_str().unwrap(), "--sheet", "Feb"]);
    assert!(ok, "{err}");
    assert!(!err.contains("not imported"), "{err}");
    assert_eq!(names_in_db(&db), BTreeSet::from(["January".to_string(), "February".to_string()]));
}
