#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The capture API over real HTTP on loopback, its token created into and read back from a real Secret
//! Service keychain (gnome-keyring, which scripts/test.sh runs this suite inside): valid, invalid, duplicate,
//! oversized, wrong-token, revoked, rate-limited and replayed requests; CORS only for configured origins; the
//! token in no table, no database byte and no log line.
mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{fixture, keychain_available, Captured, PASSWORD};
use rapport_core::capture::{CaptureSettings, CaptureSourceInput, CaptureSourceKind};
use rapport_core::imports::ColumnMapping;
use rapport_core::leads::{LeadQuery, SourceChannel};
use rapport_core::secrets::{OsKeychain, Secrets};
use rapport_core::users::Role;
use rapport_core::Rapport;

struct Answer {
    status: u16,
    body: serde_json::Value,
    headers: Vec<(String, String)>,
}

fn post(url: &str, token: Option<&str>, content_type: &str, body: &[u8], extra: &[(&str, &str)]) -> Answer {
    let mut req = ureq::post(url).set("Content-Type", content_type);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    for (k, v) in extra {
        req = req.set(k, v);
    }
    let resp = match req.send_bytes(body) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("no answer: {e}"),
    };
    let status = resp.status();
    let headers =
        resp.headers_names().into_iter().map(|h| (h.clone(), resp.header(&h).unwrap_or("").to_string())).collect();
    let text = resp.into_string().unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    Answer { status, body, headers }
}

/// The submission an accepted answer's receipt names, as the Administrator sees it: its outcome and its lead.
fn submitted(core: &Rapport, admin: &rapport_core::Actor, a: &Answer) -> rapport_core::capture::CaptureSubmission {
    assert_eq!((a.status, a.body["status"].as_str()), (202, Some("received")), "{}", a.body);
    let receipt = a.body["submission_id"].as_str().unwrap_or_else(|| panic!("no receipt: {}", a.body));
    let subs = core.capture_submissions(admin, None, 1000).unwrap();
    subs.into_iter().find(|s| s.receipt == receipt).unwrap_or_else(|| panic!("submission {receipt} is not listed"))
}

