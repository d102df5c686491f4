//! The pipelines, their stages with entry criteria, and the lost reasons, as an Administrator configures them:
//! their SQL and their shapes.
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::activities::ActivityKind;
use super::stagnation::StagnationPolicy;
use crate::db::StoreError;

/// What closing in a stage means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    Open,
    Won,
    Lost,
}

impl StageOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            StageOutcome::Open => "open",
            StageOutcome::Won => "won",
            StageOutcome::Lost => "lost",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "won" => StageOutcome::Won,
            "lost" => StageOutcome::Lost,
            _ => StageOutcome::Open,
        }
    }
}

/// One stage as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageConfig {
    pub key: String,
    pub label: String,
    pub pipeline: String,
    pub position: i32,
    /// Percent, 0–100.
    pub probability: u8,
    /// CSS colour.
    pub colour: String,
    pub outcome: StageOutcome,
    /// Closed stages (Won, Lost) end a deal.
    pub closed: bool,
    /// Lead fields (the field table's names) that must hold a value before a lead enters.
    pub required_fields: Vec<String>,
    /// Kinds of activity that must have happened before a lead enters.
    pub required_activities: Vec<ActivityKind>,
    /// The entry criteria are asked of a lead moved past this stage too (from New lead straight to Won), not
    /// only of one entering it.
    pub asked_when_skipped: bool,
    /// Where a lead inactive too long here goes (None: it may stay).
    pub stagnation: Option<StagnationPolicy>,
}

/// What an Administrator may change of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageSettings {
    pub label: String,
    pub probability: u8,
    pub colour: String,
    pub required_fields: Vec<String>,
    pub required_activities: Vec<ActivityKind>,
    /// Off unless said: a caller written before the setting existed leaves it as the pipeline always was.
    #[serde(default)]
    pub asked_when_skipped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PipelineInfo {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LostReason {
    pub key: String,
    pub label: String,
}

/// Everything the board, the lead form and the settings page need of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PipelineConfig {
    pub pipelines: Vec<PipelineInfo>,
    pub stages: Vec<StageConfig>,
    pub lost_reasons: Vec<LostReason>,
}

fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    // A hand-edited or damaged list reads as no criterion rather than failing every read of the pipeline.
    serde_json::from_str(text).unwrap_or_default()
}

const STAGE_COLUMNS: &str = "key, label, pipeline, position, probability, colour, outcome, closed, required_fields, \
                             required_activities, stale_after_days, stale_target, stale_reason, asked_when_skipped";

fn stage_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StageConfig> {
    Ok(StageConfig {
        key: r.get(0)?,
        label: r.get(1)?,
        pipeline: r.get(2)?,
        position: r.get(3)?,
        probability: r.get::<_, i64>(4)?.clamp(0, 100) as u8,
        colour: r.get(5)?,
        outcome: StageOutcome::parse(&r.get::<_, String>(6)?),
        closed: r.get(7)?,
        required_fields: json_list(&r.get::<_, String>(8)?),
        required_activities: json_list(&r.get::<_, String>(9)?),
        asked_when_skipped: r.get(13)?,
        stagnation: match (r.get::<_, Option<i64>>(10)?, r.get::<_, Option<String>>(11)?) {
            (Some(days), Some(target)) => {
                Some(StagnationPolicy { after_days: days.clamp(1, 3650) as u16, target, lost_reason: r.get(12)? })
            }
            _ => None,
        },
    })
}

pub(crate) fn stages(conn: &Connection) -> Result<Vec<StageConfig>, StoreError> {
    // Pipelines in their own order (New business first, then those added), not by their keys' letters.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STAGE_COLUMNS} FROM stages
         ORDER BY (SELECT p.position FROM pipelines p WHERE p.key = stages.pipeline), pipeline, position"
    ))?;
    let rows = stmt.query_map([], stage_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn stage(conn: &Connection, key: &str) -> Result<Option<StageConfig>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {STAGE_COLUMNS} FROM stages WHERE key = ?1"))?
        .query_row([key], stage_row)
        .optional()?)
}

/// Whether any stage asks its criteria of the leads that skip it: the gate asks first, per check (an import per
/// row), so that the stages are read only when one does.
pub(crate) fn any_asked_when_skipped(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM stages WHERE asked_when_skipped)")?
        .query_row([], |r| r.get(0))?)
}

