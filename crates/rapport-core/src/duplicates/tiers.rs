//! Where the tiers start, as an Administrator sets them: *same* (merged without a look once enrichment runs,
//! and shown first) and *review* (the queue). Stored as settings; every scan and every save's check reads them.
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::audit::store as changelog;
use crate::audit::Origin;
use crate::db::StoreError;
use crate::error::Result;
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;
use crate::settings::store;

/// Probabilities (0..1) that a pair is one person.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DuplicateTiers {
    /// At or above: the same person.
    pub same: f64,
    /// At or above (and below `same`): to the review queue.
    pub review: f64,
}

impl Default for DuplicateTiers {
    fn default() -> Self {
        let t = rapport_match::Thresholds::default();
        Self { same: t.same, review: t.review }
    }
}

impl DuplicateTiers {
    pub(crate) fn thresholds(self) -> rapport_match::Thresholds {
        rapport_match::Thresholds { same: self.same, review: self.review }
    }

    fn validate(self) -> Result<Self> {
        if !(0.05..=0.99).contains(&self.review) {
            return Err(ValidationErrors::one("review", "the review tier starts between 5% and 99%").into());
        }
        if !(self.same > self.review && self.same <= 0.999_999 && self.same.is_finite()) {
            return Err(ValidationErrors::one(
                "same",
                "the same-person tier starts above the review tier and at most at 99.9999%",
            )
            .into());
        }
        Ok(self)
    }
}

pub(crate) fn load(conn: &rusqlite::Connection) -> Result<DuplicateTiers, StoreError> {
    let d = DuplicateTiers::default();
    let read = |key: &str, default: f64| -> Result<f64, StoreError> {
        Ok(store::get(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(default))
    };
    Ok(DuplicateTiers { same: read("duplicate_same", d.same)?, review: read("duplicate_review", d.review)? })
}

impl Rapport {
    pub fn duplicate_tiers(&self, actor: &Actor) -> Result<DuplicateTiers> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(load(conn)?)
        })
    }

    /// Sets where the tiers start (Administrators). Pairs already in the queue keep their tier until the next
    /// scan or save of their leads.
    pub fn update_duplicate_tiers(&self, actor: &Actor, tiers: DuplicateTiers) -> Result<DuplicateTiers> {
        self.update_duplicate_tiers_as_seen(actor, None, tiers)
    }

    /// [`Rapport::update_duplicate_tiers`] from a form that read the tiers as `seen`: a tier the form left as
    /// it read keeps what is stored now (another Administrator may have changed it since), and one changed both
    /// there and here since is a conflict, nothing written. Saved whole, a form read before another's change put
    /// their tier back without a word, and the next scan merged the pairs they had wanted a person to see.
    pub fn update_duplicate_tiers_as_seen(
        &self,
        actor: &Actor,
        seen: Option<DuplicateTiers>,
        tiers: DuplicateTiers,
    ) -> Result<DuplicateTiers> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let old = load(tx)?;
            let tiers = match seen {
                None => tiers,
                Some(seen) => {
                    let take = |now: f64, seen: f64, edited: f64| -> Result<f64> {
                        if edited == seen {
                            Ok(now)
                        } else if now != seen && now != edited {
                            Err(crate::error::Error::Conflict { entity: "duplicate tiers" })
                        } else {
                            Ok(edited)
                        }
                    };
                    DuplicateTiers {
                        same: take(old.same, seen.same, tiers.same)?,
                        review: take(old.review, seen.review, tiers.review)?,
                    }
                }
            };
            let tiers = tiers.validate()?;
            if old == tiers {
                return Ok(tiers);
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            for (key, before, after) in
                [("duplicate_same", old.same, tiers.same), ("duplicate_review", old.review, tiers.review)]
            {
                if before != after {
                    store::set(tx, key, &after.to_string())?;
                    changelog::record(
                        tx,
                        &batch,
                        "setting",
                        0,
                        key,
                        Some(&before.to_string()),
                        Some(&after.to_string()),
                    )?;
                }
            }
            Ok(tiers)
        })
    }
}
