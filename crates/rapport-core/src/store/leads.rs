//! Lead rows, their contact points and tags, the full-text index, and the list/search queries.
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::access::LeadScope;
use crate::domain::completeness::{missing_fields, CompletenessFacts};
use crate::domain::lead::{Address, EmailEntry, Lead, LeadStatus, LeadSummary, PhoneEntry, SourceChannel, UserRef};
use crate::domain::validation::ValidLead;

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

/// A page request of the leads list. With `text`, results come newest first (the order the full-text index
/// can serve without ranking every match; see ARCHITECTURE.md) and `sort` is ignored.
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

/// The editable columns of `leads`, in the order of [`column_values`].
const COLUMNS: [&str; 20] = [
    "first_name",
    "last_name",
    "company",
    "job_title",
    "primary_email",
    "primary_phone",
    "street",
    "street2",
    "city",
    "postcode",
    "region",
    "country",
    "source",
    "source_detail",
    "campaign",
    "owner_id",
    "stage",
    "notes",
    "external_ref",
    "status",
];

fn column_values(lead: &ValidLead) -> Vec<Value> {
    let text = |s: &str| Value::Text(s.to_string());
    vec![
        text(&lead.first_name),
        text(&lead.last_name),
        text(&lead.company),
        text(&lead.job_title),
        text(lead.emails.first().map(|e| e.address.as_str()).unwrap_or("")),
        text(lead.phones.first().map(|p| p.entry.display.as_str()).unwrap_or("")),
        text(&lead.address.street),
        text(&lead.address.street2),
        text(&lead.address.city),
        text(&lead.address.postcode),
        text(&lead.address.region),
        text(&lead.address.country),
        lead.source.map(|s| text(s.as_str())).unwrap_or(Value::Null),
        text(&lead.source_detail),
        text(&lead.campaign),
        lead.owner_id.map(Value::Integer).unwrap_or(Value::Null),
        text(&lead.stage),
        text(&lead.notes),
        text(&lead.external_ref),
        text(lead.status.as_str()),
    ]
}

pub fn insert(tx: &Transaction<'_>, lead: &ValidLead, at: &str) -> Result<i64, StoreError> {
    let marks: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("?{i}")).collect();
    let at_mark = COLUMNS.len() + 1;
    let sql = format!(
        "INSERT INTO leads ({}, created_at, updated_at) VALUES ({}, ?{at_mark}, ?{at_mark})",
        COLUMNS.join(", "),
        marks.join(", ")
    );
    let mut values = column_values(lead);
    values.push(Value::Text(at.to_string()));
    tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    let id = tx.last_insert_rowid();
    write_children(tx, id, lead, false)?;
    Ok(id)
}

pub fn update(tx: &Transaction<'_>, id: i64, lead: &ValidLead, at: &str) -> Result<(), StoreError> {
    let sets: Vec<String> = COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
    let n = COLUMNS.len();
    let sql = format!(
        "UPDATE leads SET version = version + 1, {}, updated_at = ?{} WHERE id = ?{}",
        sets.join(", "),
        n + 1,
        n + 2
    );
    let mut values = column_values(lead);
    values.push(Value::Text(at.to_string()));
    values.push(Value::Integer(id));
    tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    write_children(tx, id, lead, true)
}

