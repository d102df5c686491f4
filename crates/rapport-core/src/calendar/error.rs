use crate::secrets::SecretError;

/// What only the calendar refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The message names the clashing appointment (or the time off).
    #[error("{0}")]
    DoubleBooked(String),
    #[error(transparent)]
    Keychain(#[from] SecretError),
    /// The CalDAV server could not be reached or refused; the message says which and never holds a password.
    #[error("{0}")]
    Remote(String),
}
