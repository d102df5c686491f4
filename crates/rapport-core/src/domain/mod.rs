//! Domain types and the rules that need no database: validation, normalization, completeness.
pub mod completeness;
pub mod email;
pub mod lead;
pub mod phone;
pub mod user;
pub mod validation;
