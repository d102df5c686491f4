use serde::{Deserialize, Serialize};

use super::store;
use crate::access::{Actor, Permission};
use crate::audit::store as changelog;
use crate::audit::Origin;
use crate::error::Result;
use crate::leads::is_known_region;
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    /// ISO 3166 region used for phone numbers written without a country code.
    pub default_region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Stage {
    pub key: String,
    pub label: String,
    pub closed: bool,
}

pub(crate) const DEFAULT_REGION: &str = "US";

/// The region national phone numbers are read in when a lead names no country.
pub(crate) fn default_region(conn: &rusqlite::Connection) -> Result<String> {
    Ok(store::get(conn, "default_region")?.unwrap_or_else(|| DEFAULT_REGION.into()))
}

/// `code` as a region phone numbers can be read in (upper case), or the refusal, on `field`.
pub(crate) fn region_code(code: &str, field: &str) -> Result<String> {
    let region = code.trim().to_ascii_uppercase();
    if !is_known_region(&region) {
        let message = format!("\"{region}\" is not a country code: use two letters such as US, GB or DE");
        return Err(ValidationErrors::one(field, message).into());
    }
    Ok(region)
}

impl Rapport {
    pub fn settings(&self, actor: &Actor) -> Result<Settings> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(Settings { default_region: default_region(conn)? })
        })
    }

    pub fn update_settings(&self, actor: &Actor, new: &Settings) -> Result<Settings> {
        let region = region_code(&new.default_region, "default_region")?;
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let old = store::get(tx, "default_region")?;
            if old.as_deref() != Some(region.as_str()) {
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                store::set(tx, "default_region", &region)?;
                changelog::record(tx, &batch, "setting", 0, "default_region", old.as_deref(), Some(&region))?;
            }
            Ok(Settings { default_region: region.clone() })
        })
    }

    pub fn stages(&self, actor: &Actor) -> Result<Vec<Stage>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(store::stages(conn)?
                .into_iter()
                .map(|s| Stage { key: s.key, label: s.label, closed: s.closed })
                .collect())
        })
    }
}
