use serde::{Deserialize, Serialize};

use crate::imports::ColumnMapping;

/// Off by default; on 127.0.0.1 unless an Administrator opens it to the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaptureSettings {
    pub enabled: bool,
    pub port: u16,
    pub open_to_network: bool,
    /// Origins (scheme://host[:port]) whose pages may post from a browser (CORS). Empty: none.
    pub allowed_origins: Vec<String>,
    /// Where a website's visitors reach the API when that is not this computer: a reverse proxy or tunnel with
    /// HTTPS that forwards to the listener (https://leads.example.com). The website form posts there. Empty:
    /// this computer's own address, which only its own network can reach.
    pub public_url: String,
}

impl Default for CaptureSettings {
    fn default() -> Self {
        Self { enabled: false, port: 8787, open_to_network: false, allowed_origins: vec![], public_url: String::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaptureStatus {
    pub settings: CaptureSettings,
    pub running: bool,
    pub address: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CaptureSourceKind {
    WebForm,
    Partner,
}

impl CaptureSourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureSourceKind::WebForm => "web_form",
            CaptureSourceKind::Partner => "partner",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "web_form" => Some(CaptureSourceKind::WebForm),
            "partner" => Some(CaptureSourceKind::Partner),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaptureSource {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
    pub kind: CaptureSourceKind,
    /// The token's first characters, to tell tokens apart (never enough to use one).
    pub token_hint: String,
    /// A partner's field names to lead fields (`column` is the partner's name).
    pub field_map: Vec<ColumnMapping>,
    pub rate_per_minute: u32,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    pub submissions: u32,
    /// The campaign of the leads it sends that name none (empty: none).
    pub campaign: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaptureSourceInput {
    pub name: String,
    pub kind: CaptureSourceKind,
    pub field_map: Vec<ColumnMapping>,
    pub rate_per_minute: u32,
    /// The campaign of the leads it sends that name none (seed 3.2: which team sees them); empty for none.
    #[serde(default)]
    pub campaign: String,
}

/// A source just made, with its token: shown once; it can be copied again from the keychain (never from a debug
/// print).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewCaptureSource {
    pub source: CaptureSource,
    pub token: String,
}

impl std::fmt::Debug for NewCaptureSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCaptureSource").field("source", &self.source).field("token", &"<hidden>").finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaptureSubmission {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub source_id: i64,
    pub source_name: String,
    pub at: String,
    pub status: u16,
    pub outcome: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    /// Where that lead is now: itself, the lead it was merged into since (a submission sent to the review queue is
    /// resolved by that merge), or none when it is gone (its import undone, its sample data taken out).
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_now: Option<i64>,
    /// That lead's name as the app shows it ("Ann Lee", or the company); empty when the lead is gone.
    pub lead_name: String,
    pub message: String,
    /// The receipt the sender got (`submission_id`), by which a partner names it; empty when refused.
    pub receipt: String,
}

/// What the HTTP layer answers: a status and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureReply {
    pub status: u16,
    pub body: serde_json::Value,
    /// The answer is a stored one, given again for a repeated idempotency key.
    pub replayed: bool,
}

/// A source a request's token names, as the HTTP layer needs it before reading the body. Made only by
/// [`crate::Rapport::check_capture_token`] (non-exhaustive: no other crate can write one): a submission is taken
/// only for a token the core checked, never for a source number any caller could name. Outside the core, this
/// does not compile:
///
/// ```compile_fail
/// let forged = rapport_core::capture::TokenCheck { source_id: 1, rate_per_minute: 60, web_form: false };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCheck {
    pub source_id: i64,
    pub rate_per_minute: u32,
    /// A website form's token is public in its page: the listener also limits each sending address.
    pub web_form: bool,
}

#[cfg(test)]
impl TokenCheck {
    /// Source `id`'s check, as a valid token of it gives.
    pub(crate) fn of(id: i64) -> Self {
        Self { source_id: id, rate_per_minute: 60, web_form: false }
    }
}

#[cfg(test)]
mod tests {
    /// A secret never reaches a debug print (a log line, a test failure, a panic message).
    #[test]
    fn debug_prints_hide_secrets() {
        let connect = crate::calendar::CaldavConnect {
            calendar_url: "https://dav.example.com/".into(),
            username: "ann".into(),
            password: "s3cret-pw".into(),
        };
        assert!(!format!("{connect:?}").contains("s3cret-pw"));
        assert!(format!("{connect:?}").contains("ann"));
    }
}