fn write_children(tx: &Transaction<'_>, id: i64, lead: &ValidLead, replace: bool) -> Result<(), StoreError> {
    if replace {
        tx.prepare_cached("DELETE FROM lead_emails WHERE lead_id = ?1")?.execute([id])?;
        tx.prepare_cached("DELETE FROM lead_phones WHERE lead_id = ?1")?.execute([id])?;
        tx.prepare_cached("DELETE FROM lead_tags WHERE lead_id = ?1")?.execute([id])?;
        tx.prepare_cached("DELETE FROM leads_fts WHERE rowid = ?1")?.execute([id])?;
    }
    let mut stmt =
        tx.prepare_cached("INSERT INTO lead_emails (lead_id, position, address, original) VALUES (?1, ?2, ?3, ?4)")?;
    for (i, e) in lead.emails.iter().enumerate() {
        stmt.execute(params![id, i as i64, e.address, e.original])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO lead_phones (lead_id, position, e164, display, original) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, p) in lead.phones.iter().enumerate() {
        stmt.execute(params![id, i as i64, p.entry.e164, p.entry.display, p.entry.original])?;
    }
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO lead_tags (lead_id, tag) VALUES (?1, ?2)")?;
    for t in &lead.tags {
        stmt.execute(params![id, t])?;
    }
    let emails: Vec<&str> = lead.emails.iter().map(|e| e.address.as_str()).collect();
    // Both the full international digits and the national number, so "415 555" and "+1 415" both find it.
    let phones: Vec<String> =
        lead.phones.iter().map(|p| format!("{} {}", p.entry.e164.trim_start_matches('+'), p.national)).collect();
    tx.prepare_cached(
        "INSERT INTO leads_fts (rowid, name, company, emails, phones, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        format!("{} {}", lead.first_name, lead.last_name),
        lead.company,
        emails.join(" "),
        phones.join(" "),
        lead.notes
    ])?;
    Ok(())
}

