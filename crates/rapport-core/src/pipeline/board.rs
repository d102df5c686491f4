//! The board: a pipeline's stages as columns of the leads in them, with what each column is worth and how
//! long each lead has been there. Its SQL and shapes; moves go through the gate like any other write.
use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use serde::{Deserialize, Serialize};

use super::config::StageConfig;
use crate::access::LeadScope;
use crate::db::StoreError;
use crate::leads::SourceChannel;

/// Which leads the board shows, besides the actor's campaigns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct BoardQuery {
    /// Empty: the first pipeline.
    pub pipeline: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub owner_id: Option<i64>,
    pub campaign: Option<String>,
    pub source: Option<SourceChannel>,
    /// Won and Lost columns hold every deal ever closed: shown only when asked.
    pub include_closed: bool,
}

/// One lead on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BoardCard {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub version: i64,
    pub name: String,
    pub company: String,
    pub value: String,
    pub currency: String,
    pub owner_name: Option<String>,
    /// When it entered the stage it is in (RFC 3339).
    pub entered_at: String,
    /// Its last sign of life, if any (RFC 3339): an activity done, a meeting held, or one booked (when booked).
    pub last_activity_at: Option<String>,
    /// Since when it is counted inactive, as the stagnation sweep counts it: the later of its entry into the
    /// stage, its last sign of life and, on a database made before activities were recorded, the upgrade.
    pub idle_since: String,
    /// A move of it waits for an Administrator's approval.
    pub awaiting_approval: bool,
}

/// A column's total in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CurrencyTotal {
    pub currency: String,
    pub total: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BoardColumn {
    pub stage: StageConfig,
    pub cards: Vec<BoardCard>,
    /// Deal values summed per currency (amounts in different currencies are not added up).
    pub totals: Vec<CurrencyTotal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Board {
    pub pipeline: String,
    pub columns: Vec<BoardColumn>,
}

/// The cards of `stages`, longest in their stage first.
pub(crate) fn cards(
    conn: &Connection,
    stages: &[&StageConfig],
    query: &BoardQuery,
    scope: &LeadScope,
    now: &str,
) -> Result<BTreeMap<String, Vec<BoardCard>>, StoreError> {
    let mut out: BTreeMap<String, Vec<BoardCard>> = stages.iter().map(|s| (s.key.clone(), vec![])).collect();
    if stages.is_empty() {
        return Ok(out);
    }
    // The last sign of life is what the stagnation sweep counts: an activity, or a meeting held or booked.
    let mut sql = format!(
        "SELECT l.id, l.version, l.first_name, l.last_name, l.company, l.deal_value, l.currency, u.display_name,
                coalesce((SELECT m.at FROM stage_moves m WHERE m.lead_id = l.id ORDER BY m.id DESC LIMIT 1), l.created_at),
                nullif(max(coalesce(l.last_activity_at, ''), {}), ''), l.stage,
                EXISTS (SELECT 1 FROM approval_requests a WHERE a.lead_id = l.id AND a.status = 'pending'),
                max(coalesce((SELECT m.at FROM stage_moves m WHERE m.lead_id = l.id ORDER BY m.id DESC LIMIT 1), l.created_at),
                    coalesce(l.last_activity_at, ''),
                    coalesce((SELECT value FROM settings WHERE key = 'activities_recorded_since'), ''), {})
         FROM leads l LEFT JOIN users u ON u.id = l.owner_id
         WHERE l.stage IN ({})",
        super::stagnation::meetings!("?1"),
        super::stagnation::meetings!("?1"),
        vec!["?"; stages.len()].join(", ")
    );
    // `?1` is the present instant; the plain `?`s that follow number on from it.
    let mut args: Vec<Value> = vec![Value::Text(now.to_owned())];
    args.extend(stages.iter().map(|s| Value::Text(s.key.clone())));
    if let Some(owner) = query.owner_id {
        sql.push_str(" AND l.owner_id = ?");
        args.push(Value::Integer(owner));
    }
    if let Some(c) = &query.campaign {
        sql.push_str(" AND l.campaign = ? COLLATE NOCASE");
        args.push(Value::Text(c.trim().to_string()));
    }
    if let Some(s) = query.source {
        sql.push_str(" AND l.source = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let LeadScope::Campaigns(list) = scope {
        sql.push_str(&format!(" AND l.campaign COLLATE NOCASE IN ({})", vec!["?"; list.len()].join(", ")));
        args.extend(list.iter().map(|c| Value::Text(c.clone())));
    }
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        let (first, last, company): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let card = BoardCard {
            id: r.get(0)?,
            version: r.get(1)?,
            name: crate::leads::display_name(&first, &last, &company),
            company,
            value: r.get(5)?,
            currency: r.get(6)?,
            owner_name: r.get(7)?,
            entered_at: r.get(8)?,
            last_activity_at: r.get(9)?,
            awaiting_approval: r.get(11)?,
            idle_since: r.get(12)?,
        };
        let stage: String = r.get(10)?;
        if let Some(list) = out.get_mut(&stage) {
            list.push(card);
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| (&a.entered_at, a.id).cmp(&(&b.entered_at, b.id)));
    }
    Ok(out)
}

/// Each currency's sum of the cards' values.
pub(crate) fn totals(cards: &[BoardCard]) -> Vec<CurrencyTotal> {
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for c in cards {
        if let Ok(v) = c.value.parse::<f64>() {
            *sums.entry(c.currency.as_str()).or_default() += v;
        }
    }
    sums.into_iter().map(|(currency, total)| CurrencyTotal { currency: currency.to_string(), total }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(value: &str, currency: &str) -> BoardCard {
        BoardCard {
            id: 1,
            version: 1,
            name: String::new(),
            company: String::new(),
            value: value.into(),
            currency: currency.into(),
            owner_name: None,
            entered_at: String::new(),
            last_activity_at: None,
            awaiting_approval: false,
            idle_since: String::new(),
        }
    }

    #[test]
    fn totals_add_up_each_currency_apart_and_skip_unknown_values() {
        let cards = [card("100.50", "EUR"), card("", "EUR"), card("200.00", "USD"), card("99.50", "EUR")];
        assert_eq!(
            totals(&cards),
            vec![
                CurrencyTotal { currency: "EUR".into(), total: 200.0 },
                CurrencyTotal { currency: "USD".into(), total: 200.0 }
            ]
        );
    }
}
