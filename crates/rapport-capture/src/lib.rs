//! The capture API's listener: `POST /api/v1/leads` with a bearer token per source, JSON or form bodies, an
//! idempotency key, a body size limit, a per-token rate limit and CORS limited to configured origins. All
//! decisions about a lead are the core's ([`Rapport::submit_capture`]); this crate is HTTP only. The core
//! is synchronous, so each request's work runs on a blocking thread: no connection is held across an await.
mod multipart;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Extension;
use axum::{Json, Router};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rapport_core::capture::{CaptureReply, CaptureSettings};
use rapport_core::Rapport;
use tower_http::cors::{AllowOrigin, AllowPrivateNetwork, CorsLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Largest accepted body: a form or a partner's lead is a few kilobytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How much of a body over [`BODY_LIMIT`] is read and thrown away before the 413 is sent. A client writes its
/// whole body before it reads the answer; answered early, its unread bytes made the system reset the connection,
/// and the client saw "connection reset" instead of the 413. Past this, or past [`DRAIN_TIME`], the 413 goes
/// out and the connection is closed as before.
const DRAIN_LIMIT: usize = 32 * 1024 * 1024;
/// How long a body over the limit is read before the 413 goes out anyway.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("could not listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}

struct AppState {
    core: Arc<Rapport>,
    /// Cleared by [`Running::stop`]: a connection the stop gave up on is answered 503 if it ever goes on, so
    /// nothing comes in once the API is off.
    open: Arc<AtomicBool>,
    /// One limiter per source, made with its own rate on its first request.
    limiters: RateLimits,
    /// Requests with no valid token per sending address: one guessing tokens is told 429 for a minute past it,
    /// not 401. Each token it sends is still looked up (one indexed read), since the address may be a proxy
    /// that legitimate senders share; what the hold saves is the work after the lookup and the answers' detail.
    /// Valid requests are not counted (a partner posting from one server at
    /// its source's rate, or every source behind one local proxy, is held by each source's own limit only).
    per_peer: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses over that limit, held back until the instant given: a request of theirs without a token is
    /// answered at once, one with a token only if the token is not valid (the address may be a proxy or an
    /// office that legitimate senders share with the one guessing).
    held: Arc<Mutex<std::collections::HashMap<IpAddr, std::time::Instant>>>,
    /// Submissions to one website form from one sender's address: its token is public in the page, so one
    /// sender could otherwise use up the form's whole rate and keep every visitor out.
    form_senders: Arc<DefaultKeyedRateLimiter<(i64, IpAddr)>>,
    /// A public address is set: visitors come through a proxy or tunnel, which names them.
    behind_proxy: bool,
    /// How long a body may take as a whole. The body timeout layer's clock starts again at each piece that
    /// arrives, so a sender trickling a byte at a time would otherwise hold its connection for days.
    body_time: std::time::Duration,
}

/// Each source's rate limiter (made with its rate on its first request). Kept by whoever restarts the listener
/// and handed to each start: a source that used up its quota does not get it back because the settings were
/// saved, which restarts the listener.
#[derive(Clone, Default)]
pub struct RateLimits(Arc<Mutex<std::collections::HashMap<i64, SourceLimit>>>);

/// A source's rate per minute and the limiter made with it.
type SourceLimit = (u32, Arc<DefaultDirectRateLimiter>);

/// A running listener; dropping it (or calling [`Running::stop`]) stops it.
pub struct Running {
    pub address: SocketAddr,
    open: Arc<AtomicBool>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// How long a stop waits for requests in flight to be answered. A client that opened a connection and went
/// quiet mid-request would otherwise hold the stop, and the settings waiting on it, for ever.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

impl Running {
    /// Stops listening at once (the port is free when this returns), lets requests in flight finish for
    /// [`STOP_GRACE`] at most, then drops the connections left.
    pub async fn stop(mut self) {
        self.open.store(false, Ordering::SeqCst);
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(mut t) = self.task.take() {
            if tokio::time::timeout(STOP_GRACE, &mut t).await.is_err() {
                tracing::warn!("the capture API stopped with a request still unanswered after {STOP_GRACE:?}");
                t.abort();
                let _ = t.await;
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.open.store(false, Ordering::SeqCst);
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut resp =
        (status, Json(serde_json::json!({ "code": code, "message": message, "fields": [] }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

fn reply(r: CaptureReply) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, Json(r.body)).into_response();
    // As every 401 says (RFC 9110): a source revoked while its request waited is refused by the core.
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if r.replayed {
        resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

fn limiter(state: &AppState, source_id: i64, per_minute: u32) -> Arc<DefaultDirectRateLimiter> {
    let mut map = match state.limiters.0.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    match map.get(&source_id) {
        Some((rate, l)) if *rate == per_minute => l.clone(),
        _ => {
            let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
            let l = Arc::new(RateLimiter::direct(Quota::per_minute(n)));
            map.insert(source_id, (per_minute, l.clone()));
            l
        }
    }
}

/// Requests without a valid token one address may send a minute before it is held back for a minute: a bound
/// on the token lookups one sender can ask for.
pub const PER_PEER_PER_MINUTE: u32 = 600;

impl AppState {
    /// Whether `ip` is held back now (it sent too many requests without a valid token).
    fn is_held(&self, ip: IpAddr) -> bool {
        let mut held = match self.held.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = std::time::Instant::now();
        if held.len() > PEERS_KEPT {
            held.retain(|_, until| *until > now);
        }
        held.get(&ip).is_some_and(|until| *until > now)
    }

    /// Counts a request of `ip` without a valid token; true when that takes it over the limit (it is then held
    /// back for a minute).
    fn failed(&self, ip: IpAddr) -> bool {
        if self.per_peer.len() > PEERS_KEPT {
            self.per_peer.retain_recent();
        }
        if self.per_peer.check_key(&ip).is_ok() {
            return false;
        }
        let mut held = match self.held.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        held.insert(ip, std::time::Instant::now() + std::time::Duration::from_secs(60));
        true
    }
}

/// Submissions one address may send to one website form a minute: a visitor sends a form once or twice.
pub const FORM_SUBMISSIONS_PER_ADDRESS_PER_MINUTE: u32 = 10;

/// Whether `ip` is this computer or its private network (RFC 1918, carrier-grade NAT, IPv6 unique-local and
/// link-local): where a reverse proxy or tunnel in front of the API runs.
fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

/// An address as `X-Forwarded-For` may write it: bare, with a port (`1.2.3.4:5678`), or bracketed with one
/// (`[2001:db8::1]:443`).
fn forwarded_address(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_matches('"');
    if let Ok(ip) = t.parse() {
        return Some(ip);
    }
    if let Some(rest) = t.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    t.rsplit_once(':').and_then(|(host, _)| host.parse().ok())
}

/// The address a request comes from: the peer's, or, behind a proxy (a public address is set) when the peer
/// is on this computer or its network, the one that proxy adds last to `X-Forwarded-For` (the proxy must append
/// it: what a client wrote before it is the client's to invent). None when such a peer names none (every
/// sender would then share one address), and for this computer itself without a proxy (a page opened here,
/// to try the form).
fn sender(peer: Option<IpAddr>, headers: &HeaderMap, behind_proxy: bool) -> Option<IpAddr> {
    let peer = peer?;
    if !behind_proxy {
        return (!peer.is_loopback()).then_some(peer);
    }
    if !is_local(peer) {
        return Some(peer);
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).next_back()?;
    forwarded.split(',').map(str::trim).rfind(|p| !p.is_empty()).and_then(forwarded_address)
}

/// What one sender is counted by: an IPv4 address, or an IPv6 address's /64 (a household or a server holds a
/// whole /64, and would otherwise be a new sender at each request).
fn sender_key(ip: IpAddr) -> IpAddr {
    match ip {
        // An IPv4 sender as a proxy on IPv6 writes it (::ffff:203.0.113.5): its /64 would be every such sender's.
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// Addresses the per-address limiter keeps before it forgets the quiet ones.
const PEERS_KEPT: usize = 10_000;

/// Whether the body failed because the client took too long to send it (the body timeout), which is the
/// client's to retry (408), not a malformed body (400).
fn timed_out(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The body, or None when it is over [`BODY_LIMIT`]: then the rest is read and dropped, up to [`DRAIN_LIMIT`] and
/// for [`DRAIN_TIME`] at most, so that the client, which sends it all before reading, gets the answer.
async fn read_body(mut body: axum::body::Body) -> Result<Option<Bytes>, axum::Error> {
    use http_body_util::BodyExt;
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    let mut drain_until: Option<tokio::time::Instant> = None;
    loop {
        let frame = match drain_until {
            None => body.frame().await,
            // Past the limit the answer is known: a sender that stalls or crawls is not waited for.
            Some(deadline) => match tokio::time::timeout_at(deadline, body.frame()).await {
                Ok(frame) => frame,
                Err(_) => return Ok(None),
            },
        };
        let frame = match frame {
            None => break,
            Some(Ok(frame)) => frame,
            // Too large already, whatever cut it short (the body's own timeout among them).
            Some(Err(_)) if drain_until.is_some() => return Ok(None),
            Some(Err(e)) => return Err(e),
        };
        let Ok(data) = frame.into_data() else { continue };
        seen = seen.saturating_add(data.len());
        if seen <= BODY_LIMIT {
            kept.extend_from_slice(&data);
        } else if seen > DRAIN_LIMIT {
            return Ok(None);
        } else if drain_until.is_none() {
            kept = Vec::new();
            drain_until = Some(tokio::time::Instant::now() + DRAIN_TIME);
        }
    }
    Ok((seen <= BODY_LIMIT).then(|| Bytes::from(kept)))
}

/// Whether a request under idempotency key `key` was answered for this source already (a replay).
async fn answered_before(state: &Arc<AppState>, check: &rapport_core::capture::TokenCheck, key: Option<&str>) -> bool {
    let Some(key) = key.map(String::from) else { return false };
    let (core, check) = (state.core.clone(), check.clone());
    matches!(tokio::task::spawn_blocking(move || core.capture_key_answered(&check, &key)).await, Ok(Ok(true)))
}

/// 429, with the seconds until a request would be taken.
fn too_many(message: &str, retry_after_secs: u64) -> Response {
    let mut r = json_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
    r
}

/// The request whole, its body read here only once its token and limits are checked: read first (as an
/// extractor would), a sender with no token could hold a connection for the body's whole timeout, and enough of
/// them every connection the app can take.
async fn create_lead(State(state): State<Arc<AppState>>, request: axum::extract::Request) -> Response {
    let (extensions, headers) = (request.extensions().clone(), request.headers().clone());
    if !state.open.load(Ordering::SeqCst) {
        return stopped();
    }
    // The sender's address, when the listener knows it (it does when started by `start`).
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(p)| p.ip());
    let held_back = || {
        tracing::info!(status = 429, "capture requests without a valid token over the limit of one address");
        too_many("too many requests without a valid token from this address; try again in a minute", 60)
    };
    let held = peer.is_some_and(|ip| state.is_held(ip));
    let refused = |message: &str| {
        if held || peer.is_some_and(|ip| state.failed(ip)) {
            return held_back();
        }
        json_error(StatusCode::UNAUTHORIZED, "unauthorized", message)
    };
    // The token is never logged: only whether one came.
    let Some(token) = bearer(&headers) else {
        return refused("send the source's token as \"Authorization: Bearer TOKEN\"");
    };
    let core = state.core.clone();
    let check = match tokio::task::spawn_blocking(move || core.check_capture_token(&token)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return failed(0, &e),
        Err(_) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request could not be checked"),
    };
    let Some(check) = check else {
        tracing::info!(status = 401, "capture request with an unknown or revoked token");
        return refused("the token is not valid (unknown or revoked)");
    };
    // A retry of a request already answered is replayed, whatever the limits: it writes nothing, and its first
    // try counted already. The database is asked only when a limit would refuse: a flood of new keys reads nothing.
    let idempotency_key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(String::from);
    // One sender's limit first: a request it refuses takes nothing of the form's own rate, which one sender
    // would otherwise use up for every visitor.
    if let Some(key) = sender(peer, &headers, state.behind_proxy).filter(|_| check.web_form).map(sender_key) {
        if state.form_senders.len() > PEERS_KEPT {
            state.form_senders.retain_recent();
        }
        if let Err(not_until) = state.form_senders.check_key(&(check.source_id, key)) {
            if !answered_before(&state, &check, idempotency_key.as_deref()).await {
                tracing::info!(
                    source = check.source_id,
                    status = 429,
                    "website form submissions over one address's limit"
                );
                let wait =
                    not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                return too_many(&format!("too many submissions from this address; try again in {secs} s"), secs);
            }
        }
    }
    if let Err(not_until) = limiter(&state, check.source_id, check.rate_per_minute).check() {
        if !answered_before(&state, &check, idempotency_key.as_deref()).await {
            tracing::info!(source = check.source_id, status = 429, "capture request over the rate limit");
            // When the next request would be taken (a source of 600 a minute has one every 0.1 s), in whole
            // seconds.
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return too_many(&format!("too many requests from this source; try again in {secs} s"), secs);
        }
    }
    // From here on, a refusal of a request with a valid token is listed with the source's submissions.
    let listed =
        |status: StatusCode, code: &'static str, message: String| refused_listed(&state, &check, status, code, message);
    // A compressed body would be read as garbage and refused as malformed JSON; say what is wrong instead
    // (RFC 9110 §15.5.16), and what is taken.
    let coding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(str::trim);
    if coding.is_some_and(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity")) {
        let message = "send the body uncompressed (no Content-Encoding)".to_string();
        let mut r = listed(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_encoding", message).await;
        r.headers_mut().insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        return r;
    }
    let too_large = || {
        listed(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the body is larger than {} KiB", BODY_LIMIT / 1024))
    };
    let announced = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > DRAIN_LIMIT as u64) {
        return too_large().await;
    }
    let too_slow =
        || listed(StatusCode::REQUEST_TIMEOUT, "timeout", "the body did not arrive in time; send it again".to_string());
    let body = match tokio::time::timeout(state.body_time, read_body(request.into_body())).await {
        Err(_) => return too_slow().await,
        Ok(Ok(Some(b))) => b,
        Ok(Ok(None)) => return too_large().await,
        Ok(Err(e)) if timed_out(&e) => return too_slow().await,
        Ok(Err(e)) => {
            return listed(StatusCode::BAD_REQUEST, "bad_body", format!("the body could not be read: {e}")).await;
        }
    };
    // Switched off while the body came: the stop lets a connection it gave up on go on, so it is told here.
    if !state.open.load(Ordering::SeqCst) {
        return stopped();
    }
    let mut content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
    // A multipart form is read as the urlencoded form it stands for (see `multipart`).
    let body = match content_type.as_deref().filter(|t| multipart::is_multipart(Some(t))) {
        None => body,
        Some(t) => match multipart::as_form(t, body).await {
            Ok(form) => {
                content_type = Some("application/x-www-form-urlencoded".into());
                Bytes::from(form)
            }
            Err(e) => {
                // Refused as the core refuses a body it cannot read, and listed with the source's submissions.
                let source = check.source_id;
                let (core, check) = (state.core.clone(), check.clone());
                let refused =
                    tokio::task::spawn_blocking(move || core.refuse_capture_body(&check, e.field(), &e.to_string()));
                return match refused.await {
                    Ok(Ok(r)) => reply(r),
                    Ok(Err(e)) => failed(source, &e),
                    Err(_) => {
                        json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request could not be answered")
                    }
                };
            }
        },
    };
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) => Some(k.to_string()),
        // Taken as no key, a retry of this request would create the lead twice.
        Some(Err(_)) => {
            let message = "the Idempotency-Key must be plain ASCII text".to_string();
            return listed(StatusCode::BAD_REQUEST, "bad_request", message).await;
        }
    };
    let core = state.core.clone();
    let source = check.source_id;
    let result = tokio::task::spawn_blocking(move || {
        core.submit_capture(&check, key.as_deref(), content_type.as_deref(), &body)
    })
    .await;
    match result {
        Ok(Ok(r)) => {
            tracing::info!(source, status = r.status, replayed = r.replayed, "capture request");
            reply(r)
        }
        // Another process (an import from the command line) holds the database past the wait: the client's to
        // retry, and told when.
        Ok(Err(e)) => failed(source, &e),
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the lead could not be saved; try again"),
    }
}

/// A request with a valid token refused by the listener: answered with `status` and `code`, and listed with its
/// source's submissions by the core (see `Rapport::refuse_capture_request`). When the database cannot take the
/// record (another program holds it), the answer is the core's: busy, with Retry-After.
async fn refused_listed(
    state: &Arc<AppState>,
    check: &rapport_core::capture::TokenCheck,
    status: StatusCode,
    code: &'static str,
    message: String,
) -> Response {
    let (core, check) = (state.core.clone(), check.clone());
    let source = check.source_id;
    let recorded =
        tokio::task::spawn_blocking(move || core.refuse_capture_request(&check, status.as_u16(), code, None, &message))
            .await;
    match recorded {
        Ok(Ok(r)) => {
            tracing::info!(source, status = r.status, "capture request refused before it was read");
            reply(r)
        }
        Ok(Err(e)) => failed(source, &e),
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request could not be answered"),
    }
}

/// The answer to a request the core could not take: another process (an import from the command line) holding
/// the database past the wait is the client's to retry, and told when (a refused multipart form got a 500 for
/// it); anything else is logged.
fn failed(source: i64, e: &rapport_core::Error) -> Response {
    if e.code() == rapport_core::ErrorCode::DatabaseLocked {
        tracing::info!(source, status = 503, "capture request while the database was busy");
        let mut r = json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the database is busy with other work; send the request again in a few seconds",
        );
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(BUSY_RETRY_AFTER_SECS));
        return r;
    }
    tracing::warn!(source, "capture request failed: {e}");
    json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the lead could not be saved; try again")
}

/// The answer to a request arriving, or finishing, once the API is switched off: to send again later (the README
/// promises a Retry-After, and a form's script may retry by it).
fn stopped() -> Response {
    let mut r = json_error(StatusCode::SERVICE_UNAVAILABLE, "stopped", "the capture API has been switched off");
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(STOPPED_RETRY_AFTER_SECS));
    r
}

/// Seconds a client is asked to wait when the API was switched off under it.
const STOPPED_RETRY_AFTER_SECS: u64 = 60;

/// Seconds a client is asked to wait when the database was busy: about one wait for its lock.
const BUSY_RETRY_AFTER_SECS: u64 = 5;

async fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "the capture API takes POST /api/v1/leads")
}

async fn wrong_method() -> Response {
    let mut r = json_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "send leads with POST");
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    r
}

/// An origin as a browser sends it (scheme, host in lower case and punycode, port unless the scheme's own),
/// so one typed "https://Example.com:443/" in the settings still matches.
fn browser_origin(typed: &str) -> Option<HeaderValue> {
    let origin = url::Url::parse(typed.trim()).ok()?.origin();
    origin.is_tuple().then(|| HeaderValue::from_str(&origin.ascii_serialization()).ok())?
}

pub fn router(core: Arc<Rapport>, settings: &CaptureSettings) -> Router {
    router_with(core, settings, Arc::new(AtomicBool::new(true)), RateLimits::default(), Timeouts::default().body)
}

fn router_with(
    core: Arc<Rapport>,
    settings: &CaptureSettings,
    open: Arc<AtomicBool>,
    limiters: RateLimits,
    body_time: std::time::Duration,
) -> Router {
    let origins: Vec<HeaderValue> = settings.allowed_origins.iter().filter_map(|o| browser_origin(o)).collect();
    // A public website posting to this computer's address on its network (or to a proxy there) is a request
    // into a private network: Chrome asks first (Private Network Access), and only a listed origin is told yes.
    let private_ok = origins.clone();
    let cors = CorsLayer::new()
        .allow_private_network(AllowPrivateNetwork::predicate(move |origin, _| private_ok.contains(origin)))
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, HeaderName::from_static("idempotency-key")])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("idempotent-replayed")])
        // A browser asks once in ten minutes, not before every submission.
        .max_age(std::time::Duration::from_secs(600));
    let per_minute = NonZeroU32::new(PER_PEER_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
    let per_peer = Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)));
    let per_form = NonZeroU32::new(FORM_SUBMISSIONS_PER_ADDRESS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
    let form_senders = Arc::new(RateLimiter::keyed(Quota::per_minute(per_form)));
    let behind_proxy = !settings.public_url.trim().is_empty();
    let state = Arc::new(AppState {
        core,
        open,
        limiters,
        per_peer,
        held: Arc::default(),
        form_senders,
        behind_proxy,
        body_time,
    });
    Router::new()
        .route("/api/v1/leads", post(create_lead).fallback(wrong_method))
        // As many clients and proxies write it.
        .route("/api/v1/leads/", post(create_lead).fallback(wrong_method))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(cors)
        .with_state(state)
}

