//! A small CalDAV client (RFC 4791) over `ureq`: check a calendar, list its events in a time range,
//! PUT and DELETE one resource with ETag preconditions. Authentication is HTTP Basic over the URL the user gave
//! (https for real servers), or Digest when the server offers only that; the password never appears in an error.
use std::time::Duration;

use base64::Engine as _;

use super::caldav_digest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RemoteError {
    Unauthorized,
    NotFound,
    /// The ETag did not match: changed on the server since we last saw it.
    Changed,
    Unreachable(String),
    Other(String),
}

impl RemoteError {
    /// What went wrong with `url`, in words; `during_sync` adds that changes wait, which is true of a sync and not
    /// of an account being connected (nothing was ever sent).
    pub(crate) fn words(&self, url: &str, during_sync: bool) -> String {
        match self {
            RemoteError::Unauthorized => {
                format!("{url} refused the user name or password (check the app password)")
            }
            RemoteError::NotFound => format!("{url} has no calendar at that address"),
            RemoteError::Changed => format!("{url}: the event was changed on the server meanwhile"),
            RemoteError::Unreachable(why) if during_sync => {
                format!("cannot reach {url}: {why}; changes are kept and sent later")
            }
            RemoteError::Unreachable(why) => format!("cannot reach {url}: {why}"),
            RemoteError::Other(why) => format!("{url}: {why}"),
        }
    }
}

/// Why no answer came, in words a user acts on (ureq's own read "Connection Failed", "Dns Failed").
fn transport_words(kind: ureq::ErrorKind) -> String {
    match kind {
        ureq::ErrorKind::ConnectionFailed => {
            "nothing answers at that address (is the server up, the port right?)".into()
        }
        ureq::ErrorKind::Dns => "the server's name is not known (check the address)".into(),
        ureq::ErrorKind::Io => "the connection broke off".into(),
        ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => "not a web address (https://…)".into(),
        ureq::ErrorKind::TooManyRedirects => "the server sends the request from address to address".into(),
        ureq::ErrorKind::ProxyConnect | ureq::ErrorKind::InvalidProxyUrl | ureq::ErrorKind::ProxyUnauthorized => {
            format!("the proxy refused ({})", kind.to_string().to_lowercase())
        }
        other => other.to_string().to_lowercase(),
    }
}

pub(crate) struct Resource {
    pub href: String,
    pub etag: String,
    pub data: String,
}

pub(crate) struct Client {
    base: url::Url,
    /// The Basic sign-in, sent first.
    auth: String,
    user: String,
    password: String,
    agent: ureq::Agent,
    /// Once the server asked for Digest sign-in: its challenge, and how many requests were made under its nonce.
    digest: std::cell::RefCell<Option<(caldav_digest::Challenge, u32)>>,
}

impl Client {
    pub(crate) fn new(calendar_url: &str, user: &str, password: &str) -> Result<Self, RemoteError> {
        let mut base =
            url::Url::parse(calendar_url.trim()).map_err(|e| RemoteError::Other(format!("not a URL ({e})")))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            // Followed by `send` itself: ureq turns a redirected PROPFIND or REPORT into a GET and drops the
            // credentials, so a calendar moved from http:// to https:// was "refused the user name or password".
            .redirects(0)
            .build();
        Ok(Self {
            base,
            auth: format!("Basic {token}"),
            user: user.to_owned(),
            password: password.to_owned(),
            agent,
            digest: std::cell::RefCell::new(None),
        })
    }

    pub(crate) fn base(&self) -> &url::Url {
        &self.base
    }

    pub(crate) fn url_of(&self, href: &str) -> Result<url::Url, RemoteError> {
        self.base.join(href).map_err(|e| RemoteError::Other(format!("bad address {href} ({e})")))
    }

