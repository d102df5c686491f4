//! The stage history's SQL. The rows themselves are written by the trigger of migration 007.
use chrono::{DateTime, Utc};
use rusqlite::Connection;

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

/// Lead `id`'s moves, oldest first.
pub(crate) fn moves_of(conn: &Connection, id: i64) -> Result<Vec<Move>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT from_stage, to_stage, at FROM stage_moves WHERE lead_id = ?1 ORDER BY at, id")?;
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
         ORDER BY m.lead_id, m.at, m.id",
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
