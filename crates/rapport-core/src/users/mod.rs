//! Users, their roles (seed 3.1: least privilege for the job), passwords and sessions.
mod api;
mod model;
mod password;
pub(crate) mod store;

pub use api::{SessionInfo, RECOVERY_ACTOR};
pub use model::{Role, User, UserHoldings, UserInput};
pub use password::{hash_password, AuthError, MIN_PASSWORD_CHARS};
