//! CalDAV calendars: connect (the password goes to the OS keychain, nowhere else), and sync — local changes
//! are pushed (offline-first: each change marks its appointment, and a sync that cannot reach the server
//! leaves the marks for the next one), then the server's events are pulled: they count against double
//! booking, and an edit made on the server shows up in Rapport. No transaction is open while HTTP runs.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::caldav_client::{Client, RemoteError};
use super::caldav_discovery::{self, Found};
use super::ics_import::{BusyIndex, Upsert};
use super::model::{CaldavAccount, CaldavCalendar, CaldavConnect, IcsFileReport, SyncReport};
use super::occurrences::event_of;
use super::store::{self, AppointmentRow};
use super::time::utc_text;
use super::CalendarError;
use crate::access::{Actor, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::error::{Error, Result};
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;
use crate::secrets::{SecretError, Secrets};

/// Events from this far back to this far ahead are pulled.
const PULL_PAST_DAYS: i64 = 30;
const PULL_AHEAD_DAYS: i64 = 730;

/// The keychain entry of Rapport user `user`'s password for `username` at `url`: each Rapport user's own, so
/// that two users of one computer connecting the same calendar do not share (and delete) one entry.
fn secret_key(user: i64, url: &str, username: &str) -> String {
    format!("caldav:{user}:{username}@{url}")
}

/// The entry as earlier versions named it (not per Rapport user): read when the new one is missing.
fn legacy_secret_key(url: &str, username: &str) -> String {
    format!("caldav:{username}@{url}")
}

/// Removes what the keychain holds for an account no longer connected; the legacy entry only when no other
/// user of this database connects the same calendar as the same user. A keychain that refuses is logged: the
/// account is gone from the database either way.
fn forget_password(secrets: &dyn Secrets, user: i64, url: &str, username: &str, shared: bool) {
    let mut keys = vec![secret_key(user, url, username)];
    if !shared {
        keys.push(legacy_secret_key(url, username));
    }
    for key in keys {
        if let Err(e) = secrets.delete(&key) {
            tracing::warn!("could not remove a CalDAV password from the keychain: {e}");
        }
    }
}

fn remote(e: RemoteError, url: &str) -> Error {
    CalendarError::Remote(e.words(&without_credentials(url), true)).into()
}

/// [`remote`] for an account being connected: nothing waits to be sent yet.
fn remote_on_connect(e: RemoteError, url: &str) -> Error {
    CalendarError::Remote(e.words(&without_credentials(url), false)).into()
}

/// Whether an appointment stored from `start` to `end` (UTC text) lies well inside the window a sync asked the
/// server for, so that its absence from the answer means it is gone there. A day's margin on each side: the
/// server reads all-day and floating times in UTC, Rapport in the agent's zone, up to 14 hours apart, and an
/// event at the window's edge missing from the answer was deleted here with its notes and links.
fn well_inside(start: &str, end: Option<&str>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let margin = Duration::days(1);
    let (from, to) = (utc_text(from + margin), utc_text(to - margin));
    end.is_none_or(|e| e > from.as_str()) && start < to.as_str()
}

/// `url` without a user name or password in it (an account stored before such addresses were refused).
fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The address `input` gives, refused when it is no web address or holds credentials, or when the user name or
/// password is missing.
fn checked_address(input: &CaldavConnect) -> Result<&str> {
    let url = input.calendar_url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ValidationErrors::one("calendar_url", "a calendar address starts with https://").into());
    }
    // Basic sign-in sends the password with every request: over http:// anyone on the way reads it. Only a
    // server on this computer (a local Radicale, a tunnel) is spoken to so.
    if url.starts_with("http://") && !url::Url::parse(url).is_ok_and(|u| on_this_computer(&u)) {
        return Err(ValidationErrors::one(
            "calendar_url",
            "an http:// address would send your password unencrypted: give the server's https:// address \
             (http:// is only for a server on this computer)",
        )
        .into());
    }
    // An address carrying a password would put it in the database, the change log and error messages;
    // the address is not repeated here for the same reason.
    if url::Url::parse(url).is_ok_and(|u| !u.username().is_empty() || u.password().is_some()) {
        return Err(ValidationErrors::one(
            "calendar_url",
            "the address holds a user name or password: give them in their own fields and the address without them",
        )
        .into());
    }
    if input.username.trim().is_empty() || input.password.is_empty() {
        return Err(ValidationErrors::one("password", "a user name and an app password are needed").into());
    }
    Ok(url)
}

