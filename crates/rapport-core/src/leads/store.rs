//! Lead rows, their contact points, tags and flagged values, the search index rows, and the list queries. The
//! SQL of the leads feature; private to the crate.
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use super::completeness::{missing_fields, CompletenessFacts};
use super::fields::{LeadFieldKind, FIELDS};
use super::model::{EmailEntry, InvalidValue, Lead, LeadStatus, LeadSummary, PhoneEntry, SourceChannel, UserRef};
use super::search::{self, name_key, SearchCursor, SearchText, Searchable};
use super::validate::ValidLead;
use crate::access::LeadScope;
use crate::db::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    #[default]
    UpdatedAt,
    CreatedAt,
    LastName,
    Company,
}

/// A page request of the leads list. With `text`, results are ranked by what the words matched (name, then
/// company, then email and phone, then notes; newest first within each) and `sort` is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LeadQuery {
    pub text: String,
    pub status: Option<LeadStatus>,
    pub stage: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub owner_id: Option<i64>,
    pub source: Option<SourceChannel>,
    pub campaign: Option<String>,
    pub tag: Option<String>,
    /// Only leads with values flagged as invalid ("needs fixing").
    pub needs_fixing: bool,
    /// Only the leads import `import_id` created or changed that are still here: what an import report's "Show
    /// its leads" lists.
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub import_id: Option<i64>,
    pub sort: LeadSort,
    pub ascending: bool,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeadPage {
    pub items: Vec<LeadSummary>,
    /// Present when more rows follow: pass it back as `after`.
    pub next_cursor: Option<String>,
}

pub const MAX_PAGE: u32 = 500;

fn source_of(text: Option<String>) -> Option<SourceChannel> {
    text.and_then(|s| SourceChannel::ALL.into_iter().find(|c| c.as_str() == s))
}

/// The value of a plain column of `leads` for `field`, as SQLite stores it.
fn column_value(kind: LeadFieldKind, text: String) -> Value {
    match kind {
        LeadFieldKind::Owner => text.parse().map(Value::Integer).unwrap_or(Value::Null),
        LeadFieldKind::Source if text.is_empty() => Value::Null,
        _ => Value::Text(text),
    }
}

/// Columns a lead write sets besides the field table's plain ones: denormalized primary contact points for the
/// list, folded names for search and the list's order, the folded company for its order, the "needs fixing"
/// flag.
const DERIVED_COLUMNS: [&str; 6] =
    ["primary_email", "primary_phone", "name_key", "name_key_rev", "company_key", "flagged"];

/// Every column a lead write sets: the field table's plain columns, then the derived ones.
fn written_columns() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter_map(|f| f.column).chain(DERIVED_COLUMNS)
}

/// The values of [`written_columns`], in the same order.
fn column_values(lead: &ValidLead) -> Vec<Value> {
    let view = lead.as_lead(0);
    let mut vals: Vec<Value> =
        FIELDS.iter().filter(|f| f.column.is_some()).map(|f| column_value(f.info.kind, (f.get)(&view))).collect();
    let text = |s: &str| Value::Text(s.to_string());
    let t = &lead.text;
    vals.extend([
        text(lead.emails.first().map(|e| e.address.as_str()).unwrap_or("")),
        text(lead.phones.first().map(|p| p.entry.display.as_str()).unwrap_or("")),
        Value::Text(name_key(&t.first_name, &t.last_name)),
        Value::Text(name_key(&t.last_name, &t.first_name)),
        Value::Text(name_key(&t.company, "")),
        Value::Integer(i64::from(!lead.invalid.is_empty())),
    ]);
    vals
}

/// The statements of a lead write and read, built from the field table once per process, not per row: an
/// import writes a million of them.
fn insert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let cols: Vec<&str> = written_columns().collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let at = cols.len() + 1;
        // The id is one past the highest ever given: a merged lead's id stays its own, so an unmerge can put it
        // back; a lead removed (an import undone) leaves its history, activities and requests under its id, which
        // a new lead must not take over. The change log names every lead ever created, and never forgets.
        format!(
            "INSERT INTO leads (id, {}, created_at, updated_at) VALUES (
                 max(ifnull((SELECT max(id) FROM leads), 0),
                     ifnull((SELECT max(lead_id) FROM merged_leads), 0),
                     ifnull((SELECT max(entity_id) FROM change_log WHERE entity = 'lead'), 0)) + 1,
                 {}, ?{at}, ?{at})",
            cols.join(", "),
            marks.join(", ")
        )
    })
}

