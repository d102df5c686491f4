//! The import operations the app and the CLI call: staging and previewing a file, the dry run, the rejected
//! rows as CSV, and mapping templates. Running, resuming and undoing are in `run.rs` and `undo.rs`.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::error::ImportError;
use super::model::{
    ColumnMapping, DryRunReport, FilePreview, ImportPlan, ImportTemplate, ImportTemplateInput, NaturalKey,
    OutcomeCounts, RowAction, RowPlan, RunPhase, RunProgress, DRY_RUN_ROWS_SHOWN, ERROR_COLUMN, IGNORE,
};
use super::pipeline::rejected;
use super::reader::{self, RawRow};
use super::rows::{default_mapping_seen, targets};
use super::store;
use crate::access::{Actor, Permission};
use crate::audit::Origin;
use crate::error::{Error, Result};
use crate::leads::{normalize_email, ValidationErrors};
use crate::rapport::Rapport;

const SAMPLE_ROWS: usize = 20;
/// Rows read after the sample to tell which country the file's phone numbers are written for.
const REGION_ROWS: usize = 500;

/// The country the national phone numbers of `rows` (those that name no country) are written for, when it is
/// not `default` and they tell (see [`super::phone_region::likely_region`]).
fn phone_region_of<'a>(
    mapping: &[ColumnMapping],
    rows: impl Iterator<Item = &'a Vec<String>>,
    default: &str,
) -> Option<String> {
    let columns = |fields: &[&str]| -> Vec<usize> {
        mapping.iter().enumerate().filter(|(_, m)| fields.contains(&m.target.as_str())).map(|(i, _)| i).collect()
    };
    let (phones, emails, country) =
        (columns(&["phone", "other_phones"]), columns(&["email", "other_emails"]), columns(&["country"]));
    let cell = |row: &'a Vec<String>, i: usize| row.get(i).map(String::as_str).unwrap_or_default();
    let mut numbers: Vec<&str> = Vec::new();
    let mut addresses: Vec<&str> = Vec::new();
    let mut countries: HashMap<String, usize> = HashMap::new();
    let mut with_country = 0;
    for row in rows {
        let named = country.iter().map(|&i| cell(row, i).trim()).find(|c| !c.is_empty());
        if let Some(named) = named {
            with_country += 1;
            if let Some(region) = crate::leads::region_of_country(named) {
                *countries.entry(region).or_default() += 1;
            }
            continue;
        }
        numbers.extend(phones.iter().map(|&i| cell(row, i)).filter(|c| !c.trim().is_empty()));
        addresses.extend(emails.iter().map(|&i| cell(row, i)).filter(|c| c.contains('@')));
    }
    let has_numbers = !numbers.is_empty();
    super::phone_region::likely_region(numbers, addresses, default).or_else(|| {
        // Too few rows without a country to tell: the country most of the file's rows name (a Dutch list
        // with one row whose country cell was left empty), when nearly all of them name it.
        let (region, n) = countries.into_iter().max_by_key(|(_, n)| *n)?;
        let most = n >= 5 && n * 10 >= with_country * 9;
        (has_numbers && most && region != default).then_some(region)
    })
}

/// Rows a dry run rehearses per transaction (each rolled back): it holds the writer briefly.
const REHEARSAL_ROWS: usize = 500;

/// How long a staged file no import may resume from is kept: a wizard left open over a long weekend still runs.
pub const STAGED_KEPT: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Who staged a file, as written beside it.
fn stager(actor: &Actor) -> String {
    actor.user_id().map(|id| id.to_string()).unwrap_or_default()
}

