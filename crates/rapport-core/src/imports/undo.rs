//! Undoing a whole import, chunk by chunk from its last change batch back: leads it created are removed
//! unless someone changed them since (then they stay, with why), fields it changed go back unless edited since
//! (the edit stays). Each step records how far it came in its own transaction, so an undo interrupted by a
//! crash goes on where it stopped, and the log keeps the import and its undoing.
use std::time::Instant;

use super::model::{ImportStatus, RunPhase, RunProgress, UndoReport};
use super::store;
use crate::access::{Actor, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::duplicates::take_back;
use crate::error::{Error, Result};
use crate::leads::api::visible_lead;
use crate::leads::{fields, store as leads};
use crate::rapport::Rapport;

fn has_appointments(conn: &rusqlite::Connection, lead_id: i64) -> Result<bool> {
    Ok(crate::calendar::lead_has_appointments(conn, lead_id)?)
}

impl Rapport {
    pub fn undo_import(&self, actor: &Actor, id: i64, progress: &mut dyn FnMut(RunProgress)) -> Result<UndoReport> {
        self.mark_interrupted_imports()?;
        // Visible to the actor, before anything else is said about it.
        self.import_batch_row(actor, id)?;
        let Some(_lock) = self.take_run_lock_to_start(id)? else {
            return Err(super::error::ImportError::WrongState {
                id,
                status: "running",
                what: "it is busy in another window or process",
            }
            .into());
        };
        // Read under the lock: an undo or a resume that ran meanwhile has moved its state, cursor and report.
        let b = self.import_batch_row(actor, id)?;
        let resumable_undo = b.status == ImportStatus::Interrupted && b.undo_cursor.is_some();
        if !matches!(
            b.status,
            ImportStatus::Completed | ImportStatus::Cancelled | ImportStatus::Failed | ImportStatus::Interrupted
        ) && !resumable_undo
        {
            return Err(super::error::ImportError::WrongState {
                id,
                status: b.status.as_str(),
                what: "it cannot be undone now",
            }
            .into());
        }
        // The leads each chunk takes back, counted first: the progress counts leads, as the import's counted
        // rows ("3 of 7 steps" told the user nothing).
        let batches = self.db.read(|c| {
            let mut batches = Vec::new();
            for batch in changelog::batches_of_import(c, id, b.undo_cursor)? {
                batches.push((batch, changelog::records_of_batch(c, batch, "lead")?));
            }
            Ok::<_, Error>(batches)
        })?;
        let mut report = b.undo.clone().unwrap_or_default();
        let total: u32 = batches.iter().map(|(_, leads)| leads).sum();
        let mut done = 0u32;
        let started = Instant::now();
        let undo_ref = undo_ref_of(id);
        // A cancel stops between chunks: the batch is left interrupted, partly undone, and its undo goes on
        // from there when asked again.
        let following = self.imports.runs.follow(id);
        // An undo stopped before step `i` (cancelled, or failed) leaves the import as it was before the undo
        // began when nothing of it was taken back yet (its finish time and error too), else interrupted, to go
        // on from there: never "undoing" with nothing running.
        let set_back = |i: usize| {
            let (status, finished, error) = if i == 0 && b.undo_cursor.is_none() {
                (b.status, b.finished_at.as_deref(), b.error.as_deref())
            } else {
                (ImportStatus::Interrupted, None, None)
            };
            self.db.write(|tx| Ok::<_, Error>(store::set_status(tx, id, status, finished, error)?))
        };
        for (i, (change_batch, leads_in_it)) in batches.into_iter().enumerate() {
            if following.cancelled() {
                set_back(i)?;
                return Err(Error::Cancelled);
            }
            let step = self.db.write(|tx| {
                let grant = Self::grant_going_on(tx, actor, Permission::WriteLeads)?;
                super::run::still_theirs(tx, &grant, id)?;
                let origin = Origin { reason: ChangeReason::ManualEdit, source_ref: undo_ref.clone() };
                let undo_batch = self.begin_batch(tx, &grant, &origin)?;
                let mut report = report.clone();
                // Marked undoing with its first step, not before: a process killed in between leaves the import
                // as it was (completed, with its finish time and error), not "interrupted" with nothing undone
                // and a resume offered on a finished import.
                store::set_status(tx, id, ImportStatus::Undoing, None, None)?;
                let rows = changelog::batch_rows_of(tx, change_batch, "lead")?;
                // Each lead once, the last changed first: a lead changed twice in a chunk, around another, is
                // not taken back twice.
                let mut seen = std::collections::HashSet::new();
                let lead_ids: Vec<i64> = rows.iter().rev().map(|r| r.0).filter(|l| seen.insert(*l)).collect();
                for lead_id in lead_ids {
                    let changes: Vec<_> = rows
                        .iter()
                        .filter(|r| r.0 == lead_id)
                        .map(|r| (r.1.clone(), r.2.clone(), r.3.clone()))
                        .collect();
                    let created = changes.iter().any(|(f, _, _)| f == "*");
                    let current = match visible_lead(tx, &grant, lead_id) {
                        Ok(l) => l,
                        Err(Error::NotFound { .. }) if leads::get(tx, lead_id)?.is_some() => {
                            let why = "kept: it is in a campaign outside yours now (an Administrator sees it)";
                            keep(tx, id, lead_id, why, &mut report)?;
                            continue;
                        }
                        Err(Error::NotFound { .. }) => {
                            // Merged since: said which merge, for the values it brought are in that lead now,
                            // and only an unmerge takes them out.
                            let why = match crate::duplicates::store::merge_of(tx, lead_id)? {
                                Some((into, merge)) => format!(
                                    "kept: merged into lead {into} since the import (merge {merge}), which holds \
                                     its values now; an unmerge gives it back as a lead of its own"
                                ),
                                None => "no longer exists (deleted since the import)".to_string(),
                            };
                            keep(tx, id, lead_id, &why, &mut report)?;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let later = changes_since(tx, lead_id, change_batch, id, &undo_ref)?;
                    if created {
                        // The stagnation policy's daily sweep moves leads nobody worked on: the lead is still
                        // only the import's (kept for it, an import left in New lead a fortnight could never be
                        // undone). An automation's change is no one's work either.
                        let worked = later.iter().find(|c| !matches!(c.reason.as_str(), "policy" | "automation"));
                        if let Some(changelog::LaterChange { field, at, actor_name: who, .. }) = worked {
                            // Named as the form names them, at the minute, in UTC: read by people.
                            let what = fields::field(field).map_or(field.clone(), |f| f.info.label.to_lowercase());
                            let when = at.get(..16).map_or(at.clone(), |t| format!("{} UTC", t.replace('T', " ")));
                            let why = format!("kept: {who} changed the {what} on {when}, after the import");
                            keep(tx, id, lead_id, &why, &mut report)?;
                        } else if has_appointments(tx, lead_id)? {
                            keep(tx, id, lead_id, "kept: it has appointments booked since the import", &mut report)?;
                        } else if crate::pipeline::activities::lead_has_activities(tx, lead_id)? {
                            keep(tx, id, lead_id, "kept: activities were logged on it since the import", &mut report)?;
                        } else if crate::pipeline::approvals::pending_for(tx, lead_id)?.is_some() {
                            keep(tx, id, lead_id, "kept: a move of it waits for approval", &mut report)?;
                        } else if crate::capture::lead_was_submitted(tx, lead_id)? {
                            let why = "kept: a web form or a partner sent it again since the import";
                            keep(tx, id, lead_id, why, &mut report)?;
                        } else if crate::duplicates::store::holds_merged_leads(tx, lead_id)? {
                            let why =
                                "kept: other leads were merged into it since the import, and their values are in it";
                            keep(tx, id, lead_id, why, &mut report)?;
                        } else {
                            changelog::record(
                                tx,
                                &undo_batch,
                                "lead",
                                lead_id,
                                "*",
                                Some(&fields::snapshot(&current)),
                                None,
                            )?;
                            leads::delete(tx, lead_id)?;
                            // The sweep's notices of its move, not shown yet, would name a lead no longer there.
                            crate::pipeline::stagnation::forget_unshown(tx, lead_id)?;
                            report.removed += 1;
                            // Kept by this undo's step of a later chunk (its change there could not be taken
                            // back), then removed with its creation: one lead, removed.
                            if store::remove_kept(tx, id, lead_id)? {
                                report.kept_count = report.kept_count.saturating_sub(1);
                            }
                            // Reverted by this undo's step of a later chunk, then removed: one lead, removed.
                            if changelog::changed_by_source(tx, "lead", lead_id, &undo_ref, undo_batch.id)? {
                                report.reverted = report.reverted.saturating_sub(1);
                            }
                        }
                        continue;
                    }
                    // A field the import changed and someone wrote since stays as it is now, even when it
                    // was written back to the import's value (the value alone cannot tell).
                    let written_since: Vec<&str> = later
                        .iter()
                        .map(|c| c.field.as_str())
                        .filter(|f| changes.iter().any(|(changed, _, _)| changed == f) && is_single_value(f))
                        .collect();
                    let since: Vec<_> = later.iter().map(|c| (c.field.clone(), c.old.clone(), c.new.clone())).collect();
                    let mut input = take_back(&current, &changes, &since);
                    for f in &written_since {
                        if let Some(fd) = fields::field(f) {
                            (fd.set)(&mut input, &(fd.get)(&current));
                        }
                    }
                    let stage_needs = crate::pipeline::gate::keep_required(tx, &current, &mut input)?;
                    if !stage_needs.is_empty() {
                        let why = format!("kept {}", stage_needs.join(", "));
                        keep(tx, id, lead_id, &why, &mut report)?;
                    }
                    let before = current.clone();
                    // The gate decides before anything is written: a refused lead stays as it is, and says why.
                    let after = match self.write_update(
                        tx,
                        &grant,
                        current,
                        &input,
                        crate::pipeline::Passage::Restoring,
                        &mut || Ok(undo_batch.clone()),
                    ) {
                        Ok(after) => after,
                        // Only the move back waits for an Administrator: the rest of what the import wrote is
                        // taken back with the stage kept (and what that stage requires). The undo is over once it
                        // ends, so the way on is the move itself, not undoing the import again.
                        Err(Error::NeedsApproval(needed)) => {
                            let why = format!(
                                "kept in its stage: moving it back to {} needs an Administrator's approval ({}); \
                                 an Administrator can move it back",
                                needed.stage_label, needed.rule
                            );
                            keep(tx, id, lead_id, &why, &mut report)?;
                            let mut in_its_stage = input.clone();
                            in_its_stage.stage = before.stage.clone();
                            crate::pipeline::gate::keep_required(tx, &before, &mut in_its_stage)?;
                            match self.write_update(
                                tx,
                                &grant,
                                before.clone(),
                                &in_its_stage,
                                crate::pipeline::Passage::Restoring,
                                &mut || Ok(undo_batch.clone()),
                            ) {
                                Ok(after) => after,
                                Err(
                                    Error::NeedsApproval(_) | Error::Validation(_) | Error::Access(_) | Error::Gate(_),
                                ) => continue,
                                Err(e) => return Err(e),
                            }
                        }
                        // Its values before the import are no longer accepted (an owner deactivated since, a
                        // campaign no longer the undoer's): refused before anything is written, so the lead stays
                        // as it is and says why. Failing the undo instead would fail it at this lead every time.
                        Err(Error::Validation(v)) => {
                            let why = format!(
                                "kept: its values before the import are no longer accepted ({})",
                                super::pipeline::describe(&v.errors)
                            );
                            keep(tx, id, lead_id, &why, &mut report)?;
                            continue;
                        }
                        Err(Error::Access(a)) => {
                            keep(tx, id, lead_id, &format!("kept: {a}"), &mut report)?;
                            continue;
                        }
                        Err(Error::Gate(g)) => {
                            keep(tx, id, lead_id, &format!("kept: {g}"), &mut report)?;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    // Once per lead, however many chunks of the import changed it.
                    if after.version != before.version
                        && !changelog::changed_by_source(tx, "lead", lead_id, &undo_ref, undo_batch.id)?
                    {
                        report.reverted += 1;
                    }
                    // Fields the import changed that hold another value now than its last change of them gave
                    // were edited since: they stay.
                    let now = fields::values(&before);
                    let mut last_change: Vec<&(String, Option<String>, Option<String>)> = Vec::new();
                    for c in changes.iter().rev() {
                        if !last_change.iter().any(|l| l.0 == c.0) {
                            last_change.push(c);
                        }
                    }
                    last_change.reverse();
                    let edited: Vec<&str> = last_change
                        .into_iter()
                        .filter(|(f, _, new)| {
                            is_single_value(f)
                                && (written_since.contains(&f.as_str())
                                    || now.iter().any(|(n, v)| n == f && Some(v) != new.as_ref()))
                        })
                        .map(|(f, _, _)| f.as_str())
                        .collect();
                    if !edited.is_empty() {
                        let why = format!("kept {}: edited since the import", edited.join(", "));
                        keep(tx, id, lead_id, &why, &mut report)?;
                    }
                }
                crate::duplicates::restore_decisions(tx, &grant, change_batch, &undo_batch, None)?;
                changelog::discard_empty(tx, &undo_batch)?;
                store::set_undo(tx, id, change_batch, &report)?;
                Ok::<_, Error>(report)
            });
            report = match step {
                Ok(r) => r,
                Err(e) => {
                    if let Err(not_saved) = set_back(i) {
                        tracing::warn!(import = id, error = %not_saved, "an undo failed, and its state could not be set back");
                    }
                    return Err(e);
                }
            };
            done += leads_in_it;
            let rate = f64::from(done) / started.elapsed().as_secs_f64().max(1e-3);
            progress(RunProgress {
                batch_id: id,
                phase: RunPhase::Undoing,
                rows_done: done,
                rows_total: Some(total),
                rows_per_second: rate,
                eta_seconds: Some(f64::from(total.saturating_sub(done)) / rate.max(1e-3)),
                counts: Default::default(),
            });
        }
        let now = self.now();
        self.db.write(|tx| Ok::<_, Error>(store::set_status(tx, id, ImportStatus::Undone, Some(&now), None)?))?;
        report.kept = self.kept_leads_by(actor, id, Self::grant_going_on)?;
        Ok(report)
    }
}

/// Counts a lead once however many chunks of the import kept it.
fn keep(tx: &rusqlite::Transaction<'_>, id: i64, lead_id: i64, why: &str, report: &mut UndoReport) -> Result<()> {
    if store::insert_kept(tx, id, lead_id, why)? {
        report.kept_count += 1;
    }
    Ok(())
}

/// An editable field of one value (not a list, whose entries the undo takes back one by one).
fn is_single_value(name: &str) -> bool {
    fields::field(name).is_some_and(|fd| {
        fd.info.editable
            && !matches!(
                fd.info.kind,
                crate::leads::LeadFieldKind::EmailList
                    | crate::leads::LeadFieldKind::PhoneList
                    | crate::leads::LeadFieldKind::TagList
            )
    })
}

const UNDO_REF_PREFIX: &str = "undo of import ";

/// The source of the change batches that undo import `id`.
fn undo_ref_of(id: i64) -> String {
    format!("{UNDO_REF_PREFIX}{id}")
}

/// What others wrote to lead `lead_id` after `change_batch` of import `id`, oldest first; the writes of another
/// import undone since (and its undo's) are left out: all of them when that undo did not keep the lead, and
/// those of each field it put back when it did.
fn changes_since(
    tx: &rusqlite::Transaction<'_>,
    lead_id: i64,
    change_batch: i64,
    id: i64,
    undo_ref: &str,
) -> Result<Vec<changelog::LaterChange>> {
    let later = changelog::changes_outside_import(tx, "lead", lead_id, change_batch, id, undo_ref)?;
    if later.is_empty() {
        return Ok(later);
    }
    let taken_back: Vec<i64> = store::undone_without(tx, lead_id)?;
    // Field by field too: another import's write of a field its undo put back is taken back, though that undo
    // kept the lead for another field edited since; and an undo's own writes only put values back.
    let put_back: Vec<(i64, String)> = later.iter().filter_map(|c| undoing(c).map(|i| (i, c.field.clone()))).collect();
    Ok(later
        .into_iter()
        .filter(|c| !taken_back.iter().any(|i| c.import_id == Some(*i) || undoing(c) == Some(*i)))
        .filter(|c| undoing(c).is_none())
        .filter(|c| !c.import_id.is_some_and(|i| put_back.iter().any(|(u, f)| *u == i && *f == c.field)))
        .collect())
}

/// The import whose undo wrote change `c`, if an undo did: its batch is no import's, written as an edit, under
/// the undo's own reference. An import's batch says its file's name, which may read "undo of import 12.csv".
fn undoing(c: &changelog::LaterChange) -> Option<i64> {
    if c.import_id.is_some() || c.reason != ChangeReason::ManualEdit.as_str() {
        return None;
    }
    c.source_ref.strip_prefix(UNDO_REF_PREFIX)?.parse().ok().filter(|i| undo_ref_of(*i) == c.source_ref)
}