fn update_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let sets: Vec<String> = written_columns().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
        let n = sets.len();
        format!(
            "UPDATE leads SET version = version + 1, {}, updated_at = ?{} WHERE id = ?{}",
            sets.join(", "),
            n + 1,
            n + 2
        )
    })
}

fn get_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let cols: Vec<String> = plain_columns().filter_map(|f| f.column).map(|c| format!("l.{c}")).collect();
        format!(
            "SELECT l.id, l.version, l.status, l.created_at, l.updated_at, u.display_name, {}
             FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE l.id = ?1",
            cols.join(", ")
        )
    })
}

pub(crate) fn insert(tx: &Transaction<'_>, lead: &ValidLead, at: &str) -> Result<i64, StoreError> {
    let mut values = column_values(lead);
    values.push(Value::Text(at.to_string()));
    tx.prepare_cached(insert_sql())?.execute(params_from_iter(values))?;
    let id = tx.last_insert_rowid();
    write_children(tx, id, lead, false)?;
    Ok(id)
}

pub(crate) fn update(tx: &Transaction<'_>, id: i64, lead: &ValidLead, at: &str) -> Result<(), StoreError> {
    let mut values = column_values(lead);
    values.push(Value::Text(at.to_string()));
    values.push(Value::Integer(id));
    tx.prepare_cached(update_sql())?.execute(params_from_iter(values))?;
    write_children(tx, id, lead, true)
}

fn write_children(tx: &Transaction<'_>, id: i64, lead: &ValidLead, replace: bool) -> Result<(), StoreError> {
    if replace {
        for table in ["lead_emails", "lead_phones", "lead_tags", "lead_invalid"] {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE lead_id = ?1"))?.execute([id])?;
        }
        tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([id])?;
    }
    let mut stmt =
        tx.prepare_cached("INSERT INTO lead_emails (lead_id, position, address, original) VALUES (?1, ?2, ?3, ?4)")?;
    for (i, e) in lead.emails.iter().enumerate() {
        stmt.execute(params![id, i as i64, e.address, e.original])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO lead_phones (lead_id, position, e164, display, original, national)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, p) in lead.phones.iter().enumerate() {
        stmt.execute(params![id, i as i64, p.entry.e164, p.entry.display, p.entry.original, p.national])?;
    }
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO lead_tags (lead_id, tag) VALUES (?1, ?2)")?;
    for t in &lead.tags {
        stmt.execute(params![id, t])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO lead_invalid (lead_id, position, field, value, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, v) in lead.invalid.iter().enumerate() {
        stmt.execute(params![id, i as i64, v.field, v.value, v.reason])?;
    }
    let t = &lead.text;
    let searchable = Searchable {
        first_name: t.first_name.clone(),
        last_name: t.last_name.clone(),
        company: t.company.clone(),
        emails: lead.emails.iter().map(|e| e.address.clone()).collect(),
        phones: lead.phones.iter().map(|p| (p.entry.e164.clone(), p.national.clone())).collect(),
        notes: t.notes.clone(),
        external_ref: t.external_ref.clone(),
    };
    write_index_row(tx, id, &searchable)
}

pub(crate) fn write_index_row(conn: &Connection, id: i64, s: &Searchable) -> Result<(), StoreError> {
    let row = s.index_row();
    conn.prepare_cached(
        "INSERT INTO leads_fts (rowid, name, company, emails, phones, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, row.name, row.company, row.emails, row.phones, row.notes])?;
    let mut term = conn.prepare_cached("INSERT OR IGNORE INTO search_terms (term) VALUES (?1)")?;
    for text in [&row.name, &row.company, &row.emails, &row.notes] {
        for word in text.split(' ').filter(|w| w.chars().count() > 3) {
            term.execute([word])?;
        }
    }
    Ok(())
}

/// Fills what migration 003 added for every lead already stored: folded names, national numbers and the
/// search index in its new form.
pub(crate) fn rebuild_search(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let ids: Vec<i64> =
        tx.prepare("SELECT id FROM leads ORDER BY id")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for id in ids {
        reindex(tx, id)?;
    }
    Ok(())
}

/// Indexes again the leads whose text goes beyond ASCII (migration 020: letters such as ø, ł, ß and full-width
/// forms now fold to the plain letters people type, and an email's domain is indexed in its own letters too);
/// the others index as they did.
pub(crate) fn reindex_beyond_ascii(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT id FROM leads WHERE first_name || last_name || company || notes GLOB '*[^ -~]*'
             OR id IN (SELECT lead_id FROM lead_emails WHERE address LIKE '%xn--%') ORDER BY id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        reindex(tx, id)?;
    }
    Ok(())
}

/// Indexes again the leads whose first or last name holds more than one word or a script written without
/// spaces (migration 022: a name is indexed in one piece too, "obrien", "李小龙"); the others index as they did.
pub(crate) fn reindex_joined_names(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT id FROM leads WHERE first_name GLOB '*[^A-Za-z0-9]*' OR last_name GLOB '*[^A-Za-z0-9]*' ORDER BY id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        reindex(tx, id)?;
    }
    Ok(())
}

