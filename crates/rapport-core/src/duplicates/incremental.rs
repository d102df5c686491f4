//! The check of one new or edited lead against every other, at the cost of a few index lookups: the lead's
//! blocking keys are stored (`match_keys`), its candidates are the leads sharing a key whose sort signatures
//! are nearest its own (the full scan's sorted-neighbourhood windows, read from a B-tree), and the pairs are
//! scored with the weights the last full scan learnt (defaults before any scan).
use std::collections::HashSet;

use rapport_match::blocking::{keys, signature, WINDOW};
use rapport_match::{compare, prepare, Model, Parameters, Prepared, Record};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::db::StoreError;

/// Replaces lead `id`'s stored keys with those of `record`.
pub(crate) fn index_lead(tx: &Transaction<'_>, id: i64, p: &Prepared) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM match_keys WHERE lead_id = ?1")?.execute([id])?;
    let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO match_keys (key, sig, lead_id) VALUES (?1, ?2, ?3)")?;
    for k in keys(p) {
        insert.execute(params![k.hash(), signature(p, k.sort), id])?;
    }
    Ok(())
}

/// Keys for every stored lead (migration 004).
pub(crate) fn index_all(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    super::store::for_each_match_row(tx, &mut |r, record| rows.push((r.id, prepare(&record))))?;
    for (id, p) in &rows {
        index_lead(tx, *id, p)?;
    }
    Ok(())
}

/// The leads sharing a key with `p`: all of a small block, the nearest signatures on either side in a large one.
pub(crate) fn candidates(conn: &Connection, id: i64, p: &Prepared) -> Result<Vec<i64>, StoreError> {
    let mut out: HashSet<i64> = HashSet::new();
    let mut after = conn.prepare_cached(
        "SELECT lead_id FROM match_keys WHERE key = ?1 AND sig >= ?2 AND lead_id != ?3 ORDER BY sig LIMIT ?4",
    )?;
    let mut before = conn.prepare_cached(
        "SELECT lead_id FROM match_keys WHERE key = ?1 AND sig < ?2 AND lead_id != ?3 ORDER BY sig DESC LIMIT ?4",
    )?;
    // The window of the full scan on each side: the leads a scan would pair this one with.
    let reach = WINDOW as i64;
    for k in keys(p) {
        let (hash, sig) = (k.hash(), signature(p, k.sort));
        for stmt in [&mut after, &mut before] {
            let ids = stmt.query_map(params![hash, sig, id, reach], |r| r.get::<_, i64>(0))?;
            for lead in ids {
                out.insert(lead?);
            }
        }
    }
    let mut v: Vec<i64> = out.into_iter().collect();
    v.sort_unstable();
    Ok(v)
}

/// The lead fields (the field table's names) that [`record_of`] reads: an edit of none of them leaves a lead's
/// keys and duplicate pairs as they are.
const MATCHED_FIELDS: [&str; 9] =
    ["first_name", "last_name", "company", "street", "city", "postcode", "region", "emails", "phones"];

pub(crate) fn is_matched_field(field: &str) -> bool {
    MATCHED_FIELDS.contains(&field)
}

/// One lead's matched fields.
pub(crate) fn record_of(conn: &Connection, id: i64) -> Result<Option<Record>, StoreError> {
    let Some(mut r) = conn
        .prepare_cached(
            "SELECT first_name, last_name, company, street, city, postcode, region FROM leads WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Record {
                first_name: r.get(0)?,
                last_name: r.get(1)?,
                company: r.get(2)?,
                street: r.get(3)?,
                city: r.get(4)?,
                postcode: r.get(5)?,
                region: r.get(6)?,
                ..Default::default()
            })
        })
        .optional()?
    else {
        return Ok(None);
    };
    r.emails = conn
        .prepare_cached("SELECT address FROM lead_emails WHERE lead_id = ?1 ORDER BY position")?
        .query_map([id], |x| x.get(0))?
        .collect::<Result<_, _>>()?;
    r.phones = conn
        .prepare_cached("SELECT e164 FROM lead_phones WHERE lead_id = ?1 ORDER BY position")?
        .query_map([id], |x| x.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(r))
}

pub(crate) fn save_model(tx: &Transaction<'_>, p: &Parameters, at: &str) -> Result<(), StoreError> {
    let json = serde_json::json!({
        "lambda": p.lambda, "m": p.m, "u": p.u, "place_trust": p.place_trust, "records": p.records,
    });
    tx.prepare_cached(
        "INSERT INTO match_model (id, parameters, learnt_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET parameters = excluded.parameters, learnt_at = excluded.learnt_at",
    )?
    .execute(params![json.to_string(), at])?;
    Ok(())
}

/// The last full scan's model, or the defaults.
pub(crate) fn load_model(conn: &Connection) -> Result<Model, StoreError> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT parameters FROM match_model WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let parsed = stored.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok()).and_then(|v| {
        let table = |key: &str| -> Option<[[f64; 4]; 6]> { serde_json::from_value(v.get(key)?.clone()).ok() };
        Some(Parameters {
            lambda: v.get("lambda")?.as_f64()?,
            m: table("m")?,
            u: table("u")?,
            place_trust: v.get("place_trust")?.as_f64()?,
            records: v.get("records")?.as_u64()? as usize,
        })
    });
    let mut model = match parsed {
        Some(p) if p.records >= rapport_match::model::MIN_POPULATION => Model::from_parameters(&p),
        _ => Model::defaults(),
    };
    model.thresholds = super::tiers::load(conn)?.thresholds();
    Ok(model)
}

/// Scores `p` (lead `id`) against each candidate: the pairs at or above the review tier, with their comparison
/// and the candidate's prepared fields.
pub(crate) fn score_candidates(
    conn: &Connection,
    model: &Model,
    id: i64,
    p: &Prepared,
) -> Result<Vec<(i64, f64, rapport_match::Comparison, Prepared)>, StoreError> {
    let mut out = Vec::new();
    for other in candidates(conn, id, p)? {
        let Some(r) = record_of(conn, other)? else { continue };
        let q = prepare(&r);
        let c = compare::compare(p, &q);
        let score = model.score(p, &q, &c);
        if model.tier(score) != rapport_match::Tier::Different {
            out.push((other, score, c, q));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name is a field of the lead table, and together they are what a record is built from: a field
    /// added to `Record` without being named here would leave edits of it unchecked.
    #[test]
    fn the_matched_fields_are_lead_fields_and_all_a_record_holds() {
        for f in MATCHED_FIELDS {
            assert!(crate::leads::fields::field(f).is_some(), "{f} is not a lead field");
        }
        let r = Record::default();
        let Record {
            first_name: _,
            last_name: _,
            company: _,
            emails: _,
            phones: _,
            street: _,
            city: _,
            postcode: _,
            region: _,
        } = r;
        assert_eq!(MATCHED_FIELDS.len(), 9);
    }
}
