//! Running an import: rows stream from the file and are written in chunks, each chunk one short transaction
//! that also records how far the batch has come, so other writers wait at most one chunk, a crash loses at
//! most the chunk in flight (and nothing of it), and a resume starts exactly after the last chunk written.
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::error::ImportError;
use super::model::{ImportBatch, ImportPlan, ImportStatus, RowAction, RunPhase, RunProgress};
use super::pipeline::{rejected, RowRules};
use super::reader::{self, RawRow};
use super::rows::Mapper;
use super::store::{self, BatchRow, NewBatch};
use crate::access::{Actor, Grant, Permission};
use crate::audit::store as changelog;
use crate::audit::Origin;
use crate::error::{Error, Result};
use crate::leads::api::Rules;
use crate::leads::SourceChannel;
use crate::rapport::Rapport;
use crate::users::store as user_store;

/// Rows per transaction, at most. A commit writes every page the chunk changed, and an import's rows change
/// pages all over a large database's indexes and duplicate keys: larger chunks write each page once for
/// more rows.
const CHUNK_ROWS: usize = 5_000;
/// How long one chunk may hold the write lock: the progress shown, a cancel, and a save from another process
/// (which waits on the file lock, not on [`crate::db`]'s queue) wait no longer.
const CHUNK_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether the chunk in hand takes one more row. It ends early when a save of this process waits for the
/// writer (that save then waits for one row and a commit) or when the import is cancelled; it always takes
/// a first row, so every chunk makes progress.
fn chunk_goes_on(rows: usize, held: std::time::Duration, writer_wanted: bool, cancelled: bool) -> bool {
    rows == 0 || (rows < CHUNK_ROWS && held < CHUNK_TIME && !writer_wanted && !cancelled)
}

/// Imports running in this process, by batch, and dry runs, by staged file: their cancel flags.
#[derive(Default)]
pub struct Runtime {
    pub(crate) runs: CancelFlags<i64>,
    pub(crate) checks: CancelFlags<String>,
}

/// Cancel flags of the work running under each key: a cancel reaches the one running now.
pub(crate) struct CancelFlags<K>(Mutex<HashMap<K, Arc<AtomicBool>>>);

impl<K> Default for CancelFlags<K> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + std::hash::Hash + Clone> CancelFlags<K> {
    /// A cancel flag for the work under `key` while the guard lives (early returns forget it too).
    pub(crate) fn follow(&self, key: K) -> Following<'_, K> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Ok(mut m) = self.0.lock() {
            m.insert(key.clone(), flag.clone());
        }
        Following { flags: self, key, flag }
    }

    /// Asks the work under `key` to stop; false when none runs.
    pub(crate) fn cancel<Q>(&self, key: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        self.0.lock().ok().and_then(|m| m.get(key).map(|f| f.store(true, Ordering::SeqCst))).is_some()
    }
}

pub(crate) struct Following<'a, K: Eq + std::hash::Hash + Clone> {
    flags: &'a CancelFlags<K>,
    key: K,
    flag: Arc<AtomicBool>,
}

impl<K: Eq + std::hash::Hash + Clone> Following<'_, K> {
    pub(crate) fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl<K: Eq + std::hash::Hash + Clone> Drop for Following<'_, K> {
    fn drop(&mut self) {
        if let Ok(mut m) = self.flags.0.lock() {
            // Only its own: work under the same key started since (a second dry run of one file) keeps its flag.
            if m.get(&self.key).is_some_and(|f| Arc::ptr_eq(f, &self.flag)) {
                m.remove(&self.key);
            }
        }
    }
}

