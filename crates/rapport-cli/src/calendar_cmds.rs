//! `rapport ics ...`, `rapport appointments ...` and `rapport caldav ...`: the calendar from a terminal.
use std::io::Write;

use clap::Subcommand;
use rapport_core::calendar::{AppointmentInput, AppointmentStatus, CaldavConnect, IcsFile};
use rapport_core::secrets::OsKeychain;
use rapport_core::{Actor, Rapport};

use crate::session::CliResult;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[derive(Subcommand)]
pub enum IcsCommand {
    /// Import .ics files into an agent's calendar (yours by default). Events that cannot be read are listed
    /// with their line; the file's other events are imported.
    Import {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// The agent (user name) whose calendar the events go into.
        #[arg(long)]
        agent: Option<String>,
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write an agent's calendar (or one appointment's invite) as an .ics file.
    Export {
        #[arg(long)]
        agent: Option<String>,
        /// The invite for this appointment instead of a whole calendar (the appointment names its agent).
        #[arg(long, conflicts_with = "agent")]
        invite: Option<i64>,
        /// The .ics file to write; `-`, or none, for standard output.
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum AppointmentsCommand {
    /// Occurrences overlapping [FROM, TO), repetitions expanded: the coming week unless told.
    List {
        /// RFC 3339, or a day (YYYY-MM-DD: its start, in this computer's time zone). Default: today.
        #[arg(long)]
        from: Option<String>,
        /// As FROM, not included. Default: a week after FROM.
        #[arg(long)]
        to: Option<String>,
        /// Only this agent's (user name).
        #[arg(long)]
        agent: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: ListFormat,
    },
    /// Book an appointment; refused, naming the clash, when the agent is busy then.
    Book {
        #[arg(long)]
        agent: Option<String>,
        #[arg(long)]
        title: String,
        /// RFC 3339.
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
        #[arg(long)]
        lead: Option<i64>,
        /// The organizer's zone (IANA); the agent's by default.
        #[arg(long, default_value = "")]
        time_zone: String,
        #[arg(long, default_value = "")]
        location: String,
        /// Yours alone to read: colleagues see the time as "Busy" (not with --lead).
        #[arg(long)]
        private: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ListFormat {
    Json,
    Text,
}

#[derive(Subcommand)]
pub enum CaldavCommand {
    /// List the calendars a server's address leads to (the password, RAPPORT_CALDAV_PASSWORD or a prompt, is
    /// only sent to the server).
    Calendars {
        #[arg(long)]
        url: String,
        #[arg(long = "user", id = "caldav_user", value_name = "CALDAV_USER")]
        caldav_user: String,
    },
    /// Connect your CalDAV calendar; the password (RAPPORT_CALDAV_PASSWORD or a prompt) goes to the OS keychain.
    /// The server's address is enough when you have one calendar there.
    Connect {
        #[arg(long)]
        url: String,
        /// The user name at the CalDAV server. Its own id: clap would otherwise take it for `--as`, the Rapport
        /// user signing in.
        #[arg(long = "user", id = "caldav_user", value_name = "CALDAV_USER")]
        caldav_user: String,
    },
    /// Send local changes and read the server.
    Sync,
    /// Show the connected calendar and its last sync.
    Status,
    /// Forget the connected calendar and its password (the appointments it brought stay).
    Disconnect,
}

/// The listing's window as the core reads it (RFC 3339): a day is its start in this computer's zone, a missing
/// start is `today`, a missing end a week after the start. Other text is passed on, for the core to refuse by name.
fn window(from: Option<&str>, to: Option<&str>, today: chrono::NaiveDate) -> (String, String) {
    let day_start = |day: chrono::NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| format!("{day}T00:00:00Z"))
    };
    let read = |text: &str| match chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) => day_start(day),
        Err(_) => text.to_owned(),
    };
    let from = from.map_or_else(|| day_start(today), read);
    let to = match to {
        Some(t) => read(t),
        None => chrono::DateTime::parse_from_rfc3339(&from)
            .map(|f| (f + chrono::Duration::days(7)).to_rfc3339())
            .unwrap_or_else(|_| day_start(today + chrono::Duration::days(7))),
    };
    (from, to)
}