    /// Sends the request, following the server's redirects with the same method, body and credentials as long
    /// as they stay on its site (see [`same_site`]).
    fn send(
        &self,
        method: &str,
        url: &url::Url,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<ureq::Response, RemoteError> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            match self.send_once(method, &url, headers, body)? {
                r if matches!(r.status(), 301 | 302 | 303 | 307 | 308) => {
                    let next = r
                        .header("Location")
                        .and_then(|l| url.join(l).ok())
                        .ok_or_else(|| RemoteError::Other("the server redirects the request nowhere".into()))?;
                    if !same_site(&url, &next) {
                        return Err(RemoteError::Other(format!(
                            "the server sends the request on to {} (another site): if that is your calendar's \
                             server, give its address",
                            site_of(&next)
                        )));
                    }
                    url = next;
                }
                r => return Ok(r),
            }
        }
        Err(RemoteError::Unreachable(transport_words(ureq::ErrorKind::TooManyRedirects)))
    }

    /// The `Authorization` header for a request: Basic, or Digest once the server asked for it.
    fn authorization(&self, method: &str, url: &url::Url) -> String {
        let mut digest = self.digest.borrow_mut();
        match digest.as_mut() {
            Some((challenge, count)) => {
                *count += 1;
                let uri = &url[url::Position::BeforePath..url::Position::AfterQuery];
                let cnonce = caldav_digest::cnonce();
                caldav_digest::authorization(challenge, &self.user, &self.password, method, uri, *count, &cnonce)
            }
            None => self.auth.clone(),
        }
    }

    /// Sends the request once, or twice when the server answers with a Digest challenge the request did not
    /// meet (the first of a session, or a nonce gone stale): the second is signed in by Digest.
    fn send_once(
        &self,
        method: &str,
        url: &url::Url,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<ureq::Response, RemoteError> {
        for attempt in 0..2 {
            let mut req = self.agent.request_url(method, url).set("Authorization", &self.authorization(method, url));
            for (k, v) in headers {
                req = req.set(k, v);
            }
            match req.send_string(body) {
                Err(ureq::Error::Status(401, r)) if attempt == 0 && digest_only(&r) => {
                    let offers: Vec<&str> = r.all("WWW-Authenticate");
                    match caldav_digest::challenge(&offers) {
                        Some(Ok(challenge)) => *self.digest.borrow_mut() = Some((challenge, 0)),
                        Some(Err(why)) => return Err(RemoteError::Other(why.0)),
                        None => return Err(RemoteError::Unauthorized),
                    }
                }
                answer => return self.read_answer(method, answer),
            }
        }
        Err(RemoteError::Unauthorized)
    }

    fn read_answer(
        &self,
        method: &str,
        answer: Result<ureq::Response, ureq::Error>,
    ) -> Result<ureq::Response, RemoteError> {
        match answer {
            Ok(r) => Ok(r),
            // A 403 on one event is that event refused (Cyrus's no-uid-conflict, a read-only event): the others
            // go on. On the calendar itself it is the account's.
            Err(ureq::Error::Status(403, r)) if method == "PUT" => {
                Err(RemoteError::Other(format!("the server answered 403 {}", r.status_text())))
            }
            Err(ureq::Error::Status(401 | 403, _)) => Err(RemoteError::Unauthorized),
            Err(ureq::Error::Status(404, _)) => Err(RemoteError::NotFound),
            Err(ureq::Error::Status(412, _)) => Err(RemoteError::Changed),
            Err(ureq::Error::Status(code, r)) => {
                Err(RemoteError::Other(format!("the server answered {code} {}", r.status_text())))
            }
            Err(ureq::Error::Transport(t)) => Err(RemoteError::Unreachable(transport_words(t.kind()))),
        }
    }

    /// The multistatus a PROPFIND of `url` at `depth` ("0" or "1") answers, asking for `props` (the inside of a
    /// `<d:prop>`, with `d:` DAV's namespace and `c:` CalDAV's).
    pub(crate) fn propfind(&self, url: &url::Url, depth: &str, props: &str) -> Result<String, RemoteError> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>{props}</d:prop></d:propfind>"#
        );
        let r =
            self.send("PROPFIND", url, &[("Depth", depth), ("Content-Type", "application/xml; charset=utf-8")], &body)?;
        if r.status() != 207 {
            return Err(RemoteError::Other(format!(
                "the server answered {} {} to PROPFIND",
                r.status(),
                r.status_text()
            )));
        }
        r.into_string().map_err(|e| RemoteError::Other(e.to_string()))
    }

    /// Events with an occurrence in [from, to) (times as 'YYYYMMDDTHHMMSSZ').
    pub(crate) fn list(&self, from: &str, to: &str) -> Result<Listing, RemoteError> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="{from}" end="{to}"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>"#
        );
        let r = self.send(
            "REPORT",
            &self.base,
            &[("Depth", "1"), ("Content-Type", "application/xml; charset=utf-8")],
            &body,
        )?;
        let text = r.into_string().map_err(|e| RemoteError::Other(e.to_string()))?;
        parse_multistatus(&text)
    }

    /// Stores `ics` at `href`: replacing `etag` when given, else only if nothing is there. Returns the new
    /// ETag when the server says it.
    /// Writes `ics` at `href`: over the copy whose ETag is `etag`, or as a new resource when `sent_before` is
    /// false. A resource sent before whose ETag the server never gave is written over unconditionally: asked
    /// to be new (If-None-Match), it would be refused as changed there, a conflict with our own copy.
    pub(crate) fn put(
        &self,
        href: &str,
        ics: &str,
        etag: Option<&str>,
        sent_before: bool,
    ) -> Result<Option<String>, RemoteError> {
        let url = self.url_of(href)?;
        let mut headers = vec![("Content-Type", "text/calendar; charset=utf-8")];
        match (etag, sent_before) {
            (Some(e), _) => headers.push(("If-Match", e)),
            (None, false) => headers.push(("If-None-Match", "*")),
            (None, true) => {}
        }
        let r = self.send("PUT", &url, &headers, ics)?;
        Ok(r.header("ETag").map(str::to_owned))
    }

    /// The resource at `href`, or None when the server has none there.
    pub(crate) fn get(&self, href: &str) -> Result<Option<Resource>, RemoteError> {
        let url = self.url_of(href)?;
        match self.send("GET", &url, &[], "") {
            Ok(r) => {
                let etag = r.header("ETag").unwrap_or_default().to_owned();
                let data = r.into_string().map_err(|e| RemoteError::Other(e.to_string()))?;
                Ok(Some(Resource { href: href.to_owned(), etag, data }))
            }
            Err(RemoteError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn href_for(&self, uid: &str) -> String {
        let safe: String =
            uid.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
        format!("{}{safe}.ics", self.base.path())
    }
}

const MAX_REDIRECTS: usize = 5;

/// Whether a refusal offers Digest sign-in and not Basic.
fn digest_only(r: &ureq::Response) -> bool {
    let offers: Vec<String> = r.all("WWW-Authenticate").iter().map(|h| h.trim_start().to_ascii_lowercase()).collect();
    offers.iter().any(|o| o.starts_with("digest")) && !offers.iter().any(|o| o.contains("basic"))
}

/// Whether a request sent to `from` may be sent on to `to` with the user's password: not from https to http, and
/// to the same host or one of its site's (`caldav.icloud.com` to `p42-caldav.icloud.com`, `fastmail.com` to
/// `caldav.fastmail.com`). The password was given for the site the user named; elsewhere it is not sent, and the
/// user is told where the server points, to give that address if they trust it.
pub(crate) fn same_site(from: &url::Url, to: &url::Url) -> bool {
    if from.scheme() == "https" && to.scheme() != "https" {
        return false;
    }
    let (Some(url::Host::Domain(a)), Some(url::Host::Domain(b))) = (from.host(), to.host()) else {
        return from.host() == to.host();
    };
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    if a == b {
        return true;
    }
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.rsplit('.').collect(), b.rsplit('.').collect());
    let shared = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    // A site is at least two labels; three where the second is a registry's own (`example.co.uk`), so that two
    // customers of one registry are not one site.
    const REGISTRY_LABELS: &[&str] = &["co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", "ltd", "plc"];
    let site = if la.get(1).is_some_and(|l| REGISTRY_LABELS.contains(l)) { 3 } else { 2 };
    shared >= site
}

/// The scheme and host of `url`, as a redirect's target is named to the user (never its path or credentials).
fn site_of(url: &url::Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default())
}

