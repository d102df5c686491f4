//! Leads: their fields (one table, [`fields`]), validation and completeness (seed 2.2), storage, ranked
//! search, import and export, and the operations on them.
pub(crate) mod api;
mod completeness;
mod country;
pub mod csv;
pub mod deal;
mod email;
mod export;
pub(crate) mod fields;
mod import;
mod model;
pub(crate) mod phone;
mod postcode;
mod sample_data;
pub(crate) mod search;
pub(crate) mod store;
mod validate;

pub use api::{HistoryPage, SavedLead, COUNT_CAP, GATE_OVERRIDE};
pub(crate) use country::region_of_country;
pub use email::{normalize_email, EmailError};
pub use export::{ExportError, ExportProgress};
pub use fields::{lead_fields, LeadFieldGroup, LeadFieldInfo, LeadFieldKind, SearchTier};
pub use import::{ImportMode, ImportOutcome, ImportPhase, ImportProgress, RowError};
pub use model::{
    display_name, Address, Deal, EmailEntry, InvalidValue, Lead, LeadInput, LeadStatus, LeadSummary, MissingField,
    PhoneEntry, SourceChannel, UserRef,
};
pub use phone::{fold_digits, is_known_region, parse_phone, ParsedPhone, PhoneError};
pub(crate) use postcode::postcode_of_country;
pub use sample_data::{SampleData, SampleDataRemoval};
pub use search::IndexFloor;
pub use store::{LeadCount, LeadFacets, LeadPage, LeadQuery, LeadSort, MAX_PAGE};
pub(crate) use validate::keep_invalid_contacts;
pub(crate) use validate::shown_as_sent;
pub(crate) use validate::{clean as clean_text, unsafe_entry};
pub use validate::{validate_lead, ValidLead, ValidationContext, ValidationErrors};
