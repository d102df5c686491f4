//! The audit trail: one change batch per operation (who, when, why, from where) and one change-log row per
//! changed field, written in the transaction of the change itself. The same rows are the field history the
//! UI shows and the input of undo (and, later, unmerge).
pub(crate) mod store;
pub(crate) mod undo;

pub use store::{ChangeEntry, ChangeReason};

/// Why a change is being made and where it came from; written on every change-log row it causes.
#[derive(Debug, Clone)]
pub struct Origin {
    pub reason: ChangeReason,
    pub source_ref: String,
}

impl Origin {
    pub fn manual() -> Self {
        Self { reason: ChangeReason::ManualEdit, source_ref: String::new() }
    }
    pub fn import(file: impl Into<String>) -> Self {
        Self { reason: ChangeReason::Import, source_ref: file.into() }
    }
}