/// This computer's address on its network: the one its traffic leaves by (asking the system for a route sends
/// nothing). None without a network.
pub fn network_address() -> Option<IpAddr> {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:80").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified())
}

/// The address to give a website: a listener open to the network is bound to 0.0.0.0, which no browser can
/// post to, so [`network_address`] is shown instead. Unknown (no network), the bound address stays.
pub fn shown_address(bound: SocketAddr) -> SocketAddr {
    if !bound.ip().is_unspecified() {
        return bound;
    }
    network_address().map_or(bound, |ip| SocketAddr::new(ip, bound.port()))
}

/// How long a client may take to send a request: its headers, then its body (as a whole, however it trickles
/// in). A listener open to the network
/// meets clients that open connections and send slowly or not at all; without a limit each would hold its
/// connection for ever, and enough of them every connection the app can take.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub headers: std::time::Duration,
    pub body: std::time::Duration,
}

impl Default for Timeouts {
    /// A form's request is a few kilobytes: seconds are plenty, even on a slow line.
    fn default() -> Self {
        Self { headers: std::time::Duration::from_secs(10), body: std::time::Duration::from_secs(30) }
    }
}

/// Starts listening as `settings` say (port 0: any free port, for tests), on the current Tokio runtime, with
/// rate limits of its own.
pub async fn start(core: Arc<Rapport>, settings: &CaptureSettings) -> Result<Running, ServeError> {
    start_with(core, settings, RateLimits::default()).await
}

