//! The capture API's operations: sources and their tokens (secret in the OS keychain, SHA-256 in the
//! database), settings, recent submissions, the copy-paste form, and handling one request with the import's
//! own row pipeline (validation, completeness, duplicates), answered with a status and a JSON body.
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::body::parse_body;
use super::model::{
    CaptureReply, CaptureSettings, CaptureSource, CaptureSourceInput, CaptureSourceKind, CaptureSubmission,
    NewCaptureSource, TokenCheck,
};
use super::store::{self, NewSource, NewSubmission};
use crate::access::{Actor, Grant, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::error::FieldError;
use crate::error::{Error, Result};
use crate::imports::{
    describe, single_valued, suggest_mapping_seen, targets, ColumnMapping, Mapper, RawRow, RowAction, RowRules, IGNORE,
    TO_NOTES,
};
use crate::leads::{SourceChannel, ValidationErrors};
use crate::rapport::Rapport;
use crate::secrets::Secrets;
use crate::settings::store as settings;

const SETTINGS_KEY: &str = "capture_api";
const TOKEN_PREFIX: &str = "rpk_";

/// Where source `id`'s token is kept: under this database's name (migration 014), so two databases of one
/// computer, each with its source 1, do not share an entry.
fn keychain_key(conn: &rusqlite::Connection, id: i64) -> Result<String> {
    let db = settings::get(conn, "database_id")?.unwrap_or_default();
    Ok(format!("capture:{db}:{id}"))
}

/// Where versions before 014 kept it.
fn legacy_keychain_key(id: i64) -> String {
    format!("capture:{id}")
}

/// Where source `id`'s token may be in the keychain, and the hash that tells it is this source's.
struct TokenPlace {
    keys: [String; 2],
    hash: Option<String>,
}

fn token_place(conn: &rusqlite::Connection, id: i64) -> Result<TokenPlace> {
    Ok(TokenPlace { keys: [keychain_key(conn, id)?, legacy_keychain_key(id)], hash: store::token_hash_of(conn, id)? })
}

impl TokenPlace {
    /// Whether the entry `key` holds this source's token (its hash is the one stored).
    fn holds(&self, secrets: &dyn Secrets, key: &str) -> Result<Option<String>> {
        let found = secrets.get(key).map_err(crate::calendar::CalendarError::Keychain)?;
        Ok(found.filter(|t| self.hash.as_deref() == Some(token_hash(t).as_str())))
    }

    /// The source's token from the keychain: an entry of another database, or one left by an older version
    /// under the shared name, is not handed out. Asked with no database connection held: a keychain that asks
    /// the user to unlock it (a dialog on macOS, a prompt of gnome-keyring) may take minutes.
    fn read(&self, secrets: &dyn Secrets) -> Result<Option<String>> {
        for key in &self.keys {
            if let Some(token) = self.holds(secrets, key)? {
                return Ok(Some(token));
            }
        }
        Ok(None)
    }
}

pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.trim().as_bytes()))
}

/// A submission's receipt: random, so that it counts nothing (the row's number would tell anyone who posts to a
/// public form how many leads every source sent meanwhile), and long enough to name one submission.
fn new_receipt() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

fn error_body(code: &str, message: &str, fields: &[crate::error::FieldError]) -> serde_json::Value {
    serde_json::json!({ "code": code, "message": message, "fields": fields })
}

/// The settings as stored, also as saved before a setting was added (it takes its default): read strictly,
/// settings saved by an older version would all fall back to their defaults, the API switched off.
fn stored_settings(text: &str) -> Option<CaptureSettings> {
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    let defaults = serde_json::to_value(CaptureSettings::default()).ok()?;
    if let (Some(stored), Some(defaults)) = (v.as_object_mut(), defaults.as_object()) {
        for (k, d) in defaults {
            stored.entry(k.clone()).or_insert_with(|| d.clone());
        }
    }
    serde_json::from_value(v).ok()
}

fn validate_settings(s: &CaptureSettings) -> Result<()> {
    let mut v = ValidationErrors::none();
    if s.port < 1024 {
        v.push("port", "choose a port from 1024 to 65535 (lower ones need administrator rights)");
    }
    if !s.public_url.is_empty() {
        let ok = url::Url::parse(&s.public_url).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host().is_some()
                && u.query().is_none()
                && u.fragment().is_none()
        });
        if ok.is_none() {
            v.push(
                "public_url",
                format!(
                    "\"{}\" is not an address a website can post to, such as https://leads.example.com",
                    s.public_url
                ),
            );
        }
    }
    for o in &s.allowed_origins {
        let ok = url::Url::parse(o)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.path() == "/");
        if ok.is_none() {
            v.push("allowed_origins", format!("\"{o}\" is not an origin such as https://www.example.com"));
        } else if o.contains('*') {
            // A browser sends the one origin it is on, never a pattern: such an entry would let no form post.
            v.push(
                "allowed_origins",
                format!(
                    "\"{}\" is a pattern: list each site's origin, such as https://www.example.com",
                    o.trim_end_matches('/')
                ),
            );
        }
    }
    Ok(v.into_result()?)
}

impl Rapport {
    pub fn capture_settings(&self, actor: &Actor) -> Result<CaptureSettings> {
        self.db.read(|c| {
            Self::grant_to(
                c,
                actor,
                Permission::ManageSettings,
                "see the capture API's settings, sources or submissions",
            )?;
            Ok(settings::get(c, SETTINGS_KEY)?.and_then(|s| stored_settings(&s)).unwrap_or_default())
        })
    }

    /// The settings the app starts the listener with (no actor: the app's own start-up).
    pub fn capture_settings_at_start(&self) -> Result<CaptureSettings> {
        self.capture_settings(&Actor::system())
    }

    pub fn update_capture_settings(&self, actor: &Actor, new: &CaptureSettings) -> Result<CaptureSettings> {
        self.update_capture_settings_as_seen(actor, None, new)
    }