/// The database's content but for what a refused request writes: its line in the source's submissions, and
/// when the source was last used.
fn apart_from_submissions(f: &common::Fixture) -> Vec<(String, Vec<String>)> {
    let sources: Vec<String> = f
        .sql()
        .prepare("SELECT id, name, token_hash, field_map, rate_per_minute, revoked_at, campaign FROM capture_sources")
        .unwrap()
        .query_map([], |r| {
            Ok(format!("{:?}", (0..7).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect::<Vec<_>>()))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    f.dump()
        .into_iter()
        .filter(|(table, _)| table != "capture_submissions")
        .map(|(table, rows)| if table == "capture_sources" { (table, sources.clone()) } else { (table, rows) })
        .collect()
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The capture API listening on loopback (any free port) over the fixture's database, with its runtime.
fn listening(f: &common::Fixture) -> (tokio::runtime::Runtime, rapport_capture::Running) {
    let settings = CaptureSettings { enabled: true, port: 0, ..Default::default() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let running = rt.block_on(rapport_capture::start(core, &settings)).unwrap();
    (rt, running)
}

/// A live source without a field map, by an Administrator: its token.
fn source(f: &common::Fixture, name: &str, kind: CaptureSourceKind, rate_per_minute: u32) -> String {
    let input =
        CaptureSourceInput { name: name.into(), kind, field_map: vec![], rate_per_minute, campaign: String::new() };
    f.core.add_capture_source(&f.admin, &OsKeychain, &input).unwrap().token
}

/// A live source without a field map whose token is kept in a keychain of the test's own, for tests about HTTP
/// rather than the system keychain: its token.
fn source_in_memory(f: &common::Fixture, name: &str, kind: CaptureSourceKind) -> String {
    let input =
        CaptureSourceInput { name: name.into(), kind, field_map: vec![], rate_per_minute: 60, campaign: String::new() };
    f.core.add_capture_source(&f.admin, &common::MemoryKeychain::default(), &input).unwrap().token
}

#[test]
fn the_capture_api_over_http_with_its_token_in_the_keychain() {
    if !keychain_available() {
        return;
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let _ =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).try_init();
    let f = fixture();
    let web = CaptureSourceInput {
        name: "Website".into(),
        kind: CaptureSourceKind::WebForm,
        field_map: vec![],
        rate_per_minute: 19,
        campaign: String::new(),
    };
    let made = f.core.add_capture_source(&f.admin, &OsKeychain, &web).unwrap();
    // What the Administrator copies into the form is what the keychain holds.
    let token = f.core.capture_token(&f.admin, &OsKeychain, made.source.id).unwrap();
    assert_eq!(token, made.token);
    // Kept under this database's name (another database's source 1 has its own entry).
    let database: String = rusqlite::Connection::open(&f.path)
        .unwrap()
        .query_row("SELECT value FROM settings WHERE key = 'database_id'", [], |r| r.get(0))
        .unwrap();
    let entry = |id: i64| format!("capture:{database}:{id}");
    assert_eq!(OsKeychain.get(&entry(made.source.id)).unwrap().as_deref(), Some(token.as_str()));
    let partner = CaptureSourceInput {
        name: "Partner GmbH".into(),
        kind: CaptureSourceKind::Partner,
        field_map: vec![
            ColumnMapping { column: "vorname".into(), target: "first_name".into() },
            ColumnMapping { column: "name".into(), target: "last_name".into() },
            ColumnMapping { column: "mail".into(), target: "email".into() },
        ],
        rate_per_minute: 100,
        campaign: String::new(),
    };
    let partner = f.core.add_capture_source(&f.admin, &OsKeychain, &partner).unwrap();
    let slow = source(&f, "Slow form", CaptureSourceKind::WebForm, 1);

    let settings = CaptureSettings {
        enabled: true,
        port: 0,
        open_to_network: false,
        // The second typed as a person might: a browser sends "https://shop.example.com".
        allowed_origins: vec!["https://www.example.com".into(), "https://Shop.Example.com:443/".into()],
        public_url: String::new(),
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    // The rate limits outlive a listener, as the app keeps them across the restarts a settings save makes.
    let limits = rapport_capture::RateLimits::default();
    let running = rt.block_on(rapport_capture::start_with(core.clone(), &settings, limits.clone())).unwrap();
    assert!(running.address.ip().is_loopback(), "loopback unless opened to the network");
    let mut url = format!("http://{}/api/v1/leads", running.address);

    // Valid: JSON and a form post.
    let a = post(
        &url,
        Some(&token),
        "application/json",
        br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io","utm_campaign":"spring"}"#,
        &[],
    );
    let sub = submitted(&f.core, &f.admin, &a);
    assert_eq!(sub.outcome, "create_active");
    let ann = f.core.get_lead(&f.admin, sub.lead_id.unwrap()).unwrap();
    assert_eq!(
        (ann.source, ann.source_detail.as_str()),
        (Some(SourceChannel::WebForm), "Website"),
        "channel and source recorded"
    );
    assert_eq!(ann.notes, "utm_campaign: spring", "an unknown field goes to the notes, named");
    let history = f.core.lead_history(&f.admin, ann.id).unwrap();
    assert_eq!(history[0].actor_name, "API: Website");
    let a = post(
        &url,
        Some(&token),
        "application/x-www-form-urlencoded",
        b"first_name=Bo&last_name=Ray&phone=%2B44%2020%207946%200018",
        &[],
    );
    submitted(&f.core, &f.admin, &a);
    // A form with one name field: split into first and last name.
    let a =
        post(&url, Some(&token), "application/x-www-form-urlencoded", b"name=Jo+van+Dijk&email=jo%40dijk.example", &[]);
    let jo = f.core.get_lead(&f.admin, submitted(&f.core, &f.admin, &a).lead_id.unwrap()).unwrap();
    assert_eq!((jo.first_name.as_str(), jo.last_name.as_str(), jo.notes.as_str()), ("Jo", "van Dijk", ""));
    // WordPress's Contact Form 7 posts its fields as "your-…", beside its own plumbing.
    let a = post(
        &url,
        Some(&token),
        "application/x-www-form-urlencoded",
        b"_wpcf7=12&_wpcf7_version=5.9&your-name=Mia+Wong&your-email=mia%40wong.example&your-message=Call+me",
        &[],
    );
    let mia = f.core.get_lead(&f.admin, submitted(&f.core, &f.admin, &a).lead_id.unwrap()).unwrap();
    assert_eq!(
        (mia.first_name.as_str(), mia.last_name.as_str(), mia.emails[0].address.as_str(), mia.notes.as_str()),
        ("Mia", "Wong", "mia@wong.example", "your-message: Call me")
    );

    // Invalid: 422 with the field named.
    let a = post(&url, Some(&token), "application/json", br#"{"first_name":"Cy","email":"not-an-email"}"#, &[]);
    assert_eq!(a.status, 422);
    assert_eq!(a.body["code"], "validation");
    assert_eq!(a.body["fields"][0]["field"], "email");
    let a = post(&url, Some(&token), "application/json", b"{not json", &[]);
    assert_eq!((a.status, a.body["code"].as_str()), (400, Some("bad_body")));
    let a = post(&url, Some(&token), "text/plain", b"hello", &[]);
    assert_eq!(a.status, 415);

    // Duplicate: the same person again enriches Ann rather than making a second lead.
    let a = post(
        &url,
        Some(&token),
        "application/json",
        br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io","company":"Acme"}"#,
        &[],
    );
    let sub = submitted(&f.core, &f.admin, &a);
    assert_eq!((sub.outcome.as_str(), sub.lead_id), ("enrich", Some(ann.id)), "{sub:?}");
    assert!(sub.message.contains(&format!("lead {}", ann.id)), "the Administrator sees what it did: {sub:?}");
    assert_eq!(f.core.get_lead(&f.admin, ann.id).unwrap().company, "Acme");
    // The sender does not: the form's token is in a public page, and its answer would tell anyone who is a
    // lead already, and under which name. A near twin, queued for review, is answered as a stranger is.
    let known = a.body.clone();
    let twin = post(
        &url,
        Some(&token),
        "application/json",
        br#"{"first_name":"Ann","last_name":"Leigh","email":"ann@lee.io"}"#,
        &[],
    );
    let stranger = post(
        &url,
        Some(&token),
        "application/json",
        br#"{"first_name":"Zed","last_name":"Quo","email":"zed@quo.io"}"#,
        &[],
    );
    for answer in [&a, &twin, &stranger] {
        let keys: Vec<&str> = answer.body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!((answer.status, keys), (202, vec!["status", "submission_id"]), "{}", answer.body);
        // A receipt that counts nothing: a number in sequence would tell a form's visitor how many leads every
        // source sent meanwhile.
        let receipt = answer.body["submission_id"].as_str().unwrap_or_default();
        assert!(receipt.len() >= 20 && receipt.chars().all(|c| c.is_ascii_alphanumeric()), "{}", answer.body);
    }
    let receipts: std::collections::BTreeSet<_> =
        [&a, &twin, &stranger].iter().map(|x| x.body["submission_id"].to_string()).collect();
    assert_eq!(receipts.len(), 3, "each its own");
    // Besides the random receipt (checked above), nothing in the answer names the lead.
    for mut body in [known, twin.body.clone()] {
        body.as_object_mut().unwrap().remove("submission_id");
        let text = body.to_string();
        assert!(!text.contains("Ann") && !text.contains("Lee") && !text.contains(&ann.id.to_string()), "{text}");
    }
    assert_eq!(submitted(&f.core, &f.admin, &twin).outcome, "review");

    // Replayed with the same idempotency key: the first answer again, nothing written twice.
    let body = br#"{"first_name":"Di","last_name":"Wu","email":"di@wu.io"}"#;
    let first = post(&url, Some(&token), "application/json", body, &[("Idempotency-Key", "order-77")]);
    let before = f.dump();
    let again = post(&url, Some(&token), "application/json", body, &[("Idempotency-Key", "order-77")]);
    assert_eq!((again.status, &again.body), (first.status, &first.body));
    assert_eq!(header(&again, "idempotent-replayed"), Some("true"));
    assert_eq!(f.dump(), before, "a replay writes nothing");
    // The same key with another body: refused, not answered with Di's reply (the second lead would be lost).
    let other = br#"{"first_name":"Ed","last_name":"Ng","email":"ed@ng.io"}"#;
    let a = post(&url, Some(&token), "application/json", other, &[("Idempotency-Key", "order-77")]);
    assert_eq!((a.status, a.body["code"].as_str()), (422, Some("idempotency_key_reused")), "{}", a.body);
    assert_eq!(header(&a, "idempotent-replayed"), None);
    assert_eq!(f.dump(), before, "a refused key writes nothing");
    // A refused body keeps no key: corrected, it goes through under the same one.
    let bad = br#"{"first_name":"Flo","last_name":"Ek","email":"flo@"}"#;
    let a = post(&url, Some(&token), "application/json", bad, &[("Idempotency-Key", "order-78")]);
    assert_eq!(a.status, 422, "{}", a.body);
    let fixed = br#"{"first_name":"Flo","last_name":"Ek","email":"flo@ek.io"}"#;
    let a = post(&url, Some(&token), "application/json", fixed, &[("Idempotency-Key", "order-78")]);
    assert_eq!(submitted(&f.core, &f.admin, &a).outcome, "create_active");

    // What the sales process decides is not the sender's: a web form's page is public, its token with it.
    let a = post(
        &url,
        Some(&token),
        "application/x-www-form-urlencoded",
        b"first_name=Gil&last_name=Oz&email=gil%40oz.io&source=direct_entry&lead_source=Phone&owner=admin&stage=won\
          &campaign=Spring+Fair&deal_value=9999999&expected_close=2020-01-01&id=CUST-1001&tags=do-not-contact",
        &[],
    );
    let gil = f.core.get_lead(&f.admin, submitted(&f.core, &f.admin, &a).lead_id.unwrap()).unwrap();
    assert_eq!((gil.source, gil.source_detail.as_str()), (Some(SourceChannel::WebForm), "Website"));
    assert_eq!((gil.owner.is_none(), gil.stage.as_str()), (true, "new"), "{gil:?}");
    assert_eq!((gil.campaign.as_str(), gil.deal.value.as_str(), gil.deal.expected_close.as_str()), ("", "", ""));
    // Nor which customer of another system the lead is: a keyed import or a partner's sync would take it for them.
    assert_eq!(gil.external_ref, "");
    // Nor how it is labelled: enriching a stored lead, a tag would stand on it as anyone liked.
    assert!(gil.tags.is_empty(), "{:?}", gil.tags);
    for posted in [
        "tags: do-not-contact",
        "source: direct_entry",
        "lead_source: Phone",
        "owner: admin",
        "stage: won",
        "campaign: Spring Fair",
        "id: CUST-1001",
    ] {
        assert!(gil.notes.contains(posted), "{posted} kept in the notes: {:?}", gil.notes);
    }
    // A form sent in Latin-1: refused with the field named, not stored as "J\u{fffd}rgen".
    let a = post(&url, Some(&token), "application/x-www-form-urlencoded", b"first_name=J%FCrgen&last_name=Ek", &[]);
    assert_eq!((a.status, a.body["code"].as_str()), (400, Some("bad_body")), "{}", a.body);
    assert!(a.body["message"].as_str().unwrap_or("").contains("first_name"), "{}", a.body);

    // A browser's FormData (multipart): read as its form. Sent again with the boundary a retry makes anew, under
    // the same key, it is the same request: replayed.
    let multipart = |boundary: &str| {
        let part = |name: &str, value: &str| {
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let file = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\r\n"
        );
        let body = format!(
            "{}{}{}{file}--{boundary}--\r\n",
            part("first_name", "Zo\u{eb}"),
            part("last_name", "Brant"),
            part("email", "zoe@brant.example")
        );
        (format!("multipart/form-data; boundary={boundary}"), body)
    };
    // (Sent as the partner: the website's rate is counted out below.)
    let (t, b) = multipart("----WebKitFormBoundaryA1");
    let a = post(&url, Some(&partner.token), &t, b.as_bytes(), &[("Idempotency-Key", "fd-1")]);
    assert_eq!(a.status, 202, "{}", a.body);
    let zoe = f.core.get_lead(&f.admin, submitted(&f.core, &f.admin, &a).lead_id.unwrap()).unwrap();
    assert_eq!((zoe.first_name.as_str(), zoe.emails[0].address.as_str()), ("Zo\u{eb}", "zoe@brant.example"));
    let before = f.dump();
    let (t, b) = multipart("----WebKitFormBoundaryB2");
    let again = post(&url, Some(&partner.token), &t, b.as_bytes(), &[("Idempotency-Key", "fd-1")]);
    assert_eq!((again.status, header(&again, "idempotent-replayed")), (202, Some("true")), "{}", again.body);
    assert_eq!(f.dump(), before, "a replay writes nothing");
    // A file in it is refused naming its field, and listed with the source's submissions as refused.
    let b = "--xYz\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\n\r\n%PDF-1.4\r\n--xYz--\r\n";
    let a = post(&url, Some(&partner.token), "multipart/form-data; boundary=xYz", b.as_bytes(), &[]);
    assert_eq!(
        (a.status, a.body["code"].as_str(), a.body["fields"][0]["field"].as_str()),
        (400, Some("bad_body"), Some("cv"))
    );
    let listed = f.core.capture_submissions(&f.admin, Some(partner.source.id), 1).unwrap();
    assert!(listed[0].outcome == "rejected" && listed[0].message.contains("is a file"), "{listed:?}");

    // Oversized: 413, as JSON, and listed with the source's submissions as refused (an Administrator asked why a
    // partner's leads do not come sees why); it writes nothing else. A request without a valid token writes
    // nothing at all.
    let before = apart_from_submissions(&f);
    let big = format!(r#"{{"first_name":"E","notes":"{}"}}"#, "x".repeat(70 * 1024));
    let a = post(&url, Some(&token), "application/json", big.as_bytes(), &[]);
    assert_eq!((a.status, a.body["code"].as_str()), (413, Some("too_large")));
    let listed = f.core.capture_submissions(&f.admin, Some(made.source.id), 1).unwrap();
    assert_eq!((listed[0].status, listed[0].outcome.as_str(), listed[0].lead_id), (413, "rejected", None));
    assert!(listed[0].message.contains("larger than"), "{listed:?}");
    assert_eq!(apart_from_submissions(&f), before, "only the refusal is written");
    let before = f.dump();

    // Wrong token, no token.
    let a = post(&url, Some("rpk_not-a-real-token"), "application/json", body, &[]);
    assert_eq!((a.status, a.body["code"].as_str()), (401, Some("unauthorized")));
    assert_eq!(post(&url, None, "application/json", body, &[]).status, 401);
    assert_eq!(header(&a, "www-authenticate"), Some("Bearer"));
    assert_eq!(f.dump(), before, "refused before it was read, nothing written");

    // A partner's own field names, through its map.
    let a = post(
        &url,
        Some(&partner.token),
        "application/json",
        br#"{"vorname":"Jan","name":"Novak","mail":"jan@novak.cz"}"#,
        &[],
    );
    let jan = f.core.get_lead(&f.admin, submitted(&f.core, &f.admin, &a).lead_id.unwrap()).unwrap();
    assert_eq!((jan.first_name.as_str(), jan.source), ("Jan", Some(SourceChannel::Partner)));

    // Rate-limited: the website source allows 19 a minute; most are used (a slow machine may have earned one or
    // two back meanwhile, one every 3.2 s: so it is sent to until refused, and what each answer wrote checked).
    let mut statuses = vec![];
    for i in 0..6 {
        if statuses.last() == Some(&429) {
            break;
        }
        let b = format!(r#"{{"first_name":"R{i}","last_name":"Limit","email":"r{i}@limit.io"}}"#);
        let before = f.dump();
        let a = post(&url, Some(&token), "application/json", b.as_bytes(), &[]);
        statuses.push(a.status);
        if a.status == 429 {
            // The next request is taken within 60/19 s: it says so, rounded up, not "a minute".
            let after: u64 = header(&a, "retry-after").unwrap_or_default().parse().unwrap_or(0);
            assert!((1..=4).contains(&after), "{:?}", header(&a, "retry-after"));
            assert_eq!(f.dump(), before, "a request over the limit writes nothing");
        } else {
            assert_eq!(a.status, 202, "{}", a.body);
            assert_eq!(submitted(&f.core, &f.admin, &a).outcome, "create_active");
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // A quota outliving a restart, and a replay let through it, are checked on a source allowing one request a
    // minute: its next is a whole minute away however slow the machine (the website's came back every 3.2 s, and
    // one could come back between two checks).
    let once = br#"{"first_name":"Ines","last_name":"Once","email":"ines@once.io"}"#;
    let a = post(&url, Some(&slow), "application/json", once, &[("Idempotency-Key", "slow-1")]);
    assert_eq!(a.status, 202, "{}", a.body);
    let b = br#"{"first_name":"R9","last_name":"Limit","email":"r9@limit.io"}"#;
    assert_eq!(post(&url, Some(&slow), "application/json", b, &[]).status, 429, "one a minute");
    // Restarted (a settings save does that): the source's quota is still used up.
    rt.block_on(running.stop());
    let running = rt.block_on(rapport_capture::start_with(core, &settings, limits)).unwrap();
    url = format!("http://{}/api/v1/leads", running.address);
    assert_eq!(post(&url, Some(&slow), "application/json", b, &[]).status, 429, "no new quota by a restart");
    // A retry of a request answered before is replayed, the quota used up or not (its first try counted): a
    // form retrying after a lost answer was told "too many". It writes nothing; a new key is still held back.
    let before = f.dump();
    let a = post(&url, Some(&slow), "application/json", once, &[("Idempotency-Key", "slow-1")]);
    assert_eq!((a.status, header(&a, "idempotent-replayed")), (202, Some("true")), "{}", a.body);
    assert_eq!(f.dump(), before, "a replay writes nothing");
    let a = post(&url, Some(&slow), "application/json", b, &[("Idempotency-Key", "slow-2")]);
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(f.dump(), before, "held back, nothing written");
    let a = post(
        &url,
        Some(&partner.token),
        "application/json",
        br#"{"vorname":"Kim","name":"Ok","mail":"kim@ok.io"}"#,
        &[],
    );
    assert_eq!(a.status, 202, "the limit is per token");

    // CORS: the configured origin may post from a browser, another may not. A preflight of `origin`, with
    // Chrome's question before a public page posts into a private network: the header `answer` it gets.
    let preflight = |origin: &str, answer: &str| {
        ureq::request("OPTIONS", &url)
            .set("Origin", origin)
            .set("Access-Control-Request-Method", "POST")
            .set("Access-Control-Request-Headers", "authorization,content-type")
            .set("Access-Control-Request-Private-Network", "true")
            .call()
            .map(|r| r.header(answer).map(String::from))
            .unwrap_or(None)
    };
    let origin = "access-control-allow-origin";
    assert_eq!(preflight("https://www.example.com", origin).as_deref(), Some("https://www.example.com"));
    assert_eq!(preflight("https://evil.example", origin), None);
    assert_eq!(preflight("https://shop.example.com", origin).as_deref(), Some("https://shop.example.com"));
    // Into a private network: yes for a listed origin only.
    let private = "access-control-allow-private-network";
    assert_eq!(preflight("https://www.example.com", private).as_deref(), Some("true"));
    assert_eq!(preflight("https://evil.example", private), None);
    // A wrong method on the API's path: JSON, as every other answer.
    let resp = match ureq::get(&url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("no answer: {e}"),
    };
    assert_eq!((resp.status(), resp.header("allow")), (405, Some("POST")));
    let body: serde_json::Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
    assert_eq!(body["code"], "method_not_allowed");

    // Revoked: refused from now on, and gone from the keychain.
    f.core.revoke_capture_source(&f.admin, &OsKeychain, partner.source.id).unwrap();
    let a = post(
        &url,
        Some(&partner.token),
        "application/json",
        br#"{"vorname":"Lu","name":"Late","mail":"lu@late.io"}"#,
        &[],
    );
    assert_eq!(a.status, 401);
    assert_eq!(OsKeychain.get(&entry(partner.source.id)).unwrap(), None);

    // Recent submissions per source, newest first.
    let subs = f.core.capture_submissions(&f.admin, Some(made.source.id), 50).unwrap();
    assert!(subs.iter().all(|s| s.source_id == made.source.id && s.source_name == "Website"));
    assert_eq!((subs[0].status, subs[0].outcome.as_str()), (202, "create_active"), "newest first: {:?}", subs[0]);
    assert!(subs.iter().any(|s| s.status == 422 && s.message.contains("not-an-email")), "{subs:?}");
    let q = LeadQuery { limit: 50, ..Default::default() };
    let names: Vec<String> = f.core.list_leads(&f.admin, &q).unwrap().items.into_iter().map(|l| l.first_name).collect();
    assert!(!names.contains(&"Lu".to_string()) && !names.contains(&"Cy".to_string()), "{names:?}");

    // The form for a website carries the token and posts to this listener.
    let html = f.core.capture_form_html(&f.admin, &OsKeychain, made.source.id, None).unwrap();
    assert!(html.contains(&format!("data-token=\"{token}\"")) && html.contains("/api/v1/leads"));

    rt.block_on(running.stop());
    // The token: only in the keychain. Not in any table, any byte of the database files, or any log line.
    f.core.checkpoint().unwrap();
    for t in [&token, &partner.token] {
        assert!(!format!("{:?}", f.dump()).contains(t.as_str()), "a table holds a token");
        for file in [f.path.clone(), PathBuf::from(format!("{}-wal", f.path.display()))] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(!bytes.windows(t.len()).any(|w| w == t.as_bytes()), "{} holds a token", file.display());
            }
        }
        let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
        assert!(logs.contains("capture request"), "the requests were logged (so the check below means something)");
        assert!(!logs.contains(t.as_str()), "a log line holds a token");
    }
    let _ = PASSWORD;
    f.core.revoke_capture_source(&f.admin, &OsKeychain, made.source.id).unwrap();
}

/// A client that opens a connection, sends half a request and goes quiet cannot hold the API on: the stop
/// returns (the settings wait on it), the port is free, and the request, if it ever goes on, gets nothing in.
#[test]
fn a_stalled_connection_does_not_hold_the_stop() {
    use std::io::{Read as _, Write as _};
    let f = fixture();
    let (rt, running) = listening(&f);
    let address = running.address;
    let mut stalled = std::net::TcpStream::connect(address).unwrap();
    let body = br#"{"first_name":"Sly","last_name":"Low","email":"sly@low.io"}"#;
    let head = format!(
        "POST /api/v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    stalled.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let stopped = rt.block_on(async { tokio::time::timeout(std::time::Duration::from_secs(30), running.stop()).await });
    assert!(stopped.is_ok(), "the stop waited for a client that never finished its request");
    std::net::TcpListener::bind(address).expect("the port is free once stopped");
    // The rest of the request: refused or unanswered, never a lead.
    let _ = stalled.write_all(b"Authorization: Bearer rpk_whatever\r\n\r\n").and_then(|()| stalled.write_all(body));
    stalled.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    let mut answer = String::new();
    let _ = stalled.read_to_string(&mut answer);
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");
    let q = LeadQuery { limit: 50, ..Default::default() };
    assert_eq!(f.core.list_leads(&f.admin, &q).unwrap().items.len(), 0);
}

/// A sender trying tokens (each an unknown one) is held back by its address, answered 429 instead of 401, once
/// past what one address may send in a minute.
#[test]
fn a_sender_of_unknown_tokens_is_held_back_by_its_address() {
    let f = fixture();
    let (rt, running) = listening(&f);
    let url = format!("http://{}/api/v1/leads", running.address);
    let body = br#"{"first_name":"Eve","last_name":"Guess","email":"eve@guess.io"}"#;
    // The quota refills as the requests go (one a tenth of a second): the limit shows past the first minute's.
    let limit = rapport_capture::PER_PEER_PER_MINUTE as usize;
    let mut held = None;
    for i in 0..limit * 2 {
        let a = post(&url, Some(&format!("rpk_guess{i}")), "application/json", body, &[]);
        if a.status == 429 {
            held = Some((i, a));
            break;
        }
        assert_eq!(a.status, 401, "request {i}: {:?}", a.body);
    }
    let (at, held) = held.expect("held back at last");
    assert!(at >= limit, "not before the minute's quota: held at request {at}");
    assert_eq!(held.status, 429, "{:?}", held.body);
    assert_eq!(held.body["code"], "rate_limited", "{:?}", held.body);
    assert_eq!(header(&held, "retry-after"), Some("60"));
    rt.block_on(running.stop());
}

/// Only requests without a valid token count against an address: a partner posting from one server at its
/// source's rate (1,000 a minute) was held back from its 601st request, as was every source behind one local
/// proxy.
#[test]
fn a_partner_posting_from_one_address_is_held_only_by_its_source_s_rate() {
    if !keychain_available() {
        return;
    }
    let f = fixture();
    let token = source(&f, "Busy partner", CaptureSourceKind::Partner, 1000);
    let (rt, running) = listening(&f);
    let url = format!("http://{}/api/v1/leads", running.address);
    // A body the pipeline refuses at once (nothing to make a lead of): the token and the limits are what count.
    let requests = rapport_capture::PER_PEER_PER_MINUTE as usize + 100;
    for i in 0..requests {
        let a = post(&url, Some(&token), "application/json", b"{}", &[]);
        assert_eq!(a.status, 400, "request {i}: {:?}", a.body);
    }
    rt.block_on(running.stop());
}

/// An address held back for sending unknown tokens (an attacker, or anyone behind the same proxy or office
/// address) still passes requests with a valid token: the hold kept every web form behind one local proxy out
/// for as long as someone else kept guessing. Unknown tokens from it are still refused, as held back (429).
#[test]
fn a_held_address_still_passes_a_valid_token() {
    if !keychain_available() {
        return;
    }
    let f = fixture();
    let token = source(&f, "Website", CaptureSourceKind::WebForm, 60);
    let (rt, running) = listening(&f);
    let url = format!("http://{}/api/v1/leads", running.address);
    let body = br#"{"first_name":"Eve","last_name":"Guess","email":"eve@guess.io"}"#;
    let limit = rapport_capture::PER_PEER_PER_MINUTE as usize;
    let held =
        (0..limit * 2).any(|i| post(&url, Some(&format!("rpk_guess{i}")), "application/json", body, &[]).status == 429);
    assert!(held, "the guessing address is held back");
    assert_eq!(post(&url, Some("rpk_guess_again"), "application/json", body, &[]).status, 429);
    assert_eq!(post(&url, None, "application/json", body, &[]).status, 429);
    let real = br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.example"}"#;
    let a = post(&url, Some(&token), "application/json", real, &[]);
    assert_eq!(a.status, 202, "{:?}", a.body);
    rt.block_on(running.stop());
}

/// A client that opens a connection and then sends its request headers, or its body, too slowly (or not at all)
/// is cut off once its time is up: on a listener open to the network, enough such clients would otherwise hold
/// every connection the app can take, for ever.
#[test]
fn a_client_sending_too_slowly_is_cut_off() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let f = fixture();
    let settings = CaptureSettings { enabled: true, port: 0, ..Default::default() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let quick = rapport_capture::Timeouts { headers: Duration::from_millis(300), body: Duration::from_millis(300) };
    let running = rt
        .block_on(rapport_capture::start_timed(core, &settings, rapport_capture::RateLimits::default(), quick))
        .unwrap();
    let token = source_in_memory(&f, "Website", CaptureSourceKind::WebForm);
    let valid_but_slow = format!(
        "POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: 200\r\n\r\n{{\"first_name\": "
    );
    let unfinished: [&[u8]; 3] = [
        b"POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n",
        b"POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
          Authorization: Bearer not-a-token\r\nContent-Length: 200\r\n\r\n{\"first_name\": ",
        valid_but_slow.as_bytes(),
    ];
    for (i, request) in unfinished.into_iter().enumerate() {
        let mut stream = std::net::TcpStream::connect(running.address).unwrap();
        // Far beyond the listener's limits: only a listener that never cuts the client off reaches it.
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        stream.write_all(request).unwrap();
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer);
        assert!(
            read.is_ok(),
            "the connection is closed by the listener: {read:?} {}",
            String::from_utf8_lossy(&answer)
        );
        if i == 2 {
            // A sender with a valid token is told it was too slow (retry), not that its body was malformed.
            let text = String::from_utf8_lossy(&answer);
            assert!(text.starts_with("HTTP/1.1 408") && text.contains("\"timeout\""), "{text}");
        }
    }
}

/// A body trickled in a byte at a time, each well within the pause the body timeout allows, is still cut off
/// once the body's whole time is up: that timeout's clock starts again at each piece, and a sender holding the
/// website form's public token could keep a connection for days (and 256 of them the whole API).
#[test]
fn a_body_trickled_in_is_cut_off_when_its_whole_time_is_up() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let f = fixture();
    let settings = CaptureSettings { enabled: true, port: 0, ..Default::default() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let timeouts = rapport_capture::Timeouts { headers: Duration::from_secs(10), body: Duration::from_secs(2) };
    let running = rt
        .block_on(rapport_capture::start_timed(core, &settings, rapport_capture::RateLimits::default(), timeouts))
        .unwrap();
    let token = source_in_memory(&f, "Website", CaptureSourceKind::WebForm);
    let body = br#"{"first_name":"Tess","last_name":"Trickle","email":"tess@trickle.example","notes":"slowly"}"#;
    let mut stream = std::net::TcpStream::connect(running.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A byte every 0.3 s: the whole body would take about 27 s, each pause far inside the 2 s allowed.
    let mut writer = stream.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for byte in body {
            if writer.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let started = Instant::now();
    let answer = answer_head(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "after {:?}: {answer:?}", started.elapsed());
    drop(stream);
    trickle.join().unwrap();
    let q = LeadQuery { limit: 50, ..Default::default() };
    assert_eq!(f.core.list_leads(&f.admin, &q).unwrap().items.len(), 0, "the cut-off request made no lead");
    rt.block_on(running.stop());
}

/// A request whose body was still coming when the API was switched off is answered 503 and makes no lead: the
/// stop gives up on such a connection after its grace, but the connection itself went on.
#[test]
fn a_request_finishing_after_the_api_is_switched_off_makes_no_lead() {
    use std::io::Write;
    use std::time::Duration;
    let f = fixture();
    let (rt, running) = patient(&f);
    let token = source_in_memory(&f, "Website", CaptureSourceKind::WebForm);
    let body = br#"{"first_name":"Lee","last_name":"Late","email":"lee@late.example"}"#;
    let mut stream = std::net::TcpStream::connect(running.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    rt.block_on(running.stop());
    stream.write_all(&body[10..]).unwrap();
    let answer = answer_head(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
    assert!(answer.to_ascii_lowercase().contains("retry-after: 60"), "sent again later, told when: {answer:?}");
    let q = LeadQuery { limit: 50, ..Default::default() };
    assert_eq!(f.core.list_leads(&f.admin, &q).unwrap().items.len(), 0, "no lead once switched off");
}

/// While another program (an import from the command line) holds the database past the wait, a submission is
/// answered 503 with a Retry-After, which a client retries, not 500; nothing of it was written, and once the
/// database is free the same request goes through.
#[test]
fn a_submission_while_another_program_writes_is_asked_to_retry() {
    use std::time::Duration;
    let f = fixture();
    let opts = rapport_core::OpenOptions { busy_timeout: Duration::from_millis(300), readers: 1 };
    let core = Arc::new(Rapport::open_with(&f.path, &opts, Arc::new(rapport_core::SystemClock)).unwrap());
    let settings = CaptureSettings { enabled: true, port: 0, ..Default::default() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let running = rt.block_on(rapport_capture::start(core, &settings)).unwrap();
    let token = source_in_memory(&f, "Partner", CaptureSourceKind::Partner);
    let url = format!("http://{}/api/v1/leads", running.address);
    let body = br#"{"first_name":"Bea","last_name":"Busy","email":"bea@busy.example"}"#;
    let holder = rusqlite::Connection::open(&f.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let a = post(&url, Some(&token), "application/json", body, &[("Idempotency-Key", "bea-1")]);
    assert_eq!(a.status, 503, "{:?}", a.body);
    assert_eq!(a.body["code"], "busy", "{:?}", a.body);
    assert_eq!(header(&a, "retry-after"), Some("5"));
    // So is a form whose file field is refused, which is recorded as refused (it got a 500).
    let form = b"--Z\r\nContent-Disposition: form-data; name=\"first_name\"\r\n\r\nBea\r\n--Z\r\n\
Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--Z--\r\n";
    let m = post(&url, Some(&token), "multipart/form-data; boundary=Z", form, &[]);
    assert_eq!((m.status, m.body["code"].as_str()), (503, Some("busy")), "{:?}", m.body);
    assert_eq!(header(&m, "retry-after"), Some("5"));
    holder.execute_batch("ROLLBACK").unwrap();
    let q = LeadQuery { limit: 50, ..Default::default() };
    assert_eq!(f.core.list_leads(&f.admin, &q).unwrap().items.len(), 0);
    let again = post(&url, Some(&token), "application/json", body, &[("Idempotency-Key", "bea-1")]);
    assert_eq!(again.status, 202, "{:?}", again.body);
    let leads = f.core.list_leads(&f.admin, &q).unwrap().items;
    assert_eq!(leads.iter().map(|l| l.last_name.as_str()).collect::<Vec<_>>(), ["Busy"]);
    rt.block_on(running.stop());
}

/// The head of the answer on `stream` (up to its blank line), or what came before the connection ended.
fn answer_head(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// A listener whose clients have all the time in the world to send a request: only what the listener decides
/// on its own ends a connection.
fn patient(f: &common::Fixture) -> (tokio::runtime::Runtime, rapport_capture::Running) {
    use std::time::Duration;
    let settings = CaptureSettings { enabled: true, port: 0, ..Default::default() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let slow = rapport_capture::Timeouts { headers: Duration::from_secs(600), body: Duration::from_secs(600) };
    let running = rt
        .block_on(rapport_capture::start_timed(core, &settings, rapport_capture::RateLimits::default(), slow))
        .unwrap();
    (rt, running)
}

/// A request without a valid token is refused on its headers, before its body is waited for: a sender with no
/// token announcing a body and never sending it held its connection for the body's whole timeout (30 s), and a
/// thousand such connections took every file handle the app had.
#[test]
fn a_request_without_a_valid_token_is_refused_before_its_body() {
    use std::io::Write;
    let f = fixture();
    let (rt, running) = patient(&f);
    for auth in ["", "Authorization: Bearer rpk_not_a_token\r\n"] {
        let mut stream = std::net::TcpStream::connect(running.address).unwrap();
        // Far less than the listener's body timeout: only an answer given before the body is read comes in time.
        stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        let head = format!(
            "POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{auth}\
             Content-Length: 100\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let answer = answer_head(&mut stream);
        assert!(answer.starts_with("HTTP/1.1 401"), "{auth:?}: {answer:?}");
    }
    rt.block_on(running.stop());
}

/// One address holds at most so many connections at once; the next is closed unanswered, and taken again once
/// one of them ends. Connections opened and left quiet by one sender no longer take every connection the app
/// can serve.
#[test]
fn one_address_holds_a_bounded_number_of_connections() {
    use std::io::Write;
    let f = fixture();
    let (rt, running) = patient(&f);
    let request = b"POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                    Content-Length: 2\r\n\r\n{}";
    let mut quiet: Vec<std::net::TcpStream> = (0..rapport_capture::MAX_CONNECTIONS_PER_ADDRESS)
        .map(|_| std::net::TcpStream::connect(running.address).unwrap())
        .collect();
    // Every quiet one is taken in (served, and so counted) before the one too many comes: a request on the last
    // is answered.
    let last = quiet.last_mut().unwrap();
    last.write_all(request).unwrap();
    last.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    assert!(answer_head(last).starts_with("HTTP/1.1 401"));
    let mut over = std::net::TcpStream::connect(running.address).unwrap();
    over.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let _ = over.write_all(request);
    let answer = answer_head(&mut over);
    assert!(answer.is_empty(), "one connection too many is closed unanswered: {answer:?}");
    drop(quiet.remove(0));
    // The slot is given back as soon as its connection's task sees the close: asked until then.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let mut again = std::net::TcpStream::connect(running.address).unwrap();
        again.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        let _ = again.write_all(request);
        let answer = answer_head(&mut again);
        if answer.starts_with("HTTP/1.1 401") {
            break;
        }
        assert!(answer.is_empty(), "{answer:?}");
        assert!(std::time::Instant::now() < deadline, "a closed connection's slot is never given back");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    rt.block_on(running.stop());
}

/// What integrators commonly send besides a plain body is answered as HTTP says: a compressed body is refused
/// as such (415, and what is taken) rather than as malformed JSON; the path with a trailing slash is the path;
/// a browser's preflight may be kept for ten minutes.
#[test]
fn compressed_bodies_trailing_slashes_and_preflights_are_answered_as_http_says() {
    let f = fixture();
    let token = source_in_memory(&f, "Website", CaptureSourceKind::WebForm);
    let settings = CaptureSettings {
        enabled: true,
        port: 0,
        allowed_origins: vec!["https://www.example.com".into()],
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let running = rt.block_on(rapport_capture::start(core, &settings)).unwrap();
    let url = format!("http://{}/api/v1/leads", running.address);
    let body = br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.example"}"#;
    let a = post(&url, Some(&token), "application/json", body, &[("Content-Encoding", "gzip")]);
    assert_eq!((a.status, a.body["code"].as_str()), (415, Some("unsupported_encoding")), "{}", a.body);
    assert_eq!(header(&a, "accept-encoding"), Some("identity"));
    let q = LeadQuery { limit: 50, ..Default::default() };
    assert!(f.core.list_leads(&f.admin, &q).unwrap().items.is_empty(), "nothing taken from it");
    let listed = f.core.capture_submissions(&f.admin, None, 10).unwrap();
    assert_eq!(listed.iter().map(|s| (s.status, s.outcome.as_str())).collect::<Vec<_>>(), [(415, "rejected")]);
    assert!(listed[0].message.contains("uncompressed"), "{listed:?}");
    let a = post(&format!("{url}/"), Some(&token), "application/json", body, &[]);
    assert_eq!(a.status, 202, "{}", a.body);
    let preflight = ureq::request("OPTIONS", &url)
        .set("Origin", "https://www.example.com")
        .set("Access-Control-Request-Method", "POST")
        .set("Access-Control-Request-Headers", "authorization, content-type")
        .call()
        .unwrap();
    assert_eq!(preflight.header("access-control-max-age"), Some("600"));
    rt.block_on(running.stop());
}

/// A body over the limit is answered 413 whatever its size and however it is sent: a client writes its whole
/// body before it reads the answer, and a listener that answered early and closed left unread bytes behind,
/// which made the system reset the connection, so a 10 MB post got "connection reset" instead of the 413.
#[test]
fn an_oversized_body_is_answered_413_even_when_sent_whole() {
    let f = fixture();
    let token = source_in_memory(&f, "Partner", CaptureSourceKind::Partner);
    let (rt, running) = listening(&f);
    let url = format!("http://{}/api/v1/leads", running.address);
    let before = apart_from_submissions(&f);
    for size in [rapport_capture::BODY_LIMIT + 1, 1 << 20, 10 << 20] {
        let big = format!(r#"{{"first_name":"E","notes":"{}"}}"#, "x".repeat(size));
        let a = post(&url, Some(&token), "application/json", big.as_bytes(), &[]);
        assert_eq!((a.status, a.body["code"].as_str()), (413, Some("too_large")), "{size} bytes: {}", a.body);
        // Sent in chunks, without a length announced.
        let answer = ureq::post(&url)
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {token}"))
            .send(std::io::Cursor::new(big.into_bytes()));
        let status = match answer {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{size} bytes, chunked: no answer: {e}"),
        };
        assert_eq!(status, 413, "{size} bytes, chunked");
    }
    let listed = f.core.capture_submissions(&f.admin, None, 100).unwrap();
    assert_eq!(listed.iter().map(|s| (s.status, s.outcome.as_str())).collect::<Vec<_>>(), [(413, "rejected"); 6]);
    assert_eq!(apart_from_submissions(&f), before, "nothing written but the refusals");
    rt.block_on(running.stop());
}

/// A sender past the limit who then stalls, or sends slowly, is told 413 (too large) soon, not 408 (too slow)
/// once the body's whole timeout has passed: what is read past the limit is thrown away for a few seconds only.
#[test]
fn an_oversized_body_sent_slowly_is_answered_413_without_waiting_for_it() {
    use std::io::Write;
    let f = fixture();
    let (rt, running) = patient(&f);
    let token = source_in_memory(&f, "Partner", CaptureSourceKind::Partner);
    let mut stream = std::net::TcpStream::connect(running.address).unwrap();
    // Far less than the listener's body timeout (600 s): only an answer given before it comes in time.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n",
        4 << 20
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&vec![b'x'; rapport_capture::BODY_LIMIT + 4096]).unwrap();
    let answer = answer_head(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    // A length past anything worth reading is answered before any of the body.
    let mut stream = std::net::TcpStream::connect(running.address).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    stream.write_all(head.replace(&format!("{}", 4 << 20), &format!("{}", 1u64 << 33)).as_bytes()).unwrap();
    let answer = answer_head(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    rt.block_on(running.stop());
}

/// A website form's token is public in its page: one sender (one address, as the proxy in front of the API names
/// it) may send it only so many submissions a minute, and what it sends over that takes nothing of the form's
/// own rate, so it cannot keep every visitor out; and a submission that fills the form's hidden field, which
/// people never see, is answered as any but kept as spam, without a lead.
#[test]
fn a_website_form_is_guarded_against_one_sender_and_against_bots() {
    let f = fixture();
    let keychain = common::MemoryKeychain::default();
    let input = CaptureSourceInput {
        name: "Website".into(),
        kind: CaptureSourceKind::WebForm,
        field_map: vec![],
        rate_per_minute: 20,
        campaign: String::new(),
    };
    let made = f.core.add_capture_source(&f.admin, &keychain, &input).unwrap();
    // Behind a proxy on this computer, which names each visitor in X-Forwarded-For.
    let settings = CaptureSettings {
        enabled: true,
        port: 0,
        public_url: "https://leads.example.com".into(),
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let running = rt.block_on(rapport_capture::start(core, &settings)).unwrap();
    let url = format!("http://{}/api/v1/leads", running.address);
    let form = "application/x-www-form-urlencoded";
    let from = |ip: &str, i: usize| {
        let body = format!("last_name=Lee&email=ann{i}%40lee.example");
        post(&url, Some(&made.token), form, body.as_bytes(), &[("X-Forwarded-For", &format!("198.51.100.9, {ip}"))])
    };
    let limit = rapport_capture::FORM_SUBMISSIONS_PER_ADDRESS_PER_MINUTE as usize;
    for i in 0..limit {
        assert_eq!(from("203.0.113.5", i).status, 202, "submission {i}");
    }
    // The sender goes on: refused as one address, 25 times, its port written or not.
    for i in 0..25 {
        let ip = if i % 2 == 0 { "203.0.113.5" } else { "203.0.113.5:40123" };
        let over = from(ip, limit + i);
        assert_eq!(over.status, 429, "{}", over.body);
        assert!(over.body["message"].as_str().unwrap().contains("from this address"), "{}", over.body);
        assert!(header(&over, "retry-after").is_some());
    }
    // Another visitor still has the rest of the form's rate (20 a minute, 10 used).
    for i in 0..limit {
        let a = from("2001:db8:5::1", 100 + i);
        assert_eq!(a.status, 202, "visitor {i}: {}", a.body);
    }
    // One IPv6 household is one sender, whichever of its addresses it writes from.
    assert_eq!(from("[2001:db8:5::2]:443", 200).status, 429);
    rt.block_on(running.stop());
}

/// A submission that fills the website form's hidden field, which people never see and bots fill in, is
/// answered as any (a bot learns nothing) but kept as spam, without a lead; left empty, the field is no field
/// of the lead's.
#[test]
fn a_submission_filling_the_hidden_field_is_kept_as_spam() {
    let f = fixture();
    let keychain = common::MemoryKeychain::default();
    let input = CaptureSourceInput {
        name: "Website".into(),
        kind: CaptureSourceKind::WebForm,
        field_map: vec![],
        rate_per_minute: 60,
        campaign: String::new(),
    };
    let made = f.core.add_capture_source(&f.admin, &keychain, &input).unwrap();
    let (rt, running) = listening(&f);
    let url = format!("http://{}/api/v1/leads", running.address);
    let form = "application/x-www-form-urlencoded";
    let leads = |f: &common::Fixture| {
        let q = LeadQuery { limit: 500, ..Default::default() };
        let mut v: Vec<i64> = f.core.list_leads(&f.admin, &q).unwrap().items.iter().map(|l| l.id).collect();
        v.sort_unstable();
        v
    };
    let before = leads(&f);
    let bot = b"last_name=Bot&email=bot%40spam.example&rapport_hp=http%3A%2F%2Fspam.example";
    let a = post(&url, Some(&made.token), form, bot, &[]);
    assert_eq!((a.status, a.body["status"].as_str()), (202, Some("received")), "{}", a.body);
    assert_eq!(leads(&f), before, "no lead from a bot");
    let listed = submitted(&f.core, &f.admin, &a);
    assert_eq!((listed.outcome.as_str(), listed.lead_id), ("spam", None));
    // Left empty, as people leave it: a lead, and the field is none of its notes.
    let person = b"last_name=Person&email=person%40real.example&notes=Hello&rapport_hp=";
    let a = post(&url, Some(&made.token), form, person, &[]);
    let lead = submitted(&f.core, &f.admin, &a).lead_id.expect("a lead");
    let lead = f.core.get_lead(&f.admin, lead).unwrap();
    assert!(!lead.notes.contains("rapport_hp"), "{}", lead.notes);
    // The form a website pastes has the hidden field.
    let html = f.core.capture_form_html(&f.admin, &keychain, made.source.id, None).unwrap();
    assert!(html.contains(r#"name="rapport_hp" tabindex="-1""#), "{html}");
    rt.block_on(running.stop());
}

/// Behind a proxy or tunnel on this computer (a public address is set), every visitor's connection comes from
/// one local address: that proxy is held by the total only, not by one address's 32 (cloudflared keeps up to
/// 100 to its origin, and the 33rd visitor got a 502).
#[test]
fn a_proxy_on_this_computer_is_not_held_to_one_address_s_connections() {
    use std::io::Write;
    let f = fixture();
    let settings = CaptureSettings {
        enabled: true,
        port: 0,
        public_url: "https://leads.example.com".into(),
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = Arc::new(Rapport::open(&f.path).unwrap());
    let slow = rapport_capture::Timeouts {
        headers: std::time::Duration::from_secs(600),
        body: std::time::Duration::from_secs(600),
    };
    let running = rt
        .block_on(rapport_capture::start_timed(core, &settings, rapport_capture::RateLimits::default(), slow))
        .unwrap();
    let request = b"POST /api/v1/leads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                    Content-Length: 2\r\n\r\n{}";
    let _open: Vec<std::net::TcpStream> = (0..rapport_capture::MAX_CONNECTIONS_PER_ADDRESS + 8)
        .map(|_| std::net::TcpStream::connect(running.address).unwrap())
        .collect();
    let mut one_more = std::net::TcpStream::connect(running.address).unwrap();
    one_more.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    one_more.write_all(request).unwrap();
    let answer = answer_head(&mut one_more);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer:?}");
    rt.block_on(running.stop());
}

/// Seed 3.2: a source may put its leads in a campaign (a landing page of the spring fair sends leads the spring
/// team sees). A lead that names none takes the source's; without it, a campaign-limited team never saw a web
/// form's leads. A posted "campaign" field still decides nothing (anyone reads a form's token).
#[test]
fn a_sources_campaign_puts_its_leads_where_its_team_sees_them() {
    let f = fixture();
    let sam = f.user("sam", Role::Editor, &["Spring Expo"]);
    let input = CaptureSourceInput {
        name: "Spring landing page".into(),
        kind: CaptureSourceKind::WebForm,
        field_map: vec![],
        rate_per_minute: 60,
        campaign: " Spring Expo ".into(),
    };
    let made = f.core.add_capture_source(&f.admin, &common::MemoryKeychain::default(), &input).unwrap();
    assert_eq!(made.source.campaign, "Spring Expo");
    let (rt, running) = listening(&f);
    let url = format!("http://{}/api/v1/leads", running.address);
    let body = br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io","campaign":"Winter"}"#;
    let a = post(&url, Some(&made.token), "application/json", body, &[]);
    assert_eq!(a.status, 202, "accepted: {}", a.body);
    rt.block_on(running.stop());
    let seen = f.core.list_leads(&sam, &LeadQuery { limit: 50, ..Default::default() }).unwrap().items;
    assert_eq!(seen.len(), 1, "the team sees the form's lead");
    let ann = f.core.get_lead(&sam, seen[0].id).unwrap();
    assert_eq!(ann.campaign, "Spring Expo");
    assert!(ann.notes.contains("Winter"), "the posted field is kept in the notes: {:?}", ann.notes);
    let too_long = CaptureSourceInput { name: "Other".into(), campaign: "x".repeat(101), ..input };
    let err = f.core.add_capture_source(&f.admin, &common::MemoryKeychain::default(), &too_long).unwrap_err();
    assert_eq!(err.code(), rapport_core::ErrorCode::Validation, "{err}");
}
