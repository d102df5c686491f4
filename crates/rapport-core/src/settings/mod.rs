//! Settings an Administrator changes (the default phone region) and the pipeline's stages as configured.
mod api;
pub(crate) mod store;

pub(crate) use api::{default_currency, default_region, region_code};
pub use api::{Settings, Stage};