    /// [`Rapport::update_capture_settings`] from a form that read them as `as_read`: changed since (by another
    /// Administrator), they are a conflict and nothing is written. Saved whole, the stale form turned the
    /// listener back on or off, or took back origins, without a word.
    pub fn update_capture_settings_as_seen(
        &self,
        actor: &Actor,
        as_read: Option<&CaptureSettings>,
        new: &CaptureSettings,
    ) -> Result<CaptureSettings> {
        let mut new = new.clone();
        new.allowed_origins = new
            .allowed_origins
            .iter()
            .map(|o| {
                // Kept as a browser sends it (host in lower case and punycode, no default port), so it matches.
                let o = o.trim().trim_end_matches('/');
                match url::Url::parse(o).map(|u| u.origin()) {
                    Ok(origin) if origin.is_tuple() => origin.ascii_serialization(),
                    _ => o.to_string(),
                }
            })
            .filter(|o| !o.is_empty())
            .collect();
        // One origin written two ways ("https://Example.com:443/" and "https://example.com") is one entry: the
        // settings panel lists them by name.
        let mut seen = std::collections::HashSet::new();
        new.allowed_origins.retain(|o| seen.insert(o.clone()));
        // The endpoint pasted whole is its address too: the form adds the path itself.
        let url = new.public_url.trim().trim_end_matches('/');
        new.public_url = url.strip_suffix("/api/v1/leads").unwrap_or(url).trim_end_matches('/').to_string();
        let check = CaptureSettings {
            allowed_origins: new.allowed_origins.iter().map(|o| format!("{o}/")).collect(),
            ..new.clone()
        };
        validate_settings(&check)?;
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let old = settings::get(tx, SETTINGS_KEY)?;
            if let Some(as_read) = as_read {
                let now = old.as_deref().and_then(stored_settings).unwrap_or_default();
                if now != *as_read {
                    return Err(Error::Conflict { entity: "capture settings" });
                }
            }
            let text = serde_json::to_string(&new).map_err(|e| Error::Internal(e.to_string()))?;
            if old.as_deref() != Some(text.as_str()) {
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                settings::set(tx, SETTINGS_KEY, &text)?;
                changelog::record(tx, &batch, "setting", 0, SETTINGS_KEY, old.as_deref(), Some(&text))?;
            }
            Ok(new.clone())
        })
    }

    pub fn capture_sources(&self, actor: &Actor) -> Result<Vec<CaptureSource>> {
        self.db.read(|c| {
            Self::grant_to(
                c,
                actor,
                Permission::ManageSettings,
                "see the capture API's settings, sources or submissions",
            )?;
            Ok(store::sources(c)?)
        })
    }

    /// Makes a source and its token: the secret goes to the keychain only, the database keeps its hash.
    pub fn add_capture_source(
        &self,
        actor: &Actor,
        secrets: &dyn Secrets,
        input: &CaptureSourceInput,
    ) -> Result<NewCaptureSource> {
        let (name, campaign) = checked_source(input)?;
        let token = new_token()?;
        let hash = token_hash(&token);
        let hint: String = token.chars().take(TOKEN_PREFIX.len() + 4).collect();
        let id = self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            if store::name_taken(tx, &name)? {
                return Err(ValidationErrors::one("name", format!("a source is already named \"{name}\"")).into());
            }
            let at = self.now();
            let id = store::insert_source(
                tx,
                &NewSource {
                    name: &name,
                    kind: input.kind,
                    token_hash: &hash,
                    token_hint: &hint,
                    field_map: &input.field_map,
                    rate_per_minute: input.rate_per_minute,
                    campaign: &campaign,
                    at: &at,
                    by: grant.user_id,
                },
            )?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            changelog::record(
                tx,
                &batch,
                "capture_source",
                id,
                "*",
                None,
                Some(&format!("{name} ({})", input.kind.as_str())),
            )?;
            // What the source may do is logged with it, as each later change is: which lead fields a third party
            // fills (an owner, a stage) and how often it may send.
            let rate = input.rate_per_minute.to_string();
            changelog::record(tx, &batch, "capture_source", id, "rate_per_minute", None, Some(&rate))?;
            if !input.field_map.is_empty() {
                let map = serde_json::to_string(&input.field_map).unwrap_or_default();
                changelog::record(tx, &batch, "capture_source", id, "field_map", None, Some(&map))?;
            }
            if !campaign.is_empty() {
                changelog::record(tx, &batch, "capture_source", id, "campaign", None, Some(&campaign))?;
            }
            Ok::<_, Error>((id, keychain_key(tx, id)?))
        })?;
        // The keychain is written once the source is committed, not inside its transaction: a keychain that asks
        // the user to unlock it would hold every other save meanwhile (a web form's request, an import's chunk).
        // If it refuses, the source is taken away again, as no one could ever use its token.
        let (id, key) = id;
        if let Err(refused) = secrets.set(&key, &token) {
            let removed = self.db.write(|tx| {
                let grant = Self::grant_going_on(tx, actor, Permission::ManageSettings)?;
                store::delete_unused_source(tx, id)?;
                let why = Origin { source_ref: "the keychain did not take its token".into(), ..Origin::manual() };
                let batch = self.begin_batch(tx, &grant, &why)?;
                let made = format!("{name} ({})", input.kind.as_str());
                changelog::record(tx, &batch, "capture_source", id, "*", Some(&made), None)?;
                Ok::<_, Error>(())
            });
            if let Err(e) = removed {
                tracing::warn!(source = id, error = %e, "the keychain refused a new source's token, and the source stays");
            }
            return Err(crate::calendar::CalendarError::Keychain(refused).into());
        }
        let source =
            self.db.read(|c| store::source(c, id))?.ok_or(Error::NotFound { entity: "source", id: id.to_string() })?;
        // Revoked by another window while the keychain waited: that revoke removed the secret before it was
        // stored, so it is removed here, as the revoke would have.
        if source.revoked_at.is_some() {
            if let Err(e) = secrets.delete(&key) {
                tracing::warn!(source = id, error = %e, "revoked, but its secret could not be removed from the keychain");
            }
        }
        Ok(NewCaptureSource { source, token })
    }

    /// Changes source `id`'s name, field map, rate and campaign, each change logged; its kind and token stay (a
    /// partner's token does not become a web form's). Refused as a conflict, nothing written, when another
    /// Administrator changed or revoked it since `seen`.
    pub fn update_capture_source(
        &self,
        actor: &Actor,
        id: i64,
        seen: &CaptureSource,
        input: &CaptureSourceInput,
    ) -> Result<CaptureSource> {
        let (name, campaign) = checked_source(input)?;
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let old = store::source(tx, id)?.ok_or(Error::NotFound { entity: "source", id: id.to_string() })?;
            let settings = |s: &CaptureSource| {
                (s.name.clone(), s.field_map.clone(), s.rate_per_minute, s.campaign.clone(), s.revoked_at.clone())
            };
            if settings(&old) != settings(seen) {
                return Err(Error::Conflict { entity: "capture source" });
            }
            if old.revoked_at.is_some() {
                return Err(ValidationErrors::one("source", "this source is revoked: make a new one").into());
            }
            if input.kind != old.kind {
                return Err(
                    ValidationErrors::one("kind", "a source keeps its kind: make a new source for the other").into()
                );
            }
            if store::name_taken_by_another(tx, &name, id)? {
                return Err(ValidationErrors::one("name", format!("a source is already named \"{name}\"")).into());
            }
            let map = |m: &[ColumnMapping]| serde_json::to_string(m).unwrap_or_default();
            let changes = [
                ("name", old.name.clone(), name.clone()),
                ("field_map", map(&old.field_map), map(&input.field_map)),
                ("rate_per_minute", old.rate_per_minute.to_string(), input.rate_per_minute.to_string()),
                ("campaign", old.campaign.clone(), campaign.clone()),
            ];
            if changes.iter().any(|(_, a, b)| a != b) {
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                store::update_source(tx, id, &name, &input.field_map, input.rate_per_minute, &campaign)?;
                for (field, a, b) in changes.iter().filter(|(_, a, b)| a != b) {
                    changelog::record(tx, &batch, "capture_source", id, field, Some(a), Some(b))?;
                }
            }
            store::source(tx, id)?.ok_or(Error::NotFound { entity: "source", id: id.to_string() })
        })
    }

    /// Revokes source `id`: its token stops working with this commit. The secret leaves the keychain after it,
    /// and a keychain that refuses (locked, or no Secret Service running) cannot keep a leaked token alive: the
    /// database no longer accepts its hash, and the secret left behind is only logged.
    pub fn revoke_capture_source(&self, actor: &Actor, secrets: &dyn Secrets, id: i64) -> Result<CaptureSource> {
        let source = self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let s = store::source(tx, id)?.ok_or(Error::NotFound { entity: "source", id: id.to_string() })?;
            if s.revoked_at.is_none() {
                let at = self.now();
                store::revoke(tx, id, &at)?;
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                changelog::record(tx, &batch, "capture_source", id, "revoked_at", None, Some(&at))?;
            }
            let source = store::source(tx, id)?.ok_or(Error::NotFound { entity: "source", id: id.to_string() })?;
            Ok::<_, Error>((source, token_place(tx, id)?))
        })?;
        // The keychain is asked once the revoke is committed: while it waits for the user to unlock it, every
        // other save would wait too, and the token would still be taken.
        let (source, place) = source;
        let [key, legacy] = &place.keys;
        // The shared entry of older versions only if it is this source's: another database's source of this
        // number keeps its own.
        let ours = matches!(place.holds(secrets, legacy), Ok(Some(_)));
        for key in std::iter::once(key).chain(ours.then_some(legacy)) {
            if let Err(e) = secrets.delete(key) {
                tracing::warn!(source = id, error = %e, "revoked, but its secret could not be removed from the keychain");
            }
        }
        Ok(source)
    }

    /// The token of a live source, read again from the keychain (to paste into a form).
    pub fn capture_token(&self, actor: &Actor, secrets: &dyn Secrets, id: i64) -> Result<String> {
        let (s, place) = self.db.read(|c| {
            Self::grant(c, actor, Permission::ManageSettings)?;
            let s = store::source(c, id)?.ok_or(Error::NotFound { entity: "source", id: id.to_string() })?;
            Ok::<_, Error>((s, token_place(c, id)?))
        })?;
        if s.revoked_at.is_some() {
            return Err(ValidationErrors::one("source", "this source is revoked: its token no longer works").into());
        }
        place.read(secrets)?.ok_or_else(|| {
            ValidationErrors::one(
                "source",
                "the keychain no longer holds this token: revoke the source and make a new one",
            )
            .into()
        })
    }

    pub fn capture_submissions(
        &self,
        actor: &Actor,
        source_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<CaptureSubmission>> {
        self.db.read(|c| {
            Self::grant_to(
                c,
                actor,
                Permission::ManageSettings,
                "see the capture API's settings, sources or submissions",
            )?;
            Ok(store::submissions(c, source_id, limit.min(1000))?)
        })
    }

    /// A form to paste into a website: posts to this app's capture API with the source's token. A listener
    /// open to the network is reached at `network_address`, this computer's address on its network (the
    /// caller finds it: the core does no networking); unknown, the form names the place to write it in.
    pub fn capture_form_html(
        &self,
        actor: &Actor,
        secrets: &dyn Secrets,
        id: i64,
        network_address: Option<std::net::IpAddr>,
    ) -> Result<String> {
        // A partner's token is for its server: in a public page, bots would pass for the partner (a web form's
        // hidden field and per-visitor limit are not applied to it), and anyone could send the fields its map
        // opens (owner, stage, campaign).
        let kind = self.db.read(|c| {
            Self::grant(c, actor, Permission::ManageSettings)?;
            Ok::<_, Error>(store::source(c, id)?.map(|s| s.kind))
        })?;
        if kind == Some(CaptureSourceKind::Partner) {
            return Err(ValidationErrors::one(
                "source",
                "this is a partner's source, whose token is for its server: make a website source for a form",
            )
            .into());
        }
        let token = self.capture_token(actor, secrets, id)?;
        let s = self.capture_settings(actor)?;
        if !s.public_url.is_empty() {
            let endpoint = format!("{}/api/v1/leads", s.public_url);
            return Ok(super::form::html(&endpoint, &token, super::form::Reach::Public));
        }
        let (host, reach) = match (s.open_to_network, network_address) {
            (false, _) => {
                (std::net::SocketAddr::from(([127, 0, 0, 1], s.port)).to_string(), super::form::Reach::ThisComputer)
            }
            (true, Some(ip)) => (std::net::SocketAddr::new(ip, s.port).to_string(), super::form::Reach::ThisNetwork),
            (true, None) => (format!("YOUR-COMPUTER-ADDRESS:{}", s.port), super::form::Reach::ThisNetwork),
        };
        Ok(super::form::html(&format!("http://{host}/api/v1/leads"), &token, reach))
    }

    /// The live source a bearer token belongs to (None: unknown or revoked).
    pub fn check_capture_token(&self, token: &str) -> Result<Option<TokenCheck>> {
        let hash = token_hash(token);
        self.db.read(|c| {
            Ok(store::source_by_hash(c, &hash)?.map(|s| TokenCheck {
                source_id: s.id,
                rate_per_minute: s.rate_per_minute,
                web_form: s.kind == CaptureSourceKind::WebForm,
            }))
        })
    }

    /// Whether a request under idempotency key `key` was answered for this source already: its retry is a replay,
    /// which writes nothing, and is not counted against the rate limits (a retry after a lost answer was told
    /// "too many submissions" by the limit its first try had counted toward).
    pub fn capture_key_answered(&self, check: &TokenCheck, key: &str) -> Result<bool> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 {
            return Ok(false);
        }
        Ok(self.db.read(|c| store::stored_reply(c, check.source_id, key))?.is_some())
    }

    /// A request the listener could not read as fields (a multipart form with a file in it, or cut short):
    /// refused with a 400 saying why (naming `field` when one is at fault), and listed with the source's
    /// submissions as the core's own refusals of a body are.
    pub fn refuse_capture_body(&self, check: &TokenCheck, field: Option<&str>, message: &str) -> Result<CaptureReply> {
        self.refuse_capture_request(check, 400, "bad_body", field, message)
    }

    /// A request with a valid token that the listener refused before the core could read it (a body too large,
    /// compressed, or too slow to come; a malformed header): answered with `status` (a 4xx; anything else is
    /// taken as 400) and `code`, and listed with the source's submissions, so that an Administrator asked why a
    /// partner's leads do not arrive sees the refusals too. Requests over a rate limit are not listed: a flood
    /// would write a row for each.
    pub fn refuse_capture_request(
        &self,
        check: &TokenCheck,
        status: u16,
        code: &str,
        field: Option<&str>,
        message: &str,
    ) -> Result<CaptureReply> {
        let status = if (400..500).contains(&status) && status != 429 { status } else { 400 };
        let source = self.db.read(|c| store::source(c, check.source_id))?.filter(|s| s.revoked_at.is_none());
        let Some(source) = source else { return Ok(not_valid()) };
        let fields: Vec<FieldError> = field.map(|f| FieldError::new(f, message)).into_iter().collect();
        self.record_reply(&source, "", status, "rejected", error_body(code, message, &fields))
    }

    /// One request with a token `check`ed: through the import's row pipeline, recorded with its answer. A
    /// repeated idempotency key gets the first answer again and writes nothing.
    pub fn submit_capture(
        &self,
        check: &TokenCheck,
        idempotency_key: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<CaptureReply> {
        let source_id = check.source_id;
        let key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        if key.is_some_and(|k| k.len() > 200) {
            return Ok(CaptureReply {
                status: 400,
                body: error_body("bad_request", "the Idempotency-Key is longer than 200 characters", &[]),
                replayed: false,
            });
        }
        let source = self.db.read(|c| store::source(c, source_id))?.filter(|s| s.revoked_at.is_none());
        let Some(source) = source else { return Ok(not_valid()) };
        let body_hash = body_hash(content_type, body);
        if let Some(k) = key {
            if let Some(stored) = self.db.read(|c| store::stored_reply(c, source_id, k))? {
                return Ok(replay_or_refusal(stored, &body_hash));
            }
        }
        let fields = match parse_body(content_type, body) {
            Ok(f) => f,
            Err(e) => {
                let status = if matches!(e, super::body::BodyError::MediaType(_)) { 415 } else { 400 };
                // A refusal about one field names it, as a validation error does.
                let field = match &e {
                    super::body::BodyError::Nested(name) | super::body::BodyError::NotUtf8(name) => {
                        vec![FieldError::new(name.clone(), e.to_string())]
                    }
                    _ => Vec::new(),
                };
                let body = error_body("bad_body", &e.to_string(), &field);
                return self.record_reply(&source, &body_hash, status, "rejected", body);
            }
        };
        // The website form's hidden field, which people never see and bots fill in: such a submission is
        // answered as any (a bot learns nothing to work around) and listed for the Administrator as spam,
        // without a lead. Left empty, it is no field of the lead's.
        let is_trap = |k: &str| k.trim().eq_ignore_ascii_case(super::form::HONEYPOT);
        if source.kind == CaptureSourceKind::WebForm && fields.iter().any(|(k, v)| is_trap(k) && !v.trim().is_empty()) {
            let (at, receipt) = (self.now(), new_receipt()?);
            let spam = NewSubmission {
                source_id: source.id,
                at: &at,
                key: None,
                body_hash: &body_hash,
                status: 202,
                outcome: "spam",
                lead_id: None,
                detail: "the form's hidden field, which people do not see, was filled in: taken for a bot, no lead",
            };
            let body = self.db.write(|tx| Ok::<_, Error>(store::insert_submission(tx, &spam, received(&receipt))?))?;
            return Ok(CaptureReply { status: 202, body, replayed: false });
        }
        // A blank value (an empty box, a JSON null) says nothing, so it is not a field sent: kept, it could take a
        // lead field from a name sent filled (the map's "vorname" sent null, "first_name" sent "Ann", which then
        // went to the notes), or make a form's second empty box of one name, or a partner's empty second name of
        // one field, look like two values where one is allowed.
        let mut fields: Vec<(String, String)> =
            fields.into_iter().filter(|(k, v)| !is_trap(k) && !v.trim().is_empty()).collect();
        // One field sent twice with one value is that value once (Netlify's webhook gives the person's name at its
        // top and again among its ordered fields): not two values where one is allowed.
        let mut sent = std::collections::HashSet::new();
        fields.retain(|(k, v)| sent.insert((k.clone(), v.trim().to_string())));
        super::gravity::name_fields(&mut fields, |k| source.field_map.iter().any(|m| m.column.eq_ignore_ascii_case(k)));
        let headers: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
        let mapping = mapping_for(&source, &fields);
        let several = several_values_for_one(&fields, &mapping);
        if !several.is_empty() {
            let body = error_body("validation", &describe(&several), &several);
            return self.record_reply(&source, &body_hash, 422, "rejected", body);
        }
        let channel = match source.kind {
            CaptureSourceKind::WebForm => SourceChannel::WebForm,
            CaptureSourceKind::Partner => SourceChannel::Partner,
        };
        let owners = self.owners_by_name()?;
        let mapper = match Mapper::new(&headers, &mapping, owners, channel, source.name.clone(), false) {
            Ok(m) => m,
            Err(e) => {
                return self.record_reply(
                    &source,
                    &body_hash,
                    422,
                    "rejected",
                    error_body("validation", &e.to_string(), &[]),
                )
            }
        };
        let row = RawRow { line: 0, cells: fields.into_iter().map(|(_, v)| v).collect() };
        let (read, origins) = mapper.read(&row);
        let input = match read {
            Ok(i) => i,
            Err(mut errors) => {
                mapper.name_columns(&mut errors, &origins);
                let body = error_body("validation", &describe(&errors), &errors);
                return self.record_reply(&source, &body_hash, 422, "rejected", body);
            }
        };
        // Durable: the sender is told 202 and will not send the lead again.
        self.db.write_durable(|tx| {
            // Revoked while this request waited for the writer (behind an import's chunk): refused, as after.
            if store::source(tx, source_id)?.is_none_or(|s| s.revoked_at.is_some()) {
                return Ok(not_valid());
            }
            // Again inside the write: two requests with one key at once are answered as one, not with a failed
            // unique index.
            if let Some(k) = key {
                if let Some(stored) = store::stored_reply(tx, source_id, k)? {
                    return Ok(replay_or_refusal(stored, &body_hash));
                }
            }
            // Every campaign and every pair, as the system; but an Editor to the approval rules: a third party's
            // server sending a large deal into Lost is not an Administrator deciding it, and an Editor's import
            // of the same row is refused too.
            let grant = Grant {
                username: format!("API: {}", source.name),
                role: crate::users::Role::Editor,
                ..Grant::system()
            };
            let plan = crate::imports::ImportPlan {
                sheet: None,
                mapping: vec![],
                key: None,
                replace: false,
                source: Some(channel),
                source_detail: Some(source.name.clone()),
                template: None,
                dedup: true,
                keep_invalid: false,
                phone_region: None,
                campaign: Some(source.campaign.clone()),
                override_reason: None,
            };
            let rules: RowRules = Self::row_rules(tx, &grant, &plan)?;
            let origin = Origin { reason: ChangeReason::Capture, source_ref: source.name.clone() };
            let batch = self.begin_batch(tx, &grant, &origin)?;
            let mut p = self.import_row(tx, &grant, &rules, &batch, 0, input, None)?;
            mapper.name_columns(&mut p.errors, &origins);
            changelog::discard_empty(tx, &batch)?;
            // The sender learns that its lead was received, not what it matched: a web form's token is in a
            // public page, and "may be Ann Lee (lead 42)" or "fills the phone of lead 42" would tell anyone who
            // is a lead already. Every accepted submission is answered alike; what it did is kept for the
            // Administrator's list of recent submissions.
            let rejected = p.action == RowAction::Reject;
            let (status, error) = if rejected {
                (422, Some(error_body("validation", &describe(&p.errors), &p.errors)))
            } else {
                (202, None)
            };
            let outcome =
                serde_json::to_value(p.action).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            let receipt = new_receipt()?;
            let body = store::insert_submission(
                tx,
                &NewSubmission {
                    source_id,
                    at: &batch.at,
                    // A refused body keeps no key: the sender may correct it and send it again under the same one.
                    key: key.filter(|_| !rejected),
                    body_hash: &body_hash,
                    status,
                    outcome: &outcome,
                    lead_id: if rejected { None } else { p.lead_id },
                    detail: &p.detail,
                },
                error.unwrap_or_else(|| received(&receipt)),
            )?;
            Ok(CaptureReply { status, body, replayed: false })
        })
    }

    /// Records a refused request. It keeps no idempotency key, so the sender may correct the body and send it
    /// again under the same key.
    fn record_reply(
        &self,
        source: &CaptureSource,
        body_hash: &str,
        status: u16,
        outcome: &str,
        body: serde_json::Value,
    ) -> Result<CaptureReply> {
        let at = self.now();
        let detail = body.get("message").and_then(|m| m.as_str()).unwrap_or_default().to_string();
        let body = self.db.write(|tx| {
            Ok::<_, Error>(store::insert_submission(
                tx,
                &NewSubmission {
                    source_id: source.id,
                    at: &at,
                    key: None,
                    body_hash,
                    status,
                    outcome,
                    lead_id: None,
                    detail: &detail,
                },
                body,
            )?)
        })?;
        Ok(CaptureReply { status, body, replayed: false })
    }
}

