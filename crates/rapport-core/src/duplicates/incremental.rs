//! The check of one new or edited lead against every other, at the cost of a few index lookups: the lead's
//! blocking keys are stored (`match_keys`), its candidates are the leads sharing a key whose sort signatures
//! are nearest its own (the full scan's sorted-neighbourhood windows, read from a B-tree), and the pairs are
//! scored with the weights the last full scan learnt (defaults before any scan).
use std::collections::{BTreeSet, HashMap, HashSet};

use rapport_match::blocking::{keys, signature, WINDOW};
use rapport_match::{compare, prepare, Model, Parameters, Prepared, Record};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::db::StoreError;

/// One of a lead's blocking keys as stored: the key's digest, and the lead's sort signature in its block.
pub(crate) struct KeyEntry {
    hash: i64,
    sig: String,
}

/// The keys `p` is stored and looked up under (computed once per save: both need them).
pub(crate) fn key_entries(p: &Prepared) -> Vec<KeyEntry> {
    keys(p).into_iter().map(|k| KeyEntry { hash: k.hash(), sig: signature(p, k.sort) }).collect()
}

/// Replaces lead `id`'s stored keys and prepared fields with those of `p` (its keys `entries`). Its new keys
/// go to the recent table (migration 010 says why); its old ones leave whichever table holds them.
pub(crate) fn index_lead(tx: &Transaction<'_>, id: i64, p: &Prepared, entries: &[KeyEntry]) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM match_keys WHERE lead_id = ?1")?.execute([id])?;
    tx.prepare_cached("DELETE FROM match_keys_recent WHERE lead_id = ?1")?.execute([id])?;
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO match_keys_recent (key, sig, lead_id) VALUES (?1, ?2, ?3)")?;
    for e in entries {
        insert.execute(params![e.hash, e.sig, id])?;
    }
    tx.prepare_cached(
        "INSERT INTO match_fields (lead_id, prepared) VALUES (?1, ?2)
         ON CONFLICT (lead_id) DO UPDATE SET prepared = excluded.prepared",
    )?
    .execute(params![id, p.encode()])?;
    Ok(())
}

/// Keys for every stored lead, as migration 004 stored them: into `match_keys`, the only table of that
/// version (a hook runs at its own version, whatever the code's latest).
pub(crate) fn index_all_v4(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    super::store::for_each_match_row(tx, &mut |r, record| {
        rows.push((r.id, prepare(&record)));
        true
    })?;
    let mut insert = tx.prepare("INSERT OR IGNORE INTO match_keys (key, sig, lead_id) VALUES (?1, ?2, ?3)")?;
    for (id, p) in &rows {
        for k in keys(p) {
            insert.execute(params![k.hash(), signature(p, k.sort), id])?;
        }
    }
    Ok(())
}

/// Prepared fields for every stored lead, and its keys written again (migration 010): the keys of a file from
/// before it were folded and digested as the code of their time did (ß kept, each part digested without its
/// end mark), as many as today's and other ones, which the check would never find.
pub(crate) fn store_all_fields(tx: &Transaction<'_>) -> Result<(), StoreError> {
    // The fields stream in; the keys are written again whole, in key order (each page of the large table then
    // written once, not once per lead at random places).
    let mut keys: Vec<(i64, String, i64)> = Vec::new();
    {
        let mut fields = tx.prepare("INSERT INTO match_fields (lead_id, prepared) VALUES (?1, ?2)")?;
        let mut failed = None;
        super::store::for_each_match_row(tx, &mut |r, record| {
            let p = prepare(&record);
            keys.extend(key_entries(&p).into_iter().map(|e| (e.hash, e.sig, r.id)));
            if let Err(e) = fields.execute(params![r.id, p.encode()]) {
                failed = Some(e);
            }
            failed.is_none()
        })?;
        if let Some(e) = failed {
            return Err(e.into());
        }
    }
    keys.sort_unstable();
    keys.dedup();
    tx.execute("DELETE FROM match_keys", [])?;
    let mut insert = tx.prepare("INSERT OR IGNORE INTO match_keys (key, sig, lead_id) VALUES (?1, ?2, ?3)")?;
    for (key, sig, id) in &keys {
        insert.execute(params![key, sig, id])?;
    }
    Ok(())
}