fn agent_id(core: &Rapport, actor: &Actor, agent: &Option<String>) -> CliResult<Option<i64>> {
    agent.as_deref().map(|name| crate::session::user_id(core, actor, name)).transpose()
}

pub fn ics(core: &Rapport, actor: &Actor, cmd: IcsCommand) -> CliResult<()> {
    match cmd {
        IcsCommand::Import { files, agent, json } => {
            let agent = agent_id(core, actor, &agent)?;
            let mut loaded = Vec::new();
            for f in &files {
                if f.is_dir() {
                    return Err(format!("{} is a folder: name the .ics files to import in it", f.display()));
                }
                let bytes = std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                loaded.push(IcsFile { name: f.display().to_string(), bytes });
            }
            let reports = core.import_ics(actor, &loaded, agent).map_err(err)?;
            // A file of which nothing could be read is a failure for a script, however the others went.
            let unread: Vec<&str> = reports
                .iter()
                .filter(|r| r.created + r.updated + r.cancelled + r.unchanged == 0 && !r.problems.is_empty())
                .map(|r| r.file.as_str())
                .collect();
            let outcome = match unread.as_slice() {
                [] => Ok(()),
                files => Err(format!("no event could be read from {}", files.join(", "))),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&reports).map_err(err)?);
                return outcome;
            }
            for r in &reports {
                let unread = r.problems.iter().filter(|p| p.event).count();
                let skipped = r.problems.len() - unread;
                let lines = if skipped == 0 { String::new() } else { format!(", {skipped} lines skipped") };
                println!(
                    "{}: {} created, {} updated, {} cancelled, {} unchanged, {} clashing, {unread} not readable{lines}",
                    r.file,
                    r.created,
                    r.updated,
                    r.cancelled,
                    r.unchanged,
                    r.clashes.len(),
                );
                for c in &r.clashes {
                    println!("  clash: {c}");
                }
                for p in &r.problems {
                    eprintln!("  {}: line {}: {}", r.file, p.line, p.message);
                }
                for w in &r.warnings {
                    eprintln!("  {}: {w}", r.file);
                }
            }
            outcome
        }
        IcsCommand::Export { agent, invite, output } => {
            let text = match invite {
                Some(id) => core.export_invite(actor, id).map_err(err)?,
                None => {
                    let agent = match agent_id(core, actor, &agent)? {
                        Some(a) => a,
                        None => actor.user_id().ok_or("name the agent with --agent")?,
                    };
                    core.export_agent_calendar(actor, agent).map_err(err)?
                }
            };
            use std::io::Write;
            match output.filter(|o| o.as_os_str() != "-") {
                // Whole or not at all: a run killed as it wrote left the last good export empty.
                Some(path) => crate::commands::write_whole(&path, |out| {
                    out.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
                })?,
                None => {
                    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("cannot write: {e}"))?
                }
            }
            Ok(())
        }
    }
}

pub fn appointments(core: &Rapport, actor: &Actor, cmd: AppointmentsCommand) -> CliResult<()> {
    match cmd {
        AppointmentsCommand::List { from, to, agent, format } => {
            let agents: Vec<i64> = agent_id(core, actor, &agent)?.into_iter().collect();
            let (from, to) = window(from.as_deref(), to.as_deref(), chrono::Local::now().date_naive());
            let list = core.occurrences(actor, &agents, &from, &to).map_err(err)?;
            let mut out = std::io::stdout().lock();
            match format {
                ListFormat::Json => {
                    writeln!(out, "{}", serde_json::to_string_pretty(&list).map_err(err)?).map_err(err)?
                }
                ListFormat::Text => {
                    for o in list {
                        writeln!(out, "{}  {}  {}  [{}]", o.start, o.end, o.summary, o.status.as_str()).map_err(err)?;
                    }
                }
            }
            Ok(())
        }
        AppointmentsCommand::Book { agent, title, start, end, lead, time_zone, location, private } => {
            let agent = match agent_id(core, actor, &agent)? {
                Some(a) => a,
                None => actor.user_id().ok_or("name the agent with --agent")?,
            };
            let input = AppointmentInput {
                agent_id: agent,
                lead_id: lead,
                title,
                start,
                end,
                time_zone,
                location,
                video_url: String::new(),
                notes: String::new(),
                status: AppointmentStatus::Confirmed,
                private,
            };
            let a = core.book_appointment(actor, &input).map_err(err)?;
            println!("booked appointment {}: {} {}–{}", a.id, a.title, a.start, a.end);
            Ok(())
        }
    }
}