/// The answer to every accepted submission: its receipt, whatever the lead turned out to be.
fn received(receipt: &str) -> serde_json::Value {
    serde_json::json!({ "status": "received", "submission_id": receipt })
}

/// What identifies a request's body for its idempotency key: how it is read (its media type, and a form's
/// charset) and its bytes.
fn body_hash(content_type: Option<&str>, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(super::body::reading_of(content_type).as_bytes());
    h.update([0]);
    h.update(body);
    format!("{:x}", h.finalize())
}

/// The stored answer again, unless the key came with another body: replaying the first answer would lose the
/// second lead without a word.
fn replay_or_refusal(stored: store::StoredReply, body_hash: &str) -> CaptureReply {
    if stored.body_hash.as_deref().is_some_and(|h| h != body_hash) {
        return CaptureReply {
            status: 422,
            body: error_body(
                "idempotency_key_reused",
                "this Idempotency-Key came before with another body; send a new lead under a key of its own",
                &[],
            ),
            replayed: false,
        };
    }
    let body = serde_json::from_str(&stored.response).unwrap_or_default();
    CaptureReply { status: stored.status, body, replayed: true }
}

/// Fields no request sets: the source gives every lead its channel and the source's name, so each stays traceable
/// to where it came from (seed 2.1), whatever a form posts.
const SET_BY_THE_SOURCE: [&str; 2] = ["source", "source_detail"];

/// Fields of the sales process rather than of the person: set by a request only through the source's own map
/// (a partner's account manager or stage, a landing page's campaign, as an Administrator mapped it), never from
/// a posted field's name. A web form's token is in its page for anyone to read: an `owner` field would assign
/// leads and tell which usernames exist, a `campaign` decide which team sees the lead, a `deal_value` put an
/// invented deal in the forecast, `tags` label a stored lead it enriches ("do-not-contact") as anyone liked.
const ONLY_WHEN_MAPPED: [&str; 9] =
    ["owner", "stage", "status", "lost_reason", "campaign", "deal_value", "currency", "expected_close", "tags"];

/// Set from a website form only through the source's map: a lead's reference in another system is the key a
/// partner's sync and a keyed import find it by, and a visitor who named one (`id=CUST-1001`) would have their
/// lead, or the stored lead it enriches, taken for that customer. A partner's own server may send it.
const PARTNERS_ONLY: [&str; 1] = ["external_ref"];

/// Each posted field's lead field: the source's own map (partners), the canonical name, a recognized header
/// ("E-Mail", "firstName"), otherwise the notes: a field is never dropped without a word, but a web form's own
/// plumbing (`_token`, a honeypot, the submit button) is.
/// A field of one value (a first name, a company) sent several values, as a JSON list or a name repeated: it is
/// refused, naming the field, rather than joined into one value or all but one kept unseen. Values left empty
/// (a form's second box of that name) do not count.
fn several_values_for_one(fields: &[(String, String)], mapping: &[ColumnMapping]) -> Vec<FieldError> {
    let target_of = |name: &str| mapping.iter().find(|m| m.column == name).map(|m| m.target.as_str());
    let mut errors: Vec<FieldError> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in fields {
        let Some(target) = target_of(name).filter(|t| single_valued(t) && !seen.contains(t)) else { continue };
        seen.push(target);
        // Counted by the field they fill: names a partner's map folds together ("vorname", "Vorname") too.
        let names: Vec<&str> = {
            let mut n: Vec<&str> = Vec::new();
            for (other, v) in fields {
                if target_of(other) == Some(target) && !v.trim().is_empty() && !n.contains(&other.as_str()) {
                    n.push(other);
                }
            }
            n
        };
        let sent = fields.iter().filter(|(n, v)| names.contains(&n.as_str()) && !v.trim().is_empty()).count();
        if sent > 1 {
            let message = if names.len() > 1 {
                let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                format!("takes one value, and {sent} were sent (as {})", quoted.join(" and "))
            } else {
                format!("takes one value, and {sent} were sent")
            };
            errors.push(FieldError::new(name.clone(), message));
        }
    }
    errors
}

/// A source's name and campaign, trimmed, once its name, campaign, rate and field map hold: every fault at once.
fn checked_source(input: &CaptureSourceInput) -> std::result::Result<(String, String), ValidationErrors> {
    let name = input.name.trim().to_string();
    let mut v = ValidationErrors::none();
    // Both go on every lead of the source (its source detail, its campaign), where the lead's own checks
    // would refuse what they refuse here: every request would then fail on a field its sender never sent.
    if name.is_empty() || name.chars().count() > 80 {
        v.push("name", "a source needs a name of at most 80 characters");
    } else if let Some(why) = crate::leads::unsafe_entry(&name) {
        v.push("name", format!("the name {why}"));
    }
    let campaign = input.campaign.trim().to_string();
    if campaign.chars().count() > 100 || crate::leads::unsafe_entry(&campaign).is_some() {
        v.push("campaign", "a campaign of at most 100 characters, on one line, without direction overrides");
    }
    if !(1..=10_000).contains(&input.rate_per_minute) {
        v.push("rate_per_minute", "between 1 and 10,000 requests a minute");
    }
    let known: Vec<String> = targets().into_iter().map(|t| t.target).collect();
    for m in &input.field_map {
        if m.column.trim().is_empty() || !known.contains(&m.target) {
            v.push("field_map", format!("\"{}\" → \"{}\" is not a field name and a lead field", m.column, m.target));
        } else if SET_BY_THE_SOURCE.contains(&m.target.as_str()) {
            v.push(
                "field_map",
                format!("\"{}\" cannot set the {}: every lead from this source gets its own", m.column, m.target),
            );
        }
    }
    v.into_result()?;
    Ok((name, campaign))
}

