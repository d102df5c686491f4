//! Lead acquisition from files (seed 2.1's bulk import): a file read as it is (CSV/TSV in any common encoding
//! and layout, or a workbook's sheet), its columns mapped to lead fields (suggested in nineteen languages,
//! editable, saved as templates), a dry run of what each row will do, a run in chunks inside one recorded
//! batch (progress, cancel, resume after a crash), the rejected rows as a CSV to fix, and undo of a whole
//! batch that keeps later edits.
mod api;
mod cell_shape;
mod decode;
mod error;
mod footers;
mod header_words;
mod mapping;
mod model;
mod names;
mod phone_region;
mod pipeline;
mod reader;
mod rows;
mod run;
mod sheet_formats;
mod sheet_reach;
mod sniff;
mod store;
mod undo;
mod workbook_repair;
mod xls_formats;
mod zip_kind;

pub use api::{apply_template, rejects_csv};
pub(crate) use cell_shape::{looks_like_email, looks_like_phone};
pub use error::ImportError;
pub use footers::{all_left_out, is_left_out};
pub(crate) use mapping::{a_fields_own_part, read_as_sent};
pub use mapping::{suggest_mapping, suggest_mapping_seen, ColumnSuggestion};
pub use model::*;
pub use rows::{default_mapping, targets};
pub use run::Runtime;
pub use sniff::{sniff, Sniffed};

pub(crate) use pipeline::{describe, RowRules};
pub(crate) use reader::RawRow;
pub(crate) use rows::{single_valued, Mapper};
pub(crate) use store::add_delimiter_column;