/// Migration 031: the search rows of the leads whose company is searched in one piece or whose name or company
/// has umlauts to spell out (see `search::company_words`): a company with anything but ASCII letters, digits and
/// spaces, or a name beyond ASCII.
pub(crate) fn reindex_search_forms(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT id FROM leads WHERE company GLOB '*[^A-Za-z0-9 ]*' OR first_name GLOB '*[^ -~]*'
                 OR last_name GLOB '*[^ -~]*' ORDER BY id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        reindex(tx, id)?;
    }
    Ok(())
}

/// Migration 032: the search rows, folded names and company keys of the leads whose text holds Hebrew or Arabic
/// (their points and hamza are now folded away, as people type those names); the others index as they did.
pub(crate) fn reindex_pointed_scripts(tx: &Transaction<'_>) -> Result<(), StoreError> {
    // The Hebrew and Arabic blocks and their presentation forms, matched by SQLite itself (one id per lead that
    // has them, not the text of every lead with a line break in its notes); and the addresses whose domain is
    // indexed in its own letters too.
    let ids: Vec<(i64, String)> = tx
        .prepare(
            "SELECT id, company FROM leads
             WHERE first_name || last_name || company || notes GLOB '*[\u{0590}-\u{077F}\u{FB1D}-\u{FDFF}\u{FE70}-\u{FEFF}]*'
                OR id IN (SELECT lead_id FROM lead_emails WHERE address LIKE '%xn--%')
             ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut key = tx.prepare("UPDATE leads SET company_key = ?2 WHERE id = ?1")?;
    for (id, company) in ids {
        reindex(tx, id)?;
        key.execute(params![id, name_key(&company, "")])?;
    }
    Ok(())
}

/// Migration 028: every lead's folded company, which the list sorts by.
pub(crate) fn fill_company_keys(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT id, company FROM leads WHERE company <> '' ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE leads SET company_key = ?2 WHERE id = ?1")?;
    for (id, company) in rows {
        update.execute(params![id, name_key(&company, "")])?;
    }
    Ok(())
}

/// Writes lead `id`'s folded names, national numbers and search-index row from its stored rows, the index row
/// in place of the one it had.
fn reindex(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([id])?;
    {
        let (first, last, company, notes): (String, String, String, String) =
            tx.query_row("SELECT first_name, last_name, company, notes FROM leads WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        // Not the company's key: migration 022 runs this before 028 adds it (a write sets it, and 028 fills it).
        tx.execute(
            "UPDATE leads SET name_key = ?2, name_key_rev = ?3 WHERE id = ?1",
            params![id, name_key(&first, &last), name_key(&last, &first)],
        )?;
        let emails: Vec<String> = tx
            .prepare_cached("SELECT address FROM lead_emails WHERE lead_id = ?1 ORDER BY position")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let e164s: Vec<(i64, String)> = tx
            .prepare_cached("SELECT position, e164 FROM lead_phones WHERE lead_id = ?1 ORDER BY position")?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut phones = Vec::with_capacity(e164s.len());
        for (position, e164) in e164s {
            // Stored numbers are valid E.164, which parses the same under any default region.
            let national = super::phone::parse_phone(&e164, "US").map(|p| p.national).unwrap_or_default();
            tx.execute(
                "UPDATE lead_phones SET national = ?3 WHERE lead_id = ?1 AND position = ?2",
                params![id, position, national],
            )?;
            phones.push((e164, national));
        }
        let s = Searchable {
            first_name: first,
            last_name: last,
            company,
            emails,
            phones,
            notes,
            external_ref: String::new(),
        };
        write_index_row(tx, id, &s)?;
    }
    Ok(())
}

/// The tables holding a lead's rows, the lead's own first, with the column naming the lead.
const LEAD_TABLES: [(&str, &str); 5] = [
    ("leads", "id"),
    ("lead_emails", "lead_id"),
    ("lead_phones", "lead_id"),
    ("lead_tags", "lead_id"),
    ("lead_invalid", "lead_id"),
];

/// Every row of lead `id`, column by column, as JSON: what a merge archives so an unmerge can put the lead
/// back exactly. Columns added by later migrations are simply absent from older archives and take their
/// defaults when restored.
pub(crate) fn rows_of(conn: &Connection, id: i64) -> Result<serde_json::Value, StoreError> {
    use rusqlite::types::ValueRef;
    use serde_json::{Map, Value as Json};
    let mut out = Vec::new();
    for (table, key) in LEAD_TABLES {
        let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE {key} = ?1"))?;
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            let mut row = Map::new();
            for (i, name) in names.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    ValueRef::Null => Json::Null,
                    ValueRef::Integer(n) => Json::from(n),
                    ValueRef::Real(x) => Json::from(x),
                    ValueRef::Text(t) => Json::from(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => {
                        return Err(StoreError::Migration(format!("unexpected blob in {table}.{name}")))
                    }
                };
                row.insert(name.clone(), v);
            }
            out.push(serde_json::json!({ "table": table, "row": row }));
        }
    }
    Ok(Json::Array(out))
}

