//! Who may do what, decided here and nowhere else (the UI only hides what a role cannot do).
//!
//! An [`Actor`] can only be made by signing in (or by the core itself for system work), so a caller cannot
//! claim a role. Each operation reloads the actor's current [`Grant`] inside its own transaction: a role
//! change or a deactivation takes effect on the next call, not at the next sign-in.
use serde::Serialize;

use crate::users::Role;

/// The signed-in user on whose behalf an operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub(crate) user_id: Option<i64>,
    pub(crate) username: String,
    /// A digest of the password the session was opened with (of its stored hash): a password changed or reset
    /// since ends the session, as a deactivation does. None for the core's own work.
    pub(crate) credential: Option<String>,
    /// The change-log row of the last change of the user's password known when the session was opened (0: none).
    /// A run that outlasts later changes goes on through the user's own, not through a reset by someone else
    /// made since, whatever came after it.
    pub(crate) password_mark: i64,
}

impl Actor {
    /// The session of user `user_id`, signed in with the password whose stored hash is `password_hash`.
    pub(crate) fn signed_in(
        user_id: i64,
        username: impl Into<String>,
        password_hash: &str,
        password_mark: i64,
    ) -> Self {
        Self {
            user_id: Some(user_id),
            username: username.into(),
            credential: Some(credential_of(password_hash)),
            password_mark,
        }
    }

    /// The core itself (demo data on first run); never handed out by sign-in.
    pub(crate) fn system() -> Self {
        Self { user_id: None, username: "system".into(), credential: None, password_mark: 0 }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }
}

/// What a session keeps of the password it was opened with: a digest of its stored hash, so the hash itself does
/// not live on in memory beside the session.
pub(crate) fn credential_of(password_hash: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(password_hash.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ReadLeads,
    WriteLeads,
    ReadHistory,
    ManageUsers,
    ManageSettings,
    /// Scan for duplicates and decide about pairs in the review queue (data stewards).
    ReviewDuplicates,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::ReadLeads,
        Permission::WriteLeads,
        Permission::ReadHistory,
        Permission::ManageUsers,
        Permission::ManageSettings,
        Permission::ReviewDuplicates,
    ];

    fn action(self) -> &'static str {
        match self {
            Permission::ReadLeads => "read leads",
            Permission::WriteLeads => "create or change leads",
            Permission::ReadHistory => "read the change history",
            Permission::ManageUsers => "manage users",
            Permission::ManageSettings => "change settings",
            Permission::ReviewDuplicates => "review duplicates",
        }
    }
}

pub fn role_allows(role: Role, permission: Permission) -> bool {
    match permission {
        Permission::ReadLeads | Permission::ReadHistory => true,
        // Deciding about duplicates changes leads, so it takes a role that may change them.
        Permission::WriteLeads | Permission::ReviewDuplicates => role >= Role::Editor,
        Permission::ManageUsers | Permission::ManageSettings => role == Role::Administrator,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("{role} accounts cannot {action}; ask an administrator")]
    Denied { role: &'static str, action: &'static str },
    #[error("this account has been deactivated; ask an administrator")]
    Deactivated,
    /// The password was changed or reset since the session began (elsewhere, or by an administrator because it
    /// leaked): the session ends as a deactivation's does, and says why.
    #[error("your password was changed or reset since you signed in: sign in with the new one")]
    PasswordChanged,
    #[error("{}", outside_campaigns(.0))]
    OutsideCampaigns(String),
    /// A merge that took in a lead the reader may not see: which campaign it is of is not theirs to know either.
    #[error("this merge took in a lead of a campaign you do not work on: ask an administrator to take it back")]
    MergedOutsideCampaigns,
    #[error("only data stewards and administrators can {0}; you can decide about pairs with a lead you own")]
    NotSteward(&'static str),
    /// A thing one user made that only they (or an Administrator, as the message says) may take back.
    #[error("only {0}")]
    NotYours(&'static str),
}

/// A lead's campaign outside the actor's, in words: a lead without one (its campaign cleared) is no campaign
/// named "".
fn outside_campaigns(campaign: &str) -> String {
    if campaign.trim().is_empty() {
        "a lead without a campaign is outside the campaigns you work on: give it one of yours".to_string()
    } else {
        format!("campaign \"{campaign}\" is not one of the campaigns you work on")
    }
}

/// Which leads an actor may see: seed 3.2's campaign isolation. Every lead query filters on it, so adding a
/// narrower kind of scope later touches this type and the storage query, never the callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadScope {
    All,
    Campaigns(Vec<String>),
}

/// A campaign's name as it is stored: its spaces, of any kind and however many, one space. The campaign decides
/// who sees a lead (seed 3.2): "Spring  Expo" typed with two spaces, or with a non-breaking one pasted from a
/// document, was another campaign, and its leads hidden from the team of "Spring Expo".
pub fn campaign_spelling(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl LeadScope {
    pub fn allows_campaign(&self, campaign: &str) -> bool {
        match self {
            LeadScope::All => true,
            LeadScope::Campaigns(list) => list.iter().any(|c| c.eq_ignore_ascii_case(campaign.trim())),
        }
    }
}

/// The actor's rights as the database says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    pub active: bool,
    pub campaigns: Vec<String>,
    /// Sees every campaign, whatever `campaigns` holds.
    pub all_campaigns: bool,
    /// Marked by an Administrator as a data steward: reviews every duplicate pair in scope.
    pub steward: bool,
}

/// Which duplicate pairs an actor may decide about: every pair in scope (Administrators and data stewards), or
/// only pairs with a lead the actor owns (an account manager and their own leads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReach {
    All,
    OwnLeads(i64),
}