/// A file lock held while a batch runs in some process: the kernel drops it when that process dies, however
/// it dies, which is how a batch left "running" is known to be interrupted.
pub(crate) struct RunLock(#[allow(dead_code)] File);

impl Rapport {
    /// Where staged files and run locks live: beside the database.
    pub(crate) fn imports_dir(&self) -> PathBuf {
        self.path().with_extension("imports")
    }

    fn lock_path(&self, id: i64) -> PathBuf {
        self.imports_dir().join(format!("batch-{id}.lock"))
    }

    pub(crate) fn take_run_lock(&self, id: i64) -> Result<Option<RunLock>> {
        std::fs::create_dir_all(self.imports_dir()).map_err(ImportError::Io)?;
        let f = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.lock_path(id))
            .map_err(ImportError::Io)?;
        match f.try_lock() {
            Ok(()) => Ok(Some(RunLock(f))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(ImportError::Io(e).into()),
        }
    }

    /// The run lock of batch `id` for a run or an undo about to start. Another window's look at whether the
    /// batch is still running ([`Rapport::mark_interrupted_imports`], at each read of the history) holds it
    /// for a moment: that is waited out, a run holding it is not (`None` after a second and a half).
    pub(crate) fn take_run_lock_to_start(&self, id: i64) -> Result<Option<RunLock>> {
        for _ in 0..15 {
            if let Some(lock) = self.take_run_lock(id)? {
                return Ok(Some(lock));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.take_run_lock(id)
    }

    /// Batches left running or undoing by a process that is gone are marked interrupted (resume or undo them).
    pub fn mark_interrupted_imports(&self) -> Result<u32> {
        let unfinished = self.db.read(|c| Ok::<_, Error>(store::unfinished(c)?))?;
        let mut n = 0;
        for (id, _) in unfinished {
            if let Some(_lock) = self.take_run_lock(id)? {
                self.db.write(|tx| {
                    if matches!(
                        store::batch(tx, id)?.map(|b| b.status),
                        Some(ImportStatus::Running | ImportStatus::Undoing)
                    ) {
                        store::set_status(tx, id, ImportStatus::Interrupted, None, None)?;
                    }
                    Ok::<_, Error>(())
                })?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Asks the import `id` running in this process to stop after its current chunk: the importer's or an
    /// Administrator's to ask, as for every act on a batch. False when none runs.
    pub fn cancel_import(&self, actor: &Actor, id: i64) -> Result<bool> {
        self.import_batch_row(actor, id)?;
        Ok(self.imports.runs.cancel(&id))
    }

    /// Owners as a file may name them: by username, or as people read them ("Jane Doe", how other CRMs export
    /// a lead's owner) by a display name no other user has and no username is.
    pub(crate) fn owners_by_name(&self) -> Result<HashMap<String, i64>> {
        self.db.read(|c| {
            let mut owners: HashMap<String, i64> =
                user_store::usernames(c)?.into_iter().map(|(id, name)| (name.to_lowercase(), id)).collect();
            let mut shown: HashMap<String, Vec<i64>> = HashMap::new();
            for (id, name) in user_store::directory(c)? {
                shown.entry(name.trim().to_lowercase()).or_default().push(id);
            }
            for (name, ids) in shown {
                if let [id] = ids[..] {
                    if !name.is_empty() {
                        owners.entry(name).or_insert(id);
                    }
                }
            }
            Ok::<_, Error>(owners)
        })
    }

    /// The mapper of `opened` (the file at `path`) by `plan`. With a column mapped to a date, the whole file is
    /// read once first for the order of day and month its dates show: a US export's "03/04/2026" is the 4th of
    /// March, a British one's the 3rd of April, and only the file's other dates tell which.
    pub(crate) fn mapper_for(
        &self,
        path: &Path,
        opened: &reader::OpenedFile,
        plan: &ImportPlan,
        file_name: &str,
    ) -> Result<Mapper> {
        key_is_mapped(plan)?;
        let detail =
            plan.source_detail.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| file_name.to_string());
        let mapper = Mapper::new(
            &opened.headers,
            &plan.mapping,
            self.owners_by_name()?,
            plan.source.unwrap_or(SourceChannel::BulkImport),
            detail,
            // Every decoder of a file (UTF-8, UTF-16, the multi-byte legacy ones) puts U+FFFD for bytes it
            // cannot read; a workbook's cells are text already, and one that shows U+FFFD holds it.
            opened.format == super::model::FileFormat::Csv,
        )?;
        let (stages, reasons) = self.db.read(|c| {
            Ok::<_, Error>((crate::pipeline::config::stages(c)?, crate::pipeline::config::lost_reasons(c)?))
        })?;
        let mapper = mapper
            .reading_stages(stages.into_iter().map(|s| (s.key, s.label, s.outcome)).collect())
            .reading_lost_reasons(reasons.into_iter().map(|r| (r.key, r.label)).collect());
        let mut columns = super::rows::date_columns(mapper.targets());
        if columns.is_empty() {
            return Ok(mapper);
        }
        // The file's other dates say its order too: a Salesforce report whose close dates are all 5/1/2026 or
        // 3/1/2026 shows month first in its "Created Date" (12/20/2025), though that column goes to the notes.
        let named_a_date = |h: &str| {
            let f = super::mapping::fold(h);
            ["date", "datum", "fecha", "created", "modified"].iter().any(|w| f.contains(w))
        };
        let others: Vec<usize> =
            (0..opened.headers.len()).filter(|i| !columns.contains(i) && named_a_date(&opened.headers[*i])).collect();
        columns.extend(others);
        let rows = reader::open(path, plan.sheet.as_deref())?.rows.filter_map(|r| r.ok());
        let values = rows.flat_map(|row| columns.iter().filter_map(|&i| row.cells.get(i).cloned()).collect::<Vec<_>>());
        Ok(mapper.reading_dates(super::rows::date_order_of(values)))
    }

    /// Seed 2.2 asks for strict duplicate detection: an import without the check (a known-clean list loaded in
    /// bulk) is an Administrator's decision.
    fn may_skip_duplicate_check(grant: &Grant, plan: &ImportPlan) -> Result<()> {
        if plan.dedup || grant.role == crate::users::Role::Administrator {
            return Ok(());
        }
        Err(crate::access::AccessError::Denied {
            role: grant.role.as_str(),
            action: "import without the duplicate check (an Administrator's decision)",
        }
        .into())
    }

    /// The plan's campaign is one the importer works on: every row of the file would be refused otherwise.
    fn campaign_in_reach(grant: &Grant, plan: &ImportPlan) -> Result<()> {
        match plan.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) if !grant.lead_scope().allows_campaign(c) => {
                Err(crate::access::AccessError::OutsideCampaigns(c.to_string()).into())
            }
            _ => Ok(()),
        }
    }

    /// The plan's reason to pass stage criteria, cleaned: an Administrator's, and a reason (not blank). Checked
    /// before anything is recorded, so an Editor's plan that asks for it is refused as a whole, not row by row.
    fn gate_override(grant: &Grant, plan: &ImportPlan) -> Result<Option<String>> {
        match plan.override_reason.as_deref() {
            None => Ok(None),
            Some(reason) => crate::pipeline::gate::override_reason(grant, reason).map(Some),
        }
    }

    pub(crate) fn row_rules(tx: &rusqlite::Connection, grant: &Grant, plan: &ImportPlan) -> Result<RowRules> {
        Self::may_skip_duplicate_check(grant, plan)?;
        Self::campaign_in_reach(grant, plan)?;
        let override_reason = Self::gate_override(grant, plan)?;
        let mut rules = Rules::load(tx)?;
        if let Some(region) = &plan.phone_region {
            rules = rules.reading_phones_in(region)?;
        }
        Ok(RowRules {
            rules,
            scope: grant.lead_scope(),
            model: crate::duplicates::incremental::load_model(tx)?,
            key: plan.key,
            replace: plan.replace,
            dedup: plan.dedup,
            keep_invalid: plan.keep_invalid,
            explain: true,
            default_campaign: plan.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string),
            override_reason,
        })
    }

    /// Starts importing `path` (named `file_name`) with `plan`: records the batch, then runs it to its end, a
    /// cancel, or a failure (recorded on the batch and returned).
    pub fn start_import(
        &self,
        actor: &Actor,
        path: &Path,
        file_name: &str,
        plan: &ImportPlan,
        progress: &mut dyn FnMut(RunProgress),
    ) -> Result<ImportBatch> {
        let opened = reader::open(path, plan.sheet.as_deref())?;
        // The mapping is checked before anything is recorded.
        self.mapper_for(path, &opened, plan, file_name)?;
        let format = opened.format;
        let delimiter = opened.delimiter.map(char::from).map(String::from).unwrap_or_default();
        drop(opened);
        let (size, digest) = file_digest(path)?;
        let total = reader::count_rows(path, plan.sheet.as_deref())?;
        let path_text =
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().into_owned();
        let id = self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            Self::may_skip_duplicate_check(&grant, plan)?;
            Self::campaign_in_reach(&grant, plan)?;
            Self::gate_override(&grant, plan)?;
            let channel = plan.source.unwrap_or(SourceChannel::BulkImport);
            let detail = plan.source_detail.clone().unwrap_or_else(|| file_name.to_string());
            Ok::<_, Error>(store::insert_batch(
                tx,
                &NewBatch {
                    file_name,
                    file_path: &path_text,
                    file_size: size,
                    file_digest: &digest,
                    format,
                    channel,
                    source_detail: &detail,
                    plan,
                    actor_id: grant.user_id,
                    actor_name: &grant.username,
                    at: &self.now(),
                    rows_total: Some(total),
                    delimiter: &delimiter,
                },
            )?)
        })?;
        self.run_batch(actor, id, progress)
    }

    /// Goes on with an interrupted or cancelled batch from the first record it had not written, with the same
    /// plan on the same file (checked by its digest).
    pub fn resume_import(&self, actor: &Actor, id: i64, progress: &mut dyn FnMut(RunProgress)) -> Result<ImportBatch> {
        self.mark_interrupted_imports()?;
        let b = self.import_batch_row(actor, id)?;
        if b.status == ImportStatus::Running {
            return Err(ImportError::WrongState {
                id,
                status: b.status.as_str(),
                what: "only an interrupted, cancelled or failed import can be resumed",
            }
            .into());
        }
        may_run(&b)?;
        self.db.read(|c| {
            let grant = Self::grant(c, actor, Permission::WriteLeads)?;
            let Some(importer) = b.actor_id.filter(|&a| grant.user_id != Some(a)) else { return Ok(()) };
            match crate::users::store::grant(c, importer)? {
                Some(theirs) if theirs.lead_scope() != crate::access::LeadScope::All => {
                    Err(ImportError::ResumeIsTheImporters { id, importer: theirs.username }.into())
                }
                _ => Ok::<_, Error>(()),
            }
        })?;
        let (size, digest) = file_digest(Path::new(&b.file_path))
            .map_err(|_| ImportError::FileChanged(format!("{} can no longer be read", b.file_path)))?;
        if size != b.file_size || digest != b.file_digest {
            return Err(ImportError::FileChanged(format!("{} is not the file that was imported", b.file_path)).into());
        }
        self.run_batch(actor, id, progress)
    }

    /// A batch the actor may see and act on: their own, or any for an Administrator. Its rejected rows and
    /// its undo reach leads of every campaign the file touched, so a user limited to some campaigns does not
    /// get them for someone else's import (NotFound, as for any record outside one's reach).
    pub(crate) fn import_batch_row(&self, actor: &Actor, id: i64) -> Result<BatchRow> {
        self.import_batch_row_by(actor, id, Self::grant)
    }

    fn import_batch_row_by(&self, actor: &Actor, id: i64, check: GrantCheck) -> Result<BatchRow> {
        self.db.read(|c| {
            let grant = check(c, actor, Permission::WriteLeads)?;
            store::batch(c, id)?
                .filter(|b| may_see(&grant, b))
                .ok_or(Error::NotFound { entity: "import", id: id.to_string() })
        })
    }

    fn run_batch(&self, actor: &Actor, id: i64, progress: &mut dyn FnMut(RunProgress)) -> Result<ImportBatch> {
        let Some(_lock) = self.take_run_lock_to_start(id)? else {
            return Err(ImportError::WrongState {
                id,
                status: "running",
                what: "it is running in another window or process",
            }
            .into());
        };
        // Read again under the lock: an undo (or a run) another window or process did while this one checked the
        // file has changed what may be done.
        let b = self.db.read(|c| Ok::<_, Error>(store::batch(c, id)?))?;
        may_run(&b.ok_or(Error::NotFound { entity: "import", id: id.to_string() })?)?;
        let following = self.imports.runs.follow(id);
        let result = self.run_chunks(actor, id, following.flag(), progress);
        drop(following);
        let now = self.now();
        let (status, error) = match &result {
            Ok(true) => (ImportStatus::Completed, None),
            Ok(false) => (ImportStatus::Cancelled, None),
            Err(e) => (ImportStatus::Failed, Some(e.to_string())),
        };
        self.db.write(|tx| Ok::<_, Error>(store::set_status(tx, id, status, Some(&now), error.as_deref())?))?;
        result?;
        // The run's last step: a password changed while it ran does not hide what it did.
        let b = self.import_batch_row_by(actor, id, Self::grant_going_on)?;
        Ok(to_batch(b, self.kept_leads_by(actor, id, Self::grant_going_on)?))
    }

    /// True when every row is in, false when cancelled.
    fn run_chunks(
        &self,
        actor: &Actor,
        id: i64,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(RunProgress),
    ) -> Result<bool> {
        let b = self.db.write(|tx| {
            store::set_status(tx, id, ImportStatus::Running, None, None)?;
            Ok::<_, Error>(store::batch(tx, id)?)
        })?;
        let b = b.ok_or(Error::NotFound { entity: "import", id: id.to_string() })?;
        let _cache = self.db.bulk_cache();
        let mut opened = reader::open(Path::new(&b.file_path), b.plan.sheet.as_deref())?;
        let mapper = self.mapper_for(Path::new(&b.file_path), &opened, &b.plan, &b.file_name)?;
        let mut rows = opened.rows.by_ref().skip(b.rows_done as usize).peekable();
        let (mut done, mut counts) = (b.rows_done, b.counts.clone());
        // No rate yet (before the first chunk), no time left to tell.
        let mut report = |done: u32, counts: &super::model::OutcomeCounts, rate: f64| {
            let left = b.rows_total.map(|t| t.saturating_sub(done));
            progress(RunProgress {
                batch_id: id,
                phase: RunPhase::Importing,
                rows_done: done,
                rows_total: b.rows_total,
                rows_per_second: rate,
                eta_seconds: left.filter(|_| rate > 0.0).map(|l| f64::from(l) / rate),
                counts: counts.clone(),
            })
        };
        // Said before the first chunk: the batch's number is what a cancel is sent with, and a cancel pressed as
        // the run starts then stops it before its first row instead of after a chunk.
        report(done, &counts, 0.0);
        let started = Instant::now();
        let mut this_session = 0u32;
        while rows.peek().is_some() {
            if cancel.load(Ordering::SeqCst) {
                return Ok(false);
            }
            let mut n = 0u32;
            counts = self.db.write(|tx| {
                let grant = Self::grant_going_on(tx, actor, Permission::WriteLeads)?;
                still_theirs(tx, &grant, id)?;
                // The run keeps counts and rejected rows, not what each row matched.
                let rules = RowRules { explain: false, ..Self::row_rules(tx, &grant, &b.plan)? };
                let batch = self.begin_batch(tx, &grant, &Origin::import(b.file_name.clone()))?;
                changelog::tag_import(tx, batch.id, id)?;
                let mut counts = counts.clone();
                let held = Instant::now();
                while chunk_goes_on(n as usize, held.elapsed(), self.db.writer_wanted(), cancel.load(Ordering::SeqCst))
                {
                    let Some(row) = rows.next() else { break };
                    n += 1;
                    // A row the reader could not read is refused, saying why, with what of it was read.
                    let (row, unread) = match row {
                        Ok(r) => (r, None),
                        Err(ImportError::Malformed { line, message, cells }) => {
                            (RawRow { line: line as u32, cells }, Some(crate::error::FieldError::new("row", message)))
                        }
                        Err(e) => return Err(e.into()),
                    };
                    let (read, origins) = mapper.read(&row);
                    let mut plan = match (unread, read) {
                        (Some(why), _) => rejected(row.line, String::new(), vec![why]),
                        (None, Ok(input)) => self.import_row(tx, &grant, &rules, &batch, row.line, input, None)?,
                        (None, Err(errors)) => rejected(row.line, mapper.name_of(&row), errors),
                    };
                    mapper.name_columns(&mut plan.errors, &origins);
                    if plan.action == RowAction::Reject {
                        store::insert_reject(tx, id, row.line, &row.cells, &plan.errors)?;
                    }
                    counts.add(plan.action);
                }
                changelog::discard_empty(tx, &batch)?;
                store::advance(tx, id, done + n, &counts)?;
                Ok::<_, Error>(counts)
            })?;
            done += n;
            this_session += n;
            // Between chunks, so the fold's transactions interleave with saves like the chunks do.
            self.fold_match_keys_in_passing();
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            report(done, &counts, f64::from(this_session) / secs);
        }
        Ok(true)
    }

    pub fn import_batch(&self, actor: &Actor, id: i64) -> Result<ImportBatch> {
        let b = self.import_batch_row(actor, id)?;
        Ok(to_batch(b, self.kept_leads(actor, id)?))
    }

    /// The first leads the undo of import `id` kept, named as `actor` may see them.
    pub(crate) fn kept_leads(&self, actor: &Actor, id: i64) -> Result<Vec<super::model::UndoKept>> {
        self.kept_leads_by(actor, id, Self::grant)
    }

    /// As `kept_leads`, with the grant checked by `check` (`grant_going_on` at the end of an undo).
    pub(crate) fn kept_leads_by(
        &self,
        actor: &Actor,
        id: i64,
        check: GrantCheck,
    ) -> Result<Vec<super::model::UndoKept>> {
        self.db.read(|c| {
            let scope = check(c, actor, Permission::WriteLeads)?.lead_scope();
            Ok(store::kept(c, id, super::model::UNDO_KEPT_SHOWN, &scope)?)
        })
    }

    /// The imports, newest first (batches whose process died are marked interrupted first).
    pub fn import_history(&self, actor: &Actor, limit: u32) -> Result<Vec<ImportBatch>> {
        self.mark_interrupted_imports()?;
        self.db.read(|c| {
            let grant = Self::grant_to(c, actor, Permission::WriteLeads, "import leads, nor see imports")?;
            let by = match grant.role {
                crate::users::Role::Administrator => None,
                // A user without an id (none signed in) sees no one's: may_see below refuses them all.
                _ => Some(grant.user_id.unwrap_or(-1)),
            };
            let mine = store::batches(c, limit, by)?.into_iter().filter(|b| may_see(&grant, b));
            Ok(mine.map(|b| to_batch(b, vec![])).collect())
        })
    }
}