/// Migration 021: a phone written with its country code is matched with all its digits, no longer by its last
/// nine only, so the prepared fields of every lead with a phone are written again where they changed. Their
/// keys are made of the national part as before (`rapport_match::normalize::national_part`) and stay.
pub(crate) fn refresh_fields_with_phones(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let update = "UPDATE match_fields SET prepared = ?2 WHERE lead_id = ?1 AND prepared IS NOT ?2";
    each_prepared(tx, update, |record| !record.phones.is_empty())
}

/// Runs `statement` (?1 a lead's id, ?2 its prepared fields, encoded) for each stored lead `wanted` takes, in
/// one pass over the leads.
fn each_prepared(tx: &Transaction<'_>, statement: &str, wanted: impl Fn(&Record) -> bool) -> Result<(), StoreError> {
    let mut stmt = tx.prepare(statement)?;
    let mut failed = None;
    super::store::for_each_match_row(tx, &mut |r, record| {
        if wanted(&record) {
            if let Err(e) = stmt.execute(params![r.id, prepare(&record).encode()]) {
                failed = Some(e);
            }
        }
        failed.is_none()
    })?;
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The leads whose keys or matched fields may differ after a change of the normal forms (migrations 012 and 016:
/// text outside plain ASCII, an email whose local part is only a +tag, one name or none): their keys and
/// prepared fields are written again where they changed. The others are left alone, so the upgrade of a large
/// store reads only those it concerns.
pub(crate) fn reindex_refolded(tx: &Transaction<'_>) -> Result<(), StoreError> {
    reindex_selected(
        tx,
        "SELECT id FROM leads
         WHERE (coalesce(first_name, '') || coalesce(last_name, '') || coalesce(company, '')
                || coalesce(street, '') || coalesce(city, '') || coalesce(postcode, '')
                || coalesce(region, '')) GLOB '*[^ -~]*'
            OR coalesce(first_name, '') = '' OR coalesce(last_name, '') = ''
            OR id IN (SELECT lead_id FROM lead_emails WHERE address LIKE '+%')
         ORDER BY id",
    )
}

/// Migration 018: a company written with initials and full stops ("Acme L.L.C.") is keyed as written without
/// them, and a googlemail.com address as the gmail.com one it is; the leads that hold such are indexed again.
pub(crate) fn reindex_initials_and_googlemail(tx: &Transaction<'_>) -> Result<(), StoreError> {
    reindex_selected(
        tx,
        "SELECT id FROM leads WHERE coalesce(company, '') LIKE '%.%'
            OR id IN (SELECT lead_id FROM lead_emails WHERE address LIKE '%@googlemail.com')
         ORDER BY id",
    )
}

/// The leads `select` names get their keys and prepared fields written again where they changed.
fn reindex_selected(tx: &Transaction<'_>, select: &str) -> Result<(), StoreError> {
    let ids: Vec<i64> = tx.prepare(select)?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for id in ids {
        let Some(record) = record_of(tx, id)? else { continue };
        let p = prepare(&record);
        let stored: Option<String> = tx
            .prepare_cached("SELECT prepared FROM match_fields WHERE lead_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let entries = key_entries(&p);
        // The keys themselves, not their number: a fold changed makes as many keys, other ones.
        let mut stored_keys: Vec<(i64, String)> = tx
            .prepare_cached(
                "SELECT key, sig FROM match_keys WHERE lead_id = ?1
                 UNION ALL SELECT key, sig FROM match_keys_recent WHERE lead_id = ?1",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        stored_keys.sort_unstable();
        let mut keys_now: Vec<(i64, String)> = entries.iter().map(|e| (e.hash, e.sig.clone())).collect();
        keys_now.sort_unstable();
        keys_now.dedup();
        let same_keys = stored_keys == keys_now;
        if !same_keys || stored.as_deref().and_then(Prepared::decode).as_ref() != Some(&p) {
            index_lead(tx, id, &p, &entries)?;
        }
    }
    Ok(())
}

/// The nearest signatures at or after a lead's (side 1), then before it (side 0), in each table a lead's keys
/// may be in (folded, and written since the last fold), each in the order of the tables' primary key. One
/// statement runs the four reads: a key is looked up some 14 times per imported row.
const NEAREST: &str = "
    SELECT 1, sig, lead_id FROM (SELECT sig, lead_id FROM match_keys
        WHERE key = ?1 AND sig >= ?2 AND lead_id != ?3 ORDER BY sig, lead_id LIMIT ?4)
    UNION ALL SELECT 1, sig, lead_id FROM (SELECT sig, lead_id FROM match_keys_recent
        WHERE key = ?1 AND sig >= ?2 AND lead_id != ?3 ORDER BY sig, lead_id LIMIT ?4)
    UNION ALL SELECT 0, sig, lead_id FROM (SELECT sig, lead_id FROM match_keys
        WHERE key = ?1 AND sig < ?2 AND lead_id != ?3 ORDER BY sig DESC, lead_id DESC LIMIT ?4)
    UNION ALL SELECT 0, sig, lead_id FROM (SELECT sig, lead_id FROM match_keys_recent
        WHERE key = ?1 AND sig < ?2 AND lead_id != ?3 ORDER BY sig DESC, lead_id DESC LIMIT ?4)";

/// Ids from here up are leads that are not stored (see [`Unstored`]): above every stored lead's, as the run's
/// new leads are, so a block orders them as it will order the leads the run creates.
pub(crate) const UNSTORED_FROM: i64 = 1 << 62;

pub(crate) fn is_unstored(id: i64) -> bool {
    id >= UNSTORED_FROM
}

/// Leads that are not stored but must be checked against as if they were: those a dry run's earlier rehearsals
/// created and rolled back. Their keys are merged with the tables' per key and side, so a row meets the same
/// neighbours it will meet in the run. Kept small, as a dry run may carry a whole file: a lead's two
/// signatures are shared by its keys, and its fields are kept encoded, as `match_fields` keeps them.
#[derive(Default)]
pub(crate) struct Unstored {
    keys: BTreeSet<(i64, std::sync::Arc<str>, i64)>,
    fields: HashMap<i64, String>,
}

impl Unstored {
    pub(crate) fn add(&mut self, id: i64, p: &Prepared, entries: &[KeyEntry]) {
        debug_assert!(is_unstored(id), "an unstored lead's id is at or above UNSTORED_FROM");
        let mut sigs: Vec<std::sync::Arc<str>> = Vec::with_capacity(2);
        for e in entries {
            let sig = match sigs.iter().find(|s| ***s == *e.sig) {
                Some(s) => s.clone(),
                None => {
                    let s: std::sync::Arc<str> = e.sig.as_str().into();
                    sigs.push(s.clone());
                    s
                }
            };
            self.keys.insert((e.hash, sig, id));
        }
        self.fields.insert(id, p.encode());
    }

    pub(crate) fn absorb(&mut self, other: Unstored) {
        self.keys.extend(other.keys);
        self.fields.extend(other.fields);
    }

    fn fields(&self, id: i64) -> Option<Prepared> {
        self.fields.get(&id).and_then(|f| Prepared::decode(f))
    }

    /// The nearest `reach` at or after (`after`) or before `e`'s signature in its block, as the tables give them.
    fn nearest(&self, e: &KeyEntry, after: bool, reach: usize, into: &mut Vec<(String, i64)>) {
        let from = (e.hash, std::sync::Arc::<str>::from(e.sig.as_str()), i64::MIN);
        let same_key = |k: &&(i64, std::sync::Arc<str>, i64)| k.0 == e.hash;
        let found = |k: &(i64, std::sync::Arc<str>, i64)| (k.1.to_string(), k.2);
        if after {
            into.extend(self.keys.range(from..).take_while(same_key).take(reach).map(found));
        } else {
            into.extend(self.keys.range(..from).rev().take_while(same_key).take(reach).map(found));
        }
    }
}

/// The leads sharing a key (`entries`) with a lead: all of a small block, the nearest signatures on either
/// side in a large one. Both key tables are read and their nearest merged, so a lead is found the same whether
/// its keys were folded or not; so are the `unstored` leads' when there are some.
pub(crate) fn candidates(
    conn: &Connection,
    id: i64,
    entries: &[KeyEntry],
    unstored: Option<&Unstored>,
) -> Result<Vec<i64>, StoreError> {
    let mut out: HashSet<i64> = HashSet::new();
    // The window of the full scan on each side: the leads a scan would pair this one with.
    let reach = WINDOW;
    // Each side's nearest from both tables (and the unstored leads): index 1 at or after, 0 before.
    let mut near: [Vec<(String, i64)>; 2] = [Vec::with_capacity(2 * reach), Vec::with_capacity(2 * reach)];
    let mut stmt = conn.prepare_cached(NEAREST)?;
    for e in entries {
        near[0].clear();
        near[1].clear();
        let mut rows = stmt.query(params![e.hash, e.sig, id, reach as i64])?;
        while let Some(r) = rows.next()? {
            let side: i64 = r.get(0)?;
            near[usize::from(side == 1)].push((r.get(1)?, r.get(2)?));
        }
        let [before_side, after_side] = &mut near;
        for (after, side) in [(false, before_side), (true, after_side)] {
            if let Some(u) = unstored {
                u.nearest(e, after, reach, side);
            }
            // The nearest of the tables together, in the order one table would give them.
            if after {
                side.sort_unstable();
            } else {
                side.sort_unstable_by(|a, b| b.cmp(a));
            }
            out.extend(side.iter().take(reach).map(|(_, lead)| *lead));
        }
    }
    let mut v: Vec<i64> = out.into_iter().collect();
    v.sort_unstable();
    Ok(v)
}

/// Lead `id`'s prepared matched fields: stored, or read and prepared when a row is missing or unreadable.
pub(crate) fn fields_of(conn: &Connection, id: i64) -> Result<Option<Prepared>, StoreError> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT prepared FROM match_fields WHERE lead_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(p) = stored.as_deref().and_then(Prepared::decode) {
        return Ok(Some(p));
    }
    Ok(record_of(conn, id)?.map(|r| prepare(&r)))
}

/// Recent keys are folded once there are this many, or more when the store is large (see [`fold_due`]).
const FOLD_MIN: i64 = 50_000;

/// Whether the recent keys are enough for a fold to pay: it writes about every page of `match_keys` once,
/// so it waits until the recent keys are many for each page (about a lead and a half's worth of keys per stored
/// lead, some ten per page), and the recent table, rewritten whole by each commit of a long import, stays a
/// fraction of the large one.
pub(crate) fn fold_due(conn: &Connection) -> Result<bool, StoreError> {
    let recent: i64 = conn.query_row("SELECT count(*) FROM match_keys_recent", [], |r| r.get(0))?;
    let leads: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM leads", [], |r| r.get(0))?;
    Ok(fold_pays(recent, leads))
}

fn fold_pays(recent_keys: i64, stored_leads: i64) -> bool {
    recent_keys >= FOLD_MIN.max(stored_leads.saturating_mul(3) / 2)
}

/// The key digests in pieces, each a range of `match_keys` folded in its own transaction.
pub(crate) fn fold_pieces() -> Vec<(i64, i64)> {
    const PIECES: i128 = 16;
    let span = (i64::MAX as i128 - i64::MIN as i128 + 1) / PIECES;
    (0..PIECES)
        .map(|i| {
            let lo = i64::MIN as i128 + i * span;
            let hi = if i == PIECES - 1 { i64::MAX as i128 } else { lo + span - 1 };
            (lo as i64, hi as i64)
        })
        .collect()
}

/// Moves the recent keys with a digest in `lo..=hi` into `match_keys`, in key order: one pass over the pages
/// they land on. Returns how many moved.
pub(crate) fn fold_range(tx: &Transaction<'_>, lo: i64, hi: i64) -> Result<usize, StoreError> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO match_keys (key, sig, lead_id)
         SELECT key, sig, lead_id FROM match_keys_recent WHERE key BETWEEN ?1 AND ?2 ORDER BY key, sig, lead_id",
    )?
    .execute([lo, hi])?;
    Ok(tx.prepare_cached("DELETE FROM match_keys_recent WHERE key BETWEEN ?1 AND ?2")?.execute([lo, hi])?)
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

/// Whether two leads hold the same name and the same of every matched field, an email or a phone among them:
/// one person brought again (a file imported twice), whatever weights a scan learnt for names many people share.
pub(crate) fn same_record(a: &Prepared, b: &Prepared) -> bool {
    let reachable = !a.emails.is_empty() || !a.phones.is_empty();
    a == b && !a.first.is_empty() && !a.last.is_empty() && reachable
}

/// A candidate at or above the review tier (or the same record): its id, score, comparison and prepared fields.
pub(crate) type Scored = (i64, f64, rapport_match::Comparison, Prepared);

/// Scores `p` (lead `id`, with keys `entries`) against each candidate: the pairs at or above the review tier,
/// with their comparison and the candidate's prepared fields.
pub(crate) fn score_candidates(
    conn: &Connection,
    model: &Model,
    id: i64,
    p: &Prepared,
    entries: &[KeyEntry],
    unstored: Option<&Unstored>,
) -> Result<Vec<Scored>, StoreError> {
    let mut out = Vec::new();
    for other in candidates(conn, id, entries, unstored)? {
        let q = match unstored.filter(|_| is_unstored(other)) {
            Some(u) => u.fields(other),
            None => fields_of(conn, other)?,
        };
        let Some(q) = q else { continue };
        let c = compare::compare(p, &q);
        let score = model.score(p, &q, &c);
        if model.tier(score) != rapport_match::Tier::Different || same_record(p, &q) {
            out.push((other, score, c, q));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_match::Record;

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        crate::db::migrations::migrations().to_latest(&mut conn).unwrap_or_else(|e| panic!("{e}"));
        // Keys only: the leads they belong to are not needed to look them up.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap_or_else(|e| panic!("{e}"));
        conn
    }

    /// One large block (a family at one address) and strangers, so windows, not whole blocks, decide.
    fn people() -> Vec<(i64, Prepared)> {
        let firsts = ["Ann", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hal", "Ida", "Jon", "Kai", "Lea", "Mo"];
        let mut out = Vec::new();
        for (i, first) in firsts.iter().cycle().take(40).enumerate() {
            let id = i as i64 + 1;
            let r = Record {
                first_name: format!("{first}{}", if i >= firsts.len() { "a" } else { "" }),
                last_name: if i % 7 == 3 { "Nakamora".into() } else { "Nakamura".into() },
                company: "Harbor Labs".into(),
                emails: vec![format!("{}.n{}@harbor.example", first.to_lowercase(), i % 9)],
                phones: vec![format!("+4420794600{:02}", i % 23)],
                street: format!("{} Quay Road", 10 + i % 3),
                city: "Leeds".into(),
                postcode: format!("LS1 {}AP", i % 4),
                region: String::new(),
            };
            out.push((id, prepare(&r)));
        }
        out
    }

    /// What the check must find, computed from the records alone: for each key, the `WINDOW` nearest by
    /// (signature, id) on either side.
    fn oracle(all: &[(i64, Prepared)], p: &Prepared) -> Vec<i64> {
        let mut out = HashSet::new();
        for k in keys(p) {
            let sig = signature(p, k.sort);
            let mut members: Vec<(String, i64)> = Vec::new();
            for (id, q) in all {
                for kq in keys(q) {
                    if kq.hash() == k.hash() {
                        members.push((signature(q, kq.sort), *id));
                    }
                }
            }
            members.sort_unstable();
            members.dedup();
            out.extend(members.iter().filter(|(s, _)| *s >= sig).take(WINDOW).map(|m| m.1));
            out.extend(members.iter().rev().filter(|(s, _)| *s < sig).take(WINDOW).map(|m| m.1));
        }
        let mut v: Vec<i64> = out.into_iter().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn candidates_are_the_same_whether_keys_are_recent_folded_or_split() {
        let mut conn = migrated();
        let all = people();
        let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
        for (id, p) in &all {
            index_lead(&tx, *id, p, &key_entries(p)).unwrap_or_else(|e| panic!("{e}"));
        }
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        let count = |c: &Connection, t: &str| -> i64 {
            c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap_or(-1)
        };
        assert_eq!(count(&conn, "match_keys"), 0, "new keys go to the recent table");
        let probes: Vec<Prepared> = all.iter().step_by(3).map(|(_, p)| p.clone()).collect();
        let check = |c: &Connection, state: &str| {
            for p in &probes {
                let found = candidates(c, 0, &key_entries(p), None).unwrap_or_else(|e| panic!("{e}"));
                assert!(found.len() > 2 * WINDOW, "{state}: a probe meets several windows ({found:?})");
                assert_eq!(found, oracle(&all, p), "{state}");
            }
        };
        check(&conn, "all recent");
        // Half the key space folded: a block's members are split between the tables.
        let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
        let pieces = fold_pieces();
        let mut moved = 0;
        for (lo, hi) in &pieces[..pieces.len() / 2] {
            moved += fold_range(&tx, *lo, *hi).unwrap_or_else(|e| panic!("{e}"));
        }
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        assert!(moved > 0 && count(&conn, "match_keys_recent") > 0, "split: {moved} moved");
        check(&conn, "split");
        let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
        for (lo, hi) in &pieces[pieces.len() / 2..] {
            fold_range(&tx, *lo, *hi).unwrap_or_else(|e| panic!("{e}"));
        }
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count(&conn, "match_keys_recent"), 0);
        check(&conn, "all folded");
        // A lead indexed again leaves the large table too: its keys are only where its latest ones are.
        let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
        index_lead(&tx, 1, &all[1].1, &key_entries(&all[1].1)).unwrap_or_else(|e| panic!("{e}"));
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        let old: i64 =
            conn.query_row("SELECT count(*) FROM match_keys WHERE lead_id = 1", [], |r| r.get(0)).unwrap_or(-1);
        assert_eq!(old, 0);
        let mut moved_twin = all.clone();
        moved_twin[0].1 = all[1].1.clone();
        for p in &probes {
            assert_eq!(candidates(&conn, 0, &key_entries(p), None).unwrap_or_default(), oracle(&moved_twin, p));
        }
        assert_eq!(fields_of(&conn, 1).unwrap_or_default(), Some(all[1].1.clone()), "its stored fields follow");
    }

    #[test]
    fn leads_not_stored_are_candidates_as_if_they_were() {
        // A dry run: some leads stored (recent and folded), the others only in its memory, under ids of their own.
        let mut conn = migrated();
        let mut all = people();
        let mut unstored = Unstored::default();
        let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
        for (id, p) in all.iter_mut() {
            if *id % 3 == 0 {
                *id += UNSTORED_FROM;
                unstored.add(*id, p, &key_entries(p));
            } else {
                index_lead(&tx, *id, p, &key_entries(p)).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let pieces = fold_pieces();
        for (lo, hi) in &pieces[..pieces.len() / 2] {
            fold_range(&tx, *lo, *hi).unwrap_or_else(|e| panic!("{e}"));
        }
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        for (_, p) in all.iter().step_by(2) {
            let found = candidates(&conn, 0, &key_entries(p), Some(&unstored)).unwrap_or_else(|e| panic!("{e}"));
            assert!(found.iter().any(|id| is_unstored(*id)) && found.iter().any(|id| !is_unstored(*id)), "{found:?}");
            assert_eq!(found, oracle(&all, p));
        }
        let model = Model::defaults();
        let scored = score_candidates(&conn, &model, 0, &all[2].1, &key_entries(&all[2].1), Some(&unstored))
            .unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<i64> = scored.iter().map(|s| s.0).collect();
        assert!(
            ids.contains(&(UNSTORED_FROM + 3)),
            "the same person, unstored, is read from memory and scored: {ids:?}"
        );
    }

    #[test]
    fn the_pieces_cover_every_key_once() {
        let pieces = fold_pieces();
        assert_eq!(pieces.first().map(|p| p.0), Some(i64::MIN));
        assert_eq!(pieces.last().map(|p| p.1), Some(i64::MAX));
        for w in pieces.windows(2) {
            assert_eq!(w[0].1.checked_add(1), Some(w[1].0), "no gap, no overlap");
        }
    }

    #[test]
    fn a_fold_waits_for_many_keys_per_stored_lead() {
        assert!(!fold_pays(0, 0));
        assert!(!fold_pays(FOLD_MIN - 1, 10));
        assert!(fold_pays(FOLD_MIN, 10), "past the minimum, with few leads stored");
        // With a million leads, the keys of a 100,000-row import are not yet enough for a pass to pay.
        assert!(!fold_pays(1_400_000, 1_000_000));
        assert!(fold_pays(1_500_000, 1_000_000));
        let conn = migrated();
        assert!(!fold_due(&conn).unwrap_or(true), "nothing to fold");
        conn.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {FOLD_MIN})
             INSERT INTO match_keys_recent (key, sig, lead_id) SELECT i, '', i FROM n;"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(fold_due(&conn).unwrap_or(false), "the recent keys are counted");
    }

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

    /// The same record needs a whole name and a way to reach the person: two "Ann Lee" at one office with no
    /// email or phone are two colleagues as much as one person, and are left to the weights.
    #[test]
    fn the_same_record_has_a_whole_name_and_an_email_or_phone() {
        let ann = Record {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            company: "Acme".into(),
            phones: vec!["+442079460071".into()],
            ..Default::default()
        };
        let same = |a: &Record, b: &Record| same_record(&prepare(a), &prepare(b));
        assert!(same(&ann, &Record { company: "ACME".into(), ..ann.clone() }), "spelling aside");
        assert!(!same(&ann, &Record { city: "Leeds".into(), ..ann.clone() }), "one field more");
        let unreachable = Record { phones: vec![], ..ann.clone() };
        assert!(!same(&unreachable, &unreachable));
        let surname_only = Record { first_name: String::new(), ..ann.clone() };
        assert!(!same(&surname_only, &surname_only));
        assert!(same(&ann, &ann));
    }
}
