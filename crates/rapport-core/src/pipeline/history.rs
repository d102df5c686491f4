//! The stage history's SQL: the moves, written beside the change-log rows that make them, and read back.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::audit::store::BatchId;
use crate::db::StoreError;

/// One move of a lead: from a stage (None: it came into being) to another (None: it stopped being).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Move {
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: DateTime<Utc>,
}

/// What the velocity groups a lead's moves by.
pub(crate) struct LeadFacts {
    pub campaign: String,
    pub owner_id: Option<i64>,
    pub source: Option<String>,
}

fn to_move(from: Option<String>, to: Option<String>, at: &str) -> Result<Move, StoreError> {
    let at = DateTime::parse_from_rfc3339(at).map_err(|e| {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e)))
    })?;
    Ok(Move { from, to, at: at.with_timezone(&Utc) })
}

/// Lead `id`'s moves, in the order they were made (by id: a clock set back between two moves would put the
/// later one first by its time).
pub(crate) fn moves_of(conn: &Connection, id: i64) -> Result<Vec<Move>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT from_stage, to_stage, at FROM stage_moves WHERE lead_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (from, to, at) = row?;
        out.push(to_move(from, to, &at)?);
    }
    Ok(out)
}

/// Calls `f` with each stored lead's facts and moves, oldest first, one lead at a time.
pub(crate) fn for_each_lead(conn: &Connection, f: &mut dyn FnMut(&LeadFacts, &[Move])) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.lead_id, m.from_stage, m.to_stage, m.at, l.campaign, l.owner_id, l.source
         FROM stage_moves m JOIN leads l ON l.id = m.lead_id
         ORDER BY m.lead_id, m.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<(i64, LeadFacts)> = None;
    let mut moves = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if current.as_ref().is_some_and(|(c, _)| *c != id) {
            if let Some((_, facts)) = current.take() {
                f(&facts, &moves);
            }
            moves.clear();
        }
        if current.is_none() {
            current = Some((id, LeadFacts { campaign: r.get(4)?, owner_id: r.get(5)?, source: r.get(6)? }));
        }
        moves.push(to_move(r.get(1)?, r.get(2)?, &r.get::<_, String>(3)?)?);
    }
    if let Some((_, facts)) = current {
        f(&facts, &moves);
    }
    Ok(())
}

fn snapshot_stage(snapshot: Option<&str>) -> Option<String> {
    // Only the stage is read: serde skips the rest of the snapshot without building it.
    #[derive(serde::Deserialize)]
    struct Stage {
        stage: Option<String>,
    }
    serde_json::from_str::<Stage>(snapshot?).ok()?.stage
}

/// The move a change-log row of lead `lead` makes, if any, appended to the stage history in the row's
/// transaction. A move is a change of the stage field; a lead's creation or deletion (its snapshot, with its
/// stage); or a merge, which takes a lead out of its stage, and an unmerge, which puts it back (the lead's row
/// exists at both moments: a merge logs before it deletes, an unmerge after it restores).
pub(crate) fn follow(
    tx: &Transaction<'_>,
    batch: &BatchId,
    lead: i64,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StoreError> {
    let stage_now = || -> Result<Option<String>, StoreError> {
        Ok(tx
            .prepare_cached("SELECT stage FROM leads WHERE id = ?1")?
            .query_row([lead], |r| r.get(0))
            .optional()?
            .flatten())
    };
    let (from, to) = match field {
        "stage" => (old.map(str::to_string), new.map(str::to_string)),
        "*" => (snapshot_stage(old), snapshot_stage(new)),
        "merged_into" if new.is_some() => (stage_now()?, None),
        "merged_into" => (None, stage_now()?),
        _ => return Ok(()),
    };
    if from != to {
        tx.prepare_cached(
            "INSERT INTO stage_moves (lead_id, from_stage, to_stage, at, batch_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![lead, from, to, batch.at, batch.id])?;
    }
    Ok(())
}

/// Migration 007: the moves the change log holds for the leads stored before, in the order they were logged,
/// read as [`follow`] reads them. A merge's log row does not name the stage: the one the lead was in then is
/// followed here, and an unmerge puts the lead back into the stage it left.
pub(crate) fn backfill(tx: &Transaction<'_>) -> Result<(), StoreError> {
    // The stage a lead is in as far as the moves written so far say (merges are rare: asked, not tracked).
    let mut last =
        tx.prepare("SELECT to_stage FROM stage_moves WHERE lead_id = ?1 ORDER BY at DESC, id DESC LIMIT 1")?;
    let mut left: HashMap<i64, String> = HashMap::new();
    let mut insert = tx
        .prepare("INSERT INTO stage_moves (lead_id, from_stage, to_stage, at, batch_id) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let mut stmt = tx.prepare(
        "SELECT c.entity_id, c.field, c.old_value, c.new_value, c.batch_id, b.at
         FROM change_log c JOIN change_batches b ON b.id = c.batch_id
         WHERE c.entity = 'lead' AND c.field IN ('stage', '*', 'merged_into')
         ORDER BY c.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let lead: i64 = r.get(0)?;
        let field: String = r.get(1)?;
        let (old, new): (Option<String>, Option<String>) = (r.get(2)?, r.get(3)?);
        let (from, to) = match field.as_str() {
            "stage" => (old, new),
            "*" => (snapshot_stage(old.as_deref()), snapshot_stage(new.as_deref())),
            // Merged away: out of the stage it is in.
            _ if new.is_some() => {
                let stage: Option<String> = last.query_row([lead], |r| r.get(0)).optional()?.flatten();
                if let Some(s) = &stage {
                    left.insert(lead, s.clone());
                }
                (stage, None)
            }
            // Unmerged: back into the stage it left.
            _ => (None, left.remove(&lead)),
        };
        if from != to {
            insert.execute(params![lead, from, to, r.get::<_, String>(5)?, r.get::<_, i64>(4)?])?;
        }
    }
    Ok(())
}

/// Whether lead `lead` changed stage after `at` (RFC 3339, as every stored time here).
pub(crate) fn moved_since(conn: &rusqlite::Connection, lead: i64, at: &str) -> Result<bool, crate::db::StoreError> {
    Ok(conn
        // Moves between stages only: a merge taking the lead out of its stage and its unmerge putting it back (or
        // a removal and its restore) leave it where it was, and a request closed by that merge waits again.
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM stage_moves WHERE lead_id = ?1 AND at > ?2
                 AND from_stage IS NOT NULL AND to_stage IS NOT NULL)",
        )?
        .query_row(rusqlite::params![lead, at], |r| r.get(0))?)
}