/// Removes lead `id` and every row of it, its search-index row included.
pub(crate) fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([id])?;
    for (table, key) in LEAD_TABLES.iter().rev() {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE {key} = ?1"))?.execute([id])?;
    }
    Ok(())
}

/// Puts back the rows [`rows_of`] read, and the lead's search-index row.
pub(crate) fn restore(tx: &Transaction<'_>, rows: &serde_json::Value) -> Result<i64, StoreError> {
    use rusqlite::types::Value;
    let bad = |what: &str| StoreError::Migration(format!("a merged lead's archive is damaged: {what}"));
    let mut lead_id = None;
    for entry in rows.as_array().ok_or_else(|| bad("not a list"))? {
        let table = entry["table"].as_str().ok_or_else(|| bad("no table"))?;
        if !LEAD_TABLES.iter().any(|(t, _)| *t == table) {
            return Err(bad(table));
        }
        let row = entry["row"].as_object().ok_or_else(|| bad("no row"))?;
        let columns: Vec<&String> = row.keys().collect();
        let values: Vec<Value> = row
            .values()
            .map(|v| match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Number(n) => {
                    n.as_i64().map(Value::Integer).unwrap_or(Value::Real(n.as_f64().unwrap_or(0.0)))
                }
                serde_json::Value::String(s) => Value::Text(s.clone()),
                other => Value::Text(other.to_string()),
            })
            .collect();
        if table == "leads" {
            lead_id = row.get("id").and_then(serde_json::Value::as_i64);
        }
        let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.replace('"', ""))).collect();
        let marks = vec!["?"; names.len()].join(", ");
        tx.execute(&format!("INSERT INTO {table} ({}) VALUES ({marks})", names.join(", ")), params_from_iter(values))?;
    }
    let id = lead_id.ok_or_else(|| bad("no lead row"))?;
    reindex(tx, id)?;
    // A row kept before migration 028 says no folded company: written from its company.
    let company: String = tx.query_row("SELECT company FROM leads WHERE id = ?1", [id], |r| r.get(0))?;
    tx.prepare_cached("UPDATE leads SET company_key = ?2 WHERE id = ?1")?
        .execute(params![id, name_key(&company, "")])?;
    Ok(id)
}

