//! The queue's SQL, and the one query that reads every lead's matched fields for a scan.
use std::collections::HashMap;

use rapport_match::Record;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};

use super::model::QueueFilter;
use crate::db::StoreError;

/// What the queue and scripts name a lead by.
pub(crate) struct LeadRef {
    pub id: i64,
    pub external_ref: String,
    /// The lead's version when its fields were read: any save since changes it.
    pub version: i64,
}

/// Every lead's matched fields, ordered by id, one lead at a time (emails and phones joined in by the same
/// query), so a scan of a million leads never holds them all as text.
/// Each lead's matched fields, in id order, until `each` answers false.
pub(crate) fn for_each_match_row(
    conn: &Connection,
    each: &mut dyn FnMut(LeadRef, Record) -> bool,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT l.id, l.external_ref, l.version, l.first_name, l.last_name, l.company, l.street, l.city, l.postcode, l.region,
                (SELECT group_concat(address, char(31)) FROM lead_emails e WHERE e.lead_id = l.id),
                (SELECT group_concat(e164, char(31)) FROM lead_phones p WHERE p.lead_id = l.id)
         FROM leads l ORDER BY l.id",
    )?;
    let mut q = stmt.query([])?;
    let list = |v: Option<String>| -> Vec<String> {
        v.map(|s| s.split('\u{1f}').map(str::to_string).collect()).unwrap_or_default()
    };
    while let Some(r) = q.next()? {
        let record = Record {
            first_name: r.get(3)?,
            last_name: r.get(4)?,
            company: r.get(5)?,
            street: r.get(6)?,
            city: r.get(7)?,
            postcode: r.get(8)?,
            region: r.get(9)?,
            emails: list(r.get(10)?),
            phones: list(r.get(11)?),
        };
        if !each(LeadRef { id: r.get(0)?, external_ref: r.get(1)?, version: r.get(2)? }, record) {
            break;
        }
    }
    Ok(())
}

/// The columns of a pair an archive keeps (its id aside: a restored pair takes a new one).
const PAIR_COLUMNS: [&str; 10] =
    ["lead_a", "lead_b", "score", "tier", "evidence", "fingerprint", "status", "found_at", "decided_by", "decided_at"];

/// Lead `id`'s pairs but the one with `except` (the survivor it is merged into), as archive entries: a merge
/// deletes them with the lead, an unmerge puts them back, "not a duplicate" decisions included.
pub(crate) fn pairs_to_archive(conn: &Connection, id: i64, except: i64) -> Result<Vec<serde_json::Value>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM duplicate_pairs WHERE (lead_a = ?1 AND lead_b != ?2) OR (lead_b = ?1 AND lead_a != ?2)
         ORDER BY id",
        PAIR_COLUMNS.join(", ")
    ))?;
    let mut rows = stmt.query(params![id, except])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let row = serde_json::json!({
            "lead_a": r.get::<_, i64>(0)?, "lead_b": r.get::<_, i64>(1)?, "score": r.get::<_, f64>(2)?,
            "tier": r.get::<_, String>(3)?, "evidence": r.get::<_, String>(4)?, "fingerprint": r.get::<_, String>(5)?,
            "status": r.get::<_, String>(6)?, "found_at": r.get::<_, String>(7)?,
            "decided_by": r.get::<_, Option<i64>>(8)?, "decided_at": r.get::<_, Option<String>>(9)?,
        });
        out.push(serde_json::json!({ "table": "duplicate_pairs", "row": row }));
    }
    Ok(out)
}

