//! The one error shape the UI receives: a stable code to switch on, a sentence to show, and the fields at
//! fault so each message lands beside its input.
use rapport_core::{Error, ErrorCode, FieldError};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The first field at fault, if any.
    pub field: Option<String>,
    /// Every field at fault (validation reports them all at once).
    pub fields: Vec<FieldError>,
    /// With `merged_away`: the lead the one asked for was merged into, to open instead.
    #[specta(type = Option<specta_typescript::Number>)]
    pub merged_into: Option<i64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None, fields: vec![], merged_into: None }
    }

    pub fn not_signed_in() -> Self {
        Self::new(ErrorCode::SessionEnded, "You are signed out. Sign in again.")
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let fields = e.field_errors();
        Self {
            code: e.code(),
            message: e.to_string(),
            field: fields.first().map(|f| f.field.clone()),
            fields,
            merged_into: e.merged_into(),
        }
    }
}