/// The plain columns `get` reads, in the field table's order, after the fixed ones.
fn plain_columns() -> impl Iterator<Item = &'static super::fields::LeadField> {
    FIELDS.iter().filter(|f| f.column.is_some() && f.info.editable)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Lead>, StoreError> {
    let row = conn
        .prepare_cached(get_sql())?
        .query_row([id], |r| {
            let status: String = r.get(2)?;
            let mut input = crate::leads::model::LeadInput::default();
            for (i, f) in plain_columns().enumerate() {
                let v: Value = r.get(6 + i)?;
                let text = match v {
                    Value::Text(t) => t,
                    Value::Integer(n) => n.to_string(),
                    _ => String::new(),
                };
                (f.set)(&mut input, &text);
            }
            let owner_name: Option<String> = r.get(5)?;
            Ok(Lead {
                id: r.get(0)?,
                version: r.get(1)?,
                first_name: input.first_name,
                last_name: input.last_name,
                company: input.company,
                job_title: input.job_title,
                emails: vec![],
                phones: vec![],
                country_code: super::region_of_country(&input.address.country).unwrap_or_default(),
                address: input.address,
                source: input.source,
                source_detail: input.source_detail,
                campaign: input.campaign,
                owner: input.owner_id.map(|id| UserRef { id, name: owner_name.unwrap_or_default() }),
                stage: input.stage,
                tags: vec![],
                notes: input.notes,
                external_ref: input.external_ref,
                deal: input.deal,
                invalid: vec![],
                status: LeadStatus::parse(&status).unwrap_or(LeadStatus::Draft),
                missing: vec![],
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })
        .optional()?;
    let Some(mut lead) = row else { return Ok(None) };
    lead.emails = conn
        .prepare_cached("SELECT address, original FROM lead_emails WHERE lead_id = ?1 ORDER BY position")?
        .query_map([id], |r| Ok(EmailEntry { address: r.get(0)?, original: r.get(1)? }))?
        .collect::<Result<_, _>>()?;
    lead.phones = conn
        .prepare_cached("SELECT e164, display, original FROM lead_phones WHERE lead_id = ?1 ORDER BY position")?
        .query_map([id], |r| Ok(PhoneEntry { e164: r.get(0)?, display: r.get(1)?, original: r.get(2)? }))?
        .collect::<Result<_, _>>()?;
    lead.tags = conn
        .prepare_cached("SELECT tag FROM lead_tags WHERE lead_id = ?1 ORDER BY tag")?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    lead.invalid = conn
        .prepare_cached("SELECT field, value, reason FROM lead_invalid WHERE lead_id = ?1 ORDER BY position")?
        .query_map([id], |r| Ok(InvalidValue { field: r.get(0)?, value: r.get(1)?, reason: r.get(2)? }))?
        .collect::<Result<_, _>>()?;
    lead.missing = missing_fields(&CompletenessFacts {
        has_name: super::completeness::has_name(&lead.first_name, &lead.last_name),
        valid_contact_points: lead.emails.len() + lead.phones.len(),
        source: lead.source,
        flagged_values: lead.invalid.len(),
    });
    Ok(Some(lead))
}

/// How many leads in an open stage `owner` owns.
pub(crate) fn open_owned_by(conn: &Connection, owner: i64) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM leads l WHERE l.owner_id = ?1
               AND NOT EXISTS (SELECT 1 FROM stages s WHERE s.key = l.stage AND s.outcome != 'open')",
        )?
        .query_row([owner], |r| r.get(0))?)
}

/// How many open leads user `owner` owns outside `campaigns` and, when given, inside `within` (compared as lead
/// lists compare them).
pub(crate) fn open_owned_outside(
    conn: &Connection,
    owner: i64,
    campaigns: &[String],
    within: Option<&[String]>,
) -> Result<usize, StoreError> {
    let marks = |n: usize| vec!["?"; n].join(", ");
    let inside = within.map_or(String::new(), |w| format!(" AND l.campaign COLLATE NOCASE IN ({})", marks(w.len())));
    let sql = format!(
        "SELECT count(*) FROM leads l WHERE l.owner_id = ? AND l.campaign COLLATE NOCASE NOT IN ({}){inside}
           AND NOT EXISTS (SELECT 1 FROM stages s WHERE s.key = l.stage AND s.outcome != 'open')",
        marks(campaigns.len())
    );
    let mut args = vec![Value::Integer(owner)];
    args.extend(campaigns.iter().map(|c| Value::Text(c.clone())));
    args.extend(within.unwrap_or_default().iter().map(|c| Value::Text(c.clone())));
    let n: i64 = conn.prepare(&sql)?.query_row(params_from_iter(args), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub(crate) fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?)
}

