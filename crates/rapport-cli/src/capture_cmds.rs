//! `rapport capture ...`: the capture API's sources and tokens (secrets in the OS keychain), recent
//! submissions, and the listener in the foreground (for a server without the app, and for tests).
use clap::{Subcommand, ValueEnum};
use rapport_core::capture::{CaptureSourceInput, CaptureSourceKind};
use rapport_core::imports::ColumnMapping;
use rapport_core::secrets::OsKeychain;
use rapport_core::{Actor, Rapport};

use crate::session::CliResult;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[derive(Subcommand)]
pub enum CaptureCommand {
    /// Sources (website forms, partners) and their tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Recent submissions, newest first.
    Submissions {
        /// Only this source's.
        #[arg(long)]
        source: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Print the copy-paste HTML form of a source.
    Form { source: i64 },
    /// Show the capture API's settings, or change those given (Administrators). A running app or `capture
    /// serve` takes them at its next start; a save in the app's Settings applies them at once.
    Settings {
        /// Accept leads (the app starts the listener).
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        #[arg(long)]
        port: Option<u16>,
        /// Listen on every network interface, not only this computer's own (127.0.0.1).
        #[arg(long, conflicts_with = "local")]
        network: bool,
        /// Listen on 127.0.0.1 only.
        #[arg(long)]
        local: bool,
        /// A website allowed to post from a browser (CORS), e.g. https://www.example.com (repeat; replaces the list).
        #[arg(long = "origin", value_name = "ORIGIN", conflicts_with = "no_origins")]
        origins: Vec<String>,
        /// No website may post from a browser.
        #[arg(long)]
        no_origins: bool,
        /// Where websites reach the API (a reverse proxy or tunnel), e.g. https://leads.example.com; "" for none.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run the capture API in the foreground until interrupted (settings from the database; --port overrides).
    Serve {
        #[arg(long)]
        port: Option<u16>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    WebForm,
    Partner,
}

#[derive(Subcommand)]
pub enum TokensCommand {
    /// Create a source and its token (printed once; `tokens show` reads it again from the keychain).
    Add {
        name: String,
        #[arg(long, value_enum, default_value = "web-form")]
        kind: KindArg,
        /// Requests a minute before 429.
        #[arg(long, default_value_t = 60)]
        rate: u32,
        /// A partner's field name to a lead field: --map surname=last_name (repeat).
        #[arg(long = "map", value_name = "FIELD=LEAD_FIELD")]
        map: Vec<String>,
        /// The campaign of the leads it sends that name none (which team sees them).
        #[arg(long, value_name = "NAME")]
        campaign: Option<String>,
    },
    /// List the sources: their kind, rate, campaign, and whether their token is revoked (never the token).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a source's token again (from the keychain).
    Show { source: i64 },
    /// Revoke a source's token: its requests are refused from now on.
    Revoke { source: i64 },
}

pub fn run(core: &Rapport, actor: &Actor, c: &CaptureCommand) -> CliResult<()> {
    match c {
        CaptureCommand::Tokens(t) => tokens(core, actor, t),
        CaptureCommand::Submissions { source, limit, json } => {
            let subs = core.capture_submissions(actor, *source, *limit).map_err(err)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&subs).map_err(err)?);
            } else if subs.is_empty() {
                println!("no submissions yet");
            } else {
                for s in subs {
                    let lead = s.lead_id.map(|l| format!("lead {l}")).unwrap_or_default();
                    println!(
                        "{}  {}  {}  {:<14} {lead}  {}  {}",
                        s.at, s.source_name, s.status, s.outcome, s.message, s.receipt
                    );
                }
            }
            Ok(())
        }
        CaptureCommand::Form { source } => {
            print!(
                "{}",
                core.capture_form_html(actor, &OsKeychain, *source, rapport_capture::network_address()).map_err(err)?
            );
            Ok(())
        }
        CaptureCommand::Serve { port } => serve(core, actor, *port),
        CaptureCommand::Settings { enable, disable, port, network, local, origins, no_origins, public_url, json } => {
            let mut s = core.capture_settings(actor).map_err(err)?;
            let changed = *enable
                || *disable
                || port.is_some()
                || *network
                || *local
                || !origins.is_empty()
                || *no_origins
                || public_url.is_some();
            if changed {
                if *enable || *disable {
                    s.enabled = *enable;
                }
                if let Some(p) = port {
                    s.port = *p;
                }
                if *network || *local {
                    s.open_to_network = *network;
                }
                if !origins.is_empty() || *no_origins {
                    s.allowed_origins.clone_from(origins);
                }
                if let Some(u) = public_url {
                    s.public_url.clone_from(u);
                }
                s = core.update_capture_settings(actor, &s).map_err(err)?;
            }
            if *json {
                println!("{}", serde_json::to_string_pretty(&s).map_err(err)?);
            } else {
                let none = |v: &str| if v.is_empty() { "(none)".to_string() } else { v.to_string() };
                println!("accepting leads: {}", if s.enabled { "yes" } else { "no" });
                println!("port:            {}", s.port);
                println!(
                    "listens on:      {}",
                    if s.open_to_network { "every network interface" } else { "127.0.0.1 only" }
                );
                println!("allowed origins: {}", none(&s.allowed_origins.join(", ")));
                println!("public address:  {}", none(&s.public_url));
            }
            Ok(())
        }
    }
}

