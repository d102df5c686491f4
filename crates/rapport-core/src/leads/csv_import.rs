//! A CSV file imported as it is: parsed, owners resolved, validated and written by [`Rapport::import_leads`],
//! with every rejected row given back as the original cells plus the reasons, ready to fix and re-import. The
//! CLI and the app both call this, so a file behaves the same in both.
use serde::{Deserialize, Serialize};

use super::csv::{csv_column, read_leads, CsvError, ParsedRows};
use super::import::{ImportMode, ImportOutcome, ImportProgress, RowError};
use super::model::SourceChannel;
use crate::access::{Actor, Permission};
use crate::audit::Origin;
use crate::error::{Error, Result};
use crate::rapport::Rapport;
use crate::users::store as user_store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CsvImportReport {
    pub file_name: String,
    /// Rows with data in the file (blank lines not counted).
    pub rows: u32,
    pub outcome: ImportOutcome,
    /// Every rejected row, parsing and validation alike, in file order.
    pub rejected: Vec<RowError>,
    /// The rejected rows as CSV: line, errors, then the row's original cells.
    pub rejects_csv: Option<String>,
}

impl CsvImportReport {
    /// True when the file's rows were written (some may still have been rejected in SkipInvalid mode).
    pub fn written(&self) -> bool {
        self.outcome.batch_id.is_some()
    }
}

fn rejects_csv(parsed: &ParsedRows, rejected: &[RowError]) -> Result<String> {
    // Flexible: a ragged row is given back as it was, with its extra or missing cells.
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut header: Vec<String> = vec!["line".into(), "errors".into()];
    header.extend(parsed.headers.iter().cloned());
    let write_err = |e: csv::Error| Error::Csv(CsvError::Malformed { line: 0, message: e.to_string() });
    w.write_record(&header).map_err(write_err)?;
    for r in rejected {
        let raw = parsed.raw_lines.iter().find(|(l, _)| *l == r.line).map(|(_, v)| v.clone()).unwrap_or_default();
        let why: Vec<String> = r.errors.iter().map(|e| format!("{}: {}", csv_column(&e.field), e.message)).collect();
        let mut rec = vec![r.line.to_string(), why.join("; ")];
        rec.extend(raw);
        w.write_record(&rec).map_err(write_err)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Csv(CsvError::Malformed { line: 0, message: e.to_string() }))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

impl Rapport {
    /// Imports the CSV file `bytes` (named `file_name`, which every lead and log row records). Rows that fail
    /// before validation (a ragged row, an unknown owner) count as rejected like invalid ones, so in
    /// AllOrNothing and KeepInvalid modes any of them means nothing is written.
    pub fn import_csv(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        mode: ImportMode,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<CsvImportReport> {
        self.import_csv_checked(actor, file_name, bytes, mode, true, progress)
    }

    /// [`Rapport::import_csv`]; `dedup: false` loads every row as it is, without the duplicate check.
    pub fn import_csv_checked(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        mode: ImportMode,
        dedup: bool,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<CsvImportReport> {
        let usernames = self.db.read(|conn| {
            Self::grant(conn, actor, Permission::WriteLeads)?;
            Ok::<_, Error>(user_store::usernames(conn)?)
        })?;
        let owner = |name: &str| usernames.iter().find(|(_, u)| u.eq_ignore_ascii_case(name)).map(|(id, _)| *id);
        let parsed = read_leads(bytes, &owner, Some(SourceChannel::BulkImport))?;
        let mut rows = parsed.rows.clone();
        for (_, r) in rows.iter_mut() {
            if r.source == Some(SourceChannel::BulkImport) && r.source_detail.is_empty() {
                r.source_detail = file_name.to_string();
            }
        }
        let mode = if !parsed.rejected.is_empty() && mode != ImportMode::SkipInvalid {
            ImportMode::ValidateOnly // some rows already failed: report everything, write nothing
        } else {
            mode
        };
        let outcome = self.import_leads_checked(actor, &rows, &Origin::import(file_name), mode, dedup, progress)?;
        let mut rejected = parsed.rejected.clone();
        rejected.extend(outcome.rejected.iter().cloned());
        rejected.sort_by_key(|r| r.line);
        let rejects = if rejected.is_empty() { None } else { Some(rejects_csv(&parsed, &rejected)?) };
        Ok(CsvImportReport {
            file_name: file_name.to_string(),
            rows: parsed.raw_lines.len() as u32,
            outcome,
            rejected,
            rejects_csv: rejects,
        })
    }
}