fn sort_expr(sort: LeadSort) -> Option<&'static str> {
    match sort {
        LeadSort::UpdatedAt => Some("l.updated_at"),
        // Folded as search folds them: "Özdemir" between "Ebert" and "Zimmer", "élise" beside "Elise".
        LeadSort::LastName => Some("l.name_key_rev"),
        LeadSort::Company => Some("l.company_key"),
        LeadSort::CreatedAt => None, // ids grow with creation time
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor(String, i64);

/// The filters of a query other than its text, as " AND …" clauses on `leads l`: shared by the list, the search
/// tiers and the count, so all three narrow alike.
fn narrowing(q: &LeadQuery, scope: &LeadScope) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = q.status {
        sql.push_str(" AND l.status = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let Some(s) = q.stage.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(" AND l.stage = ?");
        args.push(Value::Text(s.into()));
    }
    if let Some(o) = q.owner_id {
        sql.push_str(" AND l.owner_id = ?");
        args.push(Value::Integer(o));
    }
    if let Some(s) = q.source {
        sql.push_str(" AND l.source = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let Some(c) = q.campaign.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(" AND l.campaign = ? COLLATE NOCASE");
        args.push(Value::Text(c.into()));
    }
    if let Some(t) = q.tag.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(" AND EXISTS (SELECT 1 FROM lead_tags t WHERE t.lead_id = l.id AND t.tag = ?)");
        args.push(Value::Text(t.into()));
    }
    if q.needs_fixing {
        sql.push_str(" AND l.flagged = 1");
    }
    if let Some(import) = q.import_id {
        sql.push_str(" AND l.id IN (");
        sql.push_str(crate::audit::store::LEADS_OF_IMPORT);
        sql.push(')');
        args.push(Value::Integer(import));
    }
    if let LeadScope::Campaigns(list) = scope {
        sql.push_str(" AND l.campaign COLLATE NOCASE IN (");
        sql.push_str(&vec!["?"; list.len()].join(", "));
        sql.push(')');
        args.extend(list.iter().map(|c| Value::Text(c.clone())));
    }
    (sql, args)
}

/// How many leads match, counted up to `cap`: an exact figure for what a person reads, bounded work for the
/// million-lead case ("10,000+").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeadCount {
    pub count: u32,
    /// True when more than `count` leads match.
    pub more: bool,
}

pub(crate) fn count_matching(
    conn: &Connection,
    q: &LeadQuery,
    scope: &LeadScope,
    cap: u32,
) -> Result<LeadCount, StoreError> {
    let (narrow, mut args) = narrowing(q, scope);
    let mut n: i64 = 0;
    let sql = if q.text.trim().is_empty() {
        format!("SELECT count(*) FROM (SELECT 1 FROM leads l WHERE 1{narrow} LIMIT ?)")
    } else {
        let Some(text) = SearchText::parse(&q.text) else { return Ok(LeadCount { count: 0, more: false }) };
        let expr = search::anywhere_expr(conn, &text)?;
        // The leads found by their reference alone, which the word index does not hold (a handful at most).
        let refs = format!(
            "SELECT count(*) FROM leads l WHERE l.external_ref = ? AND l.external_ref <> ''{narrow}
               AND NOT EXISTS (SELECT 1 FROM leads_fts WHERE leads_fts MATCH ? AND rowid = l.id)"
        );
        let mut ref_args = vec![Value::Text(search::reference(&text).to_string())];
        ref_args.extend(args.iter().cloned());
        ref_args.push(Value::Text(expr.clone()));
        n += conn.prepare_cached(&refs)?.query_row(params_from_iter(ref_args), |r| r.get::<_, i64>(0))?;
        args.insert(0, Value::Text(expr));
        if narrow.is_empty() {
            // Every index row is a lead, written in the same transaction: a bare search counts on the index.
            "SELECT count(*) FROM (SELECT 1 FROM leads_fts WHERE leads_fts MATCH ? LIMIT ?)".to_string()
        } else {
            format!(
                "SELECT count(*) FROM (SELECT 1 FROM leads_fts f JOIN leads l ON l.id = f.rowid
                 WHERE leads_fts MATCH ?{narrow} LIMIT ?)"
            )
        }
    };
    args.push(Value::Integer(i64::from(cap) + 1));
    n += conn.prepare_cached(&sql)?.query_row(params_from_iter(args), |r| r.get::<_, i64>(0))?;
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(LeadCount { count: n.min(cap), more: n > cap })
}

/// Distinct campaigns and tags in use, for filter pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeadFacets {
    pub campaigns: Vec<String>,
    pub tags: Vec<String>,
}