/// Puts back archived pairs whose two leads both exist (the other may have gone since) and that are not queued
/// again meanwhile. Returns how many came back.
pub(crate) fn restore_pairs(tx: &Transaction<'_>, entries: &[serde_json::Value]) -> Result<usize, StoreError> {
    let mut back = 0;
    for e in entries {
        let r = &e["row"];
        let (Some(a), Some(b)) = (r["lead_a"].as_i64(), r["lead_b"].as_i64()) else { continue };
        // The other lead merged away meanwhile (by another merge, still standing): the pair goes into that
        // merge's archive of it, to come back when it does. Dropped, a steward's "not a duplicate" was lost
        // once both merges were undone in the order they were made.
        for (here, other) in [(a, b), (b, a)] {
            let exists = |id: i64| -> Result<bool, StoreError> {
                Ok(tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE id = ?1)")?
                    .query_row([id], |r| r.get(0))?)
            };
            if exists(here)? && !exists(other)? {
                tx.prepare_cached(
                    "UPDATE merged_leads SET rows = json_insert(rows, '$[#]', json(?2))
                     WHERE lead_id = ?1 AND NOT EXISTS (
                         SELECT 1 FROM json_each(merged_leads.rows) j
                         WHERE json_extract(j.value, '$.table') = 'duplicate_pairs'
                           AND json_extract(j.value, '$.row.lead_a') = ?3 AND json_extract(j.value, '$.row.lead_b') = ?4)",
                )?
                .execute(params![other, e.to_string(), a, b])?;
            }
        }
        back += tx
            .prepare_cached(
                "INSERT OR IGNORE INTO duplicate_pairs
                    (lead_a, lead_b, score, tier, evidence, fingerprint, status, found_at, decided_by, decided_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
                 WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?1) AND EXISTS (SELECT 1 FROM leads WHERE id = ?2)",
            )?
            .execute(params![
                a,
                b,
                r["score"].as_f64().unwrap_or(0.0),
                r["tier"].as_str().unwrap_or("review"),
                r["evidence"].as_str().unwrap_or("[]"),
                r["fingerprint"].as_str().unwrap_or(""),
                r["status"].as_str().unwrap_or("open"),
                r["found_at"].as_str().unwrap_or(""),
                r["decided_by"].as_i64(),
                r["decided_at"].as_str(),
            ])?;
    }
    Ok(back)
}

/// Whether leads merged into lead `id` are archived with it: deleting it would leave them beyond an unmerge.
pub(crate) fn holds_merged_leads(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM merged_leads WHERE survivor_id = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// Whether lead `id` is one `scope` may see (a deleted one is not).
pub(crate) fn in_scope(conn: &Connection, scope: &crate::access::LeadScope, id: i64) -> Result<bool, StoreError> {
    if *scope == crate::access::LeadScope::All {
        return Ok(true);
    }
    let campaign: Option<String> =
        conn.prepare_cached("SELECT campaign FROM leads WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    Ok(campaign.is_some_and(|c| scope.allows_campaign(&c)))
}

/// Lead `id`'s version, or None once it is gone (merged away, its import undone).
pub(crate) fn lead_version(conn: &Connection, id: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn.prepare_cached("SELECT version FROM leads WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?)
}

pub(crate) struct StoredPair {
    pub id: i64,
    pub status: String,
    pub fingerprint: String,
}

pub(crate) fn pairs_by_leads(conn: &Connection) -> Result<HashMap<(i64, i64), StoredPair>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, lead_a, lead_b, status, fingerprint FROM duplicate_pairs")?;
    let rows = stmt.query_map([], |r| {
        Ok(((r.get(1)?, r.get(2)?), StoredPair { id: r.get(0)?, status: r.get(3)?, fingerprint: r.get(4)? }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn pair_by_leads(conn: &Connection, a: i64, b: i64) -> Result<Option<StoredPair>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, status, fingerprint FROM duplicate_pairs WHERE lead_a = ?1 AND lead_b = ?2")?
        .query_row([a, b], |r| Ok(StoredPair { id: r.get(0)?, status: r.get(1)?, fingerprint: r.get(2)? }))
        .optional()?)
}

/// The values of a pair found by a scan.
pub(crate) struct PairValues<'a> {
    pub lead_a: i64,
    pub lead_b: i64,
    pub score: f64,
    pub tier: &'a str,
    pub evidence: &'a str,
    pub fingerprint: &'a str,
    pub at: &'a str,
}

pub(crate) fn insert(tx: &Transaction<'_>, p: &PairValues<'_>) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "INSERT INTO duplicate_pairs (lead_a, lead_b, score, tier, evidence, fingerprint, found_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![p.lead_a, p.lead_b, p.score, p.tier, p.evidence, p.fingerprint, p.at])?;
    Ok(tx.last_insert_rowid())
}

/// The fingerprint of pair `id`'s matched fields as they are now.
pub(crate) fn set_fingerprint(tx: &Transaction<'_>, id: i64, fingerprint: &str) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE duplicate_pairs SET fingerprint = ?2 WHERE id = ?1")?
        .execute(params![id, fingerprint])?;
    Ok(())
}

/// Refreshes an open pair's score and evidence, or reopens one whose matched fields changed.
pub(crate) fn refresh(tx: &Transaction<'_>, id: i64, p: &PairValues<'_>) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE duplicate_pairs SET score = ?2, tier = ?3, evidence = ?4, fingerprint = ?5, found_at = ?6,
                status = 'open', decided_by = NULL, decided_at = NULL
         WHERE id = ?1",
    )?
    .execute(params![id, p.score, p.tier, p.evidence, p.fingerprint, p.at])?;
    Ok(())
}

/// Lead `id`'s open pairs: (pair id, the other lead).
pub(crate) fn open_pairs_of(conn: &Connection, id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, lead_b FROM duplicate_pairs WHERE lead_a = ?1 AND status = 'open'
         UNION ALL SELECT id, lead_a FROM duplicate_pairs WHERE lead_b = ?1 AND status = 'open'",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM duplicate_pairs WHERE id = ?1")?.execute([id])?;
    Ok(())
}