/// [`start`], counting each source's requests in `limits`, which outlive this listener.
pub async fn start_with(
    core: Arc<Rapport>,
    settings: &CaptureSettings,
    limits: RateLimits,
) -> Result<Running, ServeError> {
    start_timed(core, settings, limits, Timeouts::default()).await
}

/// The address a listener of `settings` binds: this computer only, or every interface once opened to the network.
pub fn bind_address(settings: &CaptureSettings) -> SocketAddr {
    let ip = if settings.open_to_network { IpAddr::V4(Ipv4Addr::UNSPECIFIED) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    SocketAddr::new(ip, settings.port)
}

/// [`start_with`], with the time a client has to send a request.
pub async fn start_timed(
    core: Arc<Rapport>,
    settings: &CaptureSettings,
    limits: RateLimits,
    timeouts: Timeouts,
) -> Result<Running, ServeError> {
    let wanted = bind_address(settings);
    let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| ServeError::Bind(wanted, e))?;
    let address = listener.local_addr().map_err(|e| ServeError::Bind(wanted, e))?;
    let open = Arc::new(AtomicBool::new(true));
    let app = router_with(core, settings, open.clone(), limits, timeouts.body)
        .layer(RequestBodyTimeoutLayer::new(timeouts.body));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let behind_proxy = !settings.public_url.trim().is_empty();
    let task = tokio::spawn(serve(listener, app, timeouts.headers, behind_proxy, rx));
    tracing::info!(%address, "capture API listening");
    Ok(Running { address, open, stop: Some(tx), task: Some(task) })
}