/// Walks an index from one distinct value to the next (a "loose index scan"): cost grows with the number of
/// distinct values, not with the number of leads.
fn distinct_values(conn: &Connection, table: &str, column: &str, max: u32) -> Result<Vec<String>, StoreError> {
    let sql = format!(
        "WITH RECURSIVE v(x) AS (
             SELECT (SELECT min({column}) FROM {table} WHERE {column} <> '')
             UNION ALL
             SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL
         )
         SELECT x FROM v WHERE x IS NOT NULL LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([max], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<String>, _>>()?)
}

pub(crate) fn facets(conn: &Connection, scope: &LeadScope) -> Result<LeadFacets, StoreError> {
    match scope {
        LeadScope::All => Ok(LeadFacets {
            campaigns: distinct_values(conn, "leads", "campaign COLLATE NOCASE", 500)?,
            tags: distinct_values(conn, "lead_tags", "tag", 500)?,
        }),
        // Even tag names stay inside the campaigns a team works on.
        LeadScope::Campaigns(list) => {
            let marks = vec!["?"; list.len()].join(", ");
            let sql = format!(
                "SELECT DISTINCT t.tag FROM lead_tags t JOIN leads l ON l.id = t.lead_id
                 WHERE l.campaign COLLATE NOCASE IN ({marks}) ORDER BY t.tag LIMIT 500"
            );
            let mut stmt = conn.prepare(&sql)?;
            let tags =
                stmt.query_map(params_from_iter(list.iter()), |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            // The team's own campaigns that hold leads, as stored: a walk of every campaign stops at 500, which
            // may be before the team's.
            let mut one =
                conn.prepare_cached("SELECT campaign FROM leads WHERE campaign = ?1 COLLATE NOCASE LIMIT 1")?;
            let mut campaigns: Vec<String> = Vec::new();
            for c in list {
                if let Some(stored) = one.query_row([c], |r| r.get::<_, String>(0)).optional()? {
                    if !campaigns.iter().any(|x| x.eq_ignore_ascii_case(&stored)) {
                        campaigns.push(stored);
                    }
                }
            }
            campaigns.sort_by_key(|c| c.to_ascii_lowercase());
            Ok(LeadFacets { campaigns, tags })
        }
    }
}

const SUMMARY_COLUMNS: &str = "l.id, l.first_name, l.last_name, l.company, l.primary_email, l.primary_phone,
    l.status, l.stage, l.campaign, l.source, u.display_name, l.updated_at";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<LeadSummary> {
    let status: String = r.get(6)?;
    Ok(LeadSummary {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        company: r.get(3)?,
        primary_email: r.get(4)?,
        primary_phone: r.get(5)?,
        status: LeadStatus::parse(&status).unwrap_or(LeadStatus::Draft),
        stage: r.get(7)?,
        campaign: r.get(8)?,
        source: source_of(r.get(9)?),
        owner_name: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

pub(crate) fn list(conn: &Connection, q: &LeadQuery, scope: &LeadScope) -> Result<LeadPage, StoreError> {
    let limit = q.limit.clamp(1, MAX_PAGE);
    if !q.text.trim().is_empty() {
        return search_list(conn, q, scope, limit);
    }
    let (narrow, mut args) = narrowing(q, scope);
    let sort = sort_expr(q.sort);
    let descending = !q.ascending;
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS}, {} FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE 1{narrow}",
        sort.unwrap_or("''")
    );
    let cmp = if descending { "<" } else { ">" };
    if let Some(after) = q.after.as_deref().filter(|s| !s.is_empty()) {
        let Cursor(value, id) = serde_json::from_str(after).map_err(|_| StoreError::BadCursor)?;
        match sort {
            Some(expr) => {
                sql.push_str(&format!(" AND ({expr}, l.id) {cmp} (?, ?)"));
                args.push(Value::Text(value));
                args.push(Value::Integer(id));
            }
            None => {
                sql.push_str(&format!(" AND l.id {cmp} ?"));
                args.push(Value::Integer(id));
            }
        }
    }
    sql.push_str(&order_by(q));
    sql.push_str(" LIMIT ?");
    args.push(Value::Integer(i64::from(limit) + 1));

    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut items = Vec::new();
    let mut last_sort_value = String::new();
    let mut more = false;
    while let Some(r) = rows.next()? {
        if items.len() as u32 == limit {
            more = true;
            break;
        }
        items.push(summary(r)?);
        last_sort_value = r.get(12)?;
    }
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => serde_json::to_string(&Cursor(last_sort_value, last.id)).ok(),
        _ => None,
    };
    Ok(LeadPage { items, next_cursor })
}

