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
    /// A sync or a disconnect with no calendar connected: "CalDAV calendar yours does not exist" said nothing
    /// of what to do.
    #[error("no CalDAV calendar is connected: connect yours first (in the app's calendar settings, or `rapport caldav connect`)")]
    NotConnected,
}