fn tokens(core: &Rapport, actor: &Actor, t: &TokensCommand) -> CliResult<()> {
    match t {
        TokensCommand::Add { name, kind, rate, map, campaign } => {
            let mut field_map = Vec::new();
            for m in map {
                let (from, to) = m.split_once('=').ok_or(format!("--map takes FIELD=LEAD_FIELD, not \"{m}\""))?;
                field_map.push(ColumnMapping { column: from.trim().into(), target: to.trim().into() });
            }
            let kind = match kind {
                KindArg::WebForm => CaptureSourceKind::WebForm,
                KindArg::Partner => CaptureSourceKind::Partner,
            };
            let input = CaptureSourceInput {
                name: name.clone(),
                kind,
                field_map,
                rate_per_minute: *rate,
                campaign: campaign.clone().unwrap_or_default(),
            };
            let made = core.add_capture_source(actor, &OsKeychain, &input).map_err(err)?;
            eprintln!(
                "source {} \"{}\" created; its token (kept in the OS keychain, not in the database):",
                made.source.id, made.source.name
            );
            println!("{}", made.token);
            Ok(())
        }
        TokensCommand::List { json } => {
            let sources = core.capture_sources(actor).map_err(err)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&sources).map_err(err)?);
                return Ok(());
            }
            if sources.is_empty() {
                println!("no sources yet: rapport capture tokens add NAME");
            }
            for s in sources {
                let state = s.revoked_at.as_ref().map(|r| format!("revoked {r}")).unwrap_or_else(|| "live".into());
                let state = if s.campaign.is_empty() { state } else { format!("{state}  campaign {}", s.campaign) };
                println!(
                    "{:>4}  {:<24} {:<9} {}…  {}/min  {} submission(s)  {state}",
                    s.id,
                    s.name,
                    s.kind.as_str(),
                    s.token_hint,
                    s.rate_per_minute,
                    s.submissions
                );
            }
            Ok(())
        }
        TokensCommand::Show { source } => {
            println!("{}", core.capture_token(actor, &OsKeychain, *source).map_err(err)?);
            Ok(())
        }
        TokensCommand::Revoke { source } => {
            let s = core.revoke_capture_source(actor, &OsKeychain, *source).map_err(err)?;
            println!("revoked the token of source {} \"{}\"", s.id, s.name);
            Ok(())
        }
    }
}

/// How often a listener in the foreground reads again whether it may go on.
const SERVE_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

fn serve(core: &Rapport, actor: &Actor, port: Option<u16>) -> CliResult<()> {
    let mut settings = core.capture_settings(actor).map_err(err)?;
    // "Accepting leads: no" is an Administrator's decision the app keeps: a listener started here anyway took
    // leads the settings said were refused.
    if !settings.enabled {
        return Err("the capture API is turned off: an Administrator turns it on with `rapport capture settings \
                    --enable` (or in the app, Settings → Capture API)"
            .into());
    }
    if let Some(p) = port {
        settings.port = p;
    }
    let core = std::sync::Arc::new(Rapport::open(core.path()).map_err(err)?);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(err)?;
    let actor = actor.clone();
    rt.block_on(async move {
        let running = rapport_capture::start(core.clone(), &settings).await.map_err(err)?;
        // The address on stdout, flushed, so a script (or a test) that started us knows where to send.
        println!("listening on http://{}", running.address);
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let stopped = tokio::select! {
            _ = tokio::signal::ctrl_c() => None,
            why = until_refused(core, actor) => Some(why),
        };
        running.stop().await;
        match stopped {
            Some(why) => Err(format!("the listener stopped: {why}")),
            None => Ok(()),
        }
    })
}

/// Waits until the API is turned off, or whoever started the listener may no longer run it (deactivated, no
/// longer an Administrator): checked as every other command checks, on each read of the settings. Says which.
async fn until_refused(core: std::sync::Arc<Rapport>, actor: Actor) -> String {
    let mut every = tokio::time::interval(SERVE_CHECK_EVERY);
    loop {
        every.tick().await;
        let (core, actor) = (core.clone(), actor.clone());
        match tokio::task::spawn_blocking(move || core.capture_settings(&actor)).await {
            Ok(Ok(s)) if s.enabled => {}
            Ok(Ok(_)) => return "the capture API was turned off".into(),
            Ok(Err(e)) => return e.to_string(),
            Err(e) => return e.to_string(),
        }
    }
}