/// What a calendar's listing holds: the events it gave, the ones it names but could not give (a status of
/// their own, 404 or 500), and whether it is the whole calendar (a server may cut a long answer short: 507 and
/// `number-of-matches-within-limits`). What it does not name is gone from the server only when it is whole.
#[derive(Default)]
pub(crate) struct Listing {
    pub resources: Vec<Resource>,
    pub unreadable: Vec<String>,
    pub complete: bool,
}

fn parse_multistatus(text: &str) -> Result<Listing, RemoteError> {
    let doc = roxmltree::Document::parse(text).map_err(|_| RemoteError::Other("the answer is not XML".into()))?;
    let named = |n: &roxmltree::Node<'_, '_>, name: &str| n.tag_name().name() == name;
    // "HTTP/1.1 200 OK": a 2xx, or no status said.
    let fine = |status: Option<roxmltree::Node<'_, '_>>| {
        status.and_then(|s| s.text()).is_none_or(|t| t.split_whitespace().nth(1).is_some_and(|c| c.starts_with('2')))
    };
    let mut out = Listing { complete: true, ..Listing::default() };
    if doc.descendants().any(|n| named(&n, "number-of-matches-within-limits")) {
        out.complete = false;
    }
    for response in doc.descendants().filter(|n| named(n, "response")) {
        let Some(href) = response.children().find(|n| named(n, "href")).and_then(|n| n.text()) else { continue };
        let href = href.trim().to_owned();
        let own_status = response.children().find(|n| named(n, "status"));
        if !fine(own_status) {
            if own_status.and_then(|s| s.text()).is_some_and(|t| t.contains(" 507")) {
                out.complete = false;
            } else {
                out.unreadable.push(href);
            }
            continue;
        }
        // The properties of a propstat whose status is fine: a calendar-data refused (404, 403) is none.
        let given = |name: &str| {
            response
                .children()
                .filter(|p| named(p, "propstat") && fine(p.children().find(|n| named(n, "status"))))
                .flat_map(|p| p.descendants())
                .find(|n| named(n, name))
                .map(|n| n.text().unwrap_or_default().to_owned())
        };
        match given("calendar-data").filter(|d| !d.trim().is_empty()) {
            Some(data) => out.resources.push(Resource { href, etag: given("getetag").unwrap_or_default(), data }),
            None => out.unreadable.push(href),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Connecting an account sends nothing, so nothing is "kept and sent later"; a sync keeps its changes.
    #[test]
    fn an_unreachable_server_is_said_in_words_and_changes_wait_only_during_a_sync() {
        let e = RemoteError::Unreachable(transport_words(ureq::ErrorKind::ConnectionFailed));
        let on_connect = e.words("http://127.0.0.1:1/cal/", false);
        assert_eq!(
            on_connect,
            "cannot reach http://127.0.0.1:1/cal/: nothing answers at that address (is the server up, the port right?)"
        );
        assert!(e.words("http://127.0.0.1:1/cal/", true).ends_with("; changes are kept and sent later"));
        assert_eq!(transport_words(ureq::ErrorKind::Dns), "the server's name is not known (check the address)");
    }

    /// The password follows a redirect on the site the user named, never to another one or down to http.
    #[test]
    fn a_redirect_keeps_the_password_only_on_the_same_site() {
        let follows = |from: &str, to: &str| match (url::Url::parse(from), url::Url::parse(to)) {
            (Ok(a), Ok(b)) => same_site(&a, &b),
            _ => panic!("not addresses: {from} {to}"),
        };
        assert!(follows("http://cloud.example.com/", "https://cloud.example.com/remote.php/dav/"));
        assert!(follows("https://caldav.icloud.com/", "https://p42-caldav.icloud.com:443/123/calendars/"));
        assert!(follows("https://fastmail.com/.well-known/caldav", "https://caldav.fastmail.com/dav/"));
        assert!(follows("https://dav.example.co.uk/", "https://cal.example.co.uk/"));
        assert!(follows("http://127.0.0.1:5232/", "http://127.0.0.1:8080/agent/"));
        assert!(!follows("https://cloud.example.com/", "http://cloud.example.com/"));
        assert!(!follows("https://cloud.example.com/", "https://evil.example.net/"));
        assert!(!follows("https://one.co.uk/", "https://two.co.uk/"));
        assert!(!follows("http://127.0.0.1:5232/", "http://10.0.0.1/"));
        assert!(!follows("https://example.com/", "https://com/"));
    }

    #[test]
    fn reads_a_multistatus_answer() {
        let xml = r#"<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <response><href>/agent/calendar/a.ics</href><propstat><prop><getetag>"e1"</getetag>
          <C:calendar-data>BEGIN:VCALENDAR
END:VCALENDAR</C:calendar-data></prop></propstat></response></multistatus>"#;
        let r = parse_multistatus(xml).unwrap_or_default();
        assert!(r.complete && r.unreadable.is_empty());
        let r = r.resources;
        assert_eq!(r.len(), 1);
        assert_eq!(r.first().map(|x| x.href.as_str()), Some("/agent/calendar/a.ics"));
        assert_eq!(r.first().map(|x| x.etag.as_str()), Some("\"e1\""));
    }

    /// Servers send an event's data as text, escaped (`&#13;` for its carriage returns), or in CDATA with the
    /// indentation around it (Cyrus, Fastmail): each is the event's text whole.
    #[test]
    fn reads_calendar_data_in_cdata_or_escaped() {
        let xml = "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">
          <d:response><d:href>/cal/a.ics</d:href><d:propstat><d:prop><d:getetag>\"e1\"</d:getetag>
          <C:calendar-data>
            <![CDATA[BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261204T090000Z\r\nSUMMARY:a <b> & c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n]]>
          </C:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
          <d:response><d:href>/cal/b.ics</d:href><d:propstat><d:prop><d:getetag>\"e2\"</d:getetag>
          <C:calendar-data>BEGIN:VCALENDAR&#13;\nBEGIN:VEVENT&#13;\nUID:a&#13;\nDTSTART:20261204T090000Z&#13;\nSUMMARY:a &lt;b&gt; &amp; c&#13;\nEND:VEVENT&#13;\nEND:VCALENDAR&#13;\n</C:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
        </d:multistatus>";
        let r = parse_multistatus(xml).unwrap_or_default();
        // XML reads a line break of CDATA as "\n" (only an escaped one keeps its "\r"): the .ics reader takes both.
        let data: Vec<String> = r.resources.iter().map(|x| x.data.trim().replace("\r\n", "\n")).collect();
        let whole =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20261204T090000Z\nSUMMARY:a <b> & c\nEND:VEVENT\nEND:VCALENDAR";
        assert_eq!(data, [whole, whole]);
        for d in r.resources {
            let read = rapport_ics::read(d.data.as_bytes());
            assert_eq!(read.events.first().and_then(|e| e.summary.as_deref()), Some("a <b> & c"), "{:?}", d.data);
        }
    }

    /// Events the server names but cannot give, and a listing it cut short, are told apart from events gone:
    /// the sync deleted the appointments of both.
    #[test]
    fn a_listing_with_errors_or_cut_short_says_so() {
        let xml = r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <d:response><d:href>/cal/a.ics</d:href><d:propstat><d:prop><d:getetag>"e1"</d:getetag>
          <C:calendar-data>BEGIN:VCALENDAR
END:VCALENDAR</C:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
          <d:response><d:href>/cal/b.ics</d:href><d:status>HTTP/1.1 500 Internal Server Error</d:status></d:response>
          <d:response><d:href>/cal/c.ics</d:href><d:propstat><d:prop><d:getetag>"e3"</d:getetag></d:prop>
          <d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><C:calendar-data/></d:prop>
          <d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>
        </d:multistatus>"#;
        let r = parse_multistatus(xml).unwrap_or_default();
        assert_eq!(r.resources.iter().map(|x| x.href.as_str()).collect::<Vec<_>>(), ["/cal/a.ics"]);
        assert_eq!(r.unreadable, ["/cal/b.ics", "/cal/c.ics"]);
        assert!(r.complete);
        let cut = r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">
          <d:response><d:href>/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status>
          <d:error><d:number-of-matches-within-limits/></d:error></d:response></d:multistatus>"#;
        let r = parse_multistatus(cut).unwrap_or_default();
        assert!(!r.complete && r.unreadable.is_empty());
    }
}
