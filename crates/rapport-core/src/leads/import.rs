//! Importing many leads at once: every row validated (before the write lock is taken, so other writers are
//! not held up while thousands of rows are checked), then written in one transaction under one change batch.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::api::{insert_logged, Rules};
use super::model::{LeadInput, LeadStatus};
use super::validate::{keep_invalid_contacts, ValidLead, ValidationErrors};
use crate::access::{Actor, Grant, LeadScope, Permission};
use crate::audit::Origin;
use crate::error::{Error, FieldError, Result};
use crate::pipeline::Passage;
use crate::rapport::Rapport;
use crate::users::store as user_store;

/// A file row that could not be taken, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowError {
    /// Line number in the file (the header is line 1).
    pub line: u32,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    #[cfg_attr(feature = "specta", specta(type = Vec<specta_typescript::Number>))]
    pub created: Vec<i64>,
    pub drafts: u32,
    /// Rows saved as Drafts with invalid emails or phones kept as typed (mode KeepInvalid).
    pub kept_invalid: u32,
    pub rejected: Vec<RowError>,
    /// The change batch of the import, when anything was written.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub batch_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Any invalid row means nothing is written.
    AllOrNothing,
    /// The valid rows are written; the invalid ones are returned.
    SkipInvalid,
    /// Rows whose only faults are invalid emails or phones are saved as Drafts with those values kept as typed
    /// and flagged; rows with other faults are returned, and then nothing is written (as AllOrNothing).
    KeepInvalid,
    /// Nothing is written; every problem is returned.
    ValidateOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    Validating,
    Writing,
}

/// Where an import is: `done` of `total` rows in `phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportProgress {
    pub phase: ImportPhase,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub done: usize,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub total: usize,
}

/// What validating the rows gave.
struct Checked {
    valid: Vec<ValidLead>,
    rejected: Vec<RowError>,
    kept_invalid: u32,
}

