//! Digital capture (seed 2.1): web forms and partners post leads to an HTTP listener of the app. This folder
//! is everything but the listener itself (crates/rapport-capture, axum): sources and their tokens (secrets
//! only in the OS keychain), settings, request bodies, and each request run through the import's row
//! pipeline with its channel and source recorded.
mod api;
mod body;
mod form;
mod gravity;
mod model;
mod store;

pub use api::token_hash;
pub use body::{parse_body, BodyError};
pub use model::*;
pub(crate) use store::{add_detail_column, lead_was_submitted, references_hold};
