//! The crate-level error: each module has its own enum, and this one gathers them with a stable code the
//! UI switches on (never on message text) and, for validation, the fields at fault.
use serde::Serialize;

use crate::access::AccessError;
use crate::db::StoreError;
use crate::leads::ValidationErrors;
use crate::users::AuthError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Validation,
    NotFound,
    PermissionDenied,
    AuthFailed,
    Conflict,
    DatabaseReadOnly,
    DatabaseLocked,
    NotADatabase,
    DatabaseTooNew,
    Io,
    Cancelled,
    Internal,
    /// The agent is busy (or off) then; the message names the clash.
    DoubleBooked,
    /// The OS keychain is missing or locked.
    Keychain,
    /// A remote server (CalDAV) could not be reached or refused.
    Remote,
    /// A stage's entry criteria are unmet; the fields (and `activity.<kind>`) say what is missing.
    StageGate,
    /// The move waits for an Administrator's approval: request it.
    ApprovalRequired,
    /// Nobody is signed in, or the signed-in account was deactivated since: the app goes back to the sign-in.
    SessionEnded,
    /// The lead asked for was merged into another the actor may see, which the error names: go on there.
    MergedAway,
}

/// One field at fault, named by its canonical field name (`email`, `phones.1`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{entity} {id} does not exist (or is outside what you may see)")]
    NotFound { entity: &'static str, id: String },
    #[error("this {entity} was changed by someone else since you opened it; reload it and apply your change again")]
    Conflict { entity: &'static str },
    #[error("cancelled; nothing was saved")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    #[error(transparent)]
    Import(#[from] crate::imports::ImportError),
    #[error(transparent)]
    Export(#[from] crate::leads::ExportError),
    #[error("{0}")]
    // Boxed: a refusal lists what several stages ask, and every Result of the core carries this enum.
    Gate(Box<crate::pipeline::GateRefusal>),
    #[error("{0}")]
    NeedsApproval(crate::pipeline::ApprovalNeeded),
    /// Lead `id`, asked for by its id (opened, or saved from a form), lives on in lead `into` since a merge.
    #[error("this lead was merged into {name} (lead {into}), where its details and history are now")]
    MergedAway { id: i64, into: i64, name: String },
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::Access(crate::access::AccessError::Deactivated | crate::access::AccessError::PasswordChanged) => {
                ErrorCode::SessionEnded
            }
            Error::Access(_) => ErrorCode::PermissionDenied,
            Error::Auth(_) => ErrorCode::AuthFailed,
            Error::Store(e) => e.code(),
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Internal(_) => ErrorCode::Internal,
            Error::Import(e) => e.code(),
            Error::Export(_) => ErrorCode::Io,
            Error::Gate(_) => ErrorCode::StageGate,
            Error::NeedsApproval(_) => ErrorCode::ApprovalRequired,
            Error::MergedAway { .. } => ErrorCode::MergedAway,
            Error::Calendar(crate::calendar::CalendarError::DoubleBooked(_)) => ErrorCode::DoubleBooked,
            Error::Calendar(crate::calendar::CalendarError::Keychain(_)) => ErrorCode::Keychain,
            Error::Calendar(crate::calendar::CalendarError::Remote(_)) => ErrorCode::Remote,
            Error::Calendar(crate::calendar::CalendarError::NotConnected) => ErrorCode::NotFound,
        }
    }

    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Error::Validation(v) => v.errors.clone(),
            Error::Gate(g) => g.field_errors(),
            // The form can point at the campaign the actor may not use.
            Error::Access(e @ crate::access::AccessError::OutsideCampaigns(_)) => {
                vec![FieldError::new("campaign", e.to_string())]
            }
            _ => vec![],
        }
    }
}

impl Error {
    /// The lead this error sends the user on to: the one a lead asked for was merged into.
    pub fn merged_into(&self) -> Option<i64> {
        match self {
            Error::MergedAway { into, .. } => Some(*into),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(StoreError::from(e))
    }
}
