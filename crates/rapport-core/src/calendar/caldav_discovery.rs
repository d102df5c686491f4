//! Finding a user's calendars from the address of their server (RFC 4791 §6, RFC 6764 §6): few people know the
//! address of a calendar collection (`…/remote.php/dav/calendars/me/personal/`), everyone knows their server's.
//! From the address given: a calendar itself; else the home of the calendars it names (`calendar-home-set`),
//! directly or through the user's principal (`current-user-principal`), the one of the site's
//! `/.well-known/caldav` when the address names neither; then the calendars in that home that hold events and
//! that the user may write to (Rapport sends its appointments there).
use super::caldav_client::{same_site, Client, RemoteError};

/// A calendar found on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundCalendar {
    pub url: url::Url,
    pub name: String,
}

/// What the search found: the address is a calendar, or these calendars are reached from it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// The address is a calendar, of this name.
    TheAddress(String),
    /// Calendars of events the user may write to; those they may only read, named apart (a subscribed
    /// holiday calendar, Nextcloud's contacts' birthdays).
    Calendars { writable: Vec<FoundCalendar>, read_only: Vec<String> },
}

/// One `<response>` of a PROPFIND's multistatus, with the properties it gave (in a propstat whose status is fine).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct DavResource {
    pub href: String,
    pub calendar: bool,
    pub principal: Option<String>,
    pub home_sets: Vec<String>,
    pub name: Option<String>,
    /// The components it may hold, when it says (`None`: any).
    pub components: Option<Vec<String>>,
    /// Whether the user may write to it, when it says.
    pub writable: Option<bool>,
}

const WHERE_PROPS: &str = "<d:resourcetype/><d:current-user-principal/><c:calendar-home-set/>";
const CALENDAR_PROPS: &str =
    "<d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><d:current-user-privilege-set/>";
/// Homes looked into at most: a principal names one, sometimes two (a shared one).
const MAX_HOMES: usize = 4;

/// Looks for the calendars `client`'s address leads to.
pub(crate) fn find(client: &Client) -> Result<Found, RemoteError> {
    let base = client.base().clone();
    let here = match client.propfind(&base, "0", &format!("{WHERE_PROPS}{CALENDAR_PROPS}")) {
        Ok(text) => parse_propfind(&text)?,
        // A wrong password is said as such; any other refusal of the address (a web page's 405, a 404 where
        // the server's root holds nothing) may still have a well-known address behind it.
        Err(RemoteError::Unauthorized) => return Err(RemoteError::Unauthorized),
        // Nothing answers there: the site's well-known address would not answer either (or time out again).
        Err(e @ RemoteError::Unreachable(_)) => return Err(e),
        Err(e) => match from_well_known(client, &base)? {
            Some(homes) => return calendars_in(client, &homes),
            None => return Err(e),
        },
    };
    if let Some(calendar) = here.first().filter(|r| r.calendar) {
        return match calendar.writable {
            Some(false) => Err(RemoteError::Other(
                "this calendar is read only to you, and Rapport sends its appointments to it: choose another".into(),
            )),
            _ => Ok(Found::TheAddress(
                calendar.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| last_segment(&base)),
            )),
        };
    }
    let mut homes = urls(client, here.iter().flat_map(|r| r.home_sets.iter()))?;
    if homes.is_empty() {
        if let Some(principal) = here.iter().find_map(|r| r.principal.as_deref()) {
            homes = homes_of(client, &client.url_of(principal)?)?;
        }
    }
    if homes.is_empty() {
        homes = from_well_known(client, &base)?.unwrap_or_default();
    }
    if homes.is_empty() {
        return Err(RemoteError::Other(
            "no calendar was found from this address: give the address of the calendar itself".into(),
        ));
    }
    calendars_in(client, &homes)
}