pub(crate) struct QueueRow {
    pub id: i64,
    pub lead_a: i64,
    pub lead_b: i64,
    pub score: f64,
    pub tier: String,
    pub evidence: String,
    pub status: String,
    pub found_at: String,
}

fn queue_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueRow> {
    Ok(QueueRow {
        id: r.get(0)?,
        lead_a: r.get(1)?,
        lead_b: r.get(2)?,
        score: r.get(3)?,
        tier: r.get(4)?,
        evidence: r.get(5)?,
        status: r.get(6)?,
        found_at: r.get(7)?,
    })
}

const QUEUE_COLUMNS: &str = "id, lead_a, lead_b, score, tier, evidence, status, found_at";

/// The ids of the pairs with a lead among `leads` (a query of lead ids, its arguments given twice), found by the
/// pairs' two lead indexes: an id list the queue's index is walked against. Comparing each open pair's leads
/// with a few would read every open pair's row, however few pairs they have.
fn pairs_of_leads(leads: &str) -> String {
    format!(
        "SELECT x.id FROM ({leads}) i CROSS JOIN duplicate_pairs x ON x.lead_a = i.lead \
         UNION SELECT y.id FROM ({leads}) i CROSS JOIN duplicate_pairs y ON y.lead_b = i.lead"
    )
}

/// The pairs with a lead import `?` created or changed: what its report's "Review possible duplicates" opens.
fn pairs_of_import() -> String {
    pairs_of_leads(&format!("SELECT entity_id AS lead FROM ({})", crate::audit::store::LEADS_OF_IMPORT))
}

/// The pairs with a lead owned by user `?`: an account manager's queue holds those alone (sifting every open
/// pair for them took 1.1 s for one page at a million leads and 257,000 pairs, for an owner of none).
fn pairs_of_owner() -> String {
    pairs_of_leads("SELECT id AS lead FROM leads WHERE owner_id = ?")
}

/// The open pairs `filter` lets through, and when `owner` is given only those with a lead of theirs, as a FROM
/// clause (`p`, with `a` and `b` its leads when the filter speaks of them) and its arguments.
fn open_narrowed(filter: &QueueFilter, owner: Option<i64>) -> (String, Vec<Value>) {
    let campaign = filter.campaign.trim();
    let mut from = String::from("duplicate_pairs p");
    if !campaign.is_empty() || filter.source.is_some() {
        from.push_str(" JOIN leads a ON a.id = p.lead_a JOIN leads b ON b.id = p.lead_b");
    }
    let mut conditions: Vec<String> = vec!["p.status = 'open'".into()];
    let mut args = Vec::new();
    if let Some(tier) = filter.tier {
        conditions.push("p.tier = ?".into());
        args.push(Value::Text(tier.as_str().into()));
    }
    if !campaign.is_empty() {
        // As campaign isolation compares them (`LeadScope::allows_campaign`): ASCII case aside.
        conditions.push("(trim(a.campaign) = ? COLLATE NOCASE OR trim(b.campaign) = ? COLLATE NOCASE)".into());
        args.extend([Value::Text(campaign.into()), Value::Text(campaign.into())]);
    }
    if let Some(source) = filter.source {
        conditions.push("(a.source = ? OR b.source = ?)".into());
        args.extend([Value::Text(source.as_str().into()), Value::Text(source.as_str().into())]);
    }
    if let Some(import) = filter.import_id {
        conditions.push(format!("p.id IN ({})", pairs_of_import()));
        args.extend([Value::Integer(import), Value::Integer(import)]);
    }
    if let Some(owner) = owner {
        conditions.push(format!("p.id IN ({})", pairs_of_owner()));
        args.extend([Value::Integer(owner), Value::Integer(owner)]);
    }
    (format!("{from} WHERE {}", conditions.join(" AND ")), args)
}