fn staged_id_ok(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Rapport {
    /// Keeps a copy of a file the app was given (so a run, and a resume after a crash, read it from disk) and
    /// previews it.
    pub fn stage_import_file(&self, actor: &Actor, file_name: &str, bytes: &[u8]) -> Result<FilePreview> {
        self.db.read(|c| Self::grant(c, actor, Permission::WriteLeads).map(|_| ()))?;
        let dir = self.imports_dir();
        std::fs::create_dir_all(&dir).map_err(ImportError::Io)?;
        let mut token = [0u8; 16];
        getrandom::fill(&mut token).map_err(|e| Error::Internal(e.to_string()))?;
        let id: String = token.iter().map(|b| format!("{b:02x}")).collect();
        let name = Path::new(file_name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::write(dir.join(format!("staged-{id}")), bytes).map_err(ImportError::Io)?;
        std::fs::write(dir.join(format!("staged-{id}.name")), &name).map_err(ImportError::Io)?;
        std::fs::write(dir.join(format!("staged-{id}.by")), stager(actor)).map_err(ImportError::Io)?;
        self.preview_import(actor, &id, None)
    }

    /// The path and name of a file `actor` staged. Another user's is as good as absent: the file holds what its
    /// stager was given, perhaps leads of campaigns others do not work on.
    pub fn staged_import_file(&self, actor: &Actor, file_id: &str) -> Result<(PathBuf, String)> {
        let dir = self.imports_dir();
        let path = dir.join(format!("staged-{file_id}"));
        if !staged_id_ok(file_id) || !path.exists() {
            return Err(ImportError::NoStagedFile(file_id.to_string()).into());
        }
        // Staged before stagers were written down: anyone who may import, as then.
        match std::fs::read_to_string(dir.join(format!("staged-{file_id}.by"))) {
            Ok(by) if by != stager(actor) => return Err(ImportError::NoStagedFile(file_id.to_string()).into()),
            _ => {}
        }
        let name =
            std::fs::read_to_string(dir.join(format!("staged-{file_id}.name"))).unwrap_or_else(|_| "file".into());
        Ok((path, name))
    }

    /// Removes the copies of files staged more than [`STAGED_KEPT`] ago that no import may resume from: each
    /// file given to the wizard is kept beside the database, and they added up for ever. Returns how many.
    pub fn sweep_staged_files(&self) -> Result<usize> {
        let dir = self.imports_dir();
        let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(0) };
        let still_read: Vec<PathBuf> =
            self.db.read(|c| Ok::<_, Error>(store::files_still_read(c)?))?.into_iter().map(PathBuf::from).collect();
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_prefix("staged-").filter(|id| staged_id_ok(id)) else { continue };
            let path = entry.path();
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| now.duration_since(at).is_ok_and(|age| age > STAGED_KEPT));
            // Recorded canonical (run.rs): the folder as the database was opened may be a link, or relative.
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !old || still_read.iter().any(|p| p == &path || p == &canonical) {
                continue;
            }
            for file in [path.clone(), dir.join(format!("staged-{id}.name")), dir.join(format!("staged-{id}.by"))] {
                if let Err(e) = std::fs::remove_file(&file) {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        tracing::warn!(file = %file.display(), error = %e, "a staged import file could not be removed");
                    }
                }
            }
            removed += 1;
        }
        Ok(removed)
    }

    pub fn preview_import(&self, actor: &Actor, file_id: &str, sheet: Option<&str>) -> Result<FilePreview> {
        let (path, name) = self.staged_import_file(actor, file_id)?;
        self.preview_import_path(actor, &path, file_id, &name, sheet)
    }

    /// What a file looks like to the wizard: format, encoding, delimiter, header, first rows and the suggested
    /// mapping.
    pub fn preview_import_path(
        &self,
        actor: &Actor,
        path: &Path,
        file_id: &str,
        file_name: &str,
        sheet: Option<&str>,
    ) -> Result<FilePreview> {
        let default_region = self.importer_default_region(actor)?;
        let mut opened = reader::open(path, sheet)?;
        let sample: Vec<Vec<String>> =
            opened.rows.by_ref().take(SAMPLE_ROWS).filter_map(|r| r.ok()).map(|r| r.cells).collect();
        let suggested = default_mapping_seen(&opened.headers, &sample);
        // The numbers of more rows than are shown: a title's or a company's switchboard repeated at the top of a
        // list says little.
        let more: Vec<Vec<String>> =
            opened.rows.by_ref().take(REGION_ROWS).filter_map(|r| r.ok()).map(|r| r.cells).collect();
        let phone_region = phone_region_of(&suggested, sample.iter().chain(&more), &default_region);
        Ok(FilePreview {
            file_id: file_id.to_string(),
            file_name: file_name.to_string(),
            format: opened.format,
            encoding: opened.encoding.map(|e| e.name().to_string()),
            delimiter: opened.delimiter.map(|d| (d as char).to_string()),
            sheets: opened.sheets.clone(),
            sheet: opened.sheet.clone(),
            header_line: opened.header_line,
            suggested,
            headers: opened.headers,
            sample,
            targets: targets(),
            phone_region,
        })
    }

    /// The default region (Settings) national numbers are read in, for someone who may import.
    fn importer_default_region(&self, actor: &Actor) -> Result<String> {
        self.db.read(|c| {
            Self::grant(c, actor, Permission::WriteLeads)?;
            crate::settings::default_region(c)
        })
    }

    /// The country a staged file's national phone numbers are written for, read with `mapping` (the user's, in
    /// the wizard) rather than the suggested one: None when it is the default region or they do not tell.
    pub fn import_phone_region(
        &self,
        actor: &Actor,
        file_id: &str,
        sheet: Option<&str>,
        mapping: &[ColumnMapping],
    ) -> Result<Option<String>> {
        let (path, _) = self.staged_import_file(actor, file_id)?;
        self.import_phone_region_path(actor, &path, sheet, mapping)
    }

    /// [`Self::import_phone_region`] of a file on disk.
    pub fn import_phone_region_path(
        &self,
        actor: &Actor,
        path: &Path,
        sheet: Option<&str>,
        mapping: &[ColumnMapping],
    ) -> Result<Option<String>> {
        let default_region = self.importer_default_region(actor)?;
        let opened = reader::open(path, sheet)?;
        let rows: Vec<Vec<String>> =
            opened.rows.take(SAMPLE_ROWS + REGION_ROWS).filter_map(|r| r.ok()).map(|r| r.cells).collect();
        Ok(phone_region_of(mapping, rows.iter(), &default_region))
    }

    /// What each row of the file would do, done exactly as the run does it, chunk by chunk, and rolled back.
    /// A row whose natural key repeats one that an earlier chunk creates is shown as updating it.
    pub fn dry_run_import(
        &self,
        actor: &Actor,
        path: &Path,
        file_name: &str,
        plan: &ImportPlan,
    ) -> Result<DryRunReport> {
        self.dry_run_import_following(actor, path, file_name, plan, &mut |_| {})
    }

    /// [`Self::dry_run_import`], saying how far it has come after every rehearsal.
    pub fn dry_run_import_following(
        &self,
        actor: &Actor,
        path: &Path,
        file_name: &str,
        plan: &ImportPlan,
        progress: &mut dyn FnMut(RunProgress),
    ) -> Result<DryRunReport> {
        self.dry_run_carrying(actor, path, file_name, plan, super::pipeline::CARRIED_LEADS, None, progress)
    }

    /// The dry run of a file `actor` staged, saying how far it has come after every rehearsal (a large file
    /// into a large database takes as long as its import) and stopping with [`Error::Cancelled`] at the next
    /// one after [`Self::cancel_dry_run`].
    pub fn dry_run_staged(
        &self,
        actor: &Actor,
        file_id: &str,
        plan: &ImportPlan,
        progress: &mut dyn FnMut(RunProgress),
    ) -> Result<DryRunReport> {
        let (path, name) = self.staged_import_file(actor, file_id)?;
        let checking = self.imports.checks.follow(file_id.to_string());
        let carried = super::pipeline::CARRIED_LEADS;
        self.dry_run_carrying(actor, &path, &name, plan, carried, Some(checking.flag()), progress)
    }

    /// Stops the dry run of staged file `file_id` before its next rehearsal. False: none runs (it ended).
    pub fn cancel_dry_run(&self, actor: &Actor, file_id: &str) -> Result<bool> {
        // Only who staged the file may stop its check.
        self.staged_import_file(actor, file_id)?;
        Ok(self.imports.checks.cancel(file_id))
    }

    /// [`Self::dry_run_import`], carrying at most `carried` created leads from one rehearsal to the next.
    #[allow(clippy::too_many_arguments)]
    fn dry_run_carrying(
        &self,
        actor: &Actor,
        path: &Path,
        file_name: &str,
        plan: &ImportPlan,
        carried: usize,
        cancel: Option<&AtomicBool>,
        progress: &mut dyn FnMut(RunProgress),
    ) -> Result<DryRunReport> {
        let cancelled = || cancel.is_some_and(|c| c.load(Ordering::SeqCst));
        // Counted before the file is opened to be read: a workbook's sheet is held in memory once at a time.
        let total = reader::count_rows(path, plan.sheet.as_deref())?;
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let mut opened = reader::open(path, plan.sheet.as_deref())?;
        let mapper = self.mapper_for(path, &opened, plan, file_name)?;
        let started = Instant::now();
        let mut report = |done: u32, counts: &OutcomeCounts| {
            let secs = started.elapsed().as_secs_f64();
            // No pace before a first rehearsal has ended, nor one measured on a few milliseconds.
            let rate = if done > 0 && secs > 0.05 { f64::from(done) / secs } else { 0.0 };
            let left = total.saturating_sub(done);
            progress(RunProgress {
                batch_id: 0,
                phase: RunPhase::Checking,
                rows_done: done,
                rows_total: Some(total),
                rows_per_second: rate,
                eta_seconds: (rate > 0.0).then(|| f64::from(left) / rate),
                counts: counts.clone(),
            })
        };
        let mut counts = OutcomeCounts::default();
        let mut keepable = 0;
        let mut gated = 0;
        let (mut rejects, mut others): (Vec<RowPlan>, Vec<RowPlan>) = (vec![], vec![]);
        let mut created_keys: HashMap<String, u32> = HashMap::new();
        // What earlier rehearsals created, so a row is checked against the file's earlier rows as in the run.
        let mut rehearsal = super::pipeline::Rehearsal::carrying(carried);
        let mut rows = opened.rows.by_ref().peekable();
        let _cache = self.db.bulk_cache();
        report(0, &counts);
        while rows.peek().is_some() {
            if cancelled() {
                return Err(Error::Cancelled);
            }
            let chunk: Vec<_> = rows.by_ref().take(REHEARSAL_ROWS).collect();
            let rehearsing = &mut rehearsal;
            let plans = self.db.rehearse(|tx| {
                let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
                let rules = Self::row_rules(tx, &grant, plan)?;
                let batch = self.begin_batch(tx, &grant, &Origin::import(file_name))?;
                let mut out = Vec::with_capacity(chunk.len());
                for row in chunk {
                    let (row, unread) = match row {
                        Ok(r) => (r, None),
                        Err(ImportError::Malformed { line, message, cells }) => {
                            (RawRow { line: line as u32, cells }, Some(crate::error::FieldError::new("row", message)))
                        }
                        Err(e) => return Err(e.into()),
                    };
                    let (read, origins) = mapper.read(&row);
                    let p: RowPlan = match (unread, read) {
                        (Some(why), _) => rejected(row.line, String::new(), vec![why]),
                        (None, Err(errors)) => rejected(row.line, mapper.name_of(&row), errors),
                        (None, Ok(input)) => {
                            let key = natural_key(plan.key, &input);
                            match key.as_ref().and_then(|k| created_keys.get(k)) {
                                Some(&first) => super::pipeline::rehearsed_update(
                                    tx, &grant, &rules, rehearsing, first, row.line, input,
                                )?,
                                None => {
                                    // Every address the lead will hold finds it, as the run's key lookup does.
                                    let keys = all_keys(plan.key, &input);
                                    let p = self.import_row(
                                        tx,
                                        &grant,
                                        &rules,
                                        &batch,
                                        row.line,
                                        input,
                                        Some(&mut *rehearsing),
                                    )?;
                                    if matches!(
                                        p.action,
                                        RowAction::CreateActive | RowAction::CreateDraft | RowAction::Review
                                    ) {
                                        // As many as the leads it carries: the report says from which line
                                        // rows are no longer checked against one another, and memory stays
                                        // flat on a file of millions.
                                        for k in keys {
                                            if created_keys.len() < carried {
                                                created_keys.entry(k).or_insert(row.line);
                                            }
                                        }
                                    }
                                    p
                                }
                            }
                        }
                    };
                    let mut p = p;
                    mapper.name_columns(&mut p.errors, &origins);
                    if p.action == RowAction::Reject {
                        p.cells = row.cells.clone();
                    }
                    p.detail =
                        if p.action == RowAction::Reject { super::pipeline::describe(&p.errors) } else { p.detail };
                    out.push(p);
                }
                Ok::<_, Error>(out)
            })?;
            rehearsal.rolled_back();
            // The leads this rehearsal created are gone with it: a later row of it that names one (unchanged,
            // filled, queued beside it) names the line that creates it, as rows of later rehearsals do.
            let created: HashMap<i64, u32> = plans
                .iter()
                .filter(|p| matches!(p.action, RowAction::CreateActive | RowAction::CreateDraft | RowAction::Review))
                .filter_map(|p| p.lead_id.map(|id| (id, p.line)))
                .collect();
            for mut p in plans {
                counts.add(p.action);
                keepable += u32::from(p.keepable);
                gated += u32::from(p.gated);
                if matches!(p.action, RowAction::CreateActive | RowAction::CreateDraft | RowAction::Review) {
                    p.lead_id = None; // rolled back: the id is not the one the run will give
                } else if p.lead_id.is_some_and(|id| created.contains_key(&id)) {
                    p.lead_id = None;
                }
                p.detail = naming_created_lines(&p.detail, &created);
                if p.action == RowAction::Reject {
                    if rejects.len() < DRY_RUN_ROWS_SHOWN {
                        rejects.push(p);
                    }
                } else if others.len() < DRY_RUN_ROWS_SHOWN {
                    others.push(p);
                }
            }
            report(counts.total(), &counts);
        }
        let room = DRY_RUN_ROWS_SHOWN.saturating_sub(rejects.len());
        rejects.extend(others.into_iter().take(room));
        Ok(DryRunReport {
            rows: counts.total(),
            counts,
            unmapped: mapper.ignored(),
            rows_shown: rejects,
            checked_apart_from: rehearsal.full_at,
            keepable,
            gated,
        })
    }

    /// The file import `id` reads (a resume reads it again, and its rejected rows are written beside it).
    pub fn import_file_path(&self, actor: &Actor, id: i64) -> Result<std::path::PathBuf> {
        Ok(self.import_batch_row(actor, id)?.file_path.into())
    }

    /// The rejected rows of import `id` as CSV (see [`rejects_csv`]), in memory: for a small import, or a test.
    /// A file is written with [`Rapport::write_import_rejects`].
    pub fn import_rejects_csv(&self, actor: &Actor, id: i64) -> Result<String> {
        let mut out = Vec::new();
        self.write_import_rejects(actor, id, &mut out)?;
        String::from_utf8(out).map_err(|e| Error::Internal(e.to_string()))
    }

    /// Writes the rejected rows of import `id` to `out` as CSV (see [`rejects_csv`]), one row at a time, so a
    /// file of a million rejected rows takes no more memory than one. Fix it and import it again. Answers how
    /// many rows it wrote.
    pub fn write_import_rejects(&self, actor: &Actor, id: i64, out: &mut dyn std::io::Write) -> Result<u64> {
        let b = self.import_batch_row(actor, id)?;
        let headers: Vec<String> = b.plan.mapping.iter().map(|m| m.column.clone()).collect();
        // Written as the file was (a German export's semicolons, which a German spreadsheet splits on): as the
        // batch recorded it, or, for an import made before it did, as the file says while it is there.
        let delimiter = Some(b.delimiter.clone()).filter(|d| !d.is_empty()).or_else(|| {
            super::reader::open(std::path::Path::new(&b.file_path), b.plan.sheet.as_deref())
                .ok()
                .and_then(|o| o.delimiter)
                .map(char::from)
                .map(String::from)
        });
        self.db.read(|c| {
            let width = store::rejects_width(c, id)?;
            let mut w = RejectsWriter::new(out, &headers, width, delimiter.as_deref())?;
            let mut written = 0;
            store::for_each_reject(c, id, &mut |(line, cells, errors)| {
                written += 1;
                w.row(line, &cells, &errors)
            })?;
            w.finish()?;
            Ok(written)
        })
    }

    pub fn import_templates(&self, actor: &Actor) -> Result<Vec<ImportTemplate>> {
        self.db.read(|c| {
            Self::grant_to(c, actor, Permission::WriteLeads, "import leads, nor see import templates")?;
            Ok(store::templates(c)?)
        })
    }

    pub fn save_import_template(&self, actor: &Actor, input: &ImportTemplateInput) -> Result<ImportTemplate> {
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(ValidationErrors::one("name", "a template needs a name of at most 80 characters").into());
        }
        let known: Vec<String> = targets().into_iter().map(|t| t.target).collect();
        if let Some(m) = input.mapping.iter().find(|m| !known.contains(&m.target)) {
            return Err(ValidationErrors::one("mapping", format!("\"{}\" is not a lead field", m.target)).into());
        }
        let t = ImportTemplate {
            name: name.to_string(),
            mapping: input.mapping.clone(),
            key: input.key,
            updated_at: self.now(),
        };
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            // Names are one template whatever their letters' case (the table's NOCASE).
            let old = store::templates(tx)?.into_iter().find(|o| o.name.eq_ignore_ascii_case(&t.name));
            // Saved again as it is: nothing changes, nothing is logged.
            if let Some(same) = old.as_ref().filter(|o| (&o.name, &o.mapping, o.key) == (&t.name, &t.mapping, t.key)) {
                return Ok(same.clone());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            store::save_template(tx, &t)?;
            log_template(tx, &batch, &t.name, old.as_ref(), Some(&t))?;
            Ok(t)
        })
    }

    pub fn delete_import_template(&self, actor: &Actor, name: &str) -> Result<()> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let Some(old) = store::templates(tx)?.into_iter().find(|o| o.name.eq_ignore_ascii_case(name)) else {
                return Err(Error::NotFound { entity: "template", id: name.to_string() });
            };
            store::delete_template(tx, name)?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            log_template(tx, &batch, name, Some(&old), None)
        })
    }
}

