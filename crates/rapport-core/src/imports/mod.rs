//! Lead acquisition from files other programs wrote (issue 13, in progress): what a spreadsheet export
//! looks like — its delimiter, where its header row is — and which lead field each of its columns most
//! likely is, in the languages trade-fair and CRM exports come in. Pure functions so far; the wizard, the
//! dry run, batches and the capture API will build on them here.
mod mapping;
mod sniff;

pub use mapping::{suggest_mapping, ColumnSuggestion};
pub use sniff::{sniff, Sniffed};
