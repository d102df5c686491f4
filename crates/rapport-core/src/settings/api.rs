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
    /// ISO 4217 code of a deal value that names no currency ("5000" in a one-currency CRM's export). Empty until
    /// an Administrator sets one; until then such a value has no currency, and its deal cannot enter Won.
    pub default_currency: String,
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

/// The currency a deal value naming none is in, when an Administrator set one.
pub(crate) fn default_currency(conn: &rusqlite::Connection) -> Result<Option<String>> {
    Ok(store::get(conn, "default_currency")?.filter(|c| !c.is_empty()))
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
            let default_currency = default_currency(conn)?.unwrap_or_default();
            Ok(Settings { default_region: default_region(conn)?, default_currency })
        })
    }

    pub fn update_settings(&self, actor: &Actor, new: &Settings) -> Result<Settings> {
        let region = region_code(&new.default_region, "default_region")?;
        let currency = match Some(new.default_currency.trim()).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(
                crate::leads::deal::normalize_currency(c)
                    .map_err(|why| ValidationErrors::one("default_currency", why))?,
            ),
        };
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let mut batch = None;
            let changes = [("default_region", Some(region.as_str())), ("default_currency", currency.as_deref())];
            for (key, value) in changes {
                let old = store::get(tx, key)?.filter(|v| !v.is_empty());
                if old.as_deref() == value {
                    continue;
                }
                // One batch for the whole save: undone together, as it was made.
                let b = match batch.take() {
                    Some(b) => b,
                    None => self.begin_batch(tx, &grant, &Origin::manual())?,
                };
                match value {
                    Some(v) => store::set(tx, key, v)?,
                    None => store::clear(tx, key)?,
                }
                changelog::record(tx, &b, "setting", 0, key, old.as_deref(), value)?;
                batch = Some(b);
            }
            Ok(Settings { default_region: region.clone(), default_currency: currency.clone().unwrap_or_default() })
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