/// A template saved, replaced or deleted, in the change log (entity `import_template`, the field its name): who
/// changed the mapping a team imports with, and what it was before.
fn log_template(
    tx: &rusqlite::Transaction<'_>,
    batch: &crate::audit::store::BatchId,
    name: &str,
    old: Option<&ImportTemplate>,
    new: Option<&ImportTemplate>,
) -> Result<()> {
    let text = |t: &ImportTemplate| serde_json::json!({ "mapping": t.mapping, "key": t.key }).to_string();
    crate::audit::store::record(
        tx,
        batch,
        "import_template",
        0,
        name,
        old.map(text).as_deref(),
        new.map(text).as_deref(),
    )?;
    Ok(())
}

/// Rejected rows as CSV, split as the file was (`delimiter`, a comma when unknown): the file's columns as they
/// were (a ragged row keeps all its cells: a row longer than the header gets columns without a name, so the
/// reason stays under its own heading), plus why, with the line; UTF-8 with a byte order mark, so spreadsheet
/// programs read accents right, and cells a spreadsheet would run as formulas guarded as the lead export guards
/// them (an import takes the guard off again).
pub fn rejects_csv(
    headers: &[String],
    rows: &[(u32, Vec<String>, Vec<crate::error::FieldError>)],
    delimiter: Option<&str>,
) -> Result<String> {
    let width = rows.iter().map(|(_, cells, _)| cells.len()).max().unwrap_or(0);
    let mut out = Vec::new();
    let mut w = RejectsWriter::new(&mut out, headers, width, delimiter)?;
    for (line, cells, errors) in rows {
        w.row(*line, cells, errors)?;
    }
    w.finish()?;
    String::from_utf8(out).map_err(|e| Error::Internal(e.to_string()))
}

