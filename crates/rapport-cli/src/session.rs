//! Opening the database, signing in and saying an error, shared by every subcommand.
use std::path::PathBuf;

use rapport_core::{Actor, Rapport};

use crate::Cli;

pub type CliResult<T> = Result<T, String>;

/// The same default file as the app: `<OS data dir>/app.rapport.desktop/rapport.db`.
pub fn default_db_path() -> CliResult<PathBuf> {
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join("app.rapport.desktop").join("rapport.db"))
        .ok_or_else(|| "cannot find the OS data folder; pass --db FILE".to_string())
}

/// The database file the command works on: `--db`, else the app's own.
pub fn db_path(cli: &Cli) -> CliResult<PathBuf> {
    Ok(match &cli.db {
        // A folder named on the command line must be there: a mistyped one is not made (with a new database
        // in it, signed into as if it were the real one). The default folder is made on first use.
        Some(p) => match p.parent().filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
            Some(missing) => {
                return Err(format!("no folder {}: check the --db path (nothing was created)", missing.display()))
            }
            None => p.clone(),
        },
        None => default_db_path()?,
    })
}

pub fn open(cli: &Cli) -> CliResult<Rapport> {
    let path = db_path(cli)?;
    let opts = rapport_core::OpenOptions {
        busy_timeout: std::env::var("RAPPORT_BUSY_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(std::time::Duration::from_millis)
            .unwrap_or(std::time::Duration::from_secs(5)),
        readers: 1,
    };
    Rapport::open_with(&path, &opts, std::sync::Arc::new(rapport_core::SystemClock)).map_err(|e| e.to_string())
}

pub(crate) fn password(prompt: &str, var: &str) -> CliResult<String> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => Ok(p),
        _ => {
            rpassword::prompt_password(prompt).map_err(|e| format!("no password: set {var} or run in a terminal ({e})"))
        }
    }
}

/// A password that is being set: typed twice when typed at a prompt, as nobody can read it back and a slip
/// would lock its user out (the first administrator has nobody to reset it).
fn new_password(prompt: &str, var: &str) -> CliResult<String> {
    if let Ok(p) = std::env::var(var) {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    let first = password(prompt, var)?;
    let again = rpassword::prompt_password("Type it again: ").map_err(|e| format!("no password: {e}"))?;
    if first != again {
        return Err("the two passwords differ; nothing was changed".into());
    }
    Ok(first)
}

/// Signs in as `--as`/RAPPORT_USER. On a database with no users yet, creates that user as the first
/// Administrator, as the app's first run does.
pub fn sign_in(cli: &Cli, core: &Rapport) -> CliResult<Actor> {
    let username = cli.user.clone().ok_or("say who you are: --as USER or RAPPORT_USER")?;
    if !core.has_users().map_err(|e| e.to_string())? {
        let pass = new_password(&format!("Password for the first administrator, {username}: "), "RAPPORT_PASSWORD")?;
        let actor = core.create_first_admin(&username, &username, &pass).map_err(|e| e.to_string())?;
        eprintln!("created the first administrator, {username}");
        return Ok(actor);
    }
    let pass = password(&format!("Password for {username}: "), "RAPPORT_PASSWORD")?;
    core.sign_in(&username, &pass).map_err(|e| e.to_string())
}

pub fn new_user_password(username: &str) -> CliResult<String> {
    new_password(&format!("Password for the new user {username}: "), "RAPPORT_NEW_PASSWORD")
}

/// The id of the user named `username` (any case): `--owner`, `--agent`.
pub fn user_id(core: &Rapport, actor: &Actor, username: &str) -> CliResult<i64> {
    let users = core.usernames(actor).map_err(|e| e.to_string())?;
    users
        .into_iter()
        .find(|(_, u)| u.to_lowercase() == username.trim().to_lowercase())
        .map(|(id, _)| id)
        .ok_or(format!("no user is named \"{username}\""))
}

/// An error as the CLI says it: a refusal of fields lists each field under `what` (by its column name, as
/// files and flags name it); any other error is its own sentence.
pub fn with_fields(what: &str, e: &rapport_core::Error) -> String {
    let fields: Vec<String> = e
        .field_errors()
        .iter()
        .map(|f| format!("  {}: {}", rapport_core::leads::csv::csv_column(&f.field), f.message))
        .collect();
    if fields.is_empty() {
        e.to_string()
    } else {
        format!("{what}:\n{}", fields.join("\n"))
    }
}