/// Connections served at once. Past it new ones wait in the system's queue, not in the app: the app's file
/// handles (its database, its keychain) are never all taken by clients.
pub const MAX_CONNECTIONS: usize = 256;

/// Connections one address may hold at once; one more is closed unanswered. A sender opening connections and
/// going quiet would otherwise fill [`MAX_CONNECTIONS`] alone. Behind a proxy (a public address is set), the
/// proxy or tunnel on this computer or its network carries every visitor's connections: the total bounds it.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 32;

/// The connections each address holds now.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<std::collections::HashMap<IpAddr, usize>>>);

/// One connection counted for its address until dropped.
struct Counted {
    counts: PerAddress,
    ip: IpAddr,
}

impl PerAddress {
    fn take(&self, ip: IpAddr) -> Option<Counted> {
        let mut map = match self.0.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = map.entry(ip).or_insert(0);
        if *n >= MAX_CONNECTIONS_PER_ADDRESS {
            return None;
        }
        *n += 1;
        Some(Counted { counts: self.clone(), ip })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut map = match self.counts.0.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(n) = map.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Accepts connections until `stop` says (or its sender is gone), each served over HTTP/1.1 with a limit on
/// the time its request headers take, at most [`MAX_CONNECTIONS`] at once and [`MAX_CONNECTIONS_PER_ADDRESS`]
/// from one address (but for a local proxy when `behind_proxy`); then lets the connections finish what they
/// are answering.
async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    header_timeout: std::time::Duration,
    behind_proxy: bool,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(header_timeout);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let per_address = PerAddress::default();
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: the listener stays, and tries again shortly (as axum::serve).
                Err(e) => {
                    tracing::warn!("the capture API could not accept a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let counted = if behind_proxy && is_local(peer.ip()) {
            None
        } else {
            let Some(counted) = per_address.take(peer.ip()) else {
                tracing::info!(
                    "a capture API connection refused: its address holds {MAX_CONNECTIONS_PER_ADDRESS} already"
                );
                drop(stream);
                continue;
            };
            Some(counted)
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone().layer(Extension(ConnectInfo(peer))));
        let connection = graceful.watch(http.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "capture API connection: {e}");
            }
            drop((slot, counted));
        });
    }
    // The port is free from here; the connections left finish (bounded by the caller's grace).
    drop(listener);
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::{sender, sender_key, shown_address};
    use axum::http::{HeaderMap, HeaderValue};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Behind a proxy, the sender is the address the proxy appended last, however it is written (with a port,
    /// bracketed, after a trailing comma); what the client wrote before it does not count. Without a proxy
    /// setting, or from a peer outside this computer's network, the header is the client's and is not read.
    #[test]
    fn the_sender_is_the_address_the_proxy_appended() {
        let with = |values: &[&str]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap_or_else(|e| panic!("{e}")));
            }
            h
        };
        let local = Some(ip("127.0.0.1"));
        let h = with(&["6.6.6.6, 203.0.113.5"]);
        assert_eq!(sender(local, &h, true), Some(ip("203.0.113.5")));
        assert_eq!(sender(local, &with(&["6.6.6.6", "203.0.113.5:4000"]), true), Some(ip("203.0.113.5")));
        assert_eq!(sender(local, &with(&["[2001:db8::7]:443, "]), true), Some(ip("2001:db8::7")));
        assert_eq!(sender(Some(ip("10.0.0.2")), &h, true), Some(ip("203.0.113.5")), "a proxy on the network");
        assert_eq!(sender(Some(ip("100.100.1.2")), &h, true), Some(ip("203.0.113.5")), "a tailnet's");
        assert_eq!(sender(local, &HeaderMap::new(), true), None, "a local peer naming no one is no one");
        assert_eq!(sender(local, &h, false), None, "no proxy set: the header is the client's, and this is us");
        let lan = Some(ip("192.168.1.20"));
        assert_eq!(sender(lan, &h, false), lan, "no proxy set: a computer on the network is itself");
        assert_eq!(sender(Some(ip("198.51.100.1")), &h, true), Some(ip("198.51.100.1")), "a public peer");
        assert_eq!(sender(local, &with(&["not an address"]), true), None);
    }

    /// An IPv6 sender is its /64: a household or a server holds a whole one.
    #[test]
    fn an_ipv6_sender_is_its_slash_64() {
        assert_eq!(sender_key(ip("2001:db8:5::1")), sender_key(ip("2001:db8:5:0:ffff::2")));
        assert_ne!(sender_key(ip("2001:db8:5::1")), sender_key(ip("2001:db8:6::1")));
        assert_eq!(sender_key(ip("203.0.113.5")), ip("203.0.113.5"));
        assert_eq!(sender_key(ip("::ffff:203.0.113.5")), ip("203.0.113.5"), "an IPv4 sender a proxy wrote as IPv6");
        assert_ne!(sender_key(ip("::ffff:203.0.113.5")), sender_key(ip("::ffff:198.51.100.7")));
    }

    /// A listener on loopback is shown as it is; one open to the network by an address a browser can post to
    /// when the computer has one, never 0.0.0.0 then, and always with its port.
    #[test]
    fn the_address_shown_is_one_a_browser_can_post_to() {
        let loopback: std::net::SocketAddr = "127.0.0.1:8787".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown_address(loopback), loopback);
        let any: std::net::SocketAddr = "0.0.0.0:8787".parse().unwrap_or_else(|e| panic!("{e}"));
        let shown = shown_address(any);
        assert_eq!(shown.port(), 8787);
        let routed = std::net::UdpSocket::bind("0.0.0.0:0").and_then(|s| s.connect("192.0.2.1:80")).is_ok();
        assert_eq!(shown.ip().is_unspecified(), !routed, "{shown}");
    }
}