pub(crate) fn pipelines(conn: &Connection) -> Result<Vec<PipelineInfo>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT key, label FROM pipelines ORDER BY position")?;
    let rows = stmt.query_map([], |r| Ok(PipelineInfo { key: r.get(0)?, label: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn lost_reasons(conn: &Connection) -> Result<Vec<LostReason>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT key, label FROM lost_reasons ORDER BY position")?;
    let rows = stmt.query_map([], |r| Ok(LostReason { key: r.get(0)?, label: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn update_stage(tx: &Transaction<'_>, key: &str, s: &StageSettings) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE stages SET label = ?2, probability = ?3, colour = ?4, required_fields = ?5, required_activities = ?6,
                           asked_when_skipped = ?7
         WHERE key = ?1",
    )?
    .execute(params![
        key,
        s.label,
        i64::from(s.probability),
        s.colour,
        serde_json::to_string(&s.required_fields).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&s.required_activities).unwrap_or_else(|_| "[]".into()),
        s.asked_when_skipped,
    ])?;
    Ok(())
}

pub(crate) fn set_position(tx: &Transaction<'_>, key: &str, position: i32) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE stages SET position = ?2 WHERE key = ?1")?.execute(params![key, position])?;
    Ok(())
}

pub(crate) fn insert_pipeline(tx: &Transaction<'_>, key: &str, label: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO pipelines (key, label, position) VALUES (?1, ?2, (SELECT ifnull(max(position), -1) + 1 FROM pipelines))",
    )?
    .execute(params![key, label])?;
    Ok(())
}

/// A stage added at the end of its pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewStage {
    pub pipeline: String,
    pub key: String,
    pub label: String,
    pub outcome: StageOutcome,
}

/// The likelihood of winning a new stage starts at: Won 100, Lost 0; an open stage added after the pipeline's
/// others halfway from the likeliest of them to 100, the first 10. Each stage added is then further on than those
/// before it, as the gate and the stagnation policies read "forward" by likelihood: at 0, like the first, moving
/// a Draft on to it skipped the completeness rule (seed 2.2) and its criteria. An Administrator sets it after.
pub(crate) fn default_probability(conn: &Connection, s: &NewStage) -> Result<u8, StoreError> {
    Ok(match s.outcome {
        StageOutcome::Won => 100,
        StageOutcome::Lost => 0,
        StageOutcome::Open => {
            let likeliest: Option<i64> = conn.query_row(
                "SELECT max(probability) FROM stages WHERE pipeline = ?1 AND outcome = 'open'",
                [&s.pipeline],
                |r| r.get(0),
            )?;
            likeliest.map_or(10, |p| ((p.clamp(0, 100) + 100) / 2) as u8)
        }
    })
}

/// Adds stage `s`: an open one before its pipeline's first closing stage (a "Negotiation" added to the sales
/// pipeline comes before Won and Lost, where the lists and the board read it in order), a closing one last.
pub(crate) fn insert_stage(tx: &Transaction<'_>, s: &NewStage, probability: u8) -> Result<(), StoreError> {
    let before_closing: Option<i64> = if s.outcome == StageOutcome::Open {
        tx.query_row(
            "SELECT min(position) FROM stages WHERE pipeline = ?1 AND outcome <> 'open'",
            [&s.pipeline],
            |r| r.get(0),
        )?
    } else {
        None
    };
    if let Some(at) = before_closing {
        tx.execute("UPDATE stages SET position = position + 1 WHERE position >= ?1", [at])?;
    }
    tx.prepare_cached(
        "INSERT INTO stages (key, label, position, closed, pipeline, outcome, probability, required_fields)
         VALUES (?1, ?2, coalesce(?7, (SELECT ifnull(max(position), -1) + 1 FROM stages)), ?3, ?4, ?5, ?6, ?8)",
    )?
    .execute(params![
        s.key,
        s.label,
        s.outcome != StageOutcome::Open,
        s.pipeline,
        s.outcome.as_str(),
        i64::from(probability),
        before_closing,
        serde_json::to_string(&closing_fields(s.outcome)).unwrap_or_else(|_| "[]".into())
    ])?;
    Ok(())
}

/// What a closing stage asks by default, as the sales pipeline's Won and Lost do: a deal won with its value, one
/// lost with why. A Lost stage added to another pipeline asked nothing, and took deals lost for no reason.
pub(crate) fn closing_fields(outcome: StageOutcome) -> Vec<&'static str> {
    match outcome {
        StageOutcome::Won => vec!["deal_value", "currency"],
        StageOutcome::Lost => vec!["lost_reason"],
        _ => vec![],
    }
}

pub(crate) fn replace_lost_reasons(tx: &Transaction<'_>, reasons: &[LostReason]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM lost_reasons", [])?;
    let mut insert = tx.prepare_cached("INSERT INTO lost_reasons (key, label, position) VALUES (?1, ?2, ?3)")?;
    for (i, r) in reasons.iter().enumerate() {
        insert.execute(params![r.key, r.label, i as i64])?;
    }
    Ok(())
}

/// How many leads hold lost reason `key`.
/// The leads holding lost reason `key`, those merged away among them: an unmerge brings them back as they were,
/// and a reason no longer listed would make every later save of theirs fail validation.
pub(crate) fn leads_with_reason(conn: &Connection, key: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM leads WHERE lost_reason = ?1)
              + (SELECT count(*) FROM merged_leads m, json_each(m.rows) j
                 WHERE json_extract(j.value, '$.table') = 'leads'
                   AND json_extract(j.value, '$.row.lost_reason') = ?1)",
        [key],
        |r| r.get(0),
    )?)
}