/// The rejected rows' file as it is written (see [`rejects_csv`]): its header first, then a row at a time.
struct RejectsWriter<'a> {
    w: csv::Writer<&'a mut dyn std::io::Write>,
    width: usize,
}

impl<'a> RejectsWriter<'a> {
    /// `width`: the most cells a row has; the file is as wide as that or the header, whichever is wider.
    fn new(out: &'a mut dyn std::io::Write, headers: &[String], width: usize, delimiter: Option<&str>) -> Result<Self> {
        let delimiter = delimiter.and_then(|d| d.bytes().next()).filter(|d| d.is_ascii()).unwrap_or(b',');
        out.write_all("\u{feff}".as_bytes()).map_err(ImportError::WriteRejects)?;
        let w = csv::WriterBuilder::new().flexible(true).delimiter(delimiter).from_writer(out);
        let mut this = Self { w, width: width.max(headers.len()) };
        // The file's own header cells are the file's text too, and run as formulas alike.
        let mut header: Vec<String> = headers.iter().cloned().map(crate::leads::csv::guard_cell).collect();
        header.resize(this.width, String::new());
        header.push(ERROR_COLUMN.to_string());
        this.write(&header)?;
        Ok(this)
    }

    fn row(&mut self, line: u32, cells: &[String], errors: &[crate::error::FieldError]) -> Result<()> {
        let why: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        // A cell that came guarded (a file exported by Rapport) is guarded once, not twice: the import takes one
        // guard off, and a second would stay in the lead.
        let mut cells: Vec<String> = cells
            .iter()
            .map(|c| crate::leads::csv::guard_cell(crate::leads::csv::unguard_cell(c).to_string()))
            .collect();
        // Padded, never cut: the width is the widest row's.
        cells.extend(std::iter::repeat_n(String::new(), self.width.saturating_sub(cells.len())));
        cells.push(format!("line {line}: {}", why.join("; ")));
        self.write(&cells)
    }