/// The version and campaign of a lead, for the optimistic-concurrency and scope checks of an update.
pub fn version_and_campaign(conn: &Connection, id: i64) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .query_row("SELECT version, campaign FROM leads WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Lead>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT l.id, l.version, l.first_name, l.last_name, l.company, l.job_title, l.street, l.street2, l.city,
                l.postcode, l.region, l.country, l.source, l.source_detail, l.campaign, l.owner_id, u.display_name,
                l.stage, l.notes, l.external_ref, l.status, l.created_at, l.updated_at
             FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE l.id = ?1",
        )?
        .query_row([id], |r| {
            let owner_id: Option<i64> = r.get(15)?;
            let owner_name: Option<String> = r.get(16)?;
            let status: String = r.get(20)?;
            Ok(Lead {
                id: r.get(0)?,
                version: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                company: r.get(4)?,
                job_title: r.get(5)?,
                emails: vec![],
                phones: vec![],
                address: Address {
                    street: r.get(6)?,
                    street2: r.get(7)?,
                    city: r.get(8)?,
                    postcode: r.get(9)?,
                    region: r.get(10)?,
                    country: r.get(11)?,
                },
                source: source_of(r.get(12)?),
                source_detail: r.get(13)?,
                campaign: r.get(14)?,
                owner: owner_id.map(|id| UserRef { id, name: owner_name.unwrap_or_default() }),
                stage: r.get(17)?,
                tags: vec![],
                notes: r.get(18)?,
                external_ref: r.get(19)?,
                status: LeadStatus::parse(&status).unwrap_or(LeadStatus::Draft),
                missing: vec![],
                created_at: r.get(21)?,
                updated_at: r.get(22)?,
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
    lead.missing = missing_fields(&CompletenessFacts {
        has_name: !lead.first_name.is_empty() || !lead.last_name.is_empty(),
        valid_contact_points: lead.emails.len() + lead.phones.len(),
        source: lead.source,
    });
    Ok(Some(lead))
}

pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?)
}

/// Turns what a person types in a search box into an FTS5 query: every word a prefix, all words required.
/// Returns None when nothing searchable is left. Never passes user text through as FTS syntax.
pub fn fts_query(text: &str) -> Option<String> {
    if let Some(q) = phone_query(text) {
        return Some(q);
    }
    let terms: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(|t| format!("\"{t}\"*")).collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

/// A search typed as a phone number ("+1 (415) 555", "030 901") becomes one digit-prefix term.
fn phone_query(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let phone_like = digits.len() >= 3 && text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone_like {
        return None;
    }
    // A national trunk prefix ("030 …", "020 …") is not part of the indexed national number.
    let national = digits.trim_start_matches('0');
    Some(if national.len() != digits.len() && !national.is_empty() {
        format!("(\"{digits}\"* OR \"{national}\"*)")
    } else {
        format!("\"{digits}\"*")
    })
}

/// Words of at most this many characters are served by the FTS prefix indexes (`prefix='1 2 3'`).
const INDEXED_PREFIX_CHARS: usize = 3;
/// A longer prefix is replaced by the whole terms it expands to when there are at most this many.
const MAX_EXPANSION: usize = 32;

/// Folds a word the way the `unicode61 remove_diacritics 2` tokenizer does, to look it up in the vocabulary.
fn fold_like_tokenizer(word: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    word.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The MATCH expression for `text`, cheap to evaluate at any size: FTS5 answers a prefix query without a
/// prefix index by merging the full doclists of every term with that prefix (milliseconds at a million
/// leads), while an OR of a few whole terms streams in rowid order and stops at the page size. So a word
/// longer than the indexed prefixes becomes the OR of the terms it expands to, when they are few.
fn search_match(conn: &Connection, text: &str) -> Result<Option<String>, StoreError> {
    if let Some(phone) = phone_query(text) {
        return Ok(Some(phone)); // digit tokens are unique per number: a prefix there is already cheap
    }
    let mut stmt = conn.prepare_cached(
        "SELECT term FROM leads_fts_terms WHERE term >= ?1 AND term < ?1 || char(1114111) ORDER BY term LIMIT ?2",
    )?;
    let mut parts = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()) {
        let folded = fold_like_tokenizer(word);
        if folded.chars().count() <= INDEXED_PREFIX_CHARS {
            parts.push(format!("\"{word}\"*"));
            continue;
        }
        let terms: Vec<String> =
            stmt.query_map(params![folded, MAX_EXPANSION as i64 + 1], |r| r.get(0))?.collect::<Result<_, _>>()?;
        if terms.is_empty() || terms.len() > MAX_EXPANSION {
            // Many terms: the prefix merge is the cheaper plan. None: let FTS5 itself have the last word, in
            // case our folding differs from the tokenizer's on some script.
            parts.push(format!("\"{word}\"*"));
        } else {
            let alternatives: Vec<String> = terms.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
            parts.push(format!("({})", alternatives.join(" OR ")));
        }
    }
    Ok(if parts.is_empty() { None } else { Some(parts.join(" AND ")) })
}

fn sort_expr(sort: LeadSort) -> Option<&'static str> {
    match sort {
        LeadSort::UpdatedAt => Some("l.updated_at"),
        LeadSort::LastName => Some("l.last_name COLLATE NOCASE"),
        LeadSort::Company => Some("l.company COLLATE NOCASE"),
        LeadSort::CreatedAt => None, // ids grow with creation time
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor(String, i64);

/// The FROM and WHERE of a lead query (filters, search, scope), shared by the list and the count.
struct Filter {
    sql: String,
    args: Vec<Value>,
    searching: bool,
}

/// None when the search text has nothing searchable in it: no lead can match.
/// `for_rows`: the caller reads lead columns and owner names (the list), rather than only counting.
fn filter(conn: &Connection, q: &LeadQuery, scope: &LeadScope, for_rows: bool) -> Result<Option<Filter>, StoreError> {
    let mut sql = String::new();
    let mut args: Vec<Value> = Vec::new();
    let searching = !q.text.trim().is_empty();
    let fts = if searching {
        let Some(fts) = search_match(conn, &q.text)? else { return Ok(None) };
        args.push(Value::Text(fts));
        true
    } else {
        false
    };
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
    if let LeadScope::Campaigns(list) = scope {
        sql.push_str(" AND l.campaign COLLATE NOCASE IN (");
        sql.push_str(&vec!["?"; list.len()].join(", "));
        sql.push(')');
        args.extend(list.iter().map(|c| Value::Text(c.clone())));
    }
    // Counting a bare search needs no lead row: every index row is a lead, written in the same transaction.
    let narrowed = !sql.is_empty();
    let from = match (fts, for_rows || narrowed) {
        (true, false) => " FROM leads_fts f WHERE leads_fts MATCH ?",
        (true, true) => " FROM leads_fts f JOIN leads l ON l.id = f.rowid WHERE leads_fts MATCH ?",
        (false, _) => " FROM leads l WHERE 1",
    };
    let owners = if for_rows { " LEFT JOIN users u ON u.id = l.owner_id" } else { "" };
    let from = from.replacen(" WHERE", &format!("{owners} WHERE"), 1);
    Ok(Some(Filter { sql: format!("{from}{sql}"), args, searching }))
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

pub fn count_matching(conn: &Connection, q: &LeadQuery, scope: &LeadScope, cap: u32) -> Result<LeadCount, StoreError> {
    let Some(f) = filter(conn, q, scope, false)? else { return Ok(LeadCount { count: 0, more: false }) };
    let sql = format!("SELECT count(*) FROM (SELECT 1 {} LIMIT ?)", f.sql);
    let mut args = f.args;
    args.push(Value::Integer(i64::from(cap) + 1));
    let n: i64 = conn.prepare_cached(&sql)?.query_row(params_from_iter(args), |r| r.get(0))?;
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

pub fn facets(conn: &Connection, scope: &LeadScope) -> Result<LeadFacets, StoreError> {
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
            let mut campaigns = distinct_values(conn, "leads", "campaign COLLATE NOCASE", 500)?;
            campaigns.retain(|c| scope.allows_campaign(c));
            Ok(LeadFacets { campaigns, tags })
        }
    }
}

pub fn list(conn: &Connection, q: &LeadQuery, scope: &LeadScope) -> Result<LeadPage, StoreError> {
    let limit = q.limit.clamp(1, MAX_PAGE);
    let Some(Filter { sql: from_where, mut args, searching }) = filter(conn, q, scope, true)? else {
        return Ok(LeadPage { items: vec![], next_cursor: None });
    };
    let sort = if searching { None } else { sort_expr(q.sort) };
    let descending = searching || !q.ascending;
    let mut sql = format!(
        "SELECT l.id, l.first_name, l.last_name, l.company, l.primary_email, l.primary_phone, l.status, l.stage,
                l.campaign, l.source, u.display_name, l.updated_at, {} {from_where}",
        sort.unwrap_or("''")
    );
    let text_query = if searching { Some(()) } else { None };
    let cmp = if descending { "<" } else { ">" };
    let dir = if descending { "DESC" } else { "ASC" };
    if let Some(after) = q.after.as_deref().filter(|s| !s.is_empty()) {
        let Cursor(value, id) = serde_json::from_str(after).map_err(|_| StoreError::BadCursor)?;
        match (sort, &text_query) {
            (_, Some(_)) => {
                sql.push_str(" AND f.rowid < ?");
                args.push(Value::Integer(id));
            }
            (Some(expr), None) => {
                sql.push_str(&format!(" AND ({expr}, l.id) {cmp} (?, ?)"));
                args.push(Value::Text(value));
                args.push(Value::Integer(id));
            }
            (None, None) => {
                sql.push_str(&format!(" AND l.id {cmp} ?"));
                args.push(Value::Integer(id));
            }
        }
    }
    match (sort, &text_query) {
        (_, Some(_)) => sql.push_str(" ORDER BY f.rowid DESC"),
        (Some(expr), None) => sql.push_str(&format!(" ORDER BY {expr} {dir}, l.id {dir}")),
        (None, None) => sql.push_str(&format!(" ORDER BY l.id {dir}")),
    }
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
        let status: String = r.get(6)?;
        items.push(LeadSummary {
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
        });
        last_sort_value = r.get(12)?;
    }
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => serde_json::to_string(&Cursor(last_sort_value, last.id)).ok(),
        _ => None,
    };
    Ok(LeadPage { items, next_cursor })
}

/// Every lead id in scope, oldest first, for export.
pub fn ids_in_scope(conn: &Connection, scope: &LeadScope) -> Result<Vec<i64>, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_safe_prefix_terms() {
        assert_eq!(fts_query("smi jo").as_deref(), Some("\"smi\"* \"jo\"*"));
        assert_eq!(fts_query("john.smith@ex").as_deref(), Some("\"john\"* \"smith\"* \"ex\"*"));
        assert_eq!(fts_query("+1 (415) 555").as_deref(), Some("\"1415555\"*"));
        assert_eq!(fts_query("030 901").as_deref(), Some("(\"030901\"* OR \"30901\"*)"));
        assert_eq!(fts_query("\" OR NEAR(").as_deref(), Some("\"OR\"* \"NEAR\"*"));
        assert_eq!(fts_query("  --  "), None);
        assert_eq!(fts_query("Müller").as_deref(), Some("\"Müller\"*"));
    }
}
