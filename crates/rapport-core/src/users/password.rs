//! Password hashing with Argon2id (the OWASP recommendation; the `argon2` crate of RustCrypto), salted per user.
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Deliberately the same for an unknown user and a wrong password: no hint which usernames exist.
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("this account has been deactivated; ask an administrator")]
    Deactivated,
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the first administrator already exists; sign in instead")]
    AlreadyInitialized,
    #[error("no user exists yet: create the first administrator")]
    NoUsers,
    #[error("could not hash the password: {0}")]
    Hashing(String),
}

pub fn check_password_policy(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(AuthError::PasswordTooShort)
    } else {
        Ok(())
    }
}

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hashing(e.to_string()))
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification when the user does not exist, so timing does not reveal usernames.
pub fn burn_verification(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("no user has this password").unwrap_or_default());
    let _ = verify_password(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_password("correct horse").unwrap_or_default();
        let b = hash_password("correct horse").unwrap_or_default();
        assert!(a.starts_with("$argon2id$"), "argon2id PHC string expected, got {a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("correct horsE", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check_password_policy("short"), Err(AuthError::PasswordTooShort));
        assert_eq!(check_password_policy("long enough"), Ok(()));
    }
}