    fn write(&mut self, record: &[String]) -> Result<()> {
        self.w.write_record(record).map_err(|e| ImportError::WriteRejects(e.into()).into())
    }

    fn finish(mut self) -> Result<()> {
        self.w.flush().map_err(|e| ImportError::WriteRejects(e).into())
    }
}

/// A template applied to a file: columns it names get its target, others keep the suggestion.
pub fn apply_template(
    suggested: &[super::model::ColumnMapping],
    template: &ImportTemplate,
) -> Vec<super::model::ColumnMapping> {
    // A header that repeats ("Email", "Email") takes the n-th entry of its name, as the run maps it; names
    // compare in any letters' case ("Région", "RÉGION").
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    suggested
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let nth = suggested[..i].iter().filter(|o| same(&o.column, &s.column)).count();
            (s, template.mapping.iter().filter(|t| same(&t.column, &s.column)).nth(nth))
        })
        .map(|(s, found)| match found {
            Some(t) => super::model::ColumnMapping { column: s.column.clone(), target: t.target.clone() },
            None if s.column == ERROR_COLUMN => {
                super::model::ColumnMapping { column: s.column.clone(), target: IGNORE.into() }
            }
            None => s.clone(),
        })
        .collect()
}

/// Every key the lead made of `input` is found by: each of its addresses, or its external reference.
fn all_keys(key: Option<NaturalKey>, input: &crate::leads::LeadInput) -> Vec<String> {
    match key {
        Some(NaturalKey::Email) => {
            input.emails.iter().filter_map(|e| normalize_email(e).ok()).map(|e| e.to_lowercase()).collect()
        }
        Some(NaturalKey::ExternalRef) => natural_key(key, input).into_iter().collect(),
        None => Vec::new(),
    }
}