impl Grant {
    pub fn system() -> Self {
        Self {
            user_id: None,
            username: "system".into(),
            role: Role::Administrator,
            active: true,
            campaigns: vec![],
            all_campaigns: true,
            steward: true,
        }
    }

    pub fn duplicate_reach(&self) -> DuplicateReach {
        match self.user_id {
            Some(id) if self.role != Role::Administrator && !self.steward => DuplicateReach::OwnLeads(id),
            _ => DuplicateReach::All,
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), AccessError> {
        if !self.active {
            return Err(AccessError::Deactivated);
        }
        if role_allows(self.role, permission) {
            Ok(())
        } else {
            Err(AccessError::Denied { role: self.role.as_str(), action: permission.action() })
        }
    }

    pub fn lead_scope(&self) -> LeadScope {
        // No campaigns without `all_campaigns` is no lead at all: access is granted, never implied.
        if self.role == Role::Administrator || self.all_campaigns {
            LeadScope::All
        } else {
            LeadScope::Campaigns(self.campaigns.clone())
        }
    }

    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| self.active && role_allows(self.role, *p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_privilege_per_role() {
        let grant = |role| Grant {
            user_id: Some(1),
            username: "u".into(),
            role,
            active: true,
            campaigns: vec![],
            all_campaigns: true,
            steward: false,
        };
        assert_eq!(grant(Role::Viewer).permissions(), vec![Permission::ReadLeads, Permission::ReadHistory]);
        assert_eq!(
            grant(Role::Editor).permissions(),
            vec![Permission::ReadLeads, Permission::WriteLeads, Permission::ReadHistory, Permission::ReviewDuplicates]
        );
        assert_eq!(grant(Role::Administrator).permissions(), Permission::ALL.to_vec());
        let mut off = grant(Role::Administrator);
        off.active = false;
        assert_eq!(off.require(Permission::ReadLeads), Err(AccessError::Deactivated));
    }

    #[test]
    fn campaign_scope_ignores_case_and_admins_see_all() {
        let g = Grant {
            user_id: Some(1),
            username: "u".into(),
            role: Role::Editor,
            active: true,
            campaigns: vec!["Spring Fair".into()],
            all_campaigns: false,
            steward: false,
        };
        assert!(g.lead_scope().allows_campaign("spring fair"));
        assert!(!g.lead_scope().allows_campaign("Other"));
        let admin = Grant { role: Role::Administrator, ..g.clone() };
        assert_eq!(admin.lead_scope(), LeadScope::All);
        // Without campaigns, an Editor sees none, unless given all of them.
        let none = Grant { campaigns: vec![], ..g.clone() };
        assert!(!none.lead_scope().allows_campaign("Spring Fair") && !none.lead_scope().allows_campaign(""));
        assert_eq!(Grant { all_campaigns: true, ..g }.lead_scope(), LeadScope::All);
    }
}