/// Open pairs `filter` lets through (with a lead of `owner`'s, when given), highest score first; `each` returns
/// false to stop.
pub(crate) fn for_each_open(
    conn: &Connection,
    filter: &QueueFilter,
    owner: Option<i64>,
    each: &mut dyn FnMut(QueueRow) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    let (from, args) = open_narrowed(filter, owner);
    // The ids first, then each pair by its id: the queue's index holds the ids in score order, so a filter that
    // needs no more than the id (an import's pairs) reads a pair's row only when the pair is listed.
    let mut stmt = conn.prepare(&format!("SELECT p.id FROM {from} ORDER BY p.score DESC, p.id"))?;
    let mut ids = stmt.query(params_from_iter(args))?;
    while let Some(r) = ids.next()? {
        let Some(row) = get(conn, r.get(0)?)? else { continue };
        if !each(row)? {
            break;
        }
    }
    Ok(())
}

/// The two leads of each open pair (with a lead of `owner`'s, when given), with each lead's campaign and
/// source, in no order: what the queue's filters offer a reader, who may see some pairs only, needs without
/// loading the leads.
pub(crate) fn for_each_open_sides(
    conn: &Connection,
    owner: Option<i64>,
    each: &mut dyn FnMut(PairSides),
) -> Result<(), StoreError> {
    let owned = if owner.is_some() { format!(" AND p.id IN ({})", pairs_of_owner()) } else { String::new() };
    let mut stmt = conn.prepare(&format!(
        "SELECT p.lead_a, p.lead_b, a.campaign, a.source, b.campaign, b.source
         FROM duplicate_pairs p JOIN leads a ON a.id = p.lead_a JOIN leads b ON b.id = p.lead_b
         WHERE p.status = 'open'{owned}"
    ))?;
    let mut rows = stmt.query(params_from_iter(owner.iter().chain(owner.iter())))?;
    while let Some(r) = rows.next()? {
        each(PairSides { lead_a: r.get(0)?, lead_b: r.get(1)?, a: (r.get(2)?, r.get(3)?), b: (r.get(4)?, r.get(5)?) });
    }
    Ok(())
}

/// The leads of an open pair, each with its campaign and source (as stored).
pub(crate) struct PairSides {
    pub lead_a: i64,
    pub lead_b: i64,
    pub a: (String, Option<String>),
    pub b: (String, Option<String>),
}

/// The two leads of each open pair `filter` lets through, in no order.
pub(crate) fn for_each_open_ids(
    conn: &Connection,
    filter: &QueueFilter,
    owner: Option<i64>,
    each: &mut dyn FnMut(i64, i64),
) -> Result<(), StoreError> {
    let (from, args) = open_narrowed(filter, owner);
    let mut stmt = conn.prepare(&format!("SELECT p.lead_a, p.lead_b FROM {from}"))?;
    let mut rows = stmt.query(params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        each(r.get(0)?, r.get(1)?);
    }
    Ok(())
}

/// How many open pairs `filter` lets through, whoever may see them.
pub(crate) fn count_open(conn: &Connection, filter: &QueueFilter) -> Result<i64, StoreError> {
    let (from, args) = open_narrowed(filter, None);
    Ok(conn.query_row(&format!("SELECT count(*) FROM {from}"), params_from_iter(args), |r| r.get(0))?)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<QueueRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {QUEUE_COLUMNS} FROM duplicate_pairs WHERE id = ?1"))?
        .query_row([id], queue_row)
        .optional()?)
}

