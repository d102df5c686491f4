//! The database file: connections, numbered migrations and the file's identity. Each feature keeps its own SQL
//! in its own folder; this module only hands out transactions.
//!
//! Connections: one writer connection behind a mutex (SQLite allows one writer at a time anyway, and a single
//! writer turns contention into a short queue instead of `SQLITE_BUSY` retries) and a few read-only
//! connections that WAL lets run beside it. Callers hand a closure to [`Database::read`] or
//! [`Database::write`]; the connection never leaves the call, so it cannot be held across an `.await`.
mod identity;
pub(crate) mod migrations;

pub use migrations::{migrate_to_version, LATEST_VERSION};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::error::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database file is read-only; check its permissions or choose another file with --db")]
    ReadOnly,
    #[error("the database is locked by another program; close the other Rapport window or command and try again")]
    Locked,
    #[error("{0} is not a Rapport database (it is another kind of file, or damaged)")]
    NotADatabase(String),
    #[error("the database was written by a newer Rapport (schema version {found}; this build knows up to {known}); update Rapport")]
    TooNew { found: i64, known: i64 },
    #[error("cannot open the database {path}: {reason}")]
    CannotOpen { path: String, reason: String },
    #[error("could not upgrade the database schema: {0}; the database was left as it was")]
    Migration(String),
    #[error("the page position sent with the request is not one this list gave out; load the list again")]
    BadCursor,
    #[error(
        "the database file is damaged (part of it cannot be read: {0}); nothing was changed. Restore it from a \
         backup, or save what still reads with `rapport leads export`"
    )]
    Damaged(String),
    #[error("the disk is full: nothing was written; free some space and try again")]
    DiskFull,
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::ReadOnly => ErrorCode::DatabaseReadOnly,
            StoreError::Locked => ErrorCode::DatabaseLocked,
            StoreError::NotADatabase(_) => ErrorCode::NotADatabase,
            StoreError::TooNew { .. } => ErrorCode::DatabaseTooNew,
            StoreError::CannotOpen { .. } => ErrorCode::Io,
            StoreError::BadCursor => ErrorCode::Validation,
            StoreError::DiskFull => ErrorCode::Io,
            StoreError::Damaged(_) | StoreError::Migration(_) | StoreError::Sqlite(_) => ErrorCode::Internal,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::ReadOnly) => StoreError::ReadOnly,
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => StoreError::Locked,
            Some(C::NotADatabase) => StoreError::NotADatabase("the file".into()),
            Some(C::DatabaseCorrupt) => StoreError::Damaged(e.to_string()),
            Some(C::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(e),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long a write waits for another process's lock before giving up with [`StoreError::Locked`].
    pub busy_timeout: Duration,
    pub readers: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { busy_timeout: Duration::from_secs(5), readers: 2 }
    }
}

pub(crate) struct Database {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// Transactions of this process waiting for the writer: bulk work (an import's chunk) commits early when
    /// there is one, so a save waits for the row in hand, not for the whole chunk.
    writers_waiting: AtomicUsize,
    /// Live [`BulkCache`] guards: the writer keeps its larger cache until the last is dropped.
    bulk_holders: AtomicUsize,
    checkpointer: Option<Checkpointer>,
}

/// Once the write-ahead log passes this size, it is folded into the database file in the background.
const WAL_CHECKPOINT_BYTES: u64 = 4 << 20;
/// Past this size the writer folds it itself: the background could not keep up (or a long read held it back).
const WAL_INLINE_CHECKPOINT_BYTES: u64 = 64 << 20;

/// Folds the write-ahead log into the database file on a thread and connection of its own. SQLite's automatic
/// checkpoint runs inside the commit that crosses the threshold, so one save in thirty paid several
/// milliseconds of copying and syncing; a passive checkpoint here blocks neither writers nor readers.
struct Checkpointer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path, opts: &OpenOptions) -> Option<Self> {
        let conn = Connection::open(path).ok()?;
        configure(&conn, opts).ok()?;
        let (wake, asleep) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("rapport-checkpoint".into())
            .spawn(move || {
                while asleep.recv().is_ok() {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "background checkpoint failed; the next one will retry");
                    }
                }
            })
            .ok()?;
        Some(Self { wake: Some(wake), thread: Some(thread) })
    }

    fn nudge(&self) {
        if let Some(w) = &self.wake {
            // Full means a checkpoint is already due: nothing to add.
            let _ = w.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake.take();
        if let Some(t) = self.thread.take() {
            // The file is left alone once the database is closed (tests compare its bytes).
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock rolled its transaction back when the guard's Transaction dropped; the
    // connection itself is sound, so a poisoned lock is safe to take over.
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Each connection's page cache, in KiB.
const CACHE_KIB: i64 = 32_000;
/// The writer's page cache while bulk work runs: an import's rows touch pages all over the indexes and
/// duplicate keys of a large database, and reading each again from the file cost more than the work itself.
/// (The memory is taken as pages are read, and given back when the work ends.)
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// The writer's larger page cache for as long as it is held (see [`Database::bulk_cache`]).
pub(crate) struct BulkCache<'a>(&'a Database);

impl Drop for BulkCache<'_> {
    fn drop(&mut self) {
        // The last holder gives the memory back: a fold inside an import must not shrink the import's cache.
        if self.0.bulk_holders.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.set_writer_cache(CACHE_KIB);
        }
    }
}