/// The list's order as " ORDER BY …", the id breaking ties (and keeping pages apart).
fn order_by(q: &LeadQuery) -> String {
    let dir = if q.ascending { "ASC" } else { "DESC" };
    match sort_expr(q.sort) {
        Some(expr) => format!(" ORDER BY {expr} {dir}, l.id {dir}"),
        None => format!(" ORDER BY l.id {dir}"),
    }
}

/// A page of ranked search results: the tiers pick the ids, one query reads their rows.
fn search_list(conn: &Connection, q: &LeadQuery, scope: &LeadScope, limit: u32) -> Result<LeadPage, StoreError> {
    let Some(text) = SearchText::parse(&q.text) else { return Ok(LeadPage { items: vec![], next_cursor: None }) };
    let cursor: Option<SearchCursor> = match q.after.as_deref().filter(|s| !s.is_empty()) {
        Some(after) => Some(serde_json::from_str(after).map_err(|_| StoreError::BadCursor)?),
        None => None,
    };
    let (narrow, args) = narrowing(q, scope);
    let page = search::search(conn, &text, cursor, limit as usize, &narrow, &args)?;
    let items = summaries(conn, &page.ids)?;
    let next_cursor = page.next.and_then(|c| serde_json::to_string(&c).ok());
    Ok(LeadPage { items, next_cursor })
}

/// List rows of `ids`, in the order given.
fn summaries(conn: &Connection, ids: &[i64]) -> Result<Vec<LeadSummary>, StoreError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql =
        format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE l.id IN ({marks})");
    let mut stmt = conn.prepare(&sql)?;
    let rows: Vec<LeadSummary> = stmt.query_map(params_from_iter(ids), summary)?.collect::<Result<_, _>>()?;
    Ok(ids.iter().filter_map(|id| rows.iter().find(|r| r.id == *id).cloned()).collect())
}

/// The ids of every lead `q` matches in scope (its paging fields ignored), in the list's order: what a list
/// exports is what it shows, page after page.
pub(crate) fn ids_matching(conn: &Connection, q: &LeadQuery, scope: &LeadScope) -> Result<Vec<i64>, StoreError> {
    let (narrow, args) = narrowing(q, scope);
    if q.text.trim().is_empty() {
        // One read of the ids alone: the list's pages would build each row's summary only to take its id.
        let sql = format!("SELECT l.id FROM leads l WHERE 1{narrow}{}", order_by(q));
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| r.get(0))?;
        return Ok(rows.collect::<Result<Vec<i64>, _>>()?);
    }
    let Some(text) = SearchText::parse(&q.text) else { return Ok(vec![]) };
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = search::search(conn, &text, cursor, MAX_PAGE as usize, &narrow, &args)?;
        ids.extend(page.ids);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(ids),
        }
    }
}

/// Every lead id in scope, oldest first, for export.
pub(crate) fn ids_in_scope(conn: &Connection, scope: &LeadScope) -> Result<Vec<i64>, StoreError> {
    let (sql, args): (String, Vec<Value>) = match scope {
        LeadScope::All => ("SELECT id FROM leads ORDER BY id".into(), vec![]),
        LeadScope::Campaigns(list) => (
            format!(
                "SELECT id FROM leads WHERE campaign COLLATE NOCASE IN ({}) ORDER BY id",
                vec!["?"; list.len()].join(", ")
            ),
            list.iter().map(|c| Value::Text(c.clone())).collect(),
        ),
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<i64>, _>>()?)
}

/// Leads holding `address` (normalized, compared without case), oldest first: how an invite's attendee is
/// matched to a lead.
pub(crate) fn with_email(conn: &Connection, address: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT lead_id FROM lead_emails WHERE address = ?1 COLLATE NOCASE ORDER BY lead_id",
    )?;
    let rows = stmt.query_map([address], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Leads whose external reference is exactly `reference` (an import updating by it).
pub(crate) fn with_external_ref(conn: &Connection, reference: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM leads WHERE external_ref = ?1 AND external_ref <> '' ORDER BY id")?;
    let rows = stmt.query_map([reference], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
