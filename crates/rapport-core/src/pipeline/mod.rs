//! The sales pipeline (seed section 4). So far: the stage history (every entry into and exit from a stage,
//! appended by the database in the transaction that moves the lead) and the velocity read from it (time in
//! each stage, time to close, and the stage that holds each owner's and each source's leads longest).
mod api;
pub(crate) mod history;
mod model;
mod velocity;

pub use model::*;