fn configure(conn: &Connection, opts: &OpenOptions) -> rusqlite::Result<()> {
    conn.busy_timeout(opts.busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    // SQLite plans a statement with `LIMIT ?` (and a range on a bound value) for the value bound, and so
    // prepares it again each time it is bound anew: 12% of an import's time, and every search's. A plan
    // for the statement, whatever the values, is what a prepared statement is kept for.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Each feature keeps its statements prepared (`prepare_cached`); an import row alone runs a few dozen
    // distinct ones, which rusqlite's default of 16 would re-parse every time.
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

impl Database {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date. A file that is not
    /// a Rapport database, or one from a newer Rapport, is refused before anything is written to it.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::CannotOpen { path: path.display().to_string(), reason: e.to_string() })?;
        }
        let shown = path.display().to_string();
        let cannot_open = |e: rusqlite::Error| match StoreError::from(e) {
            StoreError::NotADatabase(_) => StoreError::NotADatabase(shown.clone()),
            StoreError::Sqlite(inner) => StoreError::CannotOpen { path: shown.clone(), reason: inner.to_string() },
            other => other,
        };
        let mut writer = Connection::open(path).map_err(cannot_open)?;
        // The first statements that read the file's header: a text file or a locked file fails here.
        let first_contact = |c: &Connection| -> rusqlite::Result<String> {
            configure(c, opts)?;
            c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
            c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        };
        first_contact(&writer).map_err(cannot_open)?;
        // Identity and version are read from the header before WAL is switched on, since switching rewrites it.
        identity::check(&writer, &shown)?;
        if writer.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly);
        }
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(cannot_open)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "could not switch the database to WAL; readers will wait for writers");
        }
        migrations::migrate_to_latest(&mut writer)?;
        identity::stamp(&writer)?;

        let mut readers = Vec::with_capacity(opts.readers);
        for _ in 0..opts.readers.max(1) {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(cannot_open)?;
            configure(&r, opts).map_err(cannot_open)?;
            readers.push(Mutex::new(r));
        }
        // Checkpoints move to the background; without that thread SQLite's automatic ones stay on.
        let checkpointer = Checkpointer::start(path, opts);
        if checkpointer.is_some() {
            writer.pragma_update(None, "wal_autocheckpoint", 0).map_err(StoreError::from)?;
        }
        // A log file keeps its size after a checkpoint unless told to shrink; the size decides when commits
        // fold it in themselves, so without a limit one large import made every later commit checkpoint.
        writer.pragma_update(None, "journal_size_limit", WAL_CHECKPOINT_BYTES as i64).map_err(StoreError::from)?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            writers_waiting: AtomicUsize::new(0),
            bulk_holders: AtomicUsize::new(0),
            checkpointer,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Folds the write-ahead log into the main file, so the file's size is the database's size.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let guard = lock(&self.writer);
        guard.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The writer, counted as waited for until it is had.
    fn take_writer(&self) -> MutexGuard<'_, Connection> {
        self.writers_waiting.fetch_add(1, Ordering::SeqCst);
        let guard = lock(&self.writer);
        self.writers_waiting.fetch_sub(1, Ordering::SeqCst);
        guard
    }

    /// Whether another transaction of this process is waiting for the writer (asked from inside one).
    pub(crate) fn writer_wanted(&self) -> bool {
        self.writers_waiting.load(Ordering::SeqCst) > 0
    }

    fn wal_path(&self) -> PathBuf {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        PathBuf::from(wal)
    }

    /// Bytes on disk: the main file and its write-ahead log.
    pub fn size_on_disk(&self) -> u64 {
        [self.path.clone(), self.wal_path()].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
    }

    /// Runs `f` in one read transaction on a read-only connection: every statement inside sees the same
    /// committed moment, so a lead's row, its emails, phones and tags always agree with each other.
    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        // Prefer an idle reader; otherwise queue on one in turn.
        for r in &self.readers {
            if let Ok(guard) = r.try_lock() {
                return Self::in_read_transaction(&guard, f);
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let guard = lock(&self.readers[i]);
        Self::in_read_transaction(&guard, f)
    }

    fn in_read_transaction<T, E: From<StoreError>>(
        conn: &Connection,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        // DEFERRED: the snapshot is taken at the first read and held until the end of the transaction.
        let tx = conn.unchecked_transaction().map_err(StoreError::from)?;
        let out = f(&tx);
        // A read-only transaction has nothing to commit; ending it releases the snapshot either way.
        tx.finish().map_err(StoreError::from)?;
        out
    }

    /// Gives the writer a larger page cache until the returned guard is dropped: for bulk work done in many
    /// transactions (an import's chunks).
    pub(crate) fn bulk_cache(&self) -> BulkCache<'_> {
        if self.bulk_holders.fetch_add(1, Ordering::SeqCst) == 0 {
            self.set_writer_cache(BULK_CACHE_KIB);
        }
        BulkCache(self)
    }

    fn set_writer_cache(&self, kib: i64) {
        if let Err(e) = lock(&self.writer).pragma_update(None, "cache_size", -kib) {
            // Only speed depends on it.
            tracing::warn!(error = %e, "could not resize the page cache");
        }
    }

    /// Runs `f` in one immediate transaction that is always rolled back: a rehearsal (an import's dry run
    /// does exactly what the run would, and keeps nothing).
    pub(crate) fn rehearse<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut guard = self.take_writer();
        let tx = guard.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        still_ours(&tx)?;
        let out = f(&tx);
        tx.rollback().map_err(StoreError::from)?;
        out
    }

    /// Runs `f` in one immediate transaction, committed only if `f` succeeds: a failure or a crash part-way
    /// leaves nothing behind.
    pub(crate) fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut guard = self.take_writer();
        self.write_on(&mut guard, f)
    }

    /// As [`Database::write`], and the commit is on the disk when this returns: for a write acknowledged to
    /// someone outside (a capture request's 202), which a power cut must not take back once they were told.
    /// Other writes keep `synchronous=NORMAL`: after a power cut they may lose their last moments, which the
    /// user who made them sees, but never their consistency.
    pub(crate) fn write_durable<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut guard = self.take_writer();
        // SQLite refuses to change it inside a transaction, so it is set around one.
        guard.pragma_update(None, "synchronous", "FULL").map_err(StoreError::from)?;
        let out = self.write_on(&mut guard, f);
        if let Err(e) = guard.pragma_update(None, "synchronous", "NORMAL") {
            // Only later writes' speed depends on it.
            tracing::warn!(error = %e, "could not set synchronous back to NORMAL");
        }
        out
    }

    fn write_on<T, E: From<StoreError>>(
        &self,
        guard: &mut Connection,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = guard.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        still_ours(&tx)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        if let Some(c) = &self.checkpointer {
            let wal = std::fs::metadata(self.wal_path()).map(|m| m.len()).unwrap_or(0);
            if wal > WAL_INLINE_CHECKPOINT_BYTES {
                let _ = guard.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            } else if wal > WAL_CHECKPOINT_BYTES {
                c.nudge();
            }
        }
        Ok(out)
    }
}

