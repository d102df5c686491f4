//! Users and their roles (seed 3.1: least privilege for the job).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Analysis, auditing, reporting: read-only.
    Viewer,
    /// Sales execution: creates and modifies records, no configuration.
    Editor,
    /// Configuration, users, pipelines.
    Administrator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Administrator => "administrator",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "administrator" | "admin" => Some(Role::Administrator),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct User {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    /// Campaigns this user may see (seed 3.2, campaign isolation), unless `all_campaigns`.
    pub campaigns: Vec<String>,
    /// Sees every campaign (an Administrator always does).
    pub all_campaigns: bool,
    pub created_at: String,
    /// Reviews every duplicate pair in their campaigns (set by an Administrator).
    pub data_steward: bool,
}

/// A new user, or the changes an administrator makes to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    /// The campaigns this user works on; none with `all_campaigns` unset is refused for all but Administrators.
    pub campaigns: Vec<String>,
    pub all_campaigns: bool,
}

/// What a user holds that nobody looks after once they are deactivated or made a Viewer: their open leads
/// and their meetings still to come. Said before such a change, so an Administrator hands them over first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UserHoldings {
    pub open_leads: u32,
    pub upcoming_appointments: u32,
}