/// `Rapport::grant`, or `Rapport::grant_going_on` for the later steps of one run.
pub(crate) type GrantCheck = fn(&rusqlite::Connection, &Actor, Permission) -> Result<Grant>;

/// Whether batch `b` may take rows: one just recorded (running), or one stopped before its end and not being
/// undone.
fn may_run(b: &BatchRow) -> Result<()> {
    let id = b.id;
    if !matches!(
        b.status,
        ImportStatus::Running | ImportStatus::Interrupted | ImportStatus::Cancelled | ImportStatus::Failed
    ) {
        return Err(ImportError::WrongState {
            id,
            status: b.status.as_str(),
            what: "only an interrupted, cancelled or failed import can be resumed",
        }
        .into());
    }
    if b.undo_cursor.is_some() {
        return Err(ImportError::WrongState { id, status: "partly undone", what: "finish the undo instead" }.into());
    }
    Ok(())
}

fn may_see(grant: &Grant, b: &BatchRow) -> bool {
    grant.role == crate::users::Role::Administrator || (grant.user_id.is_some() && grant.user_id == b.actor_id)
}

/// Import `id` is still the actor's to run or undo, checked in each chunk as the grant is: an Administrator
/// made an Editor while undoing someone else's import goes no further with it.
pub(crate) fn still_theirs(conn: &rusqlite::Connection, grant: &Grant, id: i64) -> Result<()> {
    match store::batch(conn, id)? {
        Some(b) if may_see(grant, &b) => Ok(()),
        _ => Err(Error::NotFound { entity: "import", id: id.to_string() }),
    }
}