pub(crate) fn set_status(
    tx: &Transaction<'_>,
    id: i64,
    status: &str,
    user: Option<i64>,
    at: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE duplicate_pairs SET status = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1")?
        .execute(params![id, status, user, at])?;
    Ok(())
}

/// Archives merged lead `lead_id` (`rows`, its rows of every table) with its reference in another system, by
/// which [`merged_with_external_ref`] finds it.
pub(crate) fn archive(
    tx: &Transaction<'_>,
    lead_id: i64,
    survivor_id: i64,
    batch_id: i64,
    rows: &str,
    external_ref: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO merged_leads (lead_id, survivor_id, batch_id, rows, external_ref) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![lead_id, survivor_id, batch_id, rows, external_ref.trim()])?;
    Ok(())
}

/// The leads that leads merged away with reference `reference` in another system live on in.
pub(crate) fn merged_with_external_ref(conn: &Connection, reference: &str) -> Result<Vec<i64>, StoreError> {
    let merged: Vec<i64> = conn
        .prepare_cached(
            "SELECT lead_id FROM merged_leads WHERE external_ref = ?1 AND external_ref <> '' ORDER BY lead_id",
        )?
        .query_map([reference], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut living = Vec::new();
    for id in merged {
        if let Some(at) = living_lead(conn, id)? {
            living.push(at);
        }
    }
    Ok(living)
}

/// The pairs set apart as not the same person ("not_duplicate") that merged lead `lead_id` took into its
/// merge's archive: its pairs leave the queue with it, the decision with them.
pub(crate) fn archived_pairs_set_apart(conn: &Connection, lead_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows: Option<String> = conn
        .prepare_cached("SELECT rows FROM merged_leads WHERE lead_id = ?1")?
        .query_row([lead_id], |r| r.get(0))
        .optional()?;
    let entries: Vec<serde_json::Value> = rows.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default();
    Ok(entries
        .iter()
        .filter(|e| e["table"] == "duplicate_pairs" && e["row"]["status"] == "not_duplicate")
        .filter_map(|e| Some((e["row"]["lead_a"].as_i64()?, e["row"]["lead_b"].as_i64()?)))
        .collect())
}

pub(crate) struct Archived {
    pub survivor_id: i64,
    pub rows: String,
}

pub(crate) fn archived(conn: &Connection, batch_id: i64) -> Result<Vec<Archived>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT survivor_id, rows FROM merged_leads WHERE batch_id = ?1 ORDER BY lead_id")?;
    let rows = stmt.query_map([batch_id], |r| Ok(Archived { survivor_id: r.get(0)?, rows: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn unarchive(tx: &Transaction<'_>, lead_id: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM merged_leads WHERE lead_id = ?1")?.execute([lead_id])?;
    Ok(())
}

pub(crate) struct MergeRow {
    pub batch_id: i64,
    pub at: String,
    pub actor_name: String,
    pub lead_id: i64,
    pub rows: String,
}

/// The merges into `survivor_id` that can still be taken back, newest first.
pub(crate) fn merges_into(conn: &Connection, survivor_id: i64) -> Result<Vec<MergeRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.batch_id, b.at, b.actor_name, m.lead_id, m.rows
         FROM merged_leads m JOIN change_batches b ON b.id = m.batch_id
         WHERE m.survivor_id = ?1 ORDER BY m.batch_id DESC, m.lead_id",
    )?;
    let rows = stmt.query_map([survivor_id], |r| {
        Ok(MergeRow { batch_id: r.get(0)?, at: r.get(1)?, actor_name: r.get(2)?, lead_id: r.get(3)?, rows: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// [`merged_into`], less the leads of campaigns `scope` does not hold: their history and activities are not
/// the actor's to read through the lead they were merged into.
pub(crate) fn merged_into_in_scope(
    conn: &Connection,
    survivor_id: i64,
    scope: &crate::access::LeadScope,
) -> Result<Vec<i64>, StoreError> {
    let all = merged_into(conn, survivor_id)?;
    if *scope == crate::access::LeadScope::All {
        return Ok(all);
    }
    let mut stmt = conn.prepare_cached("SELECT rows FROM merged_leads WHERE lead_id = ?1")?;
    let mut out = Vec::with_capacity(all.len());
    for id in all {
        let rows: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
        let lead = archived_lead(rows.as_deref().unwrap_or(""));
        if scope.allows_campaign(lead["campaign"].as_str().unwrap_or("")) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The `leads` row of a merged lead's archive (its rows of every table, as JSON).
pub(crate) fn archived_lead(rows: &str) -> serde_json::Value {
    let archived: serde_json::Value = serde_json::from_str(rows).unwrap_or_default();
    archived
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["table"] == "leads"))
        .map(|r| r["row"].clone())
        .unwrap_or_default()
}

/// What an unmerge of merge `merge_id` writes as its batch's source: [`written_since_merge`] knows an undone
/// merge by it.
pub(crate) fn unmerge_source(merge_id: i64) -> String {
    format!("{UNMERGE_OF}{merge_id}")
}

/// The start of an unmerge's source: the queries below find an undone merge's unmerge by it.
const UNMERGE_OF: &str = "unmerge of merge ";

/// Whether merge `batch_id` still holds a lead it merged away: an unmerge takes its archives out.
pub(crate) fn merge_holds_leads(conn: &Connection, batch_id: i64) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached("SELECT 1 FROM merged_leads WHERE batch_id = ?1")?.exists([batch_id])?)
}

/// Whether a batch's source is an unmerge's (its reason is a merge's too).
pub(crate) fn is_unmerge_source(source_ref: &str) -> bool {
    source_ref.starts_with(UNMERGE_OF)
}

/// Whether `field` of lead `survivor` was written after merge `merge_id` by anything but a later merge that has
/// been undone, or that undoing: such a pair leaves the field as the earlier merge wrote it (two merges into one
/// lead, undone in either order, each take back their own).
pub(crate) fn written_since_merge(
    conn: &Connection,
    survivor: i64,
    merge_id: i64,
    field: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM change_log c JOIN change_batches b ON b.id = c.batch_id
             WHERE c.entity = 'lead' AND c.entity_id = ?1 AND c.batch_id > ?2 AND c.field = ?3
               AND b.source_ref NOT LIKE ?4 || '%'
               AND NOT EXISTS (SELECT 1 FROM change_batches u WHERE u.source_ref = ?4 || c.batch_id)
             LIMIT 1",
        )?
        .exists(params![survivor, merge_id, field, UNMERGE_OF])?)
}

/// What was written to lead `survivor` after merge `merge_id`, as (field, old, new), leaving out what
/// [`written_since_merge`] leaves out: unmerges, and later merges taken back since.
pub(crate) fn changes_since_merge(
    conn: &Connection,
    survivor: i64,
    merge_id: i64,
) -> Result<Vec<crate::audit::store::FieldChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.field, c.old_value, c.new_value FROM change_log c JOIN change_batches b ON b.id = c.batch_id
         WHERE c.entity = 'lead' AND c.entity_id = ?1 AND c.batch_id > ?2
           AND b.source_ref NOT LIKE ?3 || '%'
           AND NOT EXISTS (SELECT 1 FROM change_batches u WHERE u.source_ref = ?3 || c.batch_id)
         ORDER BY c.id",
    )?;
    let rows = stmt.query_map(params![survivor, merge_id, UNMERGE_OF], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The newest merge into `survivor` before batch `before` that wrote `field` to `value`, was undone, and whose
/// unmerge left `field` alone (a later merge had written it since): its batch and the value before it.
pub(crate) fn left_by_undone_merge(
    conn: &Connection,
    survivor: i64,
    before: i64,
    field: &str,
    value: &Option<String>,
) -> Result<Option<(i64, Option<String>)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT c.batch_id, c.old_value FROM change_log c
             WHERE c.entity = 'lead' AND c.entity_id = ?1 AND c.batch_id < ?2 AND c.field = ?3
               AND c.new_value IS ?4
               AND EXISTS (SELECT 1 FROM change_batches u WHERE u.source_ref = ?5 || c.batch_id)
               AND NOT EXISTS (SELECT 1 FROM change_log w JOIN change_batches u ON u.id = w.batch_id
                               WHERE u.source_ref = ?5 || c.batch_id
                                 AND w.entity = 'lead' AND w.entity_id = ?1 AND w.field = ?3)
             ORDER BY c.batch_id DESC LIMIT 1",
        )?
        .query_row(params![survivor, before, field, value, UNMERGE_OF], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The deal values the leads merged into `survivor` (through later merges too) held when merged, of the merges
/// made at or after `since` (all when None): a deal merged into a twin is part of it.
pub(crate) fn merged_deal_values(
    conn: &Connection,
    survivor: i64,
    since: Option<&str>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.rows FROM merged_leads m JOIN change_batches b ON b.id = m.batch_id
         WHERE m.lead_id = ?1 AND (?2 IS NULL OR b.at >= ?2)",
    )?;
    let mut out = Vec::new();
    for id in merged_into(conn, survivor)? {
        let rows: Option<String> = stmt.query_row(params![id, since], |r| r.get(0)).optional()?;
        if let Some(rows) = rows {
            let value = archived_lead(&rows)["deal_value"].as_str().unwrap_or("").to_string();
            out.push((id, value));
        }
    }
    Ok(out)
}

/// The leads merged straight into `survivor` by merges made after `after` (the one being taken back), oldest
/// merge first: each merge's batch and its archived lead row. Only those: a merge made before found the field
/// as it was then, and a value of its lead that is not there now was never filled or was taken out since.
pub(crate) fn merged_after(
    conn: &Connection,
    survivor: i64,
    after: i64,
) -> Result<Vec<(i64, serde_json::Value)>, StoreError> {
    Ok(archives_merged_after(conn, survivor, after)?
        .into_iter()
        .map(|(batch, rows)| (batch, archived_lead(&rows)))
        .collect())
}

/// The archives (their merge, their rows as JSON text) of the leads merged into `survivor` after merge `after`
/// and still merged, oldest merge first.
fn archives_merged_after(conn: &Connection, survivor: i64, after: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT batch_id, rows FROM merged_leads WHERE survivor_id = ?1 AND batch_id > ?2 ORDER BY batch_id, lead_id",
    )?;
    let rows = stmt.query_map(params![survivor, after], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The email addresses, phone numbers (E.164) and tags of the leads merged into `survivor` after merge `after`
/// and still merged, each with its merge: (merge, field, key as a lead's list compares it, lower-case).
pub(crate) fn contacts_merged_after(
    conn: &Connection,
    survivor: i64,
    after: i64,
) -> Result<Vec<(i64, &'static str, String)>, StoreError> {
    let mut out = Vec::new();
    for (batch, rows) in archives_merged_after(conn, survivor, after)? {
        let archived: Vec<serde_json::Value> = serde_json::from_str(&rows).unwrap_or_default();
        for entry in &archived {
            let (field, column) = match entry["table"].as_str() {
                Some("lead_emails") => ("emails", "address"),
                Some("lead_phones") => ("phones", "e164"),
                Some("lead_tags") => ("tags", "tag"),
                _ => continue,
            };
            if let Some(key) = entry["row"][column].as_str() {
                out.push((batch, field, key.to_lowercase()));
            }
        }
    }
    Ok(out)
}

/// The change log's entity under which an unmerge records a field it refilled from a lead still merged: the
/// row's id is that lead's merge, so the merge's own unmerge takes the value back with what it wrote.
pub(crate) const REFILL: &str = "merge_refill";

/// The fields refilled for merge `merge_id` by unmerges of other merges: (field, value).
pub(crate) fn refills_for(conn: &Connection, merge_id: i64) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT field, new_value FROM change_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY id")?;
    let rows = stmt.query_map(params![REFILL, merge_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The lead that lead `id` lives on in: itself while it exists, else the lead it was merged into (through
/// later merges too). `None` when it is in neither place (deleted).
/// The merge that took lead `id` away, if one did: the lead it went into, and the merge's batch (the id
/// `duplicates unmerge` takes).
pub(crate) fn merge_of(conn: &Connection, id: i64) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT survivor_id, batch_id FROM merged_leads WHERE lead_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub(crate) fn living_lead(conn: &Connection, id: i64) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT survivor_id FROM merged_leads WHERE lead_id = ?1")?;
    let mut at = id;
    // A merge chain never loops (a survivor is alive when it absorbs), but the file is outside data: bound it.
    for _ in 0..1000 {
        if conn.prepare_cached("SELECT 1 FROM leads WHERE id = ?1")?.exists([at])? {
            return Ok(Some(at));
        }
        match stmt.query_row([at], |r| r.get::<_, i64>(0)).optional()? {
            Some(next) => at = next,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// The leads merged into `survivor_id`, and those merged into them before, still archived.
pub(crate) fn merged_into(conn: &Connection, survivor_id: i64) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT lead_id FROM merged_leads WHERE survivor_id = ?1")?;
    let (mut out, mut todo) = (Vec::new(), vec![survivor_id]);
    while let Some(id) = todo.pop() {
        let direct: Vec<i64> = stmt.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        for d in direct {
            if !out.contains(&d) && d != survivor_id {
                out.push(d);
                todo.push(d);
            }
        }
    }
    Ok(out)
}

/// Migration 019 made the pairs' table again: its references hold before the migration commits.
pub(crate) fn references_hold(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let dangling: i64 =
        tx.query_row("SELECT count(*) FROM pragma_foreign_key_check('duplicate_pairs')", [], |r| r.get(0))?;
    if dangling > 0 {
        return Err(StoreError::Migration(format!("{dangling} duplicate pairs name no lead or user")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The queue narrowed to an import walks the queue's own index (no pair's row read) and finds the import's
    /// pairs from its leads by the pairs' two lead indexes: not each open pair's row, in score order, to compare
    /// its leads with the import's.
    #[test]
    fn the_pairs_of_an_import_are_found_from_its_leads() {
        let (from, args) = open_narrowed(&QueueFilter { import_id: Some(7), ..Default::default() }, None);
        for sql in
            [format!("SELECT p.id FROM {from} ORDER BY p.score DESC, p.id"), format!("SELECT count(*) FROM {from}")]
        {
            let plan = crate::test_support::query_plan(&sql, params_from_iter(args.clone()));
            let says = |parent: Option<i64>, text: &str| {
                plan.iter().any(|(p, d)| d.contains(text) && parent.is_none_or(|parent| *p == parent))
            };
            assert!(says(Some(0), "SEARCH p USING COVERING INDEX duplicate_pairs_queue (status=?)"), "{plan:?}");
            assert!(!says(Some(0), "TEMP B-TREE FOR ORDER BY"), "the index gives the order: {plan:?}");
            assert!(says(None, "INDEX sqlite_autoindex_duplicate_pairs_1 (lead_a=?)"), "{plan:?}");
            assert!(says(None, "INDEX duplicate_pairs_by_b (lead_b=?)"), "{plan:?}");
        }
    }

    /// An account manager's queue, its counts and its filters' choices read the pairs of the leads they own,
    /// found through the owner's index and the pairs' two lead indexes: no pair's row is read to learn whether
    /// it is theirs.
    #[test]
    fn an_owners_pairs_are_found_from_their_leads() {
        let (from, args) = open_narrowed(&QueueFilter::default(), Some(3));
        let owned = format!(" AND p.id IN ({})", pairs_of_owner());
        let sides = format!(
            "SELECT p.lead_a, p.lead_b FROM duplicate_pairs p JOIN leads a ON a.id = p.lead_a \
             JOIN leads b ON b.id = p.lead_b WHERE p.status = 'open'{owned}"
        );
        for (sql, args) in [
            (format!("SELECT p.id FROM {from} ORDER BY p.score DESC, p.id"), args.clone()),
            (format!("SELECT p.lead_a, p.lead_b FROM {from}"), args.clone()),
            (sides, vec![Value::Integer(3), Value::Integer(3)]),
        ] {
            let plan = crate::test_support::query_plan(&sql, params_from_iter(args));
            let says = |text: &str| plan.iter().any(|(_, d)| d.contains(text));
            assert!(says("USING COVERING INDEX leads_by_owner (owner_id=?)"), "{plan:?}");
            assert!(says("INDEX sqlite_autoindex_duplicate_pairs_1 (lead_a=?)"), "{plan:?}");
            assert!(says("INDEX duplicate_pairs_by_b (lead_b=?)"), "{plan:?}");
            assert!(!plan.iter().any(|(_, d)| d.starts_with("SCAN p")), "no walk of every pair: {plan:?}");
        }
    }
}