/// The answer to a token that names no source, or a revoked one.
fn not_valid() -> CaptureReply {
    CaptureReply { status: 401, body: error_body("unauthorized", "the token is not valid", &[]), replayed: false }
}

/// Where each sent name goes: the source's own map first, then the guess from its name. A guess never takes a
/// field of one value that the map (or an earlier name) already fills: the sent name goes to notes instead,
/// rather than the whole request being refused for two names on one field.
fn mapping_for(source: &CaptureSource, fields: &[(String, String)]) -> Vec<ColumnMapping> {
    let names: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
    // A path into a list of objects (Shopify's two "addresses", Netlify's "ordered_human_fields") is sent once per
    // object: several values for a field of one value are no person's one value, and go to the notes (a name
    // sent several times on its own is refused, naming it: the sender meant one value there).
    let listed = |n: &str| n.contains('.') && names.iter().filter(|m| m.as_str() == n).count() > 1;
    // Read by the words of its last part, and by its value (a Shopify customer's "state" is "disabled", no
    // region); a listed path is read as nothing, so that it does not take a field from the one object that is
    // the person's (Shopify's "default_address.company" went to the notes behind "addresses.company").
    let read_as: Vec<String> = names
        .iter()
        .map(|n| if listed(n) { String::new() } else { crate::imports::read_as_sent(n).to_string() })
        .collect();
    let values: Vec<String> = fields.iter().map(|(_, v)| v.clone()).collect();
    let mapped = |n: &str| source.field_map.iter().find(|m| m.column.eq_ignore_ascii_case(n));
    let mut claimed: Vec<String> = names.iter().filter_map(|n| mapped(n)).map(|m| m.target.clone()).collect();
    // The object that holds the person's email or name is the person's: when a name of it and one outside it
    // read as the same field of one value, its own takes the field (the suggestion gives a field to the first
    // name that reads as it, so the person's names are read first). A Stripe event's own "id" (evt_…, one per
    // event) is no reference to the customer its "data.object.id" (cus_…) is.
    fn parent(n: &str) -> &str {
        n.rsplit_once('.').map_or("", |(p, _)| p)
    }
    let first = suggest_mapping_seen(&read_as, std::slice::from_ref(&values));
    let persons = names
        .iter()
        .zip(&first)
        .find(|(n, s)| {
            !listed(n) && matches!(s.field.as_deref(), Some("email" | "first_name" | "last_name" | "full_name"))
        })
        .map(|(n, _)| parent(n).to_string());
    let mut order: Vec<usize> = (0..names.len()).collect();
    if let Some(p) = &persons {
        order.sort_by_key(|&i| parent(&names[i]) != p.as_str());
    }
    let mut fields: Vec<Option<String>> = if order.iter().enumerate().all(|(at, &i)| at == i) {
        first.into_iter().map(|s| s.field).collect()
    } else {
        let read: Vec<String> = order.iter().map(|&i| read_as[i].clone()).collect();
        let seen: Vec<String> = order.iter().map(|&i| values[i].clone()).collect();
        let mut fields = vec![None; names.len()];
        for (&i, s) in order.iter().zip(suggest_mapping_seen(&read, &[seen])) {
            fields[i] = s.field;
        }
        fields
    };
    let mut targets: Vec<String> = vec![String::new(); names.len()];
    for i in order {
        let n = &names[i];
        targets[i] = {
            let target = match mapped(n) {
                Some(m) => m.target.clone(),
                None => match fields[i].take() {
                    Some(f) if single_valued(&f) && (claimed.contains(&f) || listed(n)) => TO_NOTES.to_string(),
                    Some(f) if ONLY_WHEN_MAPPED.contains(&f.as_str()) => TO_NOTES.to_string(),
                    Some(f) if source.kind == CaptureSourceKind::WebForm && PARTNERS_ONLY.contains(&f.as_str()) => {
                        TO_NOTES.to_string()
                    }
                    Some(f) => f,
                    None if source.kind == CaptureSourceKind::WebForm
                        && (n.starts_with('_') || n.eq_ignore_ascii_case("submit")) =>
                    {
                        IGNORE.to_string()
                    }
                    // The label, type, id and required mark a form tool sends beside each value (Elementor's
                    // webhook): its plumbing, which would bury the notes that say something.
                    None if crate::imports::a_fields_own_part(n) => IGNORE.to_string(),
                    None => TO_NOTES.to_string(),
                },
            };
            let target = if SET_BY_THE_SOURCE.contains(&target.as_str()) { TO_NOTES.to_string() } else { target };
            if mapped(n).is_none() {
                claimed.push(target.clone());
            }
            target
        };
    }
    names.into_iter().zip(targets).map(|(column, target)| ColumnMapping { column, target }).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::secrets::SecretError;

    /// A keychain that keeps what it is given, as the OS one does.
    #[derive(Default)]
    struct Keychain(Mutex<std::collections::HashMap<String, String>>);

    impl Secrets for Keychain {
        fn set(&self, key: &str, secret: &str) -> std::result::Result<(), SecretError> {
            self.0.lock().map_err(|e| SecretError::Locked(e.to_string()))?.insert(key.into(), secret.into());
            Ok(())
        }
        fn get(&self, key: &str) -> std::result::Result<Option<String>, SecretError> {
            Ok(self.0.lock().map_err(|e| SecretError::Locked(e.to_string()))?.get(key).cloned())
        }
        fn delete(&self, key: &str) -> std::result::Result<(), SecretError> {
            self.0.lock().map_err(|e| SecretError::Locked(e.to_string()))?.remove(key);
            Ok(())
        }
    }

    /// A keychain that stores, then refuses to delete (locked, or its service gone).
    #[derive(Default)]
    struct KeepsSecrets(Keychain);

    impl Secrets for KeepsSecrets {
        fn set(&self, key: &str, secret: &str) -> std::result::Result<(), SecretError> {
            self.0.set(key, secret)
        }
        fn get(&self, key: &str) -> std::result::Result<Option<String>, SecretError> {
            self.0.get(key)
        }
        fn delete(&self, _: &str) -> std::result::Result<(), SecretError> {
            Err(SecretError::Locked("locked".into()))
        }
    }

    /// A partner source named `name` whose map takes each (partner field, lead field) of `map`.
    fn partner(name: &str, map: &[(&str, &str)], rate_per_minute: u32) -> CaptureSourceInput {
        CaptureSourceInput {
            name: name.into(),
            kind: CaptureSourceKind::Partner,
            field_map: map.iter().map(|(c, t)| ColumnMapping { column: (*c).into(), target: (*t).into() }).collect(),
            rate_per_minute,
            campaign: String::new(),
        }
    }

    fn website() -> CaptureSourceInput {
        CaptureSourceInput {
            name: "Website".into(),
            kind: CaptureSourceKind::WebForm,
            field_map: vec![],
            rate_per_minute: 10,
            campaign: String::new(),
        }
    }

    /// One origin typed two ways is kept once (the settings panel lists them by name, and two equal names broke
    /// it); a pattern, which no browser ever sends, is refused on the field, nothing saved.
    #[test]
    fn allowed_origins_are_kept_once_each_and_a_pattern_is_refused() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let origins = ["https://example.com", "https://Example.com:443/", "http://example.com"];
        let mut s = CaptureSettings { allowed_origins: origins.map(String::from).to_vec(), ..Default::default() };
        let saved = core.update_capture_settings(&admin, &s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.allowed_origins, ["https://example.com", "http://example.com"]);
        s.allowed_origins = vec!["https://*.example.com".into()];
        let err = core.update_capture_settings(&admin, &s).err().unwrap_or_else(|| panic!("a pattern was taken"));
        assert_eq!(err.field_errors().first().map(|f| f.field.as_str()), Some("allowed_origins"), "{err}");
        assert!(err.to_string().contains("pattern"), "{err}");
        let kept = core.capture_settings(&admin).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.allowed_origins, ["https://example.com", "http://example.com"]);
    }

    /// Two databases of one computer each number their sources from 1: each keeps its own token, and revoking
    /// one leaves the other's.
    #[test]
    fn two_databases_keep_their_own_tokens_in_one_keychain() {
        let keychain = Keychain::default();
        let (_a_dir, a, a_admin) = crate::test_support::core_with_admin();
        let (_b_dir, b, b_admin) = crate::test_support::core_with_admin();
        let made_a = a.add_capture_source(&a_admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let made_b = b.add_capture_source(&b_admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(made_a.source.id, made_b.source.id);
        let token = |core: &Rapport, admin: &Actor, id| core.capture_token(admin, &keychain, id);
        assert_eq!(token(&a, &a_admin, made_a.source.id).ok(), Some(made_a.token.clone()));
        assert_eq!(token(&b, &b_admin, made_b.source.id).ok(), Some(made_b.token.clone()));
        b.revoke_capture_source(&b_admin, &keychain, made_b.source.id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token(&a, &a_admin, made_a.source.id).ok(), Some(made_a.token.clone()));
    }

    /// A token kept by an older version under the shared name is still found, if it is this source's, and
    /// removed with it; another database's is neither handed out nor removed.
    #[test]
    fn a_token_kept_under_the_old_shared_name_is_found_if_it_is_this_sources() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let id = made.source.id;
        let key = core.db.read(|c| keychain_key(c, id)).unwrap_or_else(|e| panic!("{e}"));
        keychain.delete(&key).unwrap_or_else(|e| panic!("{e}"));
        keychain.set(&legacy_keychain_key(id), "rpk_another-databases-token").unwrap_or_else(|e| panic!("{e}"));
        assert!(core.capture_token(&admin, &keychain, id).is_err(), "another database's token is not this one's");
        core.revoke_capture_source(&admin, &keychain, id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            keychain.get(&legacy_keychain_key(id)).ok().flatten().as_deref(),
            Some("rpk_another-databases-token"),
            "another database's token stays"
        );
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let key = core.db.read(|c| keychain_key(c, made.source.id)).unwrap_or_else(|e| panic!("{e}"));
        keychain.delete(&key).unwrap_or_else(|e| panic!("{e}"));
        keychain.set(&legacy_keychain_key(made.source.id), &made.token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(core.capture_token(&admin, &keychain, made.source.id).ok(), Some(made.token.clone()));
        core.revoke_capture_source(&admin, &keychain, made.source.id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keychain.get(&legacy_keychain_key(made.source.id)).ok().flatten(), None);
    }

    /// A keychain that notes each time it is asked while the database file is being written (by the caller,
    /// since nothing else writes in the test): a keychain waiting for the user to unlock it would hold every save.
    struct Watchful {
        inner: Keychain,
        db: std::path::PathBuf,
        asked_while_writing: Mutex<Vec<String>>,
    }

    impl Watchful {
        fn note_if_writing(&self, what: &str) {
            let other = rusqlite::Connection::open(&self.db).unwrap_or_else(|e| panic!("{e}"));
            if other.execute_batch("BEGIN IMMEDIATE; ROLLBACK;").is_err() {
                self.asked_while_writing.lock().unwrap_or_else(|e| e.into_inner()).push(what.to_owned());
            }
        }
    }

    impl Secrets for Watchful {
        fn set(&self, key: &str, secret: &str) -> std::result::Result<(), SecretError> {
            self.note_if_writing(&format!("set {key}"));
            self.inner.set(key, secret)
        }
        fn get(&self, key: &str) -> std::result::Result<Option<String>, SecretError> {
            self.note_if_writing(&format!("get {key}"));
            self.inner.get(key)
        }
        fn delete(&self, key: &str) -> std::result::Result<(), SecretError> {
            self.note_if_writing(&format!("delete {key}"));
            self.inner.delete(key)
        }
    }

    /// Making a source, reading its token and revoking it (with an older version's entry to look at) never ask
    /// the keychain inside a write: a locked keychain's prompt held every other save, the revoke uncommitted and
    /// its token still taken, for as long as the prompt stayed open.
    #[test]
    fn the_keychain_is_never_asked_while_the_database_is_being_written() {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        let keychain =
            Watchful { inner: Keychain::default(), db: dir.path().join("t.db"), asked_while_writing: Mutex::default() };
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let id = made.source.id;
        keychain.inner.set(&legacy_keychain_key(id), &made.token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(core.capture_token(&admin, &keychain, id).ok(), Some(made.token.clone()));
        core.revoke_capture_source(&admin, &keychain, id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keychain.inner.get(&legacy_keychain_key(id)).ok().flatten(), None, "the old entry went too");
        let asked = keychain.asked_while_writing.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert!(asked.is_empty(), "the keychain was asked inside a write: {asked:?}");
    }

    /// The website form posts where a browser can reach the listener: loopback while it listens there, this
    /// computer's address on its network once open to it (IPv6 in brackets), and a place to write it when the
    /// computer has none.
    #[test]
    fn the_website_form_posts_to_an_address_a_browser_can_reach() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let form = |ip: Option<&str>| {
            let ip = ip.map(|a| a.parse().unwrap_or_else(|e| panic!("{e}")));
            core.capture_form_html(&admin, &keychain, made.source.id, ip).unwrap_or_else(|e| panic!("{e}"))
        };
        let mut settings = CaptureSettings { port: 8790, ..CaptureSettings::default() };
        core.update_capture_settings(&admin, &settings).unwrap_or_else(|e| panic!("{e}"));
        assert!(form(Some("192.168.1.20")).contains("data-endpoint=\"http://127.0.0.1:8790/api/v1/leads\""));
        settings.open_to_network = true;
        core.update_capture_settings(&admin, &settings).unwrap_or_else(|e| panic!("{e}"));
        let html = form(Some("192.168.1.20"));
        assert!(html.contains("data-endpoint=\"http://192.168.1.20:8790/api/v1/leads\""), "{html}");
        assert!(html.contains(&format!("data-token=\"{}\"", made.token)));
        assert!(form(Some("fd00::5")).contains("data-endpoint=\"http://[fd00::5]:8790/api/v1/leads\""));
        assert!(form(None).contains("data-endpoint=\"http://YOUR-COMPUTER-ADDRESS:8790/api/v1/leads\""));
        assert!(html.contains("reached from this computer's network only"), "{html}");
    }

    /// Settings saved before the public address existed keep what they said (the API on, its port, its
    /// origins), the new setting empty.
    #[test]
    fn settings_saved_before_a_setting_was_added_are_read_with_its_default() {
        let old =
            r#"{"enabled":true,"port":8790,"open_to_network":true,"allowed_origins":["https://www.example.com"]}"#;
        let s = super::stored_settings(old).unwrap_or_else(|| panic!("read"));
        assert_eq!((s.enabled, s.port, s.open_to_network), (true, 8790, true));
        assert_eq!((s.allowed_origins.len(), s.public_url.as_str()), (1, ""));
    }

    /// Settings saved from a form read before another Administrator's save are refused, nothing written: saved
    /// whole, they turned the listener back on or off without a word. Read again, the save goes through.
    #[test]
    fn capture_settings_saved_from_a_stale_form_are_a_conflict() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let read = core.capture_settings(&admin).unwrap_or_else(|e| panic!("{e}"));
        let theirs = CaptureSettings { enabled: true, port: 8790, ..read.clone() };
        core.update_capture_settings_as_seen(&admin, Some(&read), &theirs).unwrap_or_else(|e| panic!("{e}"));
        let mine = CaptureSettings { public_url: "https://leads.example.com".into(), ..read.clone() };
        let err = core.update_capture_settings_as_seen(&admin, Some(&read), &mine).err();
        assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Conflict));
        assert_eq!(core.capture_settings(&admin).ok(), Some(theirs.clone()), "theirs stand");
        let now = core.capture_settings(&admin).unwrap_or_else(|e| panic!("{e}"));
        let saved = core.update_capture_settings_as_seen(&admin, Some(&now), &mine).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.public_url, "https://leads.example.com");
    }

    /// A submission's lead merged into another since (how a submission queued for review is resolved) is listed
    /// with the lead it lives on in: its link went to "not found".
    #[test]
    fn a_submission_names_the_lead_its_lead_lives_on_in() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let send = |body: &str| {
            let reply = core
                .submit_capture(&TokenCheck::of(made.source.id), None, Some("application/json"), body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(reply.status, 202, "{}", reply.body);
            core.capture_submissions(&admin, Some(made.source.id), 1).unwrap_or_else(|e| panic!("{e}"))[0].clone()
        };
        let first = send(r#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io"}"#);
        let second = send(r#"{"first_name":"Anne","last_name":"Lee","email":"anne.lee@lee.io"}"#);
        let (kept, merged) = (first.lead_id.unwrap_or_default(), second.lead_id.unwrap_or_default());
        assert_eq!(second.lead_now, Some(merged));
        assert_eq!(second.lead_name, "Anne Lee", "named, not numbered");
        core.merge_leads(&admin, kept, &[merged], &[]).unwrap_or_else(|e| panic!("{e}"));
        let listed = core.capture_submissions(&admin, Some(made.source.id), 2).unwrap_or_else(|e| panic!("{e}"));
        let now: Vec<(Option<i64>, Option<i64>)> = listed.iter().map(|s| (s.lead_id, s.lead_now)).collect();
        assert_eq!(now, [(Some(merged), Some(kept)), (Some(kept), Some(kept))]);
        let names: Vec<&str> = listed.iter().map(|s| s.lead_name.as_str()).collect();
        assert_eq!(names, ["Ann Lee", "Ann Lee"], "the lead each lives on in, by its name");
    }

    /// A partner's server sending a lead straight into a stage is held to the approval rules as an Editor's
    /// import of the same row is: losing a deal of 10,000 or more needs an Administrator's approval, which a
    /// third party's request is not.
    #[test]
    fn a_partners_lead_sent_into_a_stage_an_approval_guards_is_refused() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let partner = partner("Acme", &[("status", "stage"), ("amount", "deal_value"), ("why", "lost_reason")], 100);
        let acme =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &partner).unwrap_or_else(|e| panic!("{e}"));
        let send = |amount: &str| {
            let body = format!(
                r#"{{"first_name":"Bo","last_name":"Lee","email":"bo{amount}@lee.io","status":"lost","amount":"{amount}",
                    "currency":"EUR","why":"Chose a competitor"}}"#
            );
            core.submit_capture(&TokenCheck::of(acme.source.id), None, Some("application/json"), body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let leads = || core.lead_count(&admin).unwrap_or_else(|e| panic!("{e}"));
        let before = leads();
        let reply = send("20000");
        assert_eq!(reply.status, 422, "{}", reply.body);
        // Named as the partner sent it.
        assert_eq!(reply.body["fields"][0]["field"], "status", "{}", reply.body);
        assert!(reply.body["message"].as_str().is_some_and(|m| m.contains("approval")), "{}", reply.body);
        assert_eq!(leads(), before, "no lead");
        let reply = send("500");
        assert_eq!(reply.status, 202, "a small deal needs no approval: {}", reply.body);
        let sent = core.capture_submissions(&admin, Some(acme.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
        let bo = core.get_lead(&admin, sent[0].lead_id.unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bo.stage, "lost");
    }

    /// A source's name and campaign go on each of its leads: what a lead's check refuses there is refused when the
    /// source is made or changed, rather than every request failing later on a field its sender never sent. A
    /// partner source made with a map logs what it may fill and how often it may send.
    #[test]
    fn a_source_is_made_only_with_what_its_leads_can_hold_and_logged_whole() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        for bad in [
            CaptureSourceInput { name: "Web\u{202E}site".into(), ..website() },
            CaptureSourceInput { name: "Web\u{1b}[2Ksite".into(), ..website() },
            CaptureSourceInput { campaign: "Spring\u{2066}".into(), ..website() },
        ] {
            let err = core.add_capture_source(&admin, &keychain, &bad).err();
            assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Validation), "{bad:?}");
        }
        assert!(core.capture_sources(&admin).unwrap_or_else(|e| panic!("{e}")).is_empty());
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let bad = CaptureSourceInput { name: "Web\u{202E}site".into(), ..website() };
        let err = core.update_capture_source(&admin, made.source.id, &made.source, &bad).err();
        assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Validation));

        let partner = partner("Acme", &[("rep", "owner")], 5_000);
        let acme = core.add_capture_source(&admin, &keychain, &partner).unwrap_or_else(|e| panic!("{e}"));
        let logged: Vec<(String, Option<String>)> = core
            .db
            .read(|c| {
                let mut st = c.prepare(
                    "SELECT field, new_value FROM change_log WHERE entity = 'capture_source' AND entity_id = ?1 \
                     AND field <> '*' ORDER BY id",
                )?;
                let rows = st.query_map([acme.source.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok::<_, crate::Error>(rows.collect::<std::result::Result<Vec<_>, _>>()?)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            logged,
            [
                ("rate_per_minute".to_string(), Some("5000".to_string())),
                ("field_map".to_string(), Some(r#"[{"column":"rep","target":"owner"}]"#.to_string())),
            ]
        );
    }

    /// A source's name, map, rate and campaign are changed after it is made, each change logged; its kind and
    /// token stay. A form opened before another Administrator's change is refused, and so is a revoked source.
    #[test]
    fn a_sources_settings_are_changed_later_and_its_next_leads_follow() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        // Its name in another case only is no clash with itself.
        let cased = CaptureSourceInput { name: "WEBSITE".into(), ..website() };
        let renamed = core.update_capture_source(&admin, made.source.id, &made.source, &cased);
        let made = NewCaptureSource { source: renamed.unwrap_or_else(|e| panic!("{e}")), token: made.token.clone() };
        let spring = CaptureSourceInput {
            name: "Spring fair form".into(),
            campaign: "Spring".into(),
            rate_per_minute: 30,
            ..website()
        };
        let saved =
            core.update_capture_source(&admin, made.source.id, &made.source, &spring).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (saved.name.as_str(), saved.campaign.as_str(), saved.rate_per_minute),
            ("Spring fair form", "Spring", 30)
        );
        assert_eq!(saved.token_hint, made.source.token_hint, "the token stays");
        // The form as first opened is stale now: refused, nothing written.
        let err = core.update_capture_source(&admin, made.source.id, &made.source, &website()).err();
        assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Conflict));
        let partner = CaptureSourceInput { kind: CaptureSourceKind::Partner, ..spring.clone() };
        let err = core.update_capture_source(&admin, made.source.id, &saved, &partner).err();
        assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Validation));
        let reply = core
            .submit_capture(
                &TokenCheck::of(made.source.id),
                None,
                Some("application/json"),
                br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io"}"#,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 202, "{}", reply.body);
        let sent = core.capture_submissions(&admin, Some(made.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
        let ann = core.get_lead(&admin, sent[0].lead_id.unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ann.campaign, "Spring", "its next leads go to its campaign now");
        let logged: Vec<String> = core
            .db
            .read(|c| {
                let mut st = c.prepare(
                    "SELECT field FROM change_log WHERE entity = 'capture_source' AND entity_id = ?1 AND field <> '*' ORDER BY id",
                )?;
                let rows = st.query_map([made.source.id], |r| r.get::<_, String>(0))?;
                Ok::<_, crate::Error>(rows.collect::<std::result::Result<Vec<_>, _>>()?)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(logged, ["rate_per_minute", "name", "name", "rate_per_minute", "campaign"]);
        core.revoke_capture_source(&admin, &keychain, made.source.id).unwrap_or_else(|e| panic!("{e}"));
        let revoked = core.capture_sources(&admin).unwrap_or_else(|e| panic!("{e}"));
        let err = core.update_capture_source(&admin, made.source.id, &revoked[0], &spring).err();
        assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Validation));
    }

    /// A partner's token is for its server: no HTML form is made with it, to be pasted into a public page.
    #[test]
    fn no_website_form_is_made_with_a_partners_token() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let partner = CaptureSourceInput { name: "Partner GmbH".into(), kind: CaptureSourceKind::Partner, ..website() };
        let made = core.add_capture_source(&admin, &keychain, &partner).unwrap_or_else(|e| panic!("{e}"));
        let err = core.capture_form_html(&admin, &keychain, made.source.id, None).err();
        let err = err.unwrap_or_else(|| panic!("a form was made"));
        assert_eq!(err.code(), crate::ErrorCode::Validation, "{err}");
        assert!(!err.to_string().contains(&made.token), "{err}");
    }

    /// A website's visitors reach the API through a reverse proxy or tunnel: the form posts to the public
    /// address an Administrator sets (pasted as the endpoint, it is kept as the address). Without one, the form
    /// says that 127.0.0.1 is the visitor's own computer: posting there failed on a real website without a word.
    #[test]
    fn the_website_form_posts_to_the_public_address_when_one_is_set() {
        let keychain = Keychain::default();
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        let form = || core.capture_form_html(&admin, &keychain, made.source.id, None).unwrap_or_else(|e| panic!("{e}"));
        let local = form();
        assert!(local.contains("127.0.0.1 is the visitor's own computer"), "{local}");
        let mut settings =
            CaptureSettings { public_url: " https://Leads.example.com/api/v1/leads/ ".into(), ..Default::default() };
        let saved = core.update_capture_settings(&admin, &settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.public_url, "https://Leads.example.com");
        assert_eq!(core.capture_settings(&admin).unwrap_or_else(|e| panic!("{e}")).public_url, saved.public_url);
        let public = form();
        assert!(public.contains("data-endpoint=\"https://Leads.example.com/api/v1/leads\""), "{public}");
        assert!(!public.contains("own computer") && !public.contains("network only"), "{public}");
        for bad in ["leads.example.com", "ftp://leads.example.com", "https://leads.example.com/?a=1", "https://"] {
            settings.public_url = bad.into();
            let err = core.update_capture_settings(&admin, &settings).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::Validation, "{bad}: {err}");
        }
        assert_eq!(core.capture_settings(&admin).unwrap_or_else(|e| panic!("{e}")).public_url, saved.public_url);
    }

    #[test]
    fn a_keychain_that_refuses_cannot_keep_a_revoked_token_alive() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let keychain = KeepsSecrets::default();
        let input = CaptureSourceInput {
            name: "Website".into(),
            kind: CaptureSourceKind::WebForm,
            field_map: vec![],
            rate_per_minute: 10,
            campaign: String::new(),
        };
        let made = core.add_capture_source(&admin, &keychain, &input).unwrap_or_else(|e| panic!("{e}"));
        assert!(core.check_capture_token(&made.token).unwrap_or_else(|e| panic!("{e}")).is_some());
        let revoked = core.revoke_capture_source(&admin, &keychain, made.source.id).unwrap_or_else(|e| panic!("{e}"));
        assert!(revoked.revoked_at.is_some());
        assert_eq!(core.check_capture_token(&made.token).unwrap_or_else(|e| panic!("{e}")), None);
    }

    /// A keychain that refuses to store (no Secret Service running, or its unlock dialog dismissed).
    struct RefusesSecrets;

    impl Secrets for RefusesSecrets {
        fn set(&self, _: &str, _: &str) -> std::result::Result<(), SecretError> {
            Err(SecretError::Locked("the collection is locked".into()))
        }
        fn get(&self, _: &str) -> std::result::Result<Option<String>, SecretError> {
            Ok(None)
        }
        fn delete(&self, _: &str) -> std::result::Result<(), SecretError> {
            Ok(())
        }
    }

    /// The keychain is written after the source's transaction, which other saves must not wait on while the
    /// keychain asks to be unlocked. When it refuses, the source is gone again (its name free, its token not
    /// accepted) and the change log says why; the database holds no other trace of it.
    #[test]
    fn a_source_the_keychain_refuses_is_not_kept() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let err = core.add_capture_source(&admin, &RefusesSecrets, &website()).err();
        assert!(err.as_ref().is_some_and(|e| e.to_string().contains("locked")), "{err:?}");
        assert!(core.capture_sources(&admin).unwrap_or_else(|e| panic!("{e}")).is_empty());
        // Field, old value, new value, the batch's reason, the source's id.
        type LogRow = (String, Option<String>, Option<String>, String, i64);
        let log: Vec<LogRow> = core
            .db
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT l.field, l.old_value, l.new_value, b.source_ref, l.entity_id FROM change_log l
                     JOIN change_batches b ON b.id = l.batch_id WHERE l.entity = 'capture_source' ORDER BY l.id",
                )?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
                Ok::<_, Error>(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        // Made (with its rate), then taken away.
        assert_eq!(log.len(), 3, "{log:?}");
        assert_eq!(log[1].0, "rate_per_minute");
        assert_eq!(log[2].1.as_deref(), Some("Website (web_form)"));
        assert_eq!((log[2].2.as_deref(), log[2].3.as_str()), (None, "the keychain did not take its token"));
        // The name is free for a source the keychain takes, which does not take the removed one's number (and
        // with it the removed one's history).
        let made = core.add_capture_source(&admin, &Keychain::default(), &website()).unwrap_or_else(|e| panic!("{e}"));
        assert!(core.check_capture_token(&made.token).unwrap_or_else(|e| panic!("{e}")).is_some());
        assert_ne!(made.source.id, log[2].4);
    }

    /// A keychain that keeps what it is given, and runs `meanwhile` with the key each time it is asked to store
    /// (while it would wait for the user to unlock it).
    struct Waits<F: Fn(&str) + Send + Sync> {
        keychain: Keychain,
        meanwhile: F,
    }

    impl<F: Fn(&str) + Send + Sync> Secrets for Waits<F> {
        fn set(&self, key: &str, secret: &str) -> std::result::Result<(), SecretError> {
            (self.meanwhile)(key);
            self.keychain.set(key, secret)
        }
        fn get(&self, key: &str) -> std::result::Result<Option<String>, SecretError> {
            self.keychain.get(key)
        }
        fn delete(&self, key: &str) -> std::result::Result<(), SecretError> {
            self.keychain.delete(key)
        }
    }

    /// A source revoked by another window while its token was on its way to the keychain leaves no secret there.
    #[test]
    fn a_source_revoked_while_the_keychain_waits_leaves_no_secret() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let revoke = |key: &str| {
            let id = key.rsplit(':').next().and_then(|n| n.parse().ok()).unwrap_or_default();
            core.revoke_capture_source(&admin, &Keychain::default(), id).unwrap_or_else(|e| panic!("{e}"));
        };
        let keychain = Waits { keychain: Keychain::default(), meanwhile: revoke };
        let made = core.add_capture_source(&admin, &keychain, &website()).unwrap_or_else(|e| panic!("{e}"));
        assert!(made.source.revoked_at.is_some());
        assert!(keychain.keychain.0.lock().unwrap_or_else(|e| panic!("{e}")).is_empty());
        assert_eq!(core.check_capture_token(&made.token).unwrap_or_else(|e| panic!("{e}")), None);
    }

    /// A JSON list (or a name repeated) fills a field of several values item by item, and is refused for a
    /// field of one value, naming it, with nothing written: "Ann; Bob" is nobody's first name.
    #[test]
    fn a_list_fills_a_field_of_several_values_and_is_refused_for_one_of_one() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &website()).unwrap_or_else(|e| panic!("{e}"));
        let leads = || {
            let q = crate::leads::LeadQuery { limit: 50, ..Default::default() };
            format!("{:?}", core.list_leads(&admin, &q).unwrap_or_else(|e| panic!("{e}")).items)
        };
        let before = leads();
        for (content_type, body) in [
            ("application/json", &br#"{"first_name":["Ann","Bob"],"last_name":"Lee","email":"ann@lee.io"}"#[..]),
            ("application/x-www-form-urlencoded", b"first_name=Ann&first_name=Bob&last_name=Lee&email=ann%40lee.io"),
        ] {
            let reply = core
                .submit_capture(&TokenCheck::of(source.source.id), None, Some(content_type), body)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(reply.status, 422, "{}", reply.body);
            assert_eq!(reply.body["fields"][0]["field"], "first_name", "{}", reply.body);
            assert!(reply.body["message"].as_str().is_some_and(|m| m.contains("2 were sent")), "{}", reply.body);
        }
        assert_eq!(leads(), before, "a refused body writes no lead");
        let body = br#"{"first_name":["Ann",""],"last_name":"Lee","email":["ann@lee.io","a.lee@work.io"],"tags":["fair","vip"]}"#;
        let reply = core
            .submit_capture(&TokenCheck::of(source.source.id), None, Some("application/json"), body)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 202, "{}", reply.body);
        let submitted = core.capture_submissions(&admin, Some(source.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
        let id = submitted[0].lead_id.unwrap_or_else(|| panic!("{submitted:?}"));
        let lead = core.get_lead(&admin, id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lead.first_name, "Ann");
        let emails: Vec<&str> = lead.emails.iter().map(|e| e.address.as_str()).collect();
        assert_eq!(emails, ["ann@lee.io", "a.lee@work.io"]);
        // A website form's tags are the notes' (only a source's map sets them), each value kept.
        assert!(lead.tags.is_empty() && lead.notes.contains("fair") && lead.notes.contains("vip"), "{lead:?}");
    }

    /// The lead a request `body` made, once it was accepted (202).
    fn accepted_lead(
        core: &Rapport,
        admin: &Actor,
        source: i64,
        content_type: &str,
        body: &[u8],
    ) -> crate::leads::Lead {
        let reply = core
            .submit_capture(&TokenCheck::of(source), None, Some(content_type), body)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 202, "{}: {}", String::from_utf8_lossy(body), reply.body);
        let submitted = core.capture_submissions(admin, Some(source), 1).unwrap_or_else(|e| panic!("{e}"));
        core.get_lead(admin, submitted[0].lead_id.unwrap_or_else(|| panic!("{submitted:?}")))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A partner's system sends its record nested, as most do: each value is read by its path ("address.city"),
    /// as a header naming it would be, and someone else's value (its owner's email) goes to the notes. The body
    /// was refused whole, and the partner had to flatten it first.
    #[test]
    fn a_nested_record_is_read_by_the_paths_of_its_values() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let source = core
            .add_capture_source(&admin, &KeepsSecrets::default(), &partner("Partner", &[], 60))
            .unwrap_or_else(|e| panic!("{e}"));
        let body =
            br#"{"person":{"first_name":"Ann","last_name":"Lee","emails":[{"type":"work","value":"ann@lee.io"}]},
            "company":{"name":"Lee & Co"},
            "address":{"line1":"1 Park Row","city":"Leeds","postal_code":"LS1 5AB","country":"GB"},
            "owner":{"email":"rep@partner.example"}}"#;
        let lead = accepted_lead(&core, &admin, source.source.id, "application/json", body);
        assert_eq!(
            (lead.first_name.as_str(), lead.last_name.as_str(), lead.company.as_str()),
            ("Ann", "Lee", "Lee & Co")
        );
        let emails: Vec<&str> = lead.emails.iter().map(|e| e.address.as_str()).collect();
        assert_eq!(emails, ["ann@lee.io"], "the owner's address is not the person's");
        let a = &lead.address;
        assert_eq!(
            (a.street.as_str(), a.city.as_str(), a.postcode.as_str(), a.country.as_str()),
            ("1 Park Row", "Leeds", "LS1 5AB", "GB")
        );
        assert!(lead.notes.contains("rep@partner.example"), "kept in the notes: {:?}", lead.notes);
    }

    /// Webhooks as form tools send them (Webflow's, Calendly's, a WordPress form's): the person read under the
    /// path the tool nests it at, its own words (a page's or a form's title, a question's place, an event's
    /// guests and host) kept in the notes, a list of objects (two addresses) no refusal. Each was a Draft without
    /// a name, a job "Contact Me", another person's email on the lead, or a 422 for the whole submission.
    #[test]
    fn a_form_tool_s_webhook_gives_the_person_and_keeps_its_own_words_apart() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let source = core
            .add_capture_source(&admin, &KeepsSecrets::default(), &partner("Tools", &[], 60))
            .unwrap_or_else(|e| panic!("{e}"));
        let lead_of = |body: &str| accepted_lead(&core, &admin, source.source.id, "application/json", body.as_bytes());
        let webflow = r#"{"triggerType":"form_submission","payload":{"name":"Contact form","siteId":"65","data":
            {"First Name":"Ann","Last Name":"Lee","Email":"ann@lee.io","Company":"Lee & Co"},"submittedAt":"2026-12-07"}}"#;
        let lead = lead_of(webflow);
        assert_eq!(
            (lead.first_name.as_str(), lead.last_name.as_str(), lead.company.as_str()),
            ("Ann", "Lee", "Lee & Co")
        );
        let calendly = r#"{"event":"invitee.created","payload":{"email":"bo@ray.io","first_name":"Bo","last_name":"Ray",
            "questions_and_answers":[{"answer":"Pricing","position":0,"question":"Topic"},{"answer":"Soon","position":1,"question":"When"}],
            "scheduled_event":{"name":"Intro call","event_guests":[{"email":"guest@other.io"}],
            "event_memberships":[{"user_email":"rep@us.example"}]}}}"#;
        let lead = lead_of(calendly);
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("Bo", "Ray"));
        let emails: Vec<&str> = lead.emails.iter().map(|e| e.address.as_str()).collect();
        assert_eq!(emails, ["bo@ray.io"], "the guests' and the host's addresses are theirs");
        assert_eq!(lead.job_title, "", "a question's place is no job");
        assert!(lead.notes.contains("Pricing") && lead.notes.contains("guest@other.io"), "{:?}", lead.notes);
        let wpforms = r#"{"page_title":"Contact Me","form_title":"Contact","name":"Cy Orr","email":"cy@orr.io",
            "addresses":[{"city":"Leeds"},{"city":"York"}]}"#;
        let lead = lead_of(wpforms);
        assert_eq!((lead.first_name.as_str(), lead.job_title.as_str()), ("Cy", ""));
        assert!(lead.notes.contains("Leeds") && lead.notes.contains("York"), "both kept: {:?}", lead.notes);
        // Fields as name and value objects (HubSpot's forms API, Facebook's lead ads), a yes-or-no about an email.
        let hubspot = r#"{"fields":[{"objectTypeId":"0-1","name":"firstname","value":"Di"},
            {"objectTypeId":"0-1","name":"lastname","value":"Fox"},{"objectTypeId":"0-1","name":"email","value":"di@fox.io"}],
            "context":{"pageUri":"https://example.com/contact","pageName":"Contact us"}}"#;
        let lead = lead_of(hubspot);
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("Di", "Fox"));
        assert_eq!(lead.emails[0].address, "di@fox.io");
        let facebook = r#"{"id":"4410","created_time":"2026-12-07T10:00:00+0000","field_data":[
            {"name":"full_name","values":["Eve Hart"]},{"name":"email","values":["eve@hart.io"]}]}"#;
        assert_eq!(lead_of(facebook).last_name, "Hart");
        // Elementor's webhook: each field's value beside its label, type and id; the form's own name apart.
        let elementor = "form%5Bid%5D=a1b&form%5Bname%5D=New+Form&fields%5Bname%5D%5Btitle%5D=Name\
            &fields%5Bname%5D%5Bvalue%5D=Elena+Hook&fields%5Bemail%5D%5Btype%5D=email\
            &fields%5Bemail%5D%5Bvalue%5D=elena%40hook.io&fields%5Bemail%5D%5Braw_value%5D=elena%40hook.io";
        let form = "application/x-www-form-urlencoded";
        let lead = accepted_lead(&core, &admin, source.source.id, form, elementor.as_bytes());
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("Elena", "Hook"));
        assert_eq!(lead.emails[0].address, "elena@hook.io");
        assert!(lead.notes.contains("New Form") && !lead.notes.contains("[title]"), "{:?}", lead.notes);
        // Netlify's webhook: the name at the top and again among its ordered fields, one value.
        let netlify = r#"{"number":3,"name":"Hal Ito","email":"hal@ito.io","data":{"name":"Hal Ito","ip":"203.0.113.9"},
            "ordered_human_fields":[{"title":"Name","name":"name","value":"Hal Ito"},{"title":"Email","name":"email","value":"hal@ito.io"}]}"#;
        let lead = lead_of(netlify);
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str(), lead.emails.len()), ("Hal", "Ito", 1));
        let shopify = r#"{"id":7,"email":"gil@ash.io","first_name":"Gil","last_name":"Ash","verified_email":true}"#;
        let lead = lead_of(shopify);
        assert_eq!(lead.emails.len(), 1, "a flag about the address is no address: {:?}", lead.emails);
        // A Shopify customer as its webhook sends it: its account's state is no region, and its default address
        // (one object) is the address, company and province, not its list of addresses (two).
        let customer = r#"{"id":8,"email":"bob@biller.example","first_name":"Bob","last_name":"Biller","state":"disabled",
            "addresses":[{"id":1,"company":"Biller Shop","address1":"123 Elm St.","city":"Ottawa","province":"Ontario","country":"Canada","zip":"K2H7A8","default":true},
                {"id":2,"company":"Other Co","address1":"1 Bay St","city":"Toronto","province":"Ontario","country":"Canada","zip":"M5J2N8","default":false}],
            "default_address":{"id":1,"company":"Biller Shop","address1":"123 Elm St.","address2":"Unit 5","city":"Ottawa","province":"Ontario","country":"Canada","zip":"K2H7A8","default":true}}"#;
        let lead = lead_of(customer);
        assert_eq!(lead.company, "Biller Shop");
        let a = &lead.address;
        assert_eq!(
            (a.street.as_str(), a.street2.as_str(), a.city.as_str(), a.region.as_str(), a.postcode.as_str()),
            ("123 Elm St.", "Unit 5", "Ottawa", "Ontario", "K2H 7A8")
        );
        assert!(lead.notes.contains("state: disabled") && lead.notes.contains("Toronto"), "{:?}", lead.notes);
    }

    /// What a sender wrote in a field's name comes back in the refusal the Administrator reads, in the app and in
    /// `rapport capture submissions` on a terminal: a terminal escape or a direction override in it is shown as
    /// its code, not obeyed (rewriting the clipboard, erasing lines, faking rows).
    #[test]
    fn a_refusal_keeps_no_control_characters_of_the_senders_field_names() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &website()).unwrap_or_else(|e| panic!("{e}"));
        for (content_type, body) in [
            ("application/json", &b"{\"\\u001b]52;c;aGk=\\u0007\\u001b[2K\": [[1]]}"[..]),
            ("application/x-www-form-urlencoded", b"first%1B%5B2K%E2%80%AEname=%FC"),
        ] {
            let reply = core
                .submit_capture(&TokenCheck::of(source.source.id), None, Some(content_type), body)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(reply.status, 400, "{}", reply.body);
            let listed = core.capture_submissions(&admin, Some(source.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
            let message = &listed[0].message;
            assert!(message.contains("u{1b}"), "the escape is shown as its code: {message:?}");
            assert!(!message.chars().any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}')), "{message:?}");
        }
        // One stored before (by an earlier version, raw) is shown the same way.
        core.db
            .write(|tx| {
                tx.execute(
                    "UPDATE capture_submissions SET detail = ?1 WHERE id = (SELECT max(id) FROM capture_submissions)",
                    ["field \u{1b}[2K"],
                )?;
                Ok::<_, crate::Error>(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let listed = core.capture_submissions(&admin, Some(source.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed[0].message, "field \\u{1b}[2K");
    }

    /// A lead an import created, which a web form then sent again (the submission names it), is the form's too:
    /// undoing the import keeps it, or the submission would point at nothing and the person be gone.
    #[test]
    fn an_import_undo_keeps_a_lead_a_web_form_sent_again() {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        let path = dir.path().join("fair.csv");
        std::fs::write(&path, "first_name,last_name,email\nAnn,Lee,ann@lee.io\n").unwrap_or_else(|e| panic!("{e}"));
        let preview = core.preview_import_path(&admin, &path, "", "fair.csv", None).unwrap_or_else(|e| panic!("{e}"));
        let plan = crate::imports::ImportPlan::suggested(&preview);
        let batch = core.start_import(&admin, &path, "fair.csv", &plan, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let input = CaptureSourceInput {
            name: "Website".into(),
            kind: CaptureSourceKind::WebForm,
            field_map: vec![],
            rate_per_minute: 10,
            campaign: String::new(),
        };
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &input).unwrap_or_else(|e| panic!("{e}"));
        let body = br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io"}"#;
        let reply = core
            .submit_capture(&TokenCheck::of(source.source.id), None, Some("application/json"), body)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 202, "{}", reply.body);
        let submitted = core.capture_submissions(&admin, Some(source.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
        let ann = submitted[0].lead_id.unwrap_or_else(|| panic!("{submitted:?}"));
        let report = core.undo_import(&admin, batch.id, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.kept.iter().any(|k| k.lead_id == ann && k.reason.contains("web form")), "{report:?}");
        assert!(core.get_lead(&admin, ann).is_ok());
    }

    /// A partner's map gives the first name two names, and the partner sends both, one null or empty: the
    /// request is taken with the one sent (it was refused for two names on one field), and both filled still are.
    #[test]
    fn a_map_with_two_names_for_one_field_takes_a_request_that_leaves_one_empty() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let input = partner("Partner", &[("vorname", "first_name"), ("first", "first_name")], 10);
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &input).unwrap_or_else(|e| panic!("{e}"));
        let send = |body: &str| {
            core.submit_capture(&TokenCheck::of(source.source.id), None, Some("application/json"), body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        for body in [
            r#"{"vorname":"Ann","first":null,"last_name":"Lee","email":"ann@lee.io"}"#,
            r#"{"vorname":"","first":"Bo","last_name":"Ray","email":"bo@ray.io"}"#,
        ] {
            let reply = send(body);
            assert_eq!(reply.status, 202, "{body}: {}", reply.body);
        }
        let names: Vec<String> = core
            .capture_submissions(&admin, Some(source.source.id), 2)
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .filter_map(|s| s.lead_id)
            .map(|id| core.get_lead(&admin, id).map(|l| l.first_name).unwrap_or_default())
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"Ann".to_owned()) && names.contains(&"Bo".to_owned()), "{names:?}");
        let both = send(r#"{"vorname":"Ann","first":"Bo","last_name":"Lee","email":"ann2@lee.io"}"#);
        assert_eq!(both.status, 422, "{}", both.body);
    }

    /// A name sent empty or null takes no lead field: the field stays for the name sent filled, which would
    /// otherwise have gone to the notes (a map's "vorname" sent null beside "first_name"; a form's empty "name"
    /// box beside "your-name").
    #[test]
    fn a_name_sent_empty_leaves_its_field_to_a_name_sent_filled() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let source = |name: &str, kind: CaptureSourceKind, field_map: Vec<ColumnMapping>| {
            let input =
                CaptureSourceInput { name: name.into(), kind, field_map, rate_per_minute: 10, campaign: String::new() };
            core.add_capture_source(&admin, &KeepsSecrets::default(), &input)
                .unwrap_or_else(|e| panic!("{e}"))
                .source
                .id
        };
        let vorname = ColumnMapping { column: "vorname".into(), target: "first_name".into() };
        let partner = source("Partner", CaptureSourceKind::Partner, vec![vorname]);
        let form = source("Website", CaptureSourceKind::WebForm, vec![]);
        let lead_of = |source: i64, media: &str, body: &str| {
            let reply = core
                .submit_capture(&TokenCheck::of(source), None, Some(media), body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(reply.status, 202, "{body}: {}", reply.body);
            let sent = core.capture_submissions(&admin, Some(source), 1).unwrap_or_else(|e| panic!("{e}"));
            let id = sent[0].lead_id.unwrap_or_else(|| panic!("{sent:?}"));
            core.get_lead(&admin, id).unwrap_or_else(|e| panic!("{e}"))
        };
        let ann = lead_of(
            partner,
            "application/json",
            r#"{"vorname":null,"first_name":"Ann","last_name":"Lee","email":"ann@lee.io"}"#,
        );
        assert_eq!((ann.first_name.as_str(), ann.notes.as_str()), ("Ann", ""));
        let mia =
            lead_of(form, "application/x-www-form-urlencoded", "name=&your-name=Mia+Wong&email=mia%40wong.example");
        assert_eq!((mia.first_name.as_str(), mia.last_name.as_str(), mia.notes.as_str()), ("Mia", "Wong", ""));
    }

    /// Gravity Forms' numbered fields, as its Webhooks add-on sends them to a partner source and as its form
    /// posts them to a website source, make a lead with its name, address and contacts.
    #[test]
    fn gravity_forms_numbered_fields_make_a_whole_lead() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let hook = r#"{"id":"12","status":"active","form_id":"1","ip":"203.0.113.8","source_url":"https://example.com/contact/",
            "1.2":"","1.3":"John","1.4":"","1.6":"Gravitas","1.8":"","2":"john.gravitas@gf-example.com","3":"(415) 555-2671",
            "4.1":"123 Main St","4.2":"Apt 4","4.3":"Springfield","4.4":"IL","4.5":"62701","4.6":"United States","5":"Gravity Co"}"#;
        let partner = core
            .add_capture_source(&admin, &KeepsSecrets::default(), &partner("Site hook", &[], 10))
            .unwrap_or_else(|e| panic!("{e}"));
        let lead = accepted_lead(&core, &admin, partner.source.id, "application/json", hook.as_bytes());
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("John", "Gravitas"));
        assert_eq!(lead.emails[0].address, "john.gravitas@gf-example.com");
        assert_eq!(lead.phones.len(), 1, "{:?}", lead.phones);
        let a = &lead.address;
        assert_eq!(
            (a.street.as_str(), a.street2.as_str(), a.city.as_str(), a.region.as_str(), a.postcode.as_str()),
            ("123 Main St", "Apt 4", "Springfield", "IL", "62701")
        );
        assert_eq!(lead.country_code, "US");
        assert!(lead.notes.contains("5: Gravity Co"), "a field it cannot name stays in the notes: {:?}", lead.notes);
        let form =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &website()).unwrap_or_else(|e| panic!("{e}"));
        let posted = "input_1.3=John&input_1.6=Postman&input_2=john.postman%40gf-example.com&input_4.1=1+Elm+St\
            &input_4.3=Springfield&input_4.5=62701&is_submit_1=1&gform_submit=1&gform_unique_id=&state_1=WyJbXSJd";
        let lead = accepted_lead(&core, &admin, form.source.id, "application/x-www-form-urlencoded", posted.as_bytes());
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("John", "Postman"));
        assert_eq!((lead.address.street.as_str(), lead.address.postcode.as_str()), ("1 Elm St", "62701"));
        assert!(!lead.notes.contains("state_1") && !lead.notes.contains("gform"), "{:?}", lead.notes);
    }

    /// A partner's event (Stripe's customer.created) wraps the person in an object of its own: the reference kept
    /// is the customer's id, which the customer's later events repeat, not the event's own.
    #[test]
    fn the_reference_is_the_persons_id_not_the_id_of_the_event_around_it() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let source = core
            .add_capture_source(&admin, &KeepsSecrets::default(), &partner("Stripe", &[], 10))
            .unwrap_or_else(|e| panic!("{e}"));
        let lead_of = |body: &str| accepted_lead(&core, &admin, source.source.id, "application/json", body.as_bytes());
        let stripe = r#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"customer.created",
            "data":{"object":{"id":"cus_NffrFeUfNV2Hib","object":"customer","email":"jenny.rosen@example.com",
            "name":"Jenny Rosen","phone":"+49 30 1234560","address":{"city":"Berlin","country":"DE",
            "line1":"Unter den Linden 1","postal_code":"10117"}}}}"#;
        let lead = lead_of(stripe);
        assert_eq!(lead.external_ref, "cus_NffrFeUfNV2Hib");
        assert!(lead.notes.contains("evt_1NG8Du2eZvKYlo2CUI79vXWy"), "the event's id is kept: {:?}", lead.notes);
        assert_eq!((lead.first_name.as_str(), lead.address.city.as_str()), ("Jenny", "Berlin"));
        // A person sent at the top keeps the top's id, whatever an object inside names its own.
        let top = r#"{"id":"P-17","email":"ole@dahl.no","first_name":"Ole","last_name":"Dahl","form":{"id":"F-2"}}"#;
        assert_eq!(lead_of(top).external_ref, "P-17");
    }

    /// A partner's map fills a field; a name it does not list that looks like the same field goes to notes, and
    /// an empty second value of a mapped name adds nothing: the request is taken, not refused for two names on
    /// one field.
    #[test]
    fn a_name_the_map_does_not_list_never_takes_a_field_the_map_fills() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let input = partner("Partner", &[("vorname", "first_name"), ("name", "last_name"), ("mail", "email")], 10);
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &input).unwrap_or_else(|e| panic!("{e}"));
        for (i, body) in [
            r#"{"vorname":"Jan","name":"Novak","mail":"jan0@novak.cz","surname":""}"#,
            r#"{"vorname":"Jan","name":"Novak","mail":"jan1@novak.cz","surname":"Nowak"}"#,
            r#"{"vorname":"Jan","name":["Novak",""],"mail":"jan2@novak.cz"}"#,
        ]
        .iter()
        .enumerate()
        {
            let reply = core
                .submit_capture(&TokenCheck::of(source.source.id), None, Some("application/json"), body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(reply.status, 202, "{body}: {}", reply.body);
            let submitted =
                core.capture_submissions(&admin, Some(source.source.id), 1).unwrap_or_else(|e| panic!("{e}"));
            let lead = core
                .get_lead(&admin, submitted[0].lead_id.unwrap_or_else(|| panic!("{submitted:?}")))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("Jan", "Novak"), "{body}");
            assert_eq!(lead.emails[0].address, format!("jan{i}@novak.cz"));
            if i == 1 {
                assert!(lead.notes.contains("Nowak"), "the unlisted name is kept in the notes: {:?}", lead.notes);
            }
        }
        // Two values for the first name under names the map folds together, or a field that is no value: the
        // refusal names the field, as the same name sent twice or any validation error does.
        for (body, field, says) in [
            (r#"{"vorname":"Jan","Vorname":"Bob","name":"Novak","mail":"j@n.cz"}"#, "vorname", "2 were sent"),
            (r#"{"vorname":"Jan","name":[["x"]],"mail":"j@n.cz"}"#, "name", "must be text"),
        ] {
            let reply = core
                .submit_capture(&TokenCheck::of(source.source.id), None, Some("application/json"), body.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(reply.status, 400 | 422), "{body}: {}", reply.body);
            assert_eq!(reply.body["fields"][0]["field"], field, "{body}: {}", reply.body);
            let message = reply.body["fields"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains(says), "{body}: {}", reply.body);
        }
    }

    /// A retry that spells its content type otherwise (a charset added, other letters' case) is the same
    /// request to its idempotency key: replayed, not refused as another body under the key.
    #[test]
    fn a_retry_with_its_content_type_spelled_otherwise_is_replayed() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let input = CaptureSourceInput {
            name: "Shop".into(),
            kind: CaptureSourceKind::WebForm,
            field_map: vec![],
            rate_per_minute: 10,
            campaign: String::new(),
        };
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &input).unwrap_or_else(|e| panic!("{e}"));
        let body = br#"{"first_name":"Di","last_name":"Wu","email":"di@wu.io"}"#;
        let send = |content_type: &str| {
            core.submit_capture(&TokenCheck::of(source.source.id), Some("order-77"), Some(content_type), body)
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let first = send("application/json");
        assert_eq!(first.status, 202, "{}", first.body);
        for spelled in ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8"] {
            let again = send(spelled);
            assert_eq!((again.status, &again.body, again.replayed), (202, &first.body, true), "{spelled}");
        }
    }

    /// A request that passed the token check and then waited for the writer (behind an import's chunk) while
    /// the source was revoked is refused, as one sent after: no lead comes in through a revoked token.
    #[test]
    fn a_source_revoked_while_a_request_waits_for_the_writer_takes_nothing() {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        let source =
            core.add_capture_source(&admin, &KeepsSecrets::default(), &website()).unwrap_or_else(|e| panic!("{e}"));
        let mut writer = rusqlite::Connection::open(dir.path().join("t.db")).unwrap_or_else(|e| panic!("{e}"));
        let tx = writer
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap_or_else(|e| panic!("{e}"));
        let reply = std::thread::scope(|s| {
            let waiting = s.spawn(|| {
                let body = br#"{"first_name":"Ann","last_name":"Lee","email":"ann@lee.io"}"#;
                core.submit_capture(&TokenCheck::of(source.source.id), None, Some("application/json"), body)
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            tx.execute(
                "UPDATE capture_sources SET revoked_at = '2026-01-01T00:00:00Z' WHERE id = ?1",
                [source.source.id],
            )
            .unwrap_or_else(|e| panic!("{e}"));
            tx.commit().unwrap_or_else(|e| panic!("{e}"));
            waiting.join().unwrap_or_else(|_| panic!("the request panicked"))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 401, "{}", reply.body);
        assert_eq!(core.lead_count(&admin).unwrap_or_else(|e| panic!("{e}")), 0);
    }

    #[test]
    fn a_source_map_cannot_set_the_channel_or_its_detail() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        for target in ["source", "source_detail"] {
            let input = partner(&format!("Partner {target}"), &[("origin", target)], 10);
            let refused = core.add_capture_source(&admin, &KeepsSecrets::default(), &input);
            assert!(matches!(refused, Err(Error::Validation(_))), "{target}: {refused:?}");
        }
    }
}