/// Whether `url` names this computer: localhost, or a loopback address.
fn on_this_computer(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// No calendar of events the user may write to was found from `url`; those only read are named.
fn no_calendar_found(url: &str, read_only: &[String]) -> Error {
    let why = if read_only.is_empty() {
        "no calendar of events was found there: give the address of the calendar itself".to_owned()
    } else {
        format!(
            "the calendars found there are read only to you ({}), and Rapport sends its appointments to the one \
             it keeps in step",
            read_only.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(", ")
        )
    };
    CalendarError::Remote(format!("{}: {why}", without_credentials(url))).into()
}

fn no_account() -> Error {
    CalendarError::NotConnected.into()
}

impl Rapport {
    pub fn caldav_account(&self, actor: &Actor) -> Result<Option<CaldavAccount>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let Some(user) = grant.user_id else { return Ok(None) };
            Ok(match store::caldav_account(conn, user)? {
                Some(a) => Some(CaldavAccount {
                    calendar_url: without_credentials(&a.calendar_url),
                    username: a.username,
                    last_sync_at: a.last_sync_at,
                    last_error: a.last_error,
                    pending: store::count_pending(conn, user)?,
                }),
                None => None,
            })
        })
    }

    /// The calendars of events the actor may write to that `input`'s address leads to (the server's address is
    /// enough): the address itself when it is a calendar. Nothing is stored; the password is only sent.
    pub fn caldav_calendars(&self, actor: &Actor, input: &CaldavConnect) -> Result<Vec<CaldavCalendar>> {
        self.calendars_at(actor, input).map(|(_, calendars)| calendars)
    }

    /// The actor's user id and the calendars `input`'s address leads to (never none): the address itself when
    /// it is a calendar. Refused before anything is sent when the address or the actor cannot connect one.
    fn calendars_at(&self, actor: &Actor, input: &CaldavConnect) -> Result<(i64, Vec<CaldavCalendar>)> {
        let given = checked_address(input)?;
        let user = self.db.read(|conn| {
            let grant = Self::grant_to(conn, actor, Permission::WriteLeads, "connect a calendar")?;
            grant.user_id.ok_or_else(no_account)
        })?;
        let client =
            Client::new(given, input.username.trim(), &input.password).map_err(|e| remote_on_connect(e, given))?;
        let calendars = match caldav_discovery::find(&client).map_err(|e| remote_on_connect(e, given))? {
            Found::TheAddress(name) => vec![CaldavCalendar { url: given.to_owned(), name }],
            Found::Calendars { writable, .. } if !writable.is_empty() => {
                writable.into_iter().map(|c| CaldavCalendar { url: c.url.to_string(), name: c.name }).collect()
            }
            Found::Calendars { read_only, .. } => return Err(no_calendar_found(given, &read_only)),
        };
        Ok((user, calendars))
    }

    /// Connects the actor's calendar: the server is asked first (a wrong password or address is refused
    /// here), the password is stored in the keychain, and every appointment of the agent is marked to be sent.
    /// The address may be the server's: the user's one calendar there is connected, and when they have several,
    /// the refusal names them (`caldav_calendars` lists them to choose from).
    pub fn connect_caldav(&self, actor: &Actor, input: &CaldavConnect, secrets: &dyn Secrets) -> Result<CaldavAccount> {
        let (user, calendars) = self.calendars_at(actor, input)?;
        let found = match calendars.as_slice() {
            [one] => one.url.clone(),
            several => {
                let names: Vec<String> = several.iter().map(|c| format!("“{}” ({})", c.name, c.url)).collect();
                return Err(ValidationErrors::one(
                    "calendar_url",
                    format!(
                        "you have {} calendars there: {}; give the address of the one to keep in step",
                        several.len(),
                        names.join(", ")
                    ),
                )
                .into());
            }
        };
        let url = found.as_str();
        secrets.set(&secret_key(user, url, input.username.trim()), &input.password).map_err(CalendarError::from)?;
        let replaced = self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let user = grant.user_id.ok_or_else(no_account)?;
            let before = store::caldav_account(tx, user)?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let id = store::save_caldav_account(tx, user, url, input.username.trim(), &batch.at)?;
            let snapshot = |url: &str, username: &str| {
                serde_json::json!({"calendar_url": without_credentials(url), "username": username}).to_string()
            };
            // Connected again in place of another calendar: the log says which it was.
            let old = before.as_ref().map(|b| snapshot(&b.calendar_url, &b.username));
            changelog::record(
                tx,
                &batch,
                "caldav_account",
                id,
                "*",
                old.as_deref(),
                Some(&snapshot(url, input.username.trim())),
            )?;
            // What was sent to another calendar (connected before) is not in this one: sent anew, as new events.
            // What is in this one already (the same calendar connected again, with a new password) is sent only
            // if it changed here since: sent anyway, it would go over what changed on the server meanwhile (a
            // meeting moved on a phone) as a conflict Rapport's stale copy wins.
            // The calendar's folder, ending with its '/': "/cal/work" is not within "/cal/work-archive/".
            let mut base = url::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_default();
            if !base.ends_with('/') {
                base.push('/');
            }
            for row in store::of_agent(tx, user)? {
                if row.source != "caldav" {
                    let here = row.remote_href.as_deref().filter(|h| h.starts_with(&base));
                    let pending = here.is_none() || row.sync_pending;
                    store::set_remote(tx, row.id, here, here.and(row.remote_etag.as_deref()), pending)?;
                }
            }
            let replaced =
                before.filter(|b| (b.calendar_url.as_str(), b.username.as_str()) != (url, input.username.trim()));
            let shared = match &replaced {
                Some(b) => store::others_connect(tx, user, &b.calendar_url, &b.username)?,
                None => false,
            };
            Ok::<_, Error>(replaced.map(|b| (b, shared)))
        })?;
        // The password of the calendar connected before is not kept once another replaced it.
        if let Some((b, shared)) = replaced {
            forget_password(secrets, user, &b.calendar_url, &b.username, shared);
        }
        self.caldav_account(actor)?.ok_or_else(no_account)
    }

    /// Disconnects the actor's calendar server and forgets its password. The keychain goes first: a locked one
    /// refuses with nothing changed, so unlocking it and disconnecting again removes both (the other way round,
    /// the account was gone and its password stayed in the keychain for good); one that is not there at all
    /// holds nothing to remove, and the account goes.
    pub fn disconnect_caldav(&self, actor: &Actor, secrets: &dyn Secrets) -> Result<()> {
        let (user, account, shared) = self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::WriteLeads)?;
            let user = grant.user_id.ok_or_else(no_account)?;
            let account = store::caldav_account(conn, user)?.ok_or_else(no_account)?;
            let shared = store::others_connect(conn, user, &account.calendar_url, &account.username)?;
            Ok::<_, Error>((user, account, shared))
        })?;
        let mut keys = vec![secret_key(user, &account.calendar_url, &account.username)];
        if !shared {
            keys.push(legacy_secret_key(&account.calendar_url, &account.username));
        }
        for key in keys {
            match secrets.delete(&key) {
                Ok(()) => {}
                Err(e @ SecretError::Locked(_)) => return Err(CalendarError::from(e).into()),
                Err(e @ SecretError::Unavailable(_)) => {
                    tracing::warn!("disconnecting a CalDAV account without a keychain to remove its password from: {e}")
                }
            }
        }
        let replaced = self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let now = store::caldav_account(tx, user)?.ok_or_else(no_account)?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            store::delete_caldav_account(tx, user)?;
            let snapshot = serde_json::json!({
                "calendar_url": without_credentials(&now.calendar_url),
                "username": now.username
            });
            changelog::record(tx, &batch, "caldav_account", now.id, "*", Some(&snapshot.to_string()), None)?;
            // Connected again to another calendar meanwhile (another window): that one's password goes too.
            let other = (now.calendar_url != account.calendar_url || now.username != account.username)
                .then(|| store::others_connect(tx, user, &now.calendar_url, &now.username).map(|shared| (now, shared)));
            Ok::<_, Error>(other.transpose()?)
        })?;
        if let Some((other, shared)) = replaced {
            forget_password(secrets, user, &other.calendar_url, &other.username, shared);
        }
        Ok(())
    }

    /// Sends what changed here, then reads the server. A failure is recorded on the account (shown as its
    /// state) and returned; nothing local is lost.
    pub fn sync_caldav(&self, actor: &Actor, secrets: &dyn Secrets) -> Result<SyncReport> {
        // One sync at a time (the app's own every few minutes, one asked for): two would send the same rows,
        // and the second would take the first's ETags for changes made elsewhere.
        let _one_at_a_time = self.caldav_sync.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (account, user, tz, pending) = self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::WriteLeads)?;
            let user = grant.user_id.ok_or_else(no_account)?;
            let account = store::caldav_account(conn, user)?.ok_or_else(no_account)?;
            let tz: Tz = super::agents::load(conn, user)?.time_zone.parse().unwrap_or(Tz::UTC);
            let mut series: HashMap<String, Vec<(AppointmentRow, bool)>> = HashMap::new();
            for row in store::pending_sync(conn, user)? {
                if series.contains_key(&row.uid) {
                    continue;
                }
                // A meeting with a lead outside the agent's campaigns is "Busy" in the agent's own calendar here;
                // so it is on the agent's server (an iCloud or Google account beyond Rapport's campaigns). Each
                // row of a series by its own lead: an instance with another campaign's lead is Busy even when
                // the series is not.
                let mut rows = Vec::new();
                for r in store::by_uid(conn, user, &row.uid)? {
                    let shown = super::occurrences::visible(conn, &grant, r.lead_id)?;
                    rows.push((r, shown));
                }
                series.insert(row.uid.clone(), rows);
            }
            Ok::<_, Error>((account, user, tz, series))
        })?;
        let result = self.sync_with_server(actor, &account, user, tz, pending, secrets);
        let error = match &result {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        let at = self.now();
        self.db.write(|tx| {
            store::caldav_result(tx, user, result.as_ref().ok().map(|_| at.as_str()), error.as_deref())?;
            Ok::<_, Error>(())
        })?;
        result
    }

    /// Stores where each sent row now is on the server and its ETag. A row edited again while it was being
    /// sent stays marked for the next sync.
    fn record_pushed(&self, pushed: &[(i64, i64, String, Option<String>)]) -> Result<()> {
        if pushed.is_empty() {
            return Ok(());
        }
        self.db.write(|tx| {
            for (id, version, href, etag) in pushed {
                let still = store::get(tx, *id)?.is_some_and(|r| r.version == *version);
                store::set_remote(tx, *id, Some(href), etag.as_deref(), !still)?;
            }
            Ok::<_, Error>(())
        })
    }

    fn sync_with_server(
        &self,
        actor: &Actor,
        account: &store::CaldavRow,
        user: i64,
        tz: Tz,
        pending: HashMap<String, Vec<(AppointmentRow, bool)>>,
        secrets: &dyn Secrets,
    ) -> Result<SyncReport> {
        let url = account.calendar_url.as_str();
        let key = secret_key(user, url, &account.username);
        let password = match secrets.get(&key).map_err(CalendarError::from)? {
            Some(p) => Some(p),
            // Stored by an earlier version under the shared name: kept under this user's own from now on.
            None => {
                let legacy = secrets.get(&legacy_secret_key(url, &account.username)).map_err(CalendarError::from)?;
                if let Some(p) = &legacy {
                    secrets.set(&key, p).map_err(CalendarError::from)?;
                }
                legacy
            }
        };
        let password = password.ok_or_else(|| {
            let url = without_credentials(url);
            CalendarError::Remote(format!("no password for {url} in the system keychain: connect the calendar again"))
        })?;
        let client = Client::new(url, &account.username, &password).map_err(|e| remote(e, url))?;
        let mut report = SyncReport::default();

        // Push. Each series is one resource, written without METHOD (RFC 4791 4.1).
        let mut pushed: Vec<(i64, i64, String, Option<String>)> = Vec::new();
        // Refused by the server as changed (or deleted) there since the last sync, by href: the rows and a title.
        let mut conflicted: HashMap<String, (Vec<i64>, String)> = HashMap::new();
        // The resources this sync wrote: met in the listing below with the ETag their send got, they are
        // Rapport's own copies, with nothing on them to take.
        let mut sent: HashSet<String> = HashSet::new();
        for series in pending.values() {
            let Some((master, shown)) = series.iter().find(|(r, _)| r.recurrence_id.is_none()).or(series.first())
            else {
                continue;
            };
            // An invite of someone else's from the agent's own server, whose lead they no longer see, is not sent:
            // its copy there is theirs, with all it is about, as the pull keeps it; "Busy" over it took its title,
            // organizer and link off their phone, and Rapport's copy may hold what they may not see (an
            // Administrator's notes). What changed here stays here.
            if let Some(href) =
                master.remote_href.as_ref().filter(|_| series.iter().all(|(r, shown)| !*shown && r.source == "caldav"))
            {
                for (r, _) in series {
                    pushed.push((r.id, r.version, href.clone(), master.remote_etag.clone()));
                }
                continue;
            }
            let events: Vec<_> = series
                .iter()
                .filter_map(|(r, shown)| event_of(r).map(|e| if *shown { e } else { busy_only(e) }))
                .collect();
            let title = if *shown { master.title.clone() } else { "Busy".to_owned() };
            let rows: Vec<&AppointmentRow> = series.iter().map(|(r, _)| r).collect();
            let ics = rapport_ics::write_calendar(None, None, &events, Utc::now());
            let href = master.remote_href.clone().unwrap_or_else(|| client.href_for(&master.uid));
            match client.put(&href, &ics, master.remote_etag.as_deref(), master.remote_href.is_some()) {
                Ok(etag) => {
                    // A server need not say the new ETag (RFC 4791 5.3.4, when it changed what it stored): it is
                    // asked for, or the next send of this event could not say which copy it replaces.
                    let etag =
                        etag.or_else(|| client.get(&href).ok().flatten().map(|r| r.etag).filter(|e| !e.is_empty()));
                    for r in rows {
                        pushed.push((r.id, r.version, href.clone(), etag.clone()));
                    }
                    sent.insert(href);
                    report.pushed += 1;
                }
                // Changed on the server since: the pull below keeps Rapport's version, with the server's new ETag
                // to send it over that copy at the next sync, and the report says so.
                Err(RemoteError::Changed) => {
                    conflicted.insert(href, (rows.iter().map(|r| r.id).collect(), title));
                }
                // The server refused this one event (too large, a property it rejects): the others go on, and
                // this one stays marked to be sent, and named.
                Err(RemoteError::Other(why)) => report.refused.push(format!(
                    "“{title}” was refused by the server ({why}): it is kept here and sent again at the next sync"
                )),
                // The server or the account failed as a whole: what was sent is recorded, the rest waits.
                Err(e) => {
                    self.record_pushed(&pushed)?;
                    return Err(remote(e, url));
                }
            }
        }
        // Recorded before anything else is asked of the server: a failure below must not leave what was sent
        // marked as unsent, with an ETag the server no longer has (the next send would be taken for a conflict).
        self.record_pushed(&pushed)?;

        // Pull.
        let now = self.now_utc();
        let (from, to) = (now - Duration::days(PULL_PAST_DAYS), now + Duration::days(PULL_AHEAD_DAYS));
        let fmt = |t: chrono::DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
        let listing = client.list(&fmt(from), &fmt(to)).map_err(|e| remote(e, url))?;
        let mut resources = listing.resources;
        // A refused event the listing does not hold lies outside its window, or is gone: asked for by name.
        for href in conflicted.keys() {
            if !resources.iter().any(|r| &r.href == href) {
                if let Some(res) = client.get(href).map_err(|e| remote(e, url))? {
                    resources.push(res);
                }
            }
        }

        let origin =
            Origin { reason: ChangeReason::Import, source_ref: format!("CalDAV {}", without_credentials(url)) };
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let agent = super::agents::load(tx, user)?;
            let mut busy = BusyIndex::for_notes(tx, user, tz, (now, now + Duration::days(PULL_AHEAD_DAYS)))?;
            let batch = self.begin_batch(tx, &grant, &origin)?;
            // Where Rapport's version was kept over the server's: the history says so, apart from what came in.
            let kept = Origin {
                reason: ChangeReason::Policy,
                source_ref: format!("CalDAV conflict: Rapport's version kept over {}", without_credentials(url)),
            };
            let kept_batch = self.begin_batch(tx, &grant, &kept)?;
            let mut cx = Upsert {
                grant: &grant,
                agent: &agent,
                tz,
                horizon: (now, to),
                busy: &mut busy,
                batch: &batch,
                source: "caldav",
                conflict: None,
                changed_instances: Vec::new(),
                overridden: Vec::new(),
                kept: Vec::new(),
                hidden_changed: Vec::new(),
            };
            // Named by the server but not given (an error of their own): not gone, left as they are.
            let mut seen: HashSet<String> = listing.unreadable.iter().cloned().collect();
            let agent_rows = store::of_agent(tx, user)?;
            let known: HashMap<String, Option<String>> =
                agent_rows.iter().filter_map(|r| r.remote_href.clone().map(|h| (h, r.remote_etag.clone()))).collect();
            // Changes of Rapport's still waiting to be sent (the server refused them this sync with something
            // else than "changed since", or they were made while it ran): a newer copy of the server met here is
            // a conflict as a 412 is, and settled the same way. Taken as it came, it overwrote the change unsaid.
            let mut waiting: HashMap<String, (Vec<i64>, String)> = HashMap::new();
            for r in agent_rows.iter().filter(|r| r.sync_pending) {
                if let Some(href) = r.remote_href.clone().filter(|h| !conflicted.contains_key(h)) {
                    // Named as the agent sees it (and as the server holds it): "Busy" with another campaign's lead.
                    let title = if super::occurrences::row_visible(tx, &grant, r)? {
                        r.title.clone()
                    } else {
                        "Busy".to_owned()
                    };
                    let entry = waiting.entry(href).or_insert_with(|| (Vec::new(), title));
                    entry.0.push(r.id);
                }
            }
            let etags: HashMap<&str, &str> = resources.iter().map(|r| (r.href.as_str(), r.etag.as_str())).collect();
            // Read once whatever its ETag after Rapport began keeping classes: the stored copy says nothing of one.
            let unchanged_skipped = store::classes_read(tx, user)?;
            for res in &resources {
                seen.insert(res.href.clone());
                let as_stored = known
                    .get(&res.href)
                    .is_some_and(|etag| etag.as_deref() == Some(res.etag.as_str()) && !res.etag.is_empty());
                // Also on an account's first sync (classes not read yet): the copy this sync just sent, read back
                // unchanged, is no event from the server. Taken again, its copy written in another form than the
                // booking stored counted as pulled, bumped the row's version and re-checked its clashes as new.
                if as_stored && (unchanged_skipped || sent.contains(&res.href)) {
                    continue;
                }
                cx.conflict =
                    (conflicted.contains_key(&res.href) || waiting.contains_key(&res.href)).then_some(&kept_batch);
                let calendar = rapport_ics::read(res.data.as_bytes());
                cx.changed_instances = calendar.events.iter().filter(|e| e.recurrence_id.is_some()).cloned().collect();
                let mut file_report = IcsFileReport::default();
                let name = resource_name(&res.href);
                report.problems.extend(calendar.problems.iter().map(|p| format!("{name}: {}", p.message)));
                report.problems.extend(calendar.warnings.iter().map(|w| format!("{name}: {w}")));
                let mut events: Vec<_> = calendar.events.iter().collect();
                events.sort_by_key(|e| e.recurrence_id.is_some());
                let held: HashSet<(String, Option<String>)> =
                    events.iter().map(|e| (e.uid.clone(), super::ics_import::rid_text(e, tz))).collect();
                for e in events {
                    let (_, wrote) =
                        self.upsert_event(tx, &mut cx, e, false, Some((&res.href, &res.etag)), &mut file_report)?;
                    if wrote {
                        report.pulled += 1;
                    }
                }
                // An instance deleted there (the series now says EXDATE, its changed copy is gone): the copy this
                // resource no longer holds goes here too, or it stays busy and the next push sends it back. Not
                // from a series in conflict: Rapport's version of it stands, its instances with it.
                let in_conflict = cx.conflict.is_some();
                for uid in held.iter().map(|(u, _)| u).collect::<HashSet<_>>().into_iter().filter(|_| !in_conflict) {
                    for row in store::by_uid(tx, user, uid)? {
                        let instance_gone = row.source == "caldav"
                            && row.recurrence_id.is_some()
                            && row.remote_href.as_deref() == Some(res.href.as_str())
                            && !row.sync_pending
                            && !held.contains(&(row.uid.clone(), row.recurrence_id.clone()));
                        // One that came from the server goes, as a whole event gone does (below).
                        if instance_gone {
                            remove_gone(tx, &batch, &row)?;
                            report.removed += 1;
                        }
                    }
                }
                report.clashes.extend(file_report.clashes);
                report.problems.extend(file_report.warnings.iter().map(|w| format!("{name}: {w}")));
            }
            let conflicts_before = report.conflicts.len();
            for (href, (ids, title)) in &conflicted {
                if seen.contains(href) {
                    // Not met in the server's copy (unreadable, or without this event): kept here, and sent over
                    // that copy when it can be read, or the server would refuse it at every sync.
                    let unmet: Vec<i64> = ids.iter().copied().filter(|id| !cx.kept.contains(id)).collect();
                    if !unmet.is_empty() {
                        if let Some(etag) = etags.get(href.as_str()).copied().filter(|e| !e.is_empty()) {
                            for id in &unmet {
                                store::set_remote(tx, *id, Some(href), Some(etag), true)?;
                            }
                        }
                        report.conflicts.push(format!(
                            "“{title}” was changed here and on the server, and the server's copy could not be read \
                             as this appointment: your version is kept and sent again at the next sync"
                        ));
                    } else if ids.iter().any(|id| cx.overridden.contains(id)) {
                        report.conflicts.push(format!(
                            "“{title}” was changed here and on the server: your version is kept, as the CRM is the \
                             master record, and is sent to the server at the next sync (the server's values are in \
                             the appointment's history)"
                        ));
                    }
                } else {
                    // Deleted there while changed here: the change is kept, and sent again as a new event.
                    for id in ids {
                        store::set_remote(tx, *id, None, None, true)?;
                    }
                    report.conflicts.push(format!(
                        "“{title}” was deleted on the server and changed here: your version is kept and sent again \
                         at the next sync"
                    ));
                }
            }
            for (ids, title) in waiting.values() {
                if ids.iter().any(|id| cx.overridden.contains(id)) {
                    report.conflicts.push(format!(
                        "“{title}” was changed here, not sent yet, and changed on the server: your version is kept, \
                         as the CRM is the master record, and is sent to the server at the next sync (the server's \
                         values are in the appointment's history)"
                    ));
                }
            }
            for id in &cx.hidden_changed {
                // Named by its time in the agent's zone: its title says nothing.
                let when = store::get(tx, *id)?
                    .and_then(|r| r.start_utc.parse::<DateTime<Utc>>().ok())
                    .map(|t| format!(" at {}", t.with_timezone(&tz).format("%Y-%m-%d %H:%M")))
                    .unwrap_or_default();
                report.conflicts.push(format!(
                    "“Busy”{when} was changed on the server, but it is a meeting with a lead of a campaign you do not \
                     work on: Rapport's version stands, and is sent back to the server at the next sync"
                ));
            }
            // A discrepancy is for a person to look at (seed 2.3), and the sync every five minutes has no window to
            // show its report in: each conflict is also a notice, shown once by the app, whoever ran the sync.
            let at = self.now();
            for conflict in &report.conflicts[conflicts_before..] {
                crate::pipeline::stagnation::notify_user(tx, user, &format!("Calendar: {conflict}"), &at)?;
            }
            // Gone from the server: events that came from it are removed, ours are marked to be sent again.
            // Only from a whole listing: one the server cut short does not name everything it holds.
            let rows = if listing.complete { store::of_agent(tx, user)? } else { Vec::new() };
            for row in rows {
                let Some(href) = &row.remote_href else { continue };
                let in_window = well_inside(&row.start_utc, row.end_utc.as_deref(), from, to);
                if seen.contains(href) || !in_window || row.sync_pending {
                    continue;
                }
                if row.source == "caldav" {
                    remove_gone(tx, &batch, &row)?;
                    report.removed += 1;
                } else {
                    // Booked here, it is Rapport's to say (seed 2.3) and is sent again; but deleted there by
                    // someone who meant to cancel it, it still holds their time: a person is told, as of every
                    // discrepancy, and how to end it.
                    store::set_remote(tx, row.id, None, None, true)?;
                    if row.recurrence_id.is_none() && row.status != "cancelled" {
                        let title = if super::occurrences::row_visible(tx, &grant, &row)? {
                            row.title.clone()
                        } else {
                            "Busy".to_owned()
                        };
                        let when = row
                            .start_utc
                            .parse::<DateTime<Utc>>()
                            .map(|t| format!(" on {}", t.with_timezone(&tz).format("%Y-%m-%d %H:%M")))
                            .unwrap_or_default();
                        let said = format!(
                            "“{title}”{when} was deleted on your calendar server: it was booked here and holds your \
                             time, so it is kept and sent again at the next sync; cancel it here if it is off"
                        );
                        crate::pipeline::stagnation::notify_user(tx, user, &format!("Calendar: {said}"), &at)?;
                        report.conflicts.push(said);
                    }
                }
            }
            changelog::discard_empty(tx, &batch)?;
            changelog::discard_empty(tx, &kept_batch)?;
            Ok::<_, Error>(())
        })?;
        Ok(report)
    }
}