pub fn caldav(core: &Rapport, actor: &Actor, cmd: CaldavCommand) -> CliResult<()> {
    let keychain = OsKeychain;
    match cmd {
        CaldavCommand::Calendars { url, caldav_user: user } => {
            let password =
                crate::session::password(&format!("app password for {user} at {url}: "), "RAPPORT_CALDAV_PASSWORD")?;
            let found = core
                .caldav_calendars(actor, &CaldavConnect { calendar_url: url, username: user, password })
                .map_err(err)?;
            for c in found {
                println!("{}\t{}", c.name, c.url);
            }
            Ok(())
        }
        CaldavCommand::Connect { url, caldav_user: user } => {
            // Without a terminal (a script, CI), the error names the variable to set, not the OS's "no such
            // device or address".
            let password =
                crate::session::password(&format!("app password for {user} at {url}: "), "RAPPORT_CALDAV_PASSWORD")?;
            let account = core
                .connect_caldav(actor, &CaldavConnect { calendar_url: url, username: user, password }, &keychain)
                .map_err(err)?;
            println!("connected {} as {} (password in the system keychain)", account.calendar_url, account.username);
            print_sync(&core.sync_caldav(actor, &keychain).map_err(err)?);
            Ok(())
        }
        CaldavCommand::Sync => {
            print_sync(&core.sync_caldav(actor, &keychain).map_err(err)?);
            Ok(())
        }
        CaldavCommand::Status => {
            match core.caldav_account(actor).map_err(err)? {
                Some(a) => println!(
                    "{} as {}; last sync {}; {} change(s) waiting{}",
                    a.calendar_url,
                    a.username,
                    a.last_sync_at.as_deref().unwrap_or("never"),
                    a.pending,
                    a.last_error.map(|e| format!("; last error: {e}")).unwrap_or_default()
                ),
                None => println!("no CalDAV calendar connected"),
            }
            Ok(())
        }
        CaldavCommand::Disconnect => core.disconnect_caldav(actor, &keychain).map_err(err),
    }
}

/// What a sync did, and what it needs the user to look at.
fn print_sync(report: &rapport_core::calendar::SyncReport) {
    println!("synced: {} sent, {} received, {} removed", report.pushed, report.pulled, report.removed);
    for c in &report.clashes {
        println!("  clash: {c}");
    }
    for c in &report.conflicts {
        println!("  conflict: {c}");
    }
    for c in &report.refused {
        println!("  refused: {c}");
    }
    for p in &report.problems {
        println!("  not taken: {p}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_takes_days_and_defaults_to_the_coming_week() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let exact = window(Some("2026-12-01T00:00:00Z"), Some("2026-12-08T00:00:00Z"), today);
        assert_eq!(exact, ("2026-12-01T00:00:00Z".to_owned(), "2026-12-08T00:00:00Z".to_owned()));
        let (from, to) = window(Some("2026-12-01"), Some("2026-12-03"), today);
        let (from, to) = (chrono::DateTime::parse_from_rfc3339(&from), chrono::DateTime::parse_from_rfc3339(&to));
        assert!(from.is_ok_and(|f| f.with_timezone(&chrono::Local).date_naive().to_string() == "2026-12-01"));
        assert!(to.is_ok_and(|t| t.with_timezone(&chrono::Local).date_naive().to_string() == "2026-12-03"));
        let (from, to) = window(None, None, today);
        let (from, to) = (chrono::DateTime::parse_from_rfc3339(&from), chrono::DateTime::parse_from_rfc3339(&to));
        assert!(matches!((from, to), (Ok(f), Ok(t)) if t - f == chrono::Duration::days(7)));
        // Text that is neither is the core's to refuse, naming the field.
        assert_eq!(window(Some("next week"), Some("x"), today), ("next week".to_owned(), "x".to_owned()));
    }
}
