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

impl Rapport {
    pub fn settings(&self, actor: &Actor) -> Result<Settings> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(Settings {
                default_region: store::get(conn, "default_region")?.unwrap_or_else(|| DEFAULT_REGION.into()),
            })
        })
    }

    pub fn update_settings(&self, actor: &Actor, new: &Settings) -> Result<Settings> {
        let region = new.default_region.trim().to_ascii_uppercase();
        if !is_known_region(&region) {
            return Err(ValidationErrors::one(
                "default_region",
                format!("\"{region}\" is not a two-letter country code such as US, GB or DE"),
            )
            .into());
        }
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
