//! A run's rows are read a little ahead of the writer, and a helper thread checks them for duplicates on a
//! read connection while the writer writes the rows before them (see `duplicates::lookahead`, which makes
//! the writer's result exactly what it would find alone). A helper lives for one chunk: it reads the store
//! as that chunk's transaction began, so the rows a chunk leaves in hand are asked again of the next one's.
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::{Scope, ScopedJoinHandle};

use super::error::ImportError;
use super::reader::RawRow;
use super::rows::Mapper;
use crate::access::{Actor, Permission};
use crate::duplicates::lookahead::{prefetch, Prefetched};
use crate::duplicates::Unsaved;
use crate::error::{Error, FieldError};
use crate::leads::api::Rules;
use crate::leads::LeadInput;
use crate::rapport::Rapport;

/// Rows read ahead of the one being written: enough that the helper is rarely waited for, few enough that
/// the ones a chunk ends with are cheap to check again.
pub(crate) const READ_AHEAD: usize = 256;

/// A row of the file as read: mapped (or why not), or the reading failed.
pub(crate) enum ReadRow {
    Mapped(RawRow, std::result::Result<LeadInput, Vec<FieldError>>),
    Failed(ImportError),
}

impl ReadRow {
    pub(crate) fn mapped(row: RawRow, mapper: &Mapper) -> Self {
        let input = mapper.to_input(&row);
        Self::Mapped(row, input)
    }
}

/// The helper of one chunk: rows go in order, their checks come back in the same order.
pub(crate) struct Helper<'scope> {
    asks: Option<Sender<Option<LeadInput>>>,
    answers: Receiver<Option<Prefetched>>,
    thread: ScopedJoinHandle<'scope, ()>,
}

impl<'scope> Helper<'scope> {
    /// Starts the helper. Called inside the chunk's write transaction: its read transaction begins after, and
    /// so sees the store as the writer's began (no other writer can commit in between).
    pub(crate) fn start<'env>(core: &'env Rapport, scope: &'scope Scope<'scope, 'env>, actor: &'env Actor) -> Self {
        let (asks, questions) = channel();
        let (replies, answers) = channel();
        let thread = scope.spawn(move || core.check_ahead(actor, &questions, &replies));
        Self { asks: Some(asks), answers, thread }
    }

    /// Hands the helper the next row.
    pub(crate) fn ask(&mut self, row: &ReadRow) {
        let input = match row {
            ReadRow::Mapped(_, Ok(input)) => Some(input.clone()),
            _ => None,
        };
        if self.asks.as_ref().is_some_and(|a| a.send(input).is_err()) {
            self.asks = None;
        }
    }

    /// The check of the oldest row asked and not yet answered: none when the row had none to make or the
    /// helper could not (the writer then checks the row itself).
    pub(crate) fn answer(&mut self) -> Option<Prefetched> {
        self.answers.recv().ok().flatten()
    }

    /// Lets the helper go (rows still queued are dropped) and waits for it.
    pub(crate) fn stop(mut self) {
        self.asks = None;
        drop(self.answers);
        // A helper that failed only cost the writer the work it then did itself.
        let _ = self.thread.join();
    }
}

impl Rapport {
    /// The helper's loop: each row validated as the writer will validate it, and checked against the store.
    fn check_ahead(
        &self,
        actor: &Actor,
        questions: &Receiver<Option<LeadInput>>,
        replies: &Sender<Option<Prefetched>>,
    ) {
        let outcome = self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::WriteLeads)?;
            let rules = Rules::load(conn)?;
            let scope = grant.lead_scope();
            let model = crate::duplicates::incremental::load_model(conn)?;
            while let Ok(input) = questions.recv() {
                let check = input
                    .and_then(|row| rules.validate(conn, &row, &scope, None).ok())
                    .map(|valid| prefetch(conn, &model, &Unsaved::of(&valid.as_lead(0))))
                    .transpose()?;
                if replies.send(check).is_err() {
                    break;
                }
            }
            Ok::<_, Error>(())
        });
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "the duplicate check's helper stopped; the import checks its rows itself");
        }
    }
}
