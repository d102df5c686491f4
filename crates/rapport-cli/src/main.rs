//! `rapport`: the command-line face of the same core the app uses. It signs in like the app, so every
//! permission applies here too.
mod bench;
mod bench_calendar;
mod bench_duplicates;
mod bench_export;
mod bench_import;
mod bench_pipeline;
mod calendar_cmds;
mod capture_cmds;
mod commands;
mod import_cmds;
mod pipeline_cmds;
mod session;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "rapport", version, about = "Rapport CRM from the command line")]
pub struct Cli {
    /// Database file (default: the app's database in the OS app-data folder).
    #[arg(long, global = true, env = "RAPPORT_DB")]
    pub db: Option<PathBuf>,
    /// Sign in as this user. The password comes from RAPPORT_PASSWORD or a prompt.
    #[arg(long = "as", global = true, env = "RAPPORT_USER")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Work with leads.
    #[command(subcommand)]
    Leads(LeadsCommand),
    /// Manage users (administrators).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Import leads from a CSV/TSV file or a workbook (columns mapped as suggested unless told); undo,
    /// resume and list imports.
    Import(import_cmds::ImportArgs),
    /// Show or change settings.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Find duplicate leads and list the review queue (scans: data stewards and administrators).
    #[command(subcommand)]
    Duplicates(DuplicatesCommand),
    /// Import and export .ics calendar files.
    #[command(subcommand)]
    Ics(calendar_cmds::IcsCommand),
    /// List and book appointments.
    #[command(subcommand)]
    Appointments(calendar_cmds::AppointmentsCommand),
    /// Connect and sync your CalDAV calendar (password in the OS keychain).
    #[command(subcommand)]
    Caldav(calendar_cmds::CaldavCommand),
    /// The capture API: sources and tokens, submissions, the listener.
    #[command(subcommand)]
    Capture(capture_cmds::CaptureCommand),
    /// The sales pipeline: stages and pipelines, moves through the stage gates, activities, approvals, a lead's
    /// stage history, and the pipeline's velocity.
    #[command(subcommand)]
    Pipeline(pipeline_cmds::PipelineCommand),
    /// Generate a database of many leads and measure search, list and create latencies.
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
pub enum LeadsCommand {
    /// Create a lead (Draft when a name, a contact point or the source is missing).
    Add(Box<LeadFields>),
    /// List leads, newest change first; --search does a full-text search.
    List(ListArgs),
    /// Change a lead: each field given replaces what it holds (--email, --phone and --tag replace its whole
    /// list); --clear empties a field. It goes through the stage's gate, as an edit in the app does.
    Edit(Box<EditArgs>),
    /// Take back what one earlier change of a lead did (its batch, listed by `leads show --history`), as a new
    /// change. Refused when a field it changed has been changed again since.
    Undo { id: i64, batch: i64 },
    /// Show one lead: its fields, and with --history every change made to it (who, when, what, why).
    Show {
        id: i64,
        /// Its change history, newest first, with each change's batch (which `leads undo` takes).
        #[arg(long)]
        history: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write every lead you may see as CSV (canonical columns) or JSON, oldest first; with a search, filters or a
    /// sort, the leads `leads list` would list with them, in its order.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Output file; `-`, or none, for standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        filters: LeadFilterArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Args, Default)]
pub struct LeadFields {
    #[arg(long)]
    pub first_name: Option<String>,
    #[arg(long)]
    pub last_name: Option<String>,
    #[arg(long)]
    pub company: Option<String>,
    #[arg(long)]
    pub job_title: Option<String>,
    /// Repeat for several; the first is primary.
    #[arg(long = "email")]
    pub emails: Vec<String>,
    /// Repeat for several; the first is primary.
    #[arg(long = "phone")]
    pub phones: Vec<String>,
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long)]
    pub street2: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub postcode: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
    /// direct_entry (a new lead's default), web_form, bulk_import or partner.
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub source_detail: Option<String>,
    #[arg(long)]
    pub campaign: Option<String>,
    /// Username of the owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub stage: Option<String>,
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    #[arg(long)]
    pub notes: Option<String>,
    #[arg(long)]
    pub external_ref: Option<String>,
    /// The deal's value, e.g. 12500 or 12,500.00.
    #[arg(long)]
    pub deal_value: Option<String>,
    /// ISO 4217 code, e.g. EUR.
    #[arg(long)]
    pub currency: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub expected_close: Option<String>,
    #[arg(long)]
    pub budget: Option<String>,
    #[arg(long)]
    pub decision_maker: Option<String>,
    #[arg(long)]
    pub need: Option<String>,
    #[arg(long)]
    pub timeline: Option<String>,
    /// A configured lost reason (key or label).
    #[arg(long)]
    pub lost_reason: Option<String>,
}

#[derive(Args)]
pub struct EditArgs {
    pub id: i64,
    #[command(flatten)]
    pub fields: LeadFields,
    /// Empty a field, named as its flag is (phone, tag, owner, deal-value, ...); repeat for several.
    #[arg(long = "clear", value_name = "FIELD")]
    pub clear: Vec<String>,
    /// Administrators: pass the stage's entry criteria anyway, for this reason (logged with the change).
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: LeadFilterArgs,
    /// How many leads, from 1.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
}

/// Which leads, in which order: the app's list search, filters and sort.
#[derive(Args, Default)]
pub struct LeadFilterArgs {
    #[arg(long, short)]
    pub search: Option<String>,
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub stage: Option<String>,
    /// Username of the owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub campaign: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    /// Only leads with values flagged as invalid (kept by `import --keep-invalid`).
    #[arg(long)]
    pub needs_fixing: bool,
    /// Only the leads import BATCH created or changed (its number in `import history`).
    #[arg(long, value_name = "BATCH")]
    pub import: Option<i64>,
    /// updated (the default), created, last_name or company; a search lists its best matches first instead.
    #[arg(long, conflicts_with = "search")]
    pub sort: Option<String>,
    #[arg(long, conflicts_with = "search")]
    pub ascending: bool,
}

impl LeadFilterArgs {
    /// Whether any search, filter or sort is given (none: every lead, in the order they were made).
    pub fn any(&self) -> bool {
        let LeadFilterArgs {
            search,
            status,
            stage,
            owner,
            source,
            campaign,
            tag,
            needs_fixing,
            import,
            sort,
            ascending,
        } = self;
        [search, status, stage, owner, source, campaign, tag, sort].iter().any(|v| v.is_some())
            || import.is_some()
            || *needs_fixing
            || *ascending
    }
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Add a user. The new user's password comes from RAPPORT_NEW_PASSWORD or a prompt.
    Add {
        username: String,
        #[arg(long, default_value = "editor")]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Restrict the user to these campaigns (repeat); none means every campaign.
        #[arg(long = "campaign")]
        campaigns: Vec<String>,
    },
    /// List users.
    List,
    /// Set a new password for an Administrator who forgot theirs, without signing in (the way back when no other
    /// Administrator can reset it). It takes write access to the database file; the change log records it as a
    /// recovery, and the Administrator's open sessions end. The password comes from RAPPORT_NEW_PASSWORD or a
    /// prompt.
    RecoverAdmin { username: String },
}

#[derive(Subcommand)]
pub enum DuplicatesCommand {
    /// Scan every lead, refresh the review queue, and print every pair at or above the review tier. Sure pairs
    /// without a conflict are then merged (each merge can be taken back: `duplicates merges`, `duplicates unmerge`, or in the app); --no-enrich leaves them queued.
    Scan {
        /// Print only pairs whose probability of being one person is at least this (0 to 1).
        #[arg(long, default_value_t = 0.0)]
        min_score: f64,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Leave same-tier pairs in the queue instead of merging those without a conflict.
        #[arg(long)]
        no_enrich: bool,
    },
    /// List the open review queue, highest score first, with the evidence.
    Queue {
        /// How many pairs, from 1.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
        limit: u64,
        /// Only pairs of this tier: same or review.
        #[arg(long, value_parser = ["same", "review"])]
        tier: Option<String>,
        /// Only pairs with a lead in this campaign.
        #[arg(long)]
        campaign: Option<String>,
        /// Only pairs with a lead from this source: direct_entry, web_form, bulk_import or partner.
        #[arg(long)]
        source: Option<String>,
        /// Only pairs with a lead import BATCH created or changed (its number in `import history`).
        #[arg(long, value_name = "BATCH")]
        import: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Merge OTHERS into SURVIVOR, as a steward does from the queue: the survivor keeps its values, the others
    /// fill its gaps, their emails, phones and tags are added; --keep FIELD=LEAD takes a field from another lead.
    Merge {
        survivor: i64,
        #[arg(required = true)]
        others: Vec<i64>,
        /// Take this field's value from this lead of the merge (repeat for several): --keep company=12.
        #[arg(long = "keep", value_name = "FIELD=LEAD")]
        keep: Vec<String>,
    },
    /// The merges into a lead that can be taken back, newest first, with the ids `duplicates unmerge` takes.
    Merges { lead: i64 },
    /// Take a merge back: the leads merged in return as they were, and the survivor keeps the edits made since.
    Unmerge { merge: i64 },
    /// Set a pair of the queue aside: not the same person (it does not come back unless the leads change).
    Dismiss { pair: i64 },
    /// Take a "not the same person" back: the pair is in the queue again.
    Reopen { pair: i64 },
    /// Fold the duplicate keys saved since the last fold into the large table now: storage upkeep that imports
    /// and the app do on their own once the keys are many. What the check finds does not change.
    Fold,
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Show the settings: the default region of phone numbers and the default currency.
    Show,
    /// Region (ISO 3166 code such as US, GB, DE) for phone numbers written without a country code.
    SetRegion { region: String },
    /// Currency (ISO 4217 code such as EUR, USD) of a deal value that names none, as a one-currency CRM exports
    /// it; `none` takes it away.
    SetCurrency { currency: String },
    /// Take out the sample leads the app's first run wrote (those nobody worked on; Administrators).
    RemoveSampleData,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("RAPPORT_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Output piped into a reader that stopped (`| head`) ends the command quietly, as it ends other tools: not
    // with a panic's backtrace (println! panics on a closed pipe) or an error for a reader that has gone.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_broken_pipe(info.payload()) {
            default_hook(info);
        }
    }));
    let result = match std::panic::catch_unwind(move || commands::run(cli)) {
        Ok(r) => r,
        Err(payload) if is_broken_pipe(payload.as_ref()) => return ExitCode::from(BROKEN_PIPE_EXIT),
        Err(payload) => std::panic::resume_unwind(payload),
    };
    if std::env::var_os("RAPPORT_REPORT_PEAK_MEMORY").is_some() {
        report_peak_memory();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The operating system's own words for it (EPIPE), not any message that says "Broken pipe": a validation
        // message quotes what was typed, and a refusal of `--email "Broken pipe"` must still be said.
        Err(e) if e.ends_with("Broken pipe (os error 32)") => ExitCode::from(BROKEN_PIPE_EXIT),
        Err(e) => {
            import_cmds::end_progress_line();
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What a shell reports for a process its pipe's reader left (128 + SIGPIPE), as `yes | head` does.
const BROKEN_PIPE_EXIT: u8 = 141;

fn is_broken_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied());
    text.is_some_and(|t| t.contains("Broken pipe"))
}

/// `rapport bench --import` reads this process's own peak memory from stderr (Linux: VmHWM).
fn report_peak_memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    match status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
        Some(kb) => {
            let kib: f64 = kb.trim().trim_end_matches("kB").trim().parse().unwrap_or(0.0);
            eprintln!("peak memory: {:.0} MiB", kib / 1024.0);
        }
        None => eprintln!("peak memory: unknown (no /proc on this system)"),
    }
}