fn check_rows(
    rows: &[(u32, LeadInput)],
    mode: ImportMode,
    validate: &dyn Fn(&LeadInput) -> Result<ValidLead>,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<Checked> {
    let mut out = Checked { valid: Vec::with_capacity(rows.len()), rejected: Vec::new(), kept_invalid: 0 };
    for (i, (line, input)) in rows.iter().enumerate() {
        if i % 500 == 0 {
            progress(ImportProgress { phase: ImportPhase::Validating, done: i, total: rows.len() });
        }
        let result = match validate(input) {
            Err(Error::Validation(errors)) if mode == ImportMode::KeepInvalid => {
                match keep_invalid_contacts(input, &errors) {
                    Some(kept) => validate(&kept).inspect(|_| out.kept_invalid += 1),
                    None => Err(Error::Validation(errors)),
                }
            }
            other => other,
        };
        match result {
            Ok(l) => out.valid.push(l),
            Err(Error::Validation(ValidationErrors { errors })) => out.rejected.push(RowError { line: *line, errors }),
            Err(Error::Access(e)) => {
                out.rejected.push(RowError { line: *line, errors: vec![FieldError::new("campaign", e.to_string())] })
            }
            Err(other) => return Err(other),
        }
    }
    progress(ImportProgress { phase: ImportPhase::Validating, done: rows.len(), total: rows.len() });
    Ok(out)
}

/// Every user, active or not, with the leads they may see: a file may name the owner a lead had, even one who
/// has left since, and keeping it is not a new assignment; but an owner must work on the lead's campaign.
fn known_owners(conn: &rusqlite::Connection) -> Result<HashMap<i64, (String, LeadScope)>> {
    let mut owners = HashMap::new();
    for id in user_store::usernames(conn)?.into_keys() {
        // A Viewer reads only: they cannot work a lead they were given.
        if let Some(g) = user_store::grant(conn, id)?.filter(|g| g.role != crate::users::Role::Viewer) {
            owners.insert(id, (g.username.clone(), g.lead_scope()));
        }
    }
    Ok(owners)
}

impl Rapport {
    /// Validates every row, then writes in one transaction. See [`ImportMode`] for what happens to invalid
    /// rows; they are always returned with every reason, so the caller can keep them (nothing is lost).
    pub fn import_leads(
        &self,
        actor: &Actor,
        rows: &[(u32, LeadInput)],
        origin: &Origin,
        mode: ImportMode,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        self.import_leads_checked(actor, rows, origin, mode, true, progress)
    }

    /// [`Rapport::import_leads`] without the duplicate check of each row against the file and the database:
    /// every row is loaded as it is (its blocking keys are still stored, so later checks and scans see it).
    pub fn import_leads_as_is(
        &self,
        actor: &Actor,
        rows: &[(u32, LeadInput)],
        origin: &Origin,
        mode: ImportMode,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        self.import_leads_checked(actor, rows, origin, mode, false, progress)
    }

    /// Seed 2.2's strict duplicate detection: loading rows without it is an Administrator's decision, as it is
    /// for the import wizard's batches.
    fn may_load_as_is(grant: &crate::access::Grant, dedup: bool) -> Result<()> {
        if dedup || grant.role == crate::users::Role::Administrator {
            return Ok(());
        }
        Err(crate::access::AccessError::Denied {
            role: grant.role.as_str(),
            action: "import without the duplicate check (an Administrator's decision)",
        }
        .into())
    }

    pub(crate) fn import_leads_checked(
        &self,
        actor: &Actor,
        rows: &[(u32, LeadInput)],
        origin: &Origin,
        mode: ImportMode,
        dedup: bool,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        // Validation reads configuration once, then runs with no lock held.
        let (rules, scope, owners) = self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::WriteLeads)?;
            Self::may_load_as_is(&grant, dedup)?;
            Ok::<_, Error>((Rules::load(conn)?, grant.lead_scope(), known_owners(conn)?))
        })?;
        let checked = check_rows(rows, mode, &|i| rules.validate_detached(i, &scope, &owners), progress)?;
        let out = self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            Self::may_load_as_is(&grant, dedup)?;
            let (rules_now, owners_now) = (Rules::load(tx)?, known_owners(tx)?);
            // Configuration or scope changed while validating (rare): validate again, now under the lock.
            let checked = if rules_now != rules || grant.lead_scope() != scope || owners_now != owners {
                let scope = grant.lead_scope();
                check_rows(rows, mode, &|i| rules_now.validate_detached(i, &scope, &owners_now), progress)?
            } else {
                checked
            };
            self.write_checked(tx, &grant, checked, origin, (mode, dedup), progress)
        })?;
        self.fold_match_keys_in_passing();
        Ok(out)
    }

    /// The whole import inside a transaction the caller holds (the first run's demo data decides "empty?" and
    /// writes in one transaction).
    pub(crate) fn import_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        rows: &[(u32, LeadInput)],
        origin: &Origin,
        mode: ImportMode,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        let (rules, scope, owners): (Rules, LeadScope, HashMap<i64, (String, LeadScope)>) =
            (Rules::load(tx)?, grant.lead_scope(), known_owners(tx)?);
        let checked = check_rows(rows, mode, &|i| rules.validate_detached(i, &scope, &owners), progress)?;
        self.write_checked(tx, grant, checked, origin, (mode, false), progress)
    }

    fn write_checked(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        checked: Checked,
        origin: &Origin,
        (mode, dedup): (ImportMode, bool),
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        let Checked { valid, rejected, kept_invalid } = checked;
        let refused = !rejected.is_empty() && matches!(mode, ImportMode::AllOrNothing | ImportMode::KeepInvalid);
        if refused || mode == ImportMode::ValidateOnly || valid.is_empty() {
            return Ok(ImportOutcome { created: vec![], drafts: 0, kept_invalid: 0, rejected, batch_id: None });
        }
        let batch = self.begin_batch(tx, grant, origin)?;
        let mut created = Vec::with_capacity(valid.len());
        let mut drafts = 0;
        for (i, lead) in valid.iter().enumerate() {
            let id = insert_logged(tx, grant, &batch, lead, Passage::Checked)?;
            // Each row is checked against the database and the rows before it, which are stored by now.
            self.index_and_check(tx, id, dedup, &batch)?;
            created.push(id);
            if lead.status == LeadStatus::Draft {
                drafts += 1;
            }
            if i % 500 == 0 {
                progress(ImportProgress { phase: ImportPhase::Writing, done: i, total: valid.len() });
            }
        }
        progress(ImportProgress { phase: ImportPhase::Writing, done: valid.len(), total: valid.len() });
        Ok(ImportOutcome { created, drafts, kept_invalid, rejected, batch_id: Some(batch.id) })
    }
}