/// The calendar homes the site's well-known address leads to, if it leads anywhere.
fn from_well_known(client: &Client, base: &url::Url) -> Result<Option<Vec<url::Url>>, RemoteError> {
    let Ok(well_known) = base.join("/.well-known/caldav") else { return Ok(None) };
    if well_known.path() == base.path() {
        return Ok(None);
    }
    let here = match client.propfind(&well_known, "0", WHERE_PROPS) {
        Ok(text) => parse_propfind(&text)?,
        Err(RemoteError::Unauthorized) => return Err(RemoteError::Unauthorized),
        Err(_) => return Ok(None),
    };
    let mut homes = urls(client, here.iter().flat_map(|r| r.home_sets.iter()))?;
    if homes.is_empty() {
        if let Some(principal) = here.iter().find_map(|r| r.principal.as_deref()) {
            homes = homes_of(client, &client.url_of(principal)?)?;
        }
    }
    Ok((!homes.is_empty()).then_some(homes))
}

fn homes_of(client: &Client, principal: &url::Url) -> Result<Vec<url::Url>, RemoteError> {
    let text = client.propfind(principal, "0", "<c:calendar-home-set/>")?;
    urls(client, parse_propfind(&text)?.iter().flat_map(|r| r.home_sets.iter()))
}

/// The hrefs as addresses on the server's site (one elsewhere is left: the password is not sent there).
fn urls<'a>(client: &Client, hrefs: impl Iterator<Item = &'a String>) -> Result<Vec<url::Url>, RemoteError> {
    let mut out: Vec<url::Url> = Vec::new();
    for href in hrefs {
        let url = client.url_of(href.trim())?;
        if same_site(client.base(), &url) && !out.contains(&url) {
            out.push(url);
        }
    }
    out.truncate(MAX_HOMES);
    Ok(out)
}

fn calendars_in(client: &Client, homes: &[url::Url]) -> Result<Found, RemoteError> {
    let mut writable: Vec<FoundCalendar> = Vec::new();
    let mut read_only = Vec::new();
    for home in homes {
        for r in parse_propfind(&client.propfind(home, "1", CALENDAR_PROPS)?)? {
            let holds_events = r.components.as_ref().is_none_or(|c| c.iter().any(|c| c == "VEVENT"));
            if !r.calendar || !holds_events {
                continue;
            }
            let url = client.url_of(r.href.trim())?;
            if !same_site(client.base(), &url) || writable.iter().any(|c| c.url == url) {
                continue;
            }
            let name = r.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| last_segment(&url));
            if r.writable == Some(false) {
                read_only.push(name);
            } else {
                writable.push(FoundCalendar { url, name });
            }
        }
    }
    Ok(Found::Calendars { writable, read_only })
}

/// A calendar named by its address when it gives no name: `…/calendars/me/work/` is "work".
fn last_segment(url: &url::Url) -> String {
    let segment = url.path_segments().and_then(|mut s| s.rfind(|p| !p.is_empty())).unwrap_or_default();
    percent_decoded(segment)
}

fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// The responses of a PROPFIND's multistatus, whatever prefixes the server gave DAV's and CalDAV's namespaces.
pub(crate) fn parse_propfind(text: &str) -> Result<Vec<DavResource>, RemoteError> {
    let doc = roxmltree::Document::parse(text).map_err(|_| RemoteError::Other("the answer is not XML".into()))?;
    let named = |n: &roxmltree::Node<'_, '_>, name: &str| n.is_element() && n.tag_name().name() == name;
    // "HTTP/1.1 200 OK": a 2xx, or no status said.
    let fine = |status: Option<roxmltree::Node<'_, '_>>| {
        status.and_then(|s| s.text()).is_none_or(|t| t.split_whitespace().nth(1).is_some_and(|c| c.starts_with('2')))
    };
    let mut out = Vec::new();
    for response in doc.descendants().filter(|n| named(n, "response")) {
        let Some(href) = response.children().find(|n| named(n, "href")).and_then(|n| n.text()) else { continue };
        let props: Vec<roxmltree::Node<'_, '_>> = response
            .children()
            .filter(|p| named(p, "propstat") && fine(p.children().find(|n| named(n, "status"))))
            .flat_map(|p| p.children().filter(|n| named(n, "prop")))
            .flat_map(|p| p.children().filter(roxmltree::Node::is_element))
            .collect();
        let prop = |name: &str| props.iter().find(|p| named(p, name));
        let hrefs = |name: &str| -> Vec<String> {
            prop(name)
                .map(|p| {
                    p.children().filter(|n| named(n, "href")).filter_map(|n| n.text()).map(str::to_owned).collect()
                })
                .unwrap_or_default()
        };
        let privileges: Option<Vec<&str>> = prop("current-user-privilege-set").map(|set| {
            set.descendants()
                .filter(|n| named(n, "privilege"))
                .flat_map(|p| p.children().filter(roxmltree::Node::is_element))
                .map(|n| n.tag_name().name())
                .collect()
        });
        out.push(DavResource {
            href: href.trim().to_owned(),
            calendar: prop("resourcetype").is_some_and(|t| t.children().any(|n| named(&n, "calendar"))),
            principal: hrefs("current-user-principal").into_iter().next(),
            home_sets: hrefs("calendar-home-set"),
            // An empty name is none: the calendar is named by its address.
            name: prop("displayname")
                .and_then(|n| n.text())
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            components: prop("supported-calendar-component-set").map(|set| {
                set.children()
                    .filter(|n| named(n, "comp"))
                    .filter_map(|n| n.attribute("name"))
                    .map(str::to_ascii_uppercase)
                    .collect()
            }),
            // An empty set is a server that lists no privileges, not a calendar no one may write to.
            writable: privileges
                .filter(|p| !p.is_empty())
                .map(|p| p.iter().any(|name| matches!(*name, "all" | "write" | "write-content" | "bind"))),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Radicale 3's answers, as it gave them to the test script's server.
    #[test]
    fn reads_radicales_principal_and_home() {
        let root = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/</href><propstat><prop><resourcetype><collection /></resourcetype><current-user-principal><href>/agent/</href></current-user-principal></prop><status>HTTP/1.1 200 OK</status></propstat><propstat><prop><C:calendar-home-set /><displayname /></prop><status>HTTP/1.1 404 Not Found</status></propstat></response></multistatus>"#;
        let r = parse_propfind(root).unwrap_or_default();
        assert_eq!(r, [DavResource { href: "/".into(), principal: Some("/agent/".into()), ..DavResource::default() }]);
        let home = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/agent/</href><propstat><prop><resourcetype><principal /><collection /></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat><propstat><prop><displayname /><C:supported-calendar-component-set /></prop><status>HTTP/1.1 404 Not Found</status></propstat></response><response><href>/agent/calendar/</href><propstat><prop><resourcetype><C:calendar /><collection /></resourcetype><displayname>Calendar</displayname><C:supported-calendar-component-set><C:comp name="VEVENT" /></C:supported-calendar-component-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;
        let r = parse_propfind(home).unwrap_or_default();
        assert_eq!(r.len(), 2);
        assert!(r.first().is_some_and(|h| !h.calendar && h.name.is_none() && h.components.is_none()));
        assert_eq!(
            r.get(1),
            Some(&DavResource {
                href: "/agent/calendar/".into(),
                calendar: true,
                name: Some("Calendar".into()),
                components: Some(vec!["VEVENT".into()]),
                ..DavResource::default()
            })
        );
    }

    /// A SabreDAV server (Nextcloud, Baïkal) with prefixes of its own: a calendar of events and tasks, a task
    /// list, the contacts' birthdays (read only), the scheduling inbox.
    #[test]
    fn reads_a_sabredav_home_with_its_kinds_and_privileges() {
        let xml = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:response><d:href>/remote.php/dav/calendars/dana/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/calendars/dana/personal/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype><d:displayname>Personal</d:displayname><cal:supported-calendar-component-set><cal:comp name="VEVENT"/><cal:comp name="VTODO"/></cal:supported-calendar-component-set><d:current-user-privilege-set><d:privilege><d:write/></d:privilege><d:privilege><d:read/></d:privilege></d:current-user-privilege-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/calendars/dana/tasks/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype><d:displayname>Tasks</d:displayname><cal:supported-calendar-component-set><cal:comp name="VTODO"/></cal:supported-calendar-component-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/calendars/dana/contact_birthdays/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype><d:displayname>Contact birthdays</d:displayname><cal:supported-calendar-component-set><cal:comp name="VEVENT"/></cal:supported-calendar-component-set><d:current-user-privilege-set><d:privilege><d:read/></d:privilege><d:privilege><cal:read-free-busy/></d:privilege></d:current-user-privilege-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/calendars/dana/inbox/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><cal:schedule-inbox/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"#;
        let r = parse_propfind(xml).unwrap_or_default();
        type Seen<'a> = (&'a str, Option<bool>, Option<Vec<String>>);
        let calendars: Vec<Seen<'_>> =
            r.iter().filter(|c| c.calendar).map(|c| (c.href.as_str(), c.writable, c.components.clone())).collect();
        let list = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            calendars,
            [
                ("/remote.php/dav/calendars/dana/personal/", Some(true), list(&["VEVENT", "VTODO"])),
                ("/remote.php/dav/calendars/dana/tasks/", None, list(&["VTODO"])),
                ("/remote.php/dav/calendars/dana/contact_birthdays/", Some(false), list(&["VEVENT"])),
            ]
        );
    }

    /// iCloud names the home with an absolute address on another host of its site.
    #[test]
    fn reads_a_home_set_given_as_a_whole_address() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<multistatus xmlns="DAV:"><response><href>/123456789/principal/</href><propstat><prop><calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"><href xmlns="DAV:">https://p42-caldav.icloud.com:443/123456789/calendars/</href></calendar-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;
        let r = parse_propfind(xml).unwrap_or_default();
        assert_eq!(
            r.first().map(|x| x.home_sets.clone()),
            Some(vec!["https://p42-caldav.icloud.com:443/123456789/calendars/".to_owned()])
        );
    }

    /// What servers were seen to write (python-caldav's, DAVx5-era and CalConnect's recorded answers): a status
    /// before the properties (Google), a name in CDATA (Cyrus, Fastmail), the home set in CalDAV's default
    /// namespace around a prefixed href (Zoho), the same response twice, tabs and blank lines (iCloud).
    #[test]
    fn reads_the_quirks_servers_write() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\n<D:multistatus xmlns:D=\"DAV:\">
 <D:response><D:href>/caldav/abc/user/</D:href>
  <D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop>
   <calendar-home-set xmlns=\"urn:ietf:params:xml:ns:caldav\"><D:href>/caldav/abc/</D:href></calendar-home-set>
  </D:prop></D:propstat></D:response>
 <D:response><D:href>/caldav/abc/events/</D:href>
  <D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop>
\t\t<D:resourcetype><D:collection/><B:calendar xmlns:B=\"urn:ietf:params:xml:ns:caldav\"/></D:resourcetype>
\t\t<D:displayname><![CDATA[Main Calendar]]></D:displayname>
  </D:prop></D:propstat></D:response>
 <D:response><D:href>/caldav/abc/events/</D:href>
  <D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop>
\t\t<D:resourcetype><D:collection/><B:calendar xmlns:B=\"urn:ietf:params:xml:ns:caldav\"/></D:resourcetype>
\t\t<D:displayname><![CDATA[Main Calendar]]></D:displayname>
  </D:prop></D:propstat></D:response>
</D:multistatus>";
        let r = parse_propfind(xml).unwrap_or_default();
        assert_eq!(r.len(), 3);
        assert_eq!(r.first().map(|x| x.home_sets.clone()), Some(vec!["/caldav/abc/".to_owned()]));
        assert_eq!(r.get(1), r.get(2));
        assert_eq!(r.get(1).map(|x| (x.calendar, x.name.as_deref())), Some((true, Some("Main Calendar"))));
    }

    #[test]
    fn a_calendar_without_a_name_is_named_by_its_address() {
        let url = url::Url::parse("https://dav.example.com/cal/dana/Team%20Sales/").ok();
        assert_eq!(url.as_ref().map(last_segment).as_deref(), Some("Team Sales"));
        let url = url::Url::parse("https://dav.example.com/cal/a+b").ok();
        assert_eq!(url.as_ref().map(last_segment).as_deref(), Some("a+b"));
    }

    /// One response as a server may write it: its href, what it is, and the prefix it gives DAV's namespace.
    #[derive(Debug, Clone)]
    struct Written {
        href: String,
        calendar: bool,
        name: Option<String>,
        components: Option<Vec<&'static str>>,
        privileges: Option<Vec<&'static str>>,
        /// The properties sit in a propstat of status 404: none of them was given.
        refused: bool,
        prefix: &'static str,
    }

    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }

    fn written(r: &Written) -> String {
        let (p, c) = (r.prefix, "C:");
        let mut props = format!("<{p}resourcetype><{p}collection/>");
        if r.calendar {
            props.push_str(&format!("<{c}calendar/>"));
        }
        props.push_str(&format!("</{p}resourcetype>"));
        if let Some(name) = &r.name {
            props.push_str(&format!("<{p}displayname>{}</{p}displayname>", escaped(name)));
        }
        if let Some(comps) = &r.components {
            let comps: String = comps.iter().map(|x| format!(r#"<{c}comp name="{x}"/>"#)).collect();
            props.push_str(&format!(
                "<{c}supported-calendar-component-set>{comps}</{c}supported-calendar-component-set>"
            ));
        }
        if let Some(privileges) = &r.privileges {
            let set: String = privileges.iter().map(|x| format!("<{p}privilege><{p}{x}/></{p}privilege>")).collect();
            props.push_str(&format!("<{p}current-user-privilege-set>{set}</{p}current-user-privilege-set>"));
        }
        let status = if r.refused { "HTTP/1.1 404 Not Found" } else { "HTTP/1.1 200 OK" };
        format!(
            "<{p}response><{p}href>{}</{p}href><{p}propstat><{p}prop>{props}</{p}prop><{p}status>{status}</{p}status></{p}propstat></{p}response>",
            escaped(&r.href)
        )
    }

    fn a_response() -> impl Strategy<Value = Written> {
        let comp = proptest::sample::select(vec!["VEVENT", "VTODO", "VJOURNAL"]);
        let privilege = proptest::sample::select(vec!["read", "write", "write-content", "bind", "all", "read-acl"]);
        (
            "(/|https://dav\\.example\\.com/)[a-zA-Z0-9%_ .@&-]{0,20}/?",
            any::<bool>(),
            proptest::option::of("[a-zA-Z0-9 &<>éü]{0,12}"),
            proptest::option::of(proptest::collection::vec(comp, 0..3)),
            proptest::option::of(proptest::collection::vec(privilege, 0..4)),
            any::<bool>(),
            proptest::sample::select(vec!["d:", "D:", ""]),
        )
            .prop_map(|(href, calendar, name, components, privileges, refused, prefix)| Written {
                href,
                calendar,
                name,
                components,
                privileges,
                refused,
                prefix,
            })
    }

    proptest! {
        /// Whatever prefixes and properties a server writes, each response is read once, in order, with what
        /// its fine propstat gave and nothing of a refused one.
        #[test]
        fn every_response_is_read_as_written(responses in proptest::collection::vec(a_response(), 0..6)) {
            let body: String = responses.iter().map(written).collect();
            let xml = format!(
                r#"<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:d="DAV:" xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">{body}</multistatus>"#
            );
            let read = parse_propfind(&xml);
            prop_assert!(read.is_ok(), "{xml}");
            let read = read.unwrap_or_default();
            prop_assert_eq!(read.len(), responses.len());
            for (got, w) in read.iter().zip(&responses) {
                prop_assert_eq!(&got.href, w.href.trim());
                if w.refused {
                    prop_assert_eq!(got, &DavResource { href: w.href.trim().to_owned(), ..DavResource::default() });
                    continue;
                }
                prop_assert_eq!(got.calendar, w.calendar);
                prop_assert_eq!(got.name.clone(), w.name.as_ref().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()));
                prop_assert_eq!(
                    got.components.clone(),
                    w.components.as_ref().map(|c| c.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>())
                );
                let writes = w.privileges.as_ref().filter(|p| !p.is_empty()).map(|p| {
                    p.iter().any(|x| ["write", "write-content", "bind", "all"].contains(x))
                });
                prop_assert_eq!(got.writable, writes);
            }
        }

        /// Any text at all is read or refused as no XML, never a panic.
        #[test]
        fn any_answer_is_read_or_refused(text in ".{0,300}") {
            let _ = parse_propfind(&text);
            let _ = parse_propfind(&format!("<multistatus xmlns=\"DAV:\"><response>{text}</response></multistatus>"));
        }
    }

    #[test]
    fn an_answer_that_is_not_xml_is_said() {
        assert_eq!(
            parse_propfind("<html><body>Log in</body>").err(),
            Some(RemoteError::Other("the answer is not XML".into()))
        );
    }
}
