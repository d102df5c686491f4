//! Credentials (CalDAV passwords now; API tokens and mail later) live in the OS keychain — Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows — through the `keyring` crate, never in the
//! database, logs or error messages. Operations take a `&dyn Secrets` so tests can prove where a password
//! goes; the app and CLI pass [`OsKeychain`].

/// Why the keychain could not be used. Messages never contain the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "the system keychain is not available ({0}); on Linux, a Secret Service such as GNOME Keyring or KWallet must be running and unlocked"
    )]
    Unavailable(String),
    #[error("the system keychain refused access ({0}); unlock it and try again")]
    Locked(String),
}

pub trait Secrets: Send + Sync {
    fn set(&self, key: &str, secret: &str) -> Result<(), SecretError>;
    /// `Ok(None)` when nothing is stored under `key`.
    fn get(&self, key: &str) -> Result<Option<String>, SecretError>;
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// The OS keychain, under the service name of the app.
pub struct OsKeychain;

const SERVICE: &str = "app.rapport.desktop";

fn classify(e: keyring::Error) -> SecretError {
    // Only the error's kind goes into the message: keyring's platform errors never carry the secret, but
    // we do not rely on that.
    match e {
        keyring::Error::NoStorageAccess(_) => SecretError::Locked("no access to the secret storage".into()),
        keyring::Error::PlatformFailure(_) => SecretError::Unavailable("platform failure".into()),
        keyring::Error::BadEncoding(_) => SecretError::Unavailable("a stored value is not text".into()),
        keyring::Error::TooLong(what, _) => SecretError::Unavailable(format!("{what} too long")),
        keyring::Error::Invalid(what, _) => SecretError::Unavailable(format!("invalid {what}")),
        keyring::Error::Ambiguous(_) => SecretError::Unavailable("several entries match".into()),
        _ => SecretError::Unavailable("unknown keychain error".into()),
    }
}

impl Secrets for OsKeychain {
    fn set(&self, key: &str, secret: &str) -> Result<(), SecretError> {
        keyring::Entry::new(SERVICE, key).and_then(|e| e.set_password(secret)).map_err(classify)
    }

    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        match keyring::Entry::new(SERVICE, key).and_then(|e| e.get_password()) {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        match keyring::Entry::new(SERVICE, key).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}