pub(crate) fn to_batch(b: BatchRow, kept: Vec<super::model::UndoKept>) -> ImportBatch {
    ImportBatch {
        id: b.id,
        file_name: b.file_name,
        format: b.format,
        channel: b.channel,
        source_detail: b.source_detail,
        template: b.template,
        key: b.plan.key,
        actor_name: b.actor_name,
        started_at: b.started_at,
        finished_at: b.finished_at,
        status: b.status,
        rows_done: b.rows_done,
        rows_total: b.rows_total,
        counts: b.counts,
        error: b.error,
        undo: b.undo.map(|mut u| {
            u.kept = kept;
            u
        }),
    }
}

/// An update key needs a column that fills it: without one no row finds its lead, and every row would be
/// created again (a `--replace` replacing nothing) without a word.
fn key_is_mapped(plan: &ImportPlan) -> Result<()> {
    let Some(key) = plan.key else { return Ok(()) };
    let fills = |targets: &[&str]| plan.mapping.iter().any(|m| targets.contains(&m.target.as_str()));
    let (mapped, what) = match key {
        super::model::NaturalKey::Email => (fills(&["email", "other_emails"]), "an email"),
        super::model::NaturalKey::ExternalRef => (fills(&["external_ref"]), "the external reference"),
    };
    if mapped {
        return Ok(());
    }
    Err(crate::leads::ValidationErrors::one(
        "key",
        format!(
            "leads are found by {what}, but no column is imported as {}: map one, or import without an update key",
            key.as_str()
        ),
    )
    .into())
}

