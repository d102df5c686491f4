use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::model::{Role, User, UserInput};
use crate::access::Grant;
use crate::db::StoreError;

pub struct Credentials {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub active: bool,
}

pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

/// The user signing in as `username`, in any case ("jörg" is "Jörg": usernames are unique that way).
pub fn credentials(conn: &Connection, username: &str) -> Result<Option<Credentials>, StoreError> {
    let Some(id) = id_of_name(conn, username)? else { return Ok(None) };
    Ok(conn
        .query_row("SELECT id, username, password_hash, active FROM users WHERE id = ?1", [id], |r| {
            Ok(Credentials { id: r.get(0)?, username: r.get(1)?, password_hash: r.get(2)?, active: r.get(3)? })
        })
        .optional()?)
}

pub fn password_hash(conn: &Connection, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT password_hash FROM users WHERE id = ?1", [id], |r| r.get(0)).optional()?)
}

fn campaigns(conn: &Connection, user_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT campaign FROM user_campaigns WHERE user_id = ?1 ORDER BY campaign")?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<String>, _>>()?)
}

fn role_of(text: &str) -> Role {
    // The CHECK constraint admits only the three names; Viewer is the least-privilege fallback regardless.
    Role::parse(text).unwrap_or(Role::Viewer)
}

/// Whether user `id` is active and works on `campaign`: who a merge or an unmerge may hand a lead to without
/// asking (an owner who could not see the lead is not given it).
pub fn may_own(conn: &Connection, id: i64, campaign: &str) -> Result<bool, StoreError> {
    Ok(grant(conn, id)?.is_some_and(|g| g.active && g.role != Role::Viewer && g.lead_scope().allows_campaign(campaign)))
}

pub fn grant(conn: &Connection, user_id: i64) -> Result<Option<Grant>, StoreError> {
    let row = conn
        .query_row(
            "SELECT username, role, active, data_steward, all_campaigns FROM users WHERE id = ?1",
            [user_id],
            |r| {
                let flags = (r.get::<_, bool>(2)?, r.get::<_, bool>(3)?, r.get::<_, bool>(4)?);
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, flags))
            },
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((username, role, (active, steward, all_campaigns))) => Ok(Some(Grant {
            user_id: Some(user_id),
            username,
            role: role_of(&role),
            active,
            campaigns: campaigns(conn, user_id)?,
            all_campaigns,
            steward,
        })),
    }
}

const USER_COLUMNS: &str = "id, username, display_name, role, active, created_at, data_steward, all_campaigns";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: role_of(&role),
        active: r.get(4)?,
        campaigns: vec![],
        all_campaigns: r.get(7)?,
        created_at: r.get(5)?,
        data_steward: r.get(6)?,
    })
}

fn with_campaigns(conn: &Connection, mut user: User) -> Result<User, StoreError> {
    user.campaigns = campaigns(conn, user.id)?;
    Ok(user)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    match conn.query_row(&sql, [id], user_from_row).optional()? {
        Some(u) => Ok(Some(with_campaigns(conn, u)?)),
        None => Ok(None),
    }
}

pub fn list(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY display_name COLLATE NOCASE, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], user_from_row)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|u| with_campaigns(conn, u)).collect()
}

/// Whether another user (not `except`) has `username` in any case: "JÖRG" is "Jörg" (the column's own collation
/// folds only ASCII letters, and owners in imports are looked up with every letter folded).
pub fn username_taken(conn: &Connection, username: &str, except: Option<i64>) -> Result<bool, StoreError> {
    Ok(id_of_name(conn, username)?.is_some_and(|id| Some(id) != except))
}

/// The user named `username` in any case (usernames are unique that way). The table is small: read whole,
/// because SQLite's NOCASE folds only ASCII letters.
pub(crate) fn id_of_name(conn: &Connection, username: &str) -> Result<Option<i64>, StoreError> {
    let wanted = username.trim().to_lowercase();
    let mut stmt = conn.prepare_cached("SELECT id, username FROM users")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if r.get::<_, String>(1)?.to_lowercase() == wanted {
            return Ok(Some(r.get(0)?));
        }
    }
    Ok(None)
}

