//! Approvals of chosen transitions (seed 003's controls): the rules an Administrator sets, the requests a
//! move becomes when one applies, and their SQL. The gate asks [`rule_for`]; the operations are in
//! `approvals_api.rs`.
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::db::StoreError;

/// A transition that waits for an Administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ApprovalRule {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    /// None: leaving any stage.
    pub from_stage: Option<String>,
    /// None: entering any other stage.
    pub to_stage: Option<String>,
    /// Only deals worth at least this much.
    pub min_value: Option<f64>,
    /// The minimum's currency (ISO 4217). With one, a deal in another currency, or in none, is one the rule
    /// cannot compare and so covers: a control is not skipped by writing the amount in yen. Empty: the amount
    /// is compared whatever its currency (the rules written before rules had one).
    #[serde(default)]
    pub min_currency: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "approved" => ApprovalStatus::Approved,
            "rejected" => ApprovalStatus::Rejected,
            _ => ApprovalStatus::Pending,
        }
    }
}

/// A move waiting for (or given) a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ApprovalRequest {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    pub lead_name: String,
    pub value: String,
    pub currency: String,
    /// The rule that asked for it, as its label.
    pub rule: String,
    pub from_stage: String,
    pub to_stage: String,
    pub lost_reason: String,
    pub note: String,
    pub requested_by: Option<String>,
    /// Who asked, to offer them to withdraw it.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub requested_by_id: Option<i64>,
    pub requested_at: String,
    pub status: ApprovalStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub comment: String,
    /// Closed by who asked (rejected by its requester), not by a decision of another.
    pub withdrawn: bool,
}

/// What a deal is worth to the approval rules: the largest amount it held, and the currencies it held them in
/// (empty when an amount had none).
pub(crate) struct DealWorth<'a> {
    pub value: Option<f64>,
    pub currencies: Vec<&'a str>,
}

impl ApprovalRule {
    /// Whether the rule covers a deal worth `worth`. No amount is under any minimum.
    fn covers(&self, worth: &DealWorth<'_>) -> bool {
        let Some(min) = self.min_value else { return true };
        let Some(value) = worth.value else { return false };
        value >= min || (!self.min_currency.is_empty() && worth.currencies.iter().any(|c| *c != self.min_currency))
    }
}

const COLUMNS: &str = "id, from_stage, to_stage, min_value, min_currency, label";

fn rule_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApprovalRule> {
    Ok(ApprovalRule {
        id: r.get(0)?,
        from_stage: r.get(1)?,
        to_stage: r.get(2)?,
        min_value: r.get(3)?,
        min_currency: r.get(4)?,
        label: r.get(5)?,
    })
}

/// The rule a move from `from` (None: a lead being created) to `to` of a deal worth `worth` falls under.
pub(crate) fn rule_for(
    conn: &Connection,
    from: Option<&str>,
    to: &str,
    worth: &DealWorth<'_>,
) -> Result<Option<ApprovalRule>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM approval_rules
         WHERE (from_stage IS NULL OR from_stage = ?1) AND (to_stage IS NULL OR to_stage = ?2)
         ORDER BY id"
    ))?;
    let rules = stmt.query_map(params![from, to], rule_of)?;
    for rule in rules {
        let rule = rule?;
        // A rule on leaving a stage does not apply to a lead that was never in it.
        if rule.from_stage.is_some() && from.is_none() {
            continue;
        }
        if rule.covers(worth) {
            return Ok(Some(rule));
        }
    }
    Ok(None)
}

pub(crate) fn rules(conn: &Connection) -> Result<Vec<ApprovalRule>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM approval_rules ORDER BY id"))?;
    let rows = stmt.query_map([], rule_of)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn replace_rules(tx: &Transaction<'_>, rules: &[ApprovalRule]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM approval_rules", [])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO approval_rules (from_stage, to_stage, min_value, min_currency, label)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for r in rules {
        insert.execute(params![r.from_stage, r.to_stage, r.min_value, r.min_currency, r.label])?;
    }
    Ok(())
}