/// An event as the agent may see it when its lead is outside the agent's campaigns: its times and whether it
/// makes them busy, nothing of whom or what it is about.
fn busy_only(e: rapport_ics::Event) -> rapport_ics::Event {
    rapport_ics::Event {
        summary: Some("Busy".to_owned()),
        description: None,
        location: None,
        url: None,
        organizer: None,
        attendees: vec![],
        ..e
    }
}

/// An appointment that came from the server and is gone from it is removed here, with all of it in the change
/// log (its notes and attendee links were typed here, and would otherwise be lost with it).
fn remove_gone(tx: &rusqlite::Transaction<'_>, batch: &changelog::BatchId, row: &AppointmentRow) -> Result<()> {
    super::booking::log_removal(tx, batch, row)?;
    store::delete(tx, batch, row.id)?;
    Ok(())
}

/// How a resource is named to a user: the last part of its address ("…/work/abc-123.ics" is "abc-123.ics"),
/// which is what the calendar's own client shows when it shows anything.
fn resource_name(href: &str) -> &str {
    href.trim_end_matches('/').rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or(href)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_named_without_the_credentials_it_holds() {
        assert_eq!(without_credentials("https://ann:s3cret@dav.example.com/cal/"), "https://dav.example.com/cal/");
        assert_eq!(without_credentials("https://dav.example.com/cal/"), "https://dav.example.com/cal/");
        let e = remote(RemoteError::Unauthorized, "https://ann:s3cret@dav.example.com/cal/").to_string();
        assert!(!e.contains("s3cret") && !e.contains("ann@"), "{e}");
    }

    /// An all-day event of New York on the first day of the window ends at 05:00 UTC the next day: the server,
    /// reading it in UTC, may leave it out of its answer, and its absence is no deletion.
    #[test]
    fn only_an_appointment_well_inside_the_window_is_gone_when_the_server_leaves_it_out() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_else(|e| panic!("{e}"));
        let (from, to) = (at("2026-11-01T03:00:00Z"), at("2028-11-01T03:00:00Z"));
        assert!(!well_inside("2026-10-31T05:00:00Z", Some("2026-11-01T05:00:00Z"), from, to));
        assert!(!well_inside("2028-10-31T22:00:00Z", Some("2028-11-01T22:00:00Z"), from, to));
        assert!(well_inside("2026-11-10T09:00:00Z", Some("2026-11-10T10:00:00Z"), from, to));
        assert!(well_inside("2026-10-01T09:00:00Z", None, from, to), "a series running on");
        assert!(!well_inside("2026-10-01T09:00:00Z", Some("2026-10-01T10:00:00Z"), from, to));
    }

    /// Basic sign-in over http:// sends the password in clear: refused before anything is sent, but for a
    /// server on this computer (the tests' Radicale, a local one).
    #[test]
    fn an_http_address_is_taken_only_for_this_computer() {
        let connect = |url: &str| CaldavConnect {
            calendar_url: url.into(),
            username: "ann".into(),
            password: "app-password-1".into(),
        };
        for url in ["http://dav.example.com/cal/", "http://192.168.1.10:5232/ann/", "http://[2001:db8::1]/cal/"] {
            let err = checked_address(&connect(url)).unwrap_err();
            assert!(err.to_string().contains("unencrypted"), "{url}: {err}");
        }
        for url in
            ["http://127.0.0.1:5232/ann/", "http://localhost:5232/", "http://[::1]:5232/", "https://dav.example.com/"]
        {
            assert_eq!(checked_address(&connect(url)).ok(), Some(url), "{url}");
        }
    }

    /// A keychain holding nothing.
    struct Empty;

    impl Secrets for Empty {
        fn set(&self, _: &str, _: &str) -> std::result::Result<(), crate::secrets::SecretError> {
            Ok(())
        }
        fn get(&self, _: &str) -> std::result::Result<Option<String>, crate::secrets::SecretError> {
            Ok(None)
        }
        fn delete(&self, _: &str) -> std::result::Result<(), crate::secrets::SecretError> {
            Ok(())
        }
    }

    /// An account an earlier version stored with its password in the address: neither the account shown, nor
    /// a sync's error (kept on the account, logged by the app), nor the change log of its removal repeats it.
    #[test]
    fn a_legacy_address_with_a_password_is_repeated_nowhere() {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        let user = admin.user_id().unwrap_or_default();
        core.db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO caldav_accounts (user_id, calendar_url, username, created_at)
                     VALUES (?1, 'https://ann:s3cret@dav.example.com/cal/', 'ann', '2026-01-01T00:00:00Z')",
                    [user],
                )
                .map_err(|e| Error::Internal(e.to_string()))
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let shown = core.caldav_account(&admin).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown.map(|a| a.calendar_url).as_deref(), Some("https://dav.example.com/cal/"));
        let err = core.sync_caldav(&admin, &Empty).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("no password for https://dav.example.com/cal/"), "{err}");
        let kept = core
            .db
            .read(|c| store::caldav_account(c, user).map_err(Error::from))
            .unwrap_or_else(|e| panic!("{e}"))
            .and_then(|a| a.last_error)
            .unwrap_or_default();
        assert!(kept.contains("no password") && !kept.contains("s3cret"), "{kept}");
        core.disconnect_caldav(&admin, &Empty).unwrap_or_else(|e| panic!("{e}"));
        let dump = format!("{:?}", crate::test_support::dump(&dir));
        assert!(!dump.contains("s3cret"), "the password is in the database: {dump}");
    }
}