fn natural_key(key: Option<NaturalKey>, input: &crate::leads::LeadInput) -> Option<String> {
    match key? {
        NaturalKey::Email => input.emails.first().and_then(|e| normalize_email(e).ok()).map(|e| e.to_lowercase()),
        NaturalKey::ExternalRef => Some(input.external_ref.trim().to_string()).filter(|r| !r.is_empty()),
    }
}

impl Rapport {
    /// `rapport bench --import`'s ceiling: `rows`, validated beforehand (untimed), written by the store's own
    /// prepared statements into the same tables, indexes and search index as an import's, in one transaction,
    /// committed. No change log, no duplicate keys, no chunks: what an import adds to this is its cost. Returns
    /// the rows written and the time the writing and the commit took. It writes: run it on a copy.
    #[doc(hidden)]
    pub fn bench_plain_insert(
        &self,
        actor: &Actor,
        rows: &[crate::leads::LeadInput],
    ) -> Result<(usize, std::time::Duration)> {
        // It writes leads with no change log: an Administrator's measurement, on a copy.
        self.db.read(|c| {
            let grant = Self::grant(c, actor, Permission::WriteLeads)?;
            if grant.role != crate::users::Role::Administrator {
                let action = "write leads without their change log (the import bench)";
                return Err(crate::access::AccessError::Denied { role: grant.role.as_str(), action }.into());
            }
            Ok::<_, Error>(())
        })?;
        let at = self.now();
        let valid = self.db.read(|c| {
            let rules = crate::leads::api::Rules::load(c)?;
            let all = crate::access::LeadScope::All;
            Ok::<_, Error>(rows.iter().filter_map(|r| rules.validate(c, r, &all, None).ok()).collect::<Vec<_>>())
        })?;
        let started = std::time::Instant::now();
        self.db.write(|tx| {
            for lead in &valid {
                crate::leads::store::insert(tx, lead, &at)?;
            }
            Ok::<_, Error>(())
        })?;
        Ok((valid.len(), started.elapsed()))
    }
}