pub(crate) struct NewRequest<'a> {
    pub lead_id: i64,
    pub rule: &'a str,
    pub from_stage: &'a str,
    pub to_stage: &'a str,
    pub lost_reason: &'a str,
    pub note: &'a str,
    pub requested_by: Option<i64>,
    pub at: &'a str,
}

pub(crate) fn insert(tx: &Transaction<'_>, r: &NewRequest<'_>) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO approval_requests (lead_id, rule, from_stage, to_stage, lost_reason, note, requested_by, requested_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![r.lead_id, r.rule, r.from_stage, r.to_stage, r.lost_reason, r.note, r.requested_by, r.at])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn pending_for(conn: &Connection, lead: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM approval_requests WHERE lead_id = ?1 AND status = 'pending'")?
        .query_row([lead], |r| r.get(0))
        .optional()?)
}

/// Puts request `id` back in the queue, undecided.
pub(crate) fn reopen(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE approval_requests SET status = 'pending', decided_by = NULL, decided_at = NULL, comment = '' WHERE id = ?1",
    )?
    .execute([id])?;
    Ok(())
}

pub(crate) fn decide(
    tx: &Transaction<'_>,
    id: i64,
    status: ApprovalStatus,
    by: Option<i64>,
    at: &str,
    comment: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE approval_requests SET status = ?2, decided_by = ?3, decided_at = ?4, comment = ?5 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), by, at, comment])?;
    Ok(())
}

const SELECT: &str = "SELECT a.id, a.lead_id, l.first_name, l.last_name, l.company, l.deal_value, l.currency, a.rule,
        a.from_stage, a.to_stage, a.lost_reason, a.note, r.display_name, a.requested_at, a.status,
        d.display_name, a.decided_at, a.comment, a.requested_by,
        a.status = 'rejected' AND a.decided_by IS NOT NULL AND a.decided_by IS a.requested_by
    FROM approval_requests a
    LEFT JOIN leads l ON l.id = a.lead_id
    LEFT JOIN users r ON r.id = a.requested_by
    LEFT JOIN users d ON d.id = a.decided_by";

/// A request with the id of who asked (to tell them the decision).
pub(crate) struct Stored {
    pub request: ApprovalRequest,
    pub requested_by: Option<i64>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    let (first, last, company): (Option<String>, Option<String>, Option<String>) = (r.get(2)?, r.get(3)?, r.get(4)?);
    Ok(Stored {
        request: ApprovalRequest {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            lead_name: crate::leads::display_name(
                first.as_deref().unwrap_or(""),
                last.as_deref().unwrap_or(""),
                company.as_deref().unwrap_or(""),
            ),
            value: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            currency: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            rule: r.get(7)?,
            from_stage: r.get(8)?,
            to_stage: r.get(9)?,
            lost_reason: r.get(10)?,
            note: r.get(11)?,
            requested_by: r.get(12)?,
            requested_at: r.get(13)?,
            status: ApprovalStatus::parse(&r.get::<_, String>(14)?),
            decided_by: r.get(15)?,
            decided_at: r.get(16)?,
            comment: r.get(17)?,
            requested_by_id: r.get(18)?,
            withdrawn: r.get(19)?,
        },
        requested_by: r.get(18)?,
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Stored>, StoreError> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?.query_row([id], row).optional()?)
}

/// Requests with `status`, oldest first (the queue), or newest first for decided ones.
pub(crate) fn with_status(conn: &Connection, status: ApprovalStatus, limit: u32) -> Result<Vec<Stored>, StoreError> {
    let order = if status == ApprovalStatus::Pending { "ASC" } else { "DESC" };
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.status = ?1 ORDER BY a.requested_at {order}, a.id {order} LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![status.as_str(), limit], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Lead `lead`'s requests, newest first.
pub(crate) fn of_lead(conn: &Connection, lead: i64) -> Result<Vec<Stored>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT} WHERE a.lead_id = ?1 ORDER BY a.requested_at DESC, a.id DESC"))?;
    let rows = stmt.query_map([lead], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many pending requests would give a lead lost reason `key`.
pub(crate) fn pending_with_reason(conn: &Connection, key: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM approval_requests WHERE status = 'pending' AND lost_reason = ?1")?
        .query_row([key], |r| r.get(0))?)
}