/// Size and SHA-256 of a file, read in blocks.
pub(crate) fn file_digest(path: &Path) -> Result<(u64, String)> {
    use std::io::Read;
    let mut f = File::open(path).map_err(ImportError::Io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(ImportError::Io)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, format!("{:x}", hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_chunk_ends_at_its_size_its_time_a_waiting_save_or_a_cancel() {
        let short = Duration::from_millis(10);
        assert!(chunk_goes_on(10, short, false, false));
        assert!(!chunk_goes_on(CHUNK_ROWS, short, false, false));
        assert!(!chunk_goes_on(10, CHUNK_TIME, false, false));
        assert!(!chunk_goes_on(10, short, true, false), "a save waiting ends the chunk");
        assert!(!chunk_goes_on(10, short, false, true), "a cancel ends the chunk");
        // Whatever happens, a chunk takes its first row: an import never stalls behind a stream of saves.
        assert!(chunk_goes_on(0, CHUNK_TIME, true, true));
    }

    /// A two-row import, then marked interrupted after its first row (as a crash would leave it).
    fn interrupted_after_one_row() -> (tempfile::TempDir, Rapport, Actor, ImportBatch) {
        let (dir, core, admin) = crate::test_support::core_with_admin();
        let path = dir.path().join("fair.csv");
        std::fs::write(&path, "first_name,last_name,email\nAnn,Lee,ann@lee.io\nBo,Ray,bo@ray.io\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let preview = core.preview_import_path(&admin, &path, "", "fair.csv", None).unwrap_or_else(|e| panic!("{e}"));
        let plan = crate::imports::ImportPlan::suggested(&preview);
        let batch = core.start_import(&admin, &path, "fair.csv", &plan, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        core.db
            .write(|tx| {
                store::set_status(tx, batch.id, ImportStatus::Interrupted, None, None)?;
                store::advance(tx, batch.id, 1, &batch.counts)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        (dir, core, admin, batch)
    }

    /// Another window's look at whether a batch still runs holds its lock for a moment: a resume (or the run
    /// just recorded) starting then waits it out instead of failing as "running in another window".
    #[test]
    fn a_run_waits_out_a_moments_look_at_its_lock() {
        let (_dir, core, admin, batch) = interrupted_after_one_row();
        let held = core.take_run_lock(batch.id).unwrap_or_else(|e| panic!("{e}"));
        assert!(held.is_some());
        let look = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        let resumed = core.resume_import(&admin, batch.id, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resumed.status, ImportStatus::Completed);
        look.join().unwrap_or_else(|_| panic!("the look panicked"));
    }

    /// A resume checks the batch, then reads the whole file for its digest before it takes the run lock: an
    /// undo done by another window meanwhile must stop it, or its rows would go into an undone batch that
    /// nothing could undo. Under the lock the batch is read again.
    #[test]
    fn a_run_refuses_a_batch_undone_since_it_was_checked() {
        // Interrupted after its first row, as a resume found it...
        let (dir, core, admin, batch) = interrupted_after_one_row();
        // ...then undone by another window before the resume took the lock.
        core.undo_import(&admin, batch.id, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let before = crate::test_support::dump(&dir);
        let err = core.run_batch(&admin, batch.id, &mut |_| {}).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("can be resumed") || err.contains("undo"), "{err}");
        assert_eq!(crate::test_support::dump(&dir), before, "nothing written");
    }
}