/// When lead `lead`'s deal last opened: its last move out of a won or lost stage, or else its first move (its
/// creation). What it held since is what its open deal was worth.
pub(crate) fn open_since(conn: &rusqlite::Connection, lead: i64) -> Result<Option<String>, crate::db::StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(
                 (SELECT at FROM stage_moves WHERE lead_id = ?1
                    AND from_stage IN (SELECT key FROM stages WHERE outcome <> 'open') ORDER BY id DESC LIMIT 1),
                 (SELECT at FROM stage_moves WHERE lead_id = ?1 ORDER BY id LIMIT 1))",
        )?
        .query_row([lead], |r| r.get::<_, Option<String>>(0))?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::audit::Origin;
    use crate::leads::LeadInput;
    use crate::{FixedClock, OpenOptions, Rapport};

    type Row = (i64, Option<String>, Option<String>, String, Option<i64>);

    fn rows(core: &Rapport) -> Vec<Row> {
        core.db
            .read(|c| -> Result<Vec<Row>, StoreError> {
                let mut stmt =
                    c.prepare("SELECT lead_id, from_stage, to_stage, at, batch_id FROM stage_moves ORDER BY id")?;
                let out = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
                Ok(out.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap_or_default()
    }

    /// What the migration gives leads stored before is what [`follow`] wrote as they moved: creation, moves,
    /// a merge and an unmerge (whose log rows do not name the stage).
    #[test]
    fn the_backfill_reads_the_change_log_as_the_moves_were_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let start = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().unwrap_or_default();
        let clock = Arc::new(FixedClock::new(start));
        let core = Rapport::open_with(&dir.path().join("t.db"), &OpenOptions::default(), clock.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        let admin = core.create_first_admin("admin", "Ada", "correct horse battery").unwrap_or_else(|e| panic!("{e}"));
        // The history is under test, not the gate: the leads move freely.
        core.db
            .write(|tx| -> Result<usize, StoreError> {
                Ok(tx.execute("UPDATE stages SET required_fields = '[]', required_activities = '[]'", [])?)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let lead = |first: &str, email: &str, stage: &str| LeadInput {
            first_name: first.into(),
            last_name: "Lee".into(),
            emails: vec![email.into()],
            stage: stage.into(),
            source: Some(crate::leads::SourceChannel::WebForm),
            ..Default::default()
        };
        let create = |l: &LeadInput| core.create_lead(&admin, l, &Origin::manual()).map(|s| s.lead);
        let ann = create(&lead("Ann", "ann@lee.io", "new")).unwrap_or_else(|e| panic!("{e}"));
        let annie = create(&lead("Annie", "annie@lee.io", "qualification")).unwrap_or_else(|e| panic!("{e}"));
        clock.advance(chrono::Duration::days(2));
        let mut moved = ann.to_input();
        moved.stage = "engagement".into();
        core.update_lead(&admin, ann.id, ann.version, &moved, &Origin::manual()).unwrap_or_else(|e| panic!("{e}"));
        clock.advance(chrono::Duration::days(1));
        let merged = core.merge_leads(&admin, ann.id, &[annie.id], &[]).unwrap_or_else(|e| panic!("{e}"));
        clock.advance(chrono::Duration::days(1));
        core.unmerge(&admin, merged.merge_id).unwrap_or_else(|e| panic!("{e}"));

        let written = rows(&core);
        let annie_moves: Vec<(Option<&str>, Option<&str>)> =
            written.iter().filter(|r| r.0 == annie.id).map(|r| (r.1.as_deref(), r.2.as_deref())).collect();
        assert_eq!(
            annie_moves,
            vec![(None, Some("qualification")), (Some("qualification"), None), (None, Some("qualification"))],
            "merged away out of her stage, and back into it"
        );
        core.db
            .write(|tx| -> Result<(), StoreError> {
                tx.execute("DELETE FROM stage_moves", [])?;
                backfill(tx)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows(&core), written);
    }
}