/// Refuses to write once a newer Rapport has upgraded the file under this one (the app left open while an
/// updated CLI, or a second window of the new version, opened the same database): this build's statements
/// would write rows in the shape of a schema that is gone. Asked inside the write lock, so no upgrade can come
/// between the check and the write; it reads the file's header, which is cached.
fn still_ours(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let found = migrations::schema_version(tx)?;
    if found > LATEST_VERSION {
        return Err(StoreError::TooNew { found, known: LATEST_VERSION });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The workspace's `.cargo/config.toml` builds SQLite without memory statistics (it says why); a build
    /// that lost the setting would be a tenth slower at importing without anything else telling.
    #[test]
    fn sqlite_is_built_without_memory_statistics() {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    }

    /// A durable write syncs its commit (`synchronous=FULL` inside it) and leaves the others as they were.
    #[test]
    fn a_durable_write_is_synced_and_the_next_write_is_not() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&dir.path().join("t.db"), &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let level = |tx: &Transaction<'_>| -> Result<i64, StoreError> {
            Ok(tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?)
        };
        assert_eq!(db.write(level).unwrap_or_else(|e| panic!("{e}")), 1, "NORMAL");
        assert_eq!(db.write_durable(level).unwrap_or_else(|e| panic!("{e}")), 2, "FULL");
        assert_eq!(db.write(level).unwrap_or_else(|e| panic!("{e}")), 1, "NORMAL again");
        // A durable write that fails leaves NORMAL too.
        let failed = db.write_durable(|_| -> Result<(), StoreError> { Err(StoreError::BadCursor) });
        assert!(failed.is_err());
        assert_eq!(db.write(level).unwrap_or_else(|e| panic!("{e}")), 1, "NORMAL after a failure");
    }

    /// A bulk guard taken inside another (a fold between an import's chunks) leaves the outer one its cache.
    #[test]
    fn the_bulk_cache_lasts_until_its_last_holder_lets_go() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&dir.path().join("t.db"), &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let cache = || -> i64 { lock(&db.writer).query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap_or(0) };
        assert_eq!(cache(), -CACHE_KIB);
        let outer = db.bulk_cache();
        {
            let _inner = db.bulk_cache();
            assert_eq!(cache(), -BULK_CACHE_KIB);
        }
        assert_eq!(cache(), -BULK_CACHE_KIB, "the outer guard still holds it");
        drop(outer);
        assert_eq!(cache(), -CACHE_KIB);
    }

    /// Saves never pay for folding the log into the file: that happens in the background once the log passes
    /// its threshold, and the file then holds what was written.
    #[test]
    fn the_log_is_folded_into_the_file_in_the_background() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("t.db");
        let db = Database::open(&path, &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let autocheckpoint: i64 =
            lock(&db.writer).query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0)).unwrap_or(-1);
        assert_eq!(autocheckpoint, 0, "commits do not checkpoint");
        let before = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let blob = "x".repeat(64 * 1024);
        // 12.5 MiB: the log passes its 4 MiB threshold several times. (Once folded, the log restarts and, with
        // its size limit, shrinks: what follows is folded when it passes the threshold again, so one crossing
        // alone would leave the file short of the 4 MiB checked below by a few pages.)
        for i in 0..200 {
            db.write(|tx| -> Result<(), StoreError> {
                tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)", (format!("k{i}"), &blob))?;
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        }
        // Generous: this checks that it happens, not how fast.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < before + 4 * 1024 * 1024 {
            assert!(std::time::Instant::now() < deadline, "the background checkpoint never ran");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything one `read` call reads comes from one committed moment, even when a write commits between
    /// two of its statements (as a lead's row and its emails are read by two statements).
    #[test]
    fn a_read_sees_one_moment() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&dir.path().join("t.db"), &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let set = |v: &str| {
            db.write(|tx| -> Result<(), StoreError> {
                tx.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('probe', ?1)", [v])?;
                Ok(())
            })
        };
        let get = |c: &Connection| -> Result<String, StoreError> {
            Ok(c.query_row("SELECT value FROM settings WHERE key = 'probe'", [], |r| r.get(0))?)
        };
        set("before").unwrap_or_else(|e| panic!("{e}"));
        let (first, second) = db
            .read(|c| -> Result<(String, String), StoreError> {
                let first = get(c)?;
                set("after")?; // another writer commits meanwhile
                Ok((first, get(c)?))
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((first.as_str(), second.as_str()), ("before", "before"));
        assert_eq!(db.read(get).ok().as_deref(), Some("after"), "the next read sees the new value");
    }

    /// Bulk work gets the larger cache for as long as it runs, and the writer gives the memory back after.
    #[test]
    fn the_bulk_cache_lasts_as_long_as_its_guard() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&dir.path().join("t.db"), &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let cache = || lock(&db.writer).query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0)).unwrap_or(0);
        assert_eq!(cache(), -CACHE_KIB);
        {
            let _bulk = db.bulk_cache();
            assert_eq!(cache(), -BULK_CACHE_KIB);
        }
        assert_eq!(cache(), -CACHE_KIB);
    }

    /// A transaction in progress learns that a save of this process waits for the writer (an import's chunk
    /// then commits early), and the save goes through once it ends.
    #[test]
    fn a_transaction_sees_a_save_waiting_for_the_writer() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Database::open(&dir.path().join("t.db"), &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let (started, has_started) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|s| {
            let bulk = s.spawn(|| {
                db.write(|_| -> Result<bool, StoreError> {
                    assert!(!db.writer_wanted(), "no one waits yet");
                    let _ = started.send(());
                    // Generous: this checks that it happens, not how fast.
                    let deadline = std::time::Instant::now() + Duration::from_secs(60);
                    while !db.writer_wanted() && std::time::Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Ok(db.writer_wanted())
                })
            });
            let _ = has_started.recv();
            db.write(|tx| -> Result<(), StoreError> {
                tx.execute("INSERT INTO settings (key, value) VALUES ('save', 'done')", [])?;
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(bulk.join().ok().and_then(Result::ok), Some(true));
        });
        assert!(!db.writer_wanted());
        let saved: Option<String> = db
            .read(|c| {
                c.query_row("SELECT value FROM settings WHERE key = 'save'", [], |r| r.get(0)).map_err(StoreError::from)
            })
            .ok();
        assert_eq!(saved.as_deref(), Some("done"));
    }
}
