//! The leads a list shows (its search and filters), or every lead one may see, written as CSV in the canonical
//! columns: what a spreadsheet opens and an import of Rapport's maps back without a question.
use std::io::Write;

use super::csv::{export_header, export_row};
use super::store::LeadQuery;
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::rapport::Rapport;

/// How many leads are written between two words to `progress` (and two chances to stop).
const PROGRESS_EVERY: u64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file or the stream the export goes to refused a write (a full disk, a closed pipe).
    #[error("could not write the export: {0}")]
    Write(std::io::Error),
    /// The file a caller saves the export in refused a write; its error names the file and folder already.
    #[error("{0}")]
    Saving(std::io::Error),
}

/// How far an export is: leads written, of how many it found (one taken out of the user's reach meanwhile is
/// left out, so it may end short of the total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportProgress {
    pub written: u32,
    pub total: u32,
}

impl Rapport {
    /// Writes as CSV the leads `query` matches (its paging fields ignored) in the list's order, or without one
    /// every lead the actor may see, oldest first; answers how many. `progress` hears how far it is once the
    /// matches are counted and every thousand leads after: answering false stops the export with
    /// [`Error::Cancelled`]. Reads in chunks, each with the actor's grant read again (see
    /// [`Rapport::for_each_lead`]), so a long export never holds the database.
    pub fn export_leads_csv(
        &self,
        actor: &Actor,
        query: Option<&LeadQuery>,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(ExportProgress) -> bool,
    ) -> Result<u64> {
        let usernames = self.usernames(actor)?;
        let username = |id: i64| usernames.get(&id).cloned().unwrap_or_default();
        let write = |e: csv::Error| Error::from(ExportError::Write(e.into()));
        let ids = self.lead_ids_matching(actor, query)?;
        let total = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        let mut told = |written: u64| {
            let written = u32::try_from(written).unwrap_or(u32::MAX);
            if progress(ExportProgress { written, total }) {
                Ok(())
            } else {
                Err(Error::Cancelled)
            }
        };
        told(0)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(export_header()).map_err(write)?;
        let mut count = 0u64;
        self.for_each_lead_of::<Error>(actor, &ids, &mut |lead| {
            w.write_record(export_row(lead, &username)).map_err(write)?;
            count += 1;
            if count.is_multiple_of(PROGRESS_EVERY) {
                told(count)?;
            }
            Ok(())
        })?;
        w.flush().map_err(|e| Error::from(ExportError::Write(e)))?;
        Ok(count)
    }
}