/// Whether user `id` may be given leads: active, and an Editor or an Administrator (a Viewer reads only, and
/// could not work what they owned: no edit, no activity, no meeting).
pub fn may_hold_leads(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND active = 1 AND role <> 'viewer')",
        [id],
        |r| r.get(0),
    )?)
}

pub fn active_admins(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM users WHERE role = 'administrator' AND active = 1", [], |r| r.get(0))?)
}

/// The ids of the active users with `role` (who to tell about what that role decides).
pub fn active_with_role(conn: &Connection, role: crate::users::Role) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM users WHERE role = ?1 AND active = 1 ORDER BY id")?;
    let ids = stmt.query_map([role.as_str()], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

pub fn insert(tx: &Transaction<'_>, input: &UserInput, password_hash: &str, at: &str) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO users (username, display_name, role, password_hash, active, created_at, updated_at, all_campaigns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        params![
            input.username,
            input.display_name,
            input.role.as_str(),
            password_hash,
            input.active,
            at,
            input.all_campaigns
        ],
    )?;
    let id = tx.last_insert_rowid();
    set_campaigns(tx, id, &input.campaigns)?;
    Ok(id)
}

pub fn update(tx: &Transaction<'_>, id: i64, input: &UserInput, at: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET username = ?2, display_name = ?3, role = ?4, active = ?5, updated_at = ?6, all_campaigns = ?7
         WHERE id = ?1",
        params![id, input.username, input.display_name, input.role.as_str(), input.active, at, input.all_campaigns],
    )?;
    set_campaigns(tx, id, &input.campaigns)
}

fn set_campaigns(tx: &Transaction<'_>, id: i64, list: &[String]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM user_campaigns WHERE user_id = ?1", [id])?;
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO user_campaigns (user_id, campaign) VALUES (?1, ?2)")?;
    for c in list {
        stmt.execute(params![id, c])?;
    }
    Ok(())
}

pub fn set_password_hash(tx: &Transaction<'_>, id: i64, hash: &str, at: &str) -> Result<(), StoreError> {
    tx.execute("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1", params![id, hash, at])?;
    Ok(())
}

/// Users that may own leads, for pickers: id and display name of every active Editor and Administrator.
pub fn owners(conn: &Connection) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, display_name FROM users WHERE active = 1 AND role <> 'viewer' ORDER BY display_name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn usernames(conn: &Connection) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, username FROM users")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every user, active or not, as id and display name: what history and filters need to name people.
pub fn directory(conn: &Connection) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, display_name FROM users ORDER BY display_name COLLATE NOCASE")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn set_data_steward(tx: &Transaction<'_>, id: i64, steward: bool, at: &str) -> Result<(), StoreError> {
    tx.execute("UPDATE users SET data_steward = ?2, updated_at = ?3 WHERE id = ?1", params![id, steward, at])?;
    Ok(())
}

/// Migration 015: `users.all_campaigns`, set for the users without campaigns (who saw every campaign). Only if
/// the column is not there yet, so a database upgraded again from an older version number keeps its grants.
pub(crate) fn add_all_campaigns_column(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let has: bool = tx.prepare("SELECT 1 FROM pragma_table_info('users') WHERE name = 'all_campaigns'")?.exists([])?;
    if !has {
        tx.execute_batch(
            "ALTER TABLE users ADD COLUMN all_campaigns INTEGER NOT NULL DEFAULT 0 CHECK (all_campaigns IN (0, 1));
             UPDATE users SET all_campaigns = 1 WHERE id NOT IN (SELECT user_id FROM user_campaigns);",
        )?;
    }
    Ok(())
}