/// `detail` with each "lead ID" of a lead a rolled-back rehearsal created said as "the lead line N creates".
fn naming_created_lines(detail: &str, created: &HashMap<i64, u32>) -> String {
    if created.is_empty() || !detail.contains("lead ") {
        return detail.to_string();
    }
    let mut out = String::with_capacity(detail.len());
    let mut rest = detail;
    while let Some(at) = rest.find("lead ") {
        let after = &rest[at + 5..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let line = after[..digits].parse::<i64>().ok().and_then(|id| created.get(&id));
        match line {
            Some(line) => {
                out.push_str(&rest[..at]);
                out.push_str(&format!("the lead line {line} creates"));
            }
            None => out.push_str(&rest[..at + 5 + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rehearsed_lead_is_named_by_the_line_that_creates_it() {
        let created = std::collections::HashMap::from([(61, 12), (6, 3)]);
        let name = |d: &str| super::naming_created_lines(d, &created);
        assert_eq!(name("lead 61 already holds these values"), "the lead line 12 creates already holds these values");
        assert_eq!(name("fills email of lead 6"), "fills email of the lead line 3 creates");
        assert_eq!(name("may be Ann Lee (lead 610, 97% likely)"), "may be Ann Lee (lead 610, 97% likely)");
        assert_eq!(
            name("may be Ann (lead 6, 97%) and lead 61"),
            "may be Ann (the lead line 3 creates, 97%) and the lead line 12 creates"
        );
        assert_eq!(name("leads 61"), "leads 61");
    }

    use super::*;

    /// A refused row's cell that a spreadsheet would run as a formula is guarded in the rejected rows, as in
    /// the lead export; the import takes the guard off again.
    #[test]
    fn rejected_rows_guard_formulas() {
        let headers = vec!["name".to_string(), "phone".to_string(), "@SUM(1)".to_string()];
        let cells = vec!["=HYPERLINK(\"http://x\")".to_string(), "+44 20".to_string(), "'- call back".to_string()];
        let csv = rejects_csv(&headers, &[(2, cells, vec![])], None).unwrap_or_else(|e| panic!("{e}"));
        let header = csv.lines().next().unwrap_or_default();
        assert_eq!(header, "\u{feff}name,phone,'@SUM(1),import_error", "the file's header is guarded too");
        let line = csv.lines().nth(1).unwrap_or_default();
        assert!(line.starts_with("\"'=HYPERLINK(\"\"http://x\"\")\",'+44 20,'- call back,"), "{line}");
        assert_eq!(crate::leads::csv::unguard_cell("'+44 20"), "+44 20");
    }

    /// Bob, an Editor of every campaign: another user who may import.
    fn editor_bob(core: &Rapport, admin: &Actor) -> Actor {
        let input = crate::users::UserInput {
            username: "bob".into(),
            display_name: "Bob".into(),
            role: crate::users::Role::Editor,
            active: true,
            campaigns: vec![],
            all_campaigns: true,
        };
        core.create_user(admin, &input, "correct horse battery").unwrap_or_else(|e| panic!("{e}"));
        core.sign_in("bob", "correct horse battery").unwrap_or_else(|e| panic!("{e}"))
    }

    /// A staged file is its stager's: another user, who may import too, is told there is no such file.
    #[test]
    fn a_staged_file_is_only_its_stagers() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let bob = editor_bob(&core, &admin);
        let staged = core
            .stage_import_file(&bob, "leads.csv", b"first_name,last_name,email\nAnn,Lee,ann@lee.io\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let (path, name) = core.staged_import_file(&bob, &staged.file_id).unwrap_or_else(|e| panic!("{e}"));
        assert!(path.exists() && name == "leads.csv");
        for other in [
            core.staged_import_file(&admin, &staged.file_id).map(|_| ()),
            core.preview_import(&admin, &staged.file_id, None).map(|_| ()),
        ] {
            assert!(matches!(other, Err(Error::Import(ImportError::NoStagedFile(_)))), "{other:?}");
        }
    }

    /// A dry run says how far it has come after every rehearsal, and a cancel by its stager stops it before the
    /// next; a large file into a large database took a minute with nothing on screen and no way out.
    #[test]
    fn a_dry_run_says_how_far_it_has_come_and_its_stager_can_stop_it() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        let mut text = String::from("first_name,last_name,email\n");
        for i in 0..1_200 {
            text.push_str(&format!("Ann{i},Lee{i},ann{i}@example.com\n"));
        }
        let staged = core.stage_import_file(&admin, "many.csv", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let plan = ImportPlan::suggested(&staged);
        let mut seen = vec![];
        let report = core
            .dry_run_staged(&admin, &staged.file_id, &plan, &mut |p| seen.push(p))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.counts.create_active, 1_200, "{:?}", report.counts);
        let done: Vec<_> = seen.iter().map(|p| (p.rows_done, p.rows_total, p.counts.create_active)).collect();
        assert_eq!(
            done,
            [(0, Some(1_200), 0), (500, Some(1_200), 500), (1_000, Some(1_200), 1_000), (1_200, Some(1_200), 1_200)]
        );
        assert!(seen.iter().all(|p| p.phase == RunPhase::Checking && p.batch_id == 0));
        assert!(seen[0].eta_seconds.is_none(), "no pace before a rehearsal has ended");

        assert!(!core.cancel_dry_run(&admin, &staged.file_id).unwrap_or_else(|e| panic!("{e}")), "none runs now");
        let bob = editor_bob(&core, &admin);
        let mut stopped_at = vec![];
        let cancelled = core.dry_run_staged(&admin, &staged.file_id, &plan, &mut |p| {
            stopped_at.push(p.rows_done);
            if p.rows_done == 500 {
                // Another user may not stop it; its stager may.
                let bobs = core.cancel_dry_run(&bob, &staged.file_id);
                assert!(matches!(bobs, Err(Error::Import(ImportError::NoStagedFile(_)))), "{bobs:?}");
                assert!(core.cancel_dry_run(&admin, &staged.file_id).unwrap_or_else(|e| panic!("{e}")));
            }
        });
        assert!(matches!(cancelled, Err(Error::Cancelled)), "{cancelled:?}");
        assert_eq!(stopped_at, [0, 500], "no rehearsal after the cancel");
        // The flag went with the run: the next dry run of the file goes to its end.
        let again = core.dry_run_staged(&admin, &staged.file_id, &plan, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.counts, report.counts);
    }

    /// Staged copies are removed a week on, unless an import may still resume from one; fresh ones stay.
    #[test]
    fn staged_files_no_import_needs_are_swept_after_a_week() {
        let (_dir, core, admin) = crate::test_support::core_with_admin();
        sweeps_only_files_no_import_needs(&core, &admin);
    }

    /// The database opened by a path that is not the file's own (a link, a relative path; on Windows every
    /// path, which canonical form writes as `\\?\C:\…`): an import's file is recorded canonical, and is still
    /// known as the one an interrupted import resumes from.
    #[cfg(unix)]
    #[test]
    fn a_resumable_imports_file_is_kept_when_the_database_is_opened_through_a_link() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap_or_else(|e| panic!("{e}"));
        let clock = std::sync::Arc::new(crate::FixedClock::new(chrono::DateTime::UNIX_EPOCH));
        let core = Rapport::open_with(&dir.path().join("link").join("t.db"), &crate::OpenOptions::default(), clock)
            .unwrap_or_else(|e| panic!("{e}"));
        let admin = core.create_first_admin("admin", "Ada", "correct horse battery").unwrap_or_else(|e| panic!("{e}"));
        sweeps_only_files_no_import_needs(&core, &admin);
    }

    fn sweeps_only_files_no_import_needs(core: &Rapport, admin: &Actor) {
        let file = b"first_name,last_name,email\nAnn,Lee,ann@lee.io\n";
        let stage = || core.stage_import_file(admin, "leads.csv", file).unwrap_or_else(|e| panic!("{e}")).file_id;
        let (done, resumable, fresh) = (stage(), stage(), stage());
        for id in [&done, &resumable] {
            let (path, _) = core.staged_import_file(admin, id).unwrap_or_else(|e| panic!("{e}"));
            let plan = ImportPlan::suggested(&core.preview_import(admin, id, None).unwrap_or_else(|e| panic!("{e}")));
            let b = core.start_import(admin, &path, "leads.csv", &plan, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
            if id == &resumable {
                core.db
                    .write(|tx| {
                        Ok::<_, Error>(store::set_status(
                            tx,
                            b.id,
                            super::super::model::ImportStatus::Interrupted,
                            None,
                            None,
                        )?)
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let week_ago = std::time::SystemTime::now() - STAGED_KEPT - std::time::Duration::from_secs(60);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(week_ago))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(core.sweep_staged_files().unwrap_or_else(|e| panic!("{e}")), 1);
        let dir = core.imports_dir();
        let gone = ["", ".name", ".by"].map(|ext| dir.join(format!("staged-{done}{ext}")).exists());
        assert_eq!(gone, [false; 3], "the completed import's copy, its name and its stager");
        assert!(core.staged_import_file(admin, &resumable).is_ok(), "an interrupted import still resumes from it");
        assert!(core.staged_import_file(admin, &fresh).is_ok(), "a file staged now stays");
        assert_eq!(core.sweep_staged_files().unwrap_or_else(|e| panic!("{e}")), 0);
    }

    /// Past the leads a dry run may carry, its counts may part from the run's, and the report says from where.
    #[test]
    fn a_dry_run_past_what_it_may_carry_says_from_which_line() {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        // 600 people, then the same 600 again: the second ones are found only while the first are carried.
        let mut text = String::from("first_name,last_name,email\n");
        for _ in 0..2 {
            for i in 0..600 {
                text.push_str(&format!("Ann{i},Lee{i},ann{i}@example.com\n"));
            }
        }
        let path = dir.path().join("twice.csv");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let preview = core.preview_import_path(&admin, &path, "", "twice.csv", None).unwrap_or_else(|e| panic!("{e}"));
        let plan = ImportPlan::suggested(&preview);
        let all = core.dry_run_import(&admin, &path, "twice.csv", &plan).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.checked_apart_from, None);
        assert_eq!(all.counts.create_active, 600, "{:?}", all.counts);
        let some = core
            .dry_run_carrying(&admin, &path, "twice.csv", &plan, 550, None, &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(some.checked_apart_from, Some(552), "line 552 is the 551st lead");
        // Rows 502 to 551 are carried; 552 to 601 are not, and their twins (602 on) are found only within
        // their own rehearsal (the one of lines 1002 to 1201: none of them).
        assert_eq!(some.counts.create_active, 650, "{:?}", some.counts);
        // Updated by email, the second ones update the first while their keys are kept: as many as the leads.
        let keyed = ImportPlan { key: Some(NaturalKey::Email), ..plan.clone() };
        let all = core.dry_run_import(&admin, &path, "twice.csv", &keyed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (all.counts.create_active, all.counts.unchanged + all.counts.update),
            (600, 600),
            "{:?}",
            all.counts
        );
        let some = core
            .dry_run_carrying(&admin, &path, "twice.csv", &keyed, 550, None, &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(some.checked_apart_from, Some(552));
        assert_eq!(some.counts.unchanged + some.counts.update, 550, "{:?}", some.counts);
    }

    /// A template maps a header that repeats column by column, the n-th to its n-th entry, and names in any
    /// letters' case: the CLI took the first entry for every "Email".
    #[test]
    fn a_template_maps_repeated_headers_in_turn_and_names_in_any_case() {
        use super::super::model::ColumnMapping;
        let map = |pairs: &[(&str, &str)]| -> Vec<ColumnMapping> {
            pairs.iter().map(|(c, t)| ColumnMapping { column: c.to_string(), target: t.to_string() }).collect()
        };
        let template = ImportTemplate {
            name: "t".into(),
            mapping: map(&[("Email", "email"), ("Email", "ignore"), ("Région", "region")]),
            key: None,
            updated_at: String::new(),
        };
        let suggested = map(&[("Name", "full_name"), ("EMAIL", "email"), ("Email", "email"), ("RÉGION", "notes")]);
        let applied = apply_template(&suggested, &template);
        let targets: Vec<&str> = applied.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(targets, ["full_name", "email", "ignore", "region"]);
    }
}
