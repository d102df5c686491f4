use std::io::Write;

use rapport_core::leads::csv as csv_io;
use rapport_core::leads::{Address, Lead, LeadInput, LeadStatus, SourceChannel};
use rapport_core::leads::{LeadQuery, LeadSort};
use rapport_core::users::{Role, UserInput};
use rapport_core::Origin;
use rapport_core::{Actor, Rapport};

use crate::session::{self, with_fields, CliResult};
use crate::DuplicatesCommand;
use crate::{
    Cli, Command, EditArgs, ExportFormat, LeadFields, LeadFilterArgs, LeadsCommand, ListArgs, SettingsCommand,
    UsersCommand,
};

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub fn run(cli: Cli) -> CliResult<()> {
    if let Command::Bench(args) = &cli.command {
        return if args.calendar {
            crate::bench_calendar::run(args, cli.db.clone())
        } else if args.import {
            crate::bench_import::run(args, cli.db.clone())
        } else if args.sweep {
            crate::bench_pipeline::sweep(args, cli.db.clone())
        } else if args.pipeline {
            crate::bench_pipeline::run(args, cli.db.clone())
        } else if args.duplicates {
            crate::bench_duplicates::run(args, cli.db.clone())
        } else if args.export {
            crate::bench_export::run(args, cli.db.clone())
        } else {
            crate::bench::run(args, cli.db.clone())
        };
    }
    // Without signing in: it is for the Administrator who cannot. Only an existing file (`open` makes no other
    // folder, and a new file has no Administrator to recover).
    if let Command::Users(UsersCommand::RecoverAdmin { username }) = &cli.command {
        let path = cli.db.clone().map_or_else(session::default_db_path, Ok)?;
        if !path.is_file() {
            return Err(format!("no database at {}: nothing to recover", path.display()));
        }
        let core = session::open(&cli)?;
        let password = session::new_user_password(username)?;
        core.recover_admin_password(username, &password).map_err(err)?;
        println!("new password set for {username}; their open sessions have ended");
        return Ok(());
    }
    // Asked before the file is opened: a command that cannot sign in leaves no new database behind.
    if cli.user.is_none() {
        return Err("say who you are: --as USER or RAPPORT_USER".into());
    }
    let path = session::db_path(&cli)?;
    let made_here = !path.exists();
    let core = session::open(&cli)?;
    let actor = match session::sign_in(&cli, &core) {
        Ok(actor) => actor,
        Err(e) => {
            // A first Administrator refused (no name, a password too short): the file this command made is
            // taken away again, not left as an empty database a later command signs into as a new one.
            if made_here {
                drop(core);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            return Err(e);
        }
    };
    match cli.command {
        Command::Leads(LeadsCommand::Add(fields)) => add_lead(&core, &actor, &fields),
        Command::Leads(LeadsCommand::Edit(args)) => edit_lead(&core, &actor, &args),
        Command::Leads(LeadsCommand::Undo { id, batch }) => undo_change(&core, &actor, id, batch),
        Command::Leads(LeadsCommand::List(args)) => list_leads(&core, &actor, &args),
        Command::Leads(LeadsCommand::Show { id, history, json }) => show_lead(&core, &actor, id, history, json),
        Command::Leads(LeadsCommand::Export { format, output, filters }) => {
            let query = if filters.any() { Some(query_of(&core, &actor, &filters, 0)?) } else { None };
            export(&core, &actor, format, output, query.as_ref())
        }
        Command::Import(args) => crate::import_cmds::run(&core, &actor, &args),
        Command::Users(UsersCommand::Add { username, role, display_name, campaigns }) => {
            let role = Role::parse(&role).ok_or(format!("unknown role \"{role}\": viewer, editor or administrator"))?;
            // An empty value (a script's unset variable) would otherwise leave the user with every campaign.
            if campaigns.iter().any(|c| c.trim().is_empty()) {
                return Err(
                    "a --campaign is empty: name the campaign, or leave --campaign out for every campaign".into()
                );
            }
            // An Administrator sees every campaign whatever is listed: taken, the list would say otherwise.
            if role == Role::Administrator && !campaigns.is_empty() {
                return Err(
                    "an administrator works on every campaign: leave --campaign out, or give another role".into()
                );
            }
            let password = session::new_user_password(&username)?;
            let input = UserInput {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                active: true,
                all_campaigns: campaigns.is_empty(),
                campaigns,
            };
            let user = core.create_user(&actor, &input, &password).map_err(err)?;
            println!("added user {} ({}) with id {}", user.username, user.role.as_str(), user.id);
            Ok(())
        }
        // Run above, before signing in.
        Command::Users(UsersCommand::RecoverAdmin { .. }) => Ok(()),
        Command::Users(UsersCommand::List) => {
            for u in core.list_users(&actor).map_err(err)? {
                let every = u.all_campaigns || u.role == Role::Administrator;
                let campaigns = if every { "all campaigns".into() } else { u.campaigns.join(", ") };
                let state = if u.active { "active" } else { "deactivated" };
                println!("{:>4}  {:<20} {:<14} {:<12} {}", u.id, u.username, u.role.as_str(), state, campaigns);
            }
            Ok(())
        }
        Command::Settings(SettingsCommand::Show) => {
            let s = core.settings(&actor).map_err(err)?;
            print_settings(&s);
            Ok(())
        }
        Command::Settings(SettingsCommand::RemoveSampleData) => {
            let out = core.remove_sample_data(&actor).map_err(err)?;
            println!("removed {} sample lead(s)", out.removed);
            if out.kept > 0 {
                println!("kept {} sample lead(s) someone worked on", out.kept);
            }
            Ok(())
        }
        Command::Settings(SettingsCommand::SetRegion { region }) => {
            let now = core.settings(&actor).map_err(err)?;
            let s = core
                .update_settings(&actor, &rapport_core::settings::Settings { default_region: region, ..now })
                .map_err(err)?;
            print_settings(&s);
            Ok(())
        }
        Command::Settings(SettingsCommand::SetCurrency { currency }) => {
            let now = core.settings(&actor).map_err(err)?;
            let default_currency = if currency.trim().eq_ignore_ascii_case("none") { String::new() } else { currency };
            let s = core
                .update_settings(&actor, &rapport_core::settings::Settings { default_currency, ..now })
                .map_err(err)?;
            print_settings(&s);
            Ok(())
        }
        Command::Duplicates(DuplicatesCommand::Scan { min_score, format, no_enrich }) => {
            scan_duplicates(&core, &actor, min_score, format, !no_enrich)
        }
        Command::Duplicates(DuplicatesCommand::Queue { limit, tier, campaign, source, import, json }) => {
            let filter = rapport_core::duplicates::QueueFilter {
                tier: match tier.as_deref() {
                    Some("same") => Some(rapport_core::duplicates::Tier::Same),
                    Some(_) => Some(rapport_core::duplicates::Tier::Review),
                    None => None,
                },
                campaign: campaign.unwrap_or_default(),
                source: match source.as_deref() {
                    Some(typed) => source_channel(typed)?,
                    None => None,
                },
                import_id: import,
            };
            duplicate_queue(&core, &actor, &filter, usize::try_from(limit).unwrap_or(usize::MAX), json)
        }
        Command::Duplicates(DuplicatesCommand::Merge { survivor, others, keep }) => {
            merge_leads(&core, &actor, survivor, &others, &keep)
        }
        Command::Duplicates(DuplicatesCommand::Merges { lead }) => {
            let merges = core.lead_merges(&actor, lead).map_err(err)?;
            if merges.is_empty() {
                println!("no merge into lead {lead} to take back");
            }
            for m in merges {
                let names: Vec<String> = m.merged.iter().map(|l| format!("#{} {}", l.id, l.name)).collect();
                println!("merge {}: {} at {}, by {}", m.merge_id, names.join(", "), m.at, m.actor_name);
            }
            Ok(())
        }
        Command::Duplicates(DuplicatesCommand::Unmerge { merge }) => {
            let back = core.unmerge(&actor, merge).map_err(|e| with_fields("nothing was taken back", &e))?;
            let names: Vec<String> = back.restored.iter().map(|l| format!("#{} {}", l.id, l.display_name())).collect();
            println!(
                "took back merge {merge}: {} back beside #{} {}",
                names.join(", "),
                back.survivor.id,
                back.survivor.display_name()
            );
            Ok(())
        }
        Command::Duplicates(DuplicatesCommand::Dismiss { pair }) => {
            core.mark_not_duplicate(&actor, pair).map_err(err)?;
            println!("pair {pair} set aside: not the same person");
            Ok(())
        }
        Command::Duplicates(DuplicatesCommand::Reopen { pair }) => {
            core.reopen_pair(&actor, pair).map_err(err)?;
            println!("pair {pair} is in the review queue again");
            Ok(())
        }
        Command::Duplicates(DuplicatesCommand::Fold) => {
            let started = std::time::Instant::now();
            let moved = core.fold_match_keys_as(&actor).map_err(|e| e.to_string())?;
            println!("{moved} keys folded in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Ics(cmd) => crate::calendar_cmds::ics(&core, &actor, cmd),
        Command::Appointments(cmd) => crate::calendar_cmds::appointments(&core, &actor, cmd),
        Command::Caldav(cmd) => crate::calendar_cmds::caldav(&core, &actor, cmd),
        Command::Capture(cmd) => crate::capture_cmds::run(&core, &actor, &cmd),
        Command::Pipeline(cmd) => crate::pipeline_cmds::run(&core, &actor, &cmd),
        Command::Bench(_) => Ok(()),
    }
}

fn add_lead(core: &Rapport, actor: &Actor, f: &LeadFields) -> CliResult<()> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let source = source_channel(f.source.as_deref().unwrap_or("direct_entry"))?;
    let owner = match &f.owner {
        Some(u) => Some(session::user_id(core, actor, u)?),
        None => None,
    };
    let input = LeadInput {
        first_name: text(&f.first_name),
        last_name: text(&f.last_name),
        company: text(&f.company),
        job_title: text(&f.job_title),
        emails: f.emails.clone(),
        phones: f.phones.clone(),
        address: Address {
            street: text(&f.street),
            street2: text(&f.street2),
            city: text(&f.city),
            postcode: text(&f.postcode),
            region: text(&f.region),
            country: text(&f.country),
        },
        source,
        source_detail: text(&f.source_detail),
        campaign: text(&f.campaign),
        owner_id: owner,
        // A stage as `pipeline stages` lists it, by key or label; none given, the pipeline's first.
        stage: match &f.stage {
            Some(s) => crate::pipeline_cmds::stage_key(core, actor, s)?,
            None => String::new(),
        },
        tags: f.tags.clone(),
        notes: text(&f.notes),
        external_ref: text(&f.external_ref),
        deal: rapport_core::leads::Deal {
            value: text(&f.deal_value),
            currency: text(&f.currency),
            expected_close: text(&f.expected_close),
            budget: text(&f.budget),
            decision_maker: text(&f.decision_maker),
            need: text(&f.need),
            timeline: text(&f.timeline),
            lost_reason: text(&f.lost_reason),
        },
        invalid: vec![],
    };
    // Read before the save, as the app's form checks before it saves: a lead typed in again was created without
    // a word, and only queued for a steward.
    let likely = core.possible_duplicates(actor, &input, 3).unwrap_or_default();
    let saved =
        core.create_lead(actor, &input, &Origin::manual()).map_err(|e| with_fields("the lead was not saved", &e))?;
    let lead = saved.lead;
    println!("created lead {} ({}): {}", lead.id, lead.status.as_str(), lead.display_name());
    print_missing(&lead);
    for d in &likely {
        println!(
            "  possibly the same person as lead {} {} ({:.0}%): see `rapport duplicates queue`",
            d.lead.id,
            d.lead.display_name(),
            d.score * 100.0
        );
    }
    Ok(())
}

/// A source as typed; empty is none (the lead is then a Draft until one is given).
fn source_channel(typed: &str) -> CliResult<Option<SourceChannel>> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    SourceChannel::parse(typed)
        .map(Some)
        .ok_or(format!("unknown source \"{typed}\": direct_entry, web_form, bulk_import or partner"))
}

/// The fields `leads edit --clear` empties, by their flags' names (a list's flag in the singular, as it is
/// typed: --email, --phone, --tag).
const CLEARABLE: &[&str] = &[
    "first-name",
    "last-name",
    "company",
    "job-title",
    "email",
    "phone",
    "street",
    "street2",
    "city",
    "postcode",
    "region",
    "country",
    "source",
    "source-detail",
    "campaign",
    "owner",
    "tag",
    "notes",
    "external-ref",
    "deal-value",
    "currency",
    "expected-close",
    "budget",
    "decision-maker",
    "need",
    "timeline",
    "lost-reason",
];

fn edit_lead(core: &Rapport, actor: &Actor, args: &EditArgs) -> CliResult<()> {
    let f = &args.fields;
    let lead = core.get_lead(actor, args.id).map_err(err)?;
    let mut input = lead.to_input();
    let mut cleared = Vec::new();
    for typed in &args.clear {
        let name = typed.trim().to_ascii_lowercase().replace('_', "-");
        let name = match name.as_str() {
            "emails" | "phones" | "tags" => name.trim_end_matches('s').to_string(),
            _ if CLEARABLE.contains(&name.as_str()) => name,
            _ => {
                return Err(format!(
                    "--clear {typed}: not a field that can be emptied (one of {})",
                    CLEARABLE.join(", ")
                ))
            }
        };
        cleared.push(name);
    }
    // A field both given and emptied is a slip: say so rather than pick one.
    let given = |name: &str, v: bool| -> CliResult<bool> {
        if v && cleared.iter().any(|c| c == name) {
            return Err(format!("--{name} is both given and cleared: keep one"));
        }
        Ok(v || cleared.iter().any(|c| c == name))
    };
    let set = |name: &str, target: &mut String, v: &Option<String>| -> CliResult<()> {
        if given(name, v.is_some())? {
            *target = v.clone().unwrap_or_default();
        }
        Ok(())
    };
    set("first-name", &mut input.first_name, &f.first_name)?;
    set("last-name", &mut input.last_name, &f.last_name)?;
    set("company", &mut input.company, &f.company)?;
    set("job-title", &mut input.job_title, &f.job_title)?;
    set("street", &mut input.address.street, &f.street)?;
    set("street2", &mut input.address.street2, &f.street2)?;
    set("city", &mut input.address.city, &f.city)?;
    set("postcode", &mut input.address.postcode, &f.postcode)?;
    set("region", &mut input.address.region, &f.region)?;
    set("country", &mut input.address.country, &f.country)?;
    set("source-detail", &mut input.source_detail, &f.source_detail)?;
    set("campaign", &mut input.campaign, &f.campaign)?;
    set("notes", &mut input.notes, &f.notes)?;
    set("external-ref", &mut input.external_ref, &f.external_ref)?;
    set("deal-value", &mut input.deal.value, &f.deal_value)?;
    set("currency", &mut input.deal.currency, &f.currency)?;
    set("expected-close", &mut input.deal.expected_close, &f.expected_close)?;
    set("budget", &mut input.deal.budget, &f.budget)?;
    set("decision-maker", &mut input.deal.decision_maker, &f.decision_maker)?;
    set("need", &mut input.deal.need, &f.need)?;
    set("timeline", &mut input.deal.timeline, &f.timeline)?;
    set("lost-reason", &mut input.deal.lost_reason, &f.lost_reason)?;
    // An empty stage (a script's unset variable) is refused, not read as the first stage: a lead cannot be
    // without one, and a Won deal went back to "New lead" without a word.
    if let Some(stage) = &f.stage {
        input.stage = crate::pipeline_cmds::stage_key(core, actor, stage)?;
    }
    if given("email", !f.emails.is_empty())? {
        input.emails = f.emails.clone();
    }
    if given("phone", !f.phones.is_empty())? {
        input.phones = f.phones.clone();
    }
    if given("tag", !f.tags.is_empty())? {
        input.tags = f.tags.clone();
    }
    if given("source", f.source.is_some())? {
        input.source = source_channel(f.source.as_deref().unwrap_or(""))?;
    }
    if given("owner", f.owner.is_some())? {
        input.owner_id = match &f.owner {
            Some(u) => Some(session::user_id(core, actor, u)?),
            None => None,
        };
    }
    let passing = args
        .override_reason
        .as_deref()
        .map_or(rapport_core::pipeline::Passing::Checked, rapport_core::pipeline::Passing::Override);
    let saved = core
        .update_lead_passing(actor, args.id, lead.version, &input, &Origin::manual(), passing)
        .map_err(|e| with_fields("the lead was not saved", &e))?;
    let Some(batch) = saved.batch_id else {
        println!("nothing changed on lead {}", args.id);
        return Ok(());
    };
    let mut fields: Vec<String> = core
        .lead_history(actor, args.id)
        .map_err(err)?
        .into_iter()
        // The typed form of the phones is a detail of their change, not a change of its own to the reader.
        .filter(|c| c.batch_id == batch && c.entity == "lead" && !c.field.ends_with("_as_entered"))
        .map(|c| c.field)
        .collect();
    // The history is newest first; the fields read better in the order they were written.
    fields.reverse();
    fields.dedup();
    let lead = saved.lead;
    println!(
        "updated lead {} ({}): {}; changed {} (batch {batch})",
        lead.id,
        lead.status.as_str(),
        lead.display_name(),
        fields.join(", ")
    );
    print_missing(&lead);
    Ok(())
}

fn undo_change(core: &Rapport, actor: &Actor, id: i64, batch: i64) -> CliResult<()> {
    let saved = core.undo_lead_change(actor, id, batch).map_err(|e| match e {
        // The core's conflict speaks of a page opened before someone else's save; an undo has no page.
        rapport_core::Error::Conflict { .. } => format!(
            "batch {batch} cannot be undone: a field it changed was changed again since \
             (`leads show {id} --history` lists them); nothing was taken back"
        ),
        e => with_fields("nothing was taken back", &e),
    })?;
    let lead = saved.lead;
    match saved.batch_id {
        Some(new) => println!(
            "took back batch {batch} on lead {} ({}): {} (as batch {new})",
            lead.id,
            lead.status.as_str(),
            lead.display_name()
        ),
        None => println!("batch {batch} left nothing to take back on lead {}", lead.id),
    }
    print_missing(&lead);
    Ok(())
}

fn print_missing(lead: &Lead) {
    if lead.status == LeadStatus::Draft {
        let missing: Vec<&str> = lead.missing.iter().map(|m| m.describe()).collect();
        println!("  saved as Draft; to make it Active add {}", missing.join(", "));
    }
}

/// The list's query for `a`: its search, filters and sort, on pages of `limit`.
fn query_of(core: &Rapport, actor: &Actor, a: &LeadFilterArgs, limit: u32) -> CliResult<LeadQuery> {
    let status = match a.status.as_deref() {
        None => None,
        Some(s) => {
            Some(LeadStatus::parse(&s.to_ascii_lowercase()).ok_or(format!("unknown status \"{s}\": draft or active"))?)
        }
    };
    let source = match a.source.as_deref() {
        None => None,
        Some(s) => Some(SourceChannel::parse(s).ok_or(format!("unknown source \"{s}\""))?),
    };
    let sort = match a.sort.as_deref().unwrap_or("updated") {
        "updated" | "updated_at" => LeadSort::UpdatedAt,
        "created" | "created_at" => LeadSort::CreatedAt,
        "last_name" | "name" => LeadSort::LastName,
        "company" => LeadSort::Company,
        other => return Err(format!("unknown sort \"{other}\": updated, created, last_name or company")),
    };
    let owner = match &a.owner {
        Some(u) => Some(session::user_id(core, actor, u)?),
        None => None,
    };
    Ok(LeadQuery {
        text: a.search.clone().unwrap_or_default(),
        status,
        // A stage as `pipeline stages` lists it, by key or label: an unknown one is said so, not "no leads match".
        stage: match &a.stage {
            Some(s) => Some(crate::pipeline_cmds::stage_key(core, actor, s)?),
            None => None,
        },
        owner_id: owner,
        source,
        campaign: a.campaign.clone(),
        tag: a.tag.clone(),
        needs_fixing: a.needs_fixing,
        import_id: a.import,
        sort,
        ascending: a.ascending,
        after: None,
        limit,
    })
}

fn list_leads(core: &Rapport, actor: &Actor, a: &ListArgs) -> CliResult<()> {
    let mut query = query_of(core, actor, &a.filters, a.limit)?;
    // A page may come back short, even empty, with more to follow (a search reads a bounded number of
    // candidates per call, and a limit above the core's page is cut to it): pages are read until the limit
    // is reached or nothing follows, as the app's list does when scrolled.
    let wanted = a.limit.max(1) as usize;
    let mut items = Vec::new();
    let more = loop {
        query.limit = (wanted - items.len()).min(rapport_core::leads::MAX_PAGE as usize) as u32;
        let page = core.list_leads(actor, &query).map_err(err)?;
        items.extend(page.items);
        if items.len() >= wanted || page.next_cursor.is_none() {
            break page.next_cursor;
        }
        query.after = page.next_cursor;
    };
    // What is said about the list goes to stderr, so that stdout holds the leads alone (a script counting lines
    // or reading the JSON): the JSON list stopped at its limit without a word.
    let follow = "(more leads follow; raise --limit or narrow the search)";
    // An import number mistyped, or one from another database, read as an import that brought no one.
    if let (true, Some(id)) = (items.is_empty(), a.filters.import) {
        if let Err(e @ rapport_core::Error::NotFound { .. }) = core.import_batch(actor, id) {
            return Err(format!("{e}: `rapport import history` lists the imports"));
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&items).map_err(err)?);
        if more.is_some() {
            eprintln!("{follow}");
        }
        return Ok(());
    }
    if items.is_empty() {
        eprintln!("no leads match");
    }
    for l in &items {
        let name = rapport_core::leads::display_name(&l.first_name, &l.last_name, "");
        println!(
            "{:>8}  {} {} {} {} {:<6} {}",
            l.id,
            cell(&name, 26),
            cell(&l.company, 24),
            cell(&l.primary_email, 30),
            cell(&l.primary_phone, 18),
            l.status.as_str(),
            l.stage
        );
    }
    if more.is_some() {
        eprintln!("{follow}");
    }
    Ok(())
}

/// `s` in a column `n` terminal cells wide: cut with an ellipsis when longer, padded when shorter. Counted in
/// cells, not characters: a Chinese name takes two cells a character and would push the next column right.
fn cell(s: &str, n: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let width = unicode_width::UnicodeWidthStr::width(s);
    if width <= n {
        return format!("{s}{}", " ".repeat(n - width));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > n - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    format!("{out}…{}", " ".repeat(n - 1 - used))
}

fn show_lead(core: &Rapport, actor: &Actor, id: i64, history: bool, json: bool) -> CliResult<()> {
    let lead = core.get_lead(actor, id).map_err(err)?;
    let changes = if history { Some(core.lead_history(actor, id).map_err(err)?) } else { None };
    if json {
        let v = serde_json::json!({ "lead": lead, "history": changes });
        println!("{}", serde_json::to_string_pretty(&v).map_err(err)?);
        return Ok(());
    }
    println!("Lead {} — {} ({}, stage {})", lead.id, lead.display_name(), lead.status.as_str(), lead.stage);
    print_missing(&lead);
    let line = |k: &str, v: &str| {
        if !v.is_empty() {
            println!("  {k:<14} {v}");
        }
    };
    line("company", &lead.company);
    line("job title", &lead.job_title);
    for (i, e) in lead.emails.iter().enumerate() {
        line(if i == 0 { "email" } else { "other email" }, &e.address);
    }
    for (i, p) in lead.phones.iter().enumerate() {
        let shown = if p.original == p.display {
            p.display.clone()
        } else {
            format!("{}  (entered as {})", p.display, p.original)
        };
        line(if i == 0 { "phone" } else { "other phone" }, &shown);
    }
    let a = &lead.address;
    let addr = [&a.street, &a.street2, &a.postcode, &a.city, &a.region, &a.country]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    line("address", &addr);
    line("source", lead.source.map(|s| s.as_str()).unwrap_or(""));
    line("source detail", &lead.source_detail);
    line("campaign", &lead.campaign);
    line("owner", lead.owner.as_ref().map(|o| o.name.as_str()).unwrap_or(""));
    line("tags", &lead.tags.join(", "));
    line("reference", &lead.external_ref);
    // The deal: what the stage gates ask, so why a move passed or was refused can be read here.
    let d = &lead.deal;
    line("deal value", [d.value.as_str(), d.currency.as_str()].join(" ").trim());
    line("expected close", &d.expected_close);
    line("budget", &d.budget);
    line("decision maker", &d.decision_maker);
    line("need", &d.need);
    line("timeline", &d.timeline);
    line("lost reason", &d.lost_reason);
    for v in &lead.invalid {
        line("needs fixing", &format!("{}: \"{}\" {}", v.field, v.value, v.reason));
    }
    // Its later lines under its first: at the margin they would read as other fields of the lead.
    line("notes", &lead.notes.lines().collect::<Vec<_>>().join(&format!("\n{:17}", "")));
    line("created", &lead.created_at);
    line("updated", &lead.updated_at);
    if let Some(changes) = changes {
        println!("History (newest first):");
        // An owner is logged as the user's id: named here, as the app names it ("" → "2" told nothing).
        let directory = core.user_directory(actor).map_err(err)?;
        let shown = |field: &str, v: Option<String>| -> String {
            let v = v.unwrap_or_default();
            if !matches!(field, "owner" | "owner_id") {
                return v;
            }
            match v.parse::<i64>().ok().and_then(|id| directory.iter().find(|u| u.id == id)) {
                Some(u) => u.name.clone(),
                None => v,
            }
        };
        for c in changes {
            let mut who = match &c.actor_renamed_to {
                Some(now) => format!("{} (now {now})", c.actor_name),
                None => c.actor_name.clone(),
            };
            // The history of a lead shows those merged into it: their rows say whose they are (and their batch is
            // undone on that lead, not this one).
            if c.entity == "lead" && c.entity_id != id {
                who = format!("{who}  [merged lead #{}]", c.entity_id);
            }
            // Why, as the change log says it: the reason, and what it names ("undo of change 5", "unmerge of
            // merge 4", the import's file), without which an undo read as an edit and an unmerge as a merge.
            let why = match c.source_ref.trim() {
                "" => c.reason.as_str().to_string(),
                what => format!("{}: {what}", c.reason.as_str()),
            };
            // The batch is what `leads undo` takes.
            if c.field == "*" {
                println!("  {}  batch {:<6} {who}  created ({why})", c.at, c.batch_id);
            } else {
                println!(
                    "  {}  batch {:<6} {who}  {}: {:?} → {:?} ({})",
                    c.at,
                    c.batch_id,
                    c.field,
                    shown(&c.field, c.old_value),
                    shown(&c.field, c.new_value),
                    why
                );
            }
        }
    }
    Ok(())
}

fn export(
    core: &Rapport,
    actor: &Actor,
    format: ExportFormat,
    output: Option<std::path::PathBuf>,
    query: Option<&LeadQuery>,
) -> CliResult<()> {
    // `-o -` is standard output, as the usual command-line tools take it: it wrote a file named "-".
    let output = output.filter(|o| o.as_os_str() != "-");
    match &output {
        // A file is written beside its destination and renamed into place only when complete: a failed export
        // never leaves a truncated file that looks like a good one.
        Some(path) => {
            let count = write_whole(path, |file| {
                // A CSV file opens in a spreadsheet: without a byte order mark, Excel reads its UTF-8 as the
                // system's code page ("ZoÃ«" for Zoë). The import reads the mark; a CSV piped to another program
                // goes without.
                if matches!(format, ExportFormat::Csv) {
                    file.write_all("\u{feff}".as_bytes()).map_err(|e| io_error(path, &e))?;
                }
                write_export(core, actor, format, file, query)
            })?;
            eprintln!("exported {count} leads");
            Ok(())
        }
        None => write_export(core, actor, format, std::io::BufWriter::new(std::io::stdout().lock()), query).map(|_| ()),
    }
}

/// Writes `path` whole or not at all: beside it first (`.NAME.part`, made as any new file is, so it gets the
/// usual permissions), synced, then renamed over it. A run killed or failing half-way leaves the file as it was,
/// never a truncated one that looks good (an .ics export replaced the last good one with an empty file). What is
/// not a plain file (a named pipe, `/dev/stdout`, a link) is written in place, as it cannot be renamed over.
pub(crate) fn write_whole<T>(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, String>,
) -> Result<T, String> {
    let plain = std::fs::symlink_metadata(path).map(|m| m.file_type().is_file()).unwrap_or(true);
    if !plain {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| io_error(path, &e))?);
        let done = write(&mut out)?;
        out.flush().map_err(|e| io_error(path, &e))?;
        return Ok(done);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.part"));
    let written = (|| {
        let file = std::fs::File::create(&partial).map_err(|e| io_error(path, &e))?;
        let mut out = std::io::BufWriter::new(file);
        let done = write(&mut out)?;
        let file = out.into_inner().map_err(|e| io_error(path, e.error()))?;
        file.sync_all().map_err(|e| io_error(path, &e))?;
        std::fs::rename(&partial, path).map_err(|e| io_error(path, &e))?;
        Ok(done)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

fn io_error(path: &std::path::Path, e: &std::io::Error) -> String {
    format!("could not write {}: {e}", path.display())
}

/// A failed export: the core could not read, or the output could not be written. Both end as the CLI's message.
struct ExportFailure(String);

impl From<rapport_core::Error> for ExportFailure {
    fn from(e: rapport_core::Error) -> Self {
        ExportFailure(e.to_string())
    }
}

fn write_export(
    core: &Rapport,
    actor: &Actor,
    format: ExportFormat,
    mut out: impl Write,
    query: Option<&LeadQuery>,
) -> CliResult<u64> {
    let mut count = 0u64;
    let write_err = |e: std::io::Error| format!("could not write the export: {e}");
    match format {
        ExportFormat::Csv => {
            count = core.export_leads_csv(actor, query, &mut out, &mut |_| true).map_err(err)?;
            out.flush().map_err(write_err)?;
        }
        ExportFormat::Json => {
            writeln!(out, "[").map_err(write_err)?;
            let result = core.for_each_lead_matching(actor, query, &mut |l| {
                let text = serde_json::to_string(l).map_err(|e| ExportFailure(e.to_string()))?;
                let sep = if count == 0 { "" } else { ",\n" };
                count += 1;
                write!(out, "{sep}{text}").map_err(|e| ExportFailure(format!("could not write the export: {e}")))
            });
            // The array is closed even when reading failed part-way: what was printed stays valid JSON, and the
            // error (with a failing exit code) says it is incomplete.
            writeln!(out, "\n]").map_err(write_err)?;
            out.flush().map_err(write_err)?;
            result.map_err(|e| e.0)?;
        }
    }
    Ok(count)
}

fn scan_duplicates(core: &Rapport, actor: &Actor, min_score: f64, format: ExportFormat, enrich: bool) -> CliResult<()> {
    if !(0.0..=1.0).contains(&min_score) {
        return Err(format!("--min-score is a probability between 0 and 1, not {min_score}"));
    }
    let cancel = std::sync::atomic::AtomicBool::new(false);
    // Each phase is said once, at its first report (a phase may report its start more than once).
    let mut said = Vec::new();
    let report = core
        .scan_duplicates(actor, &cancel, &mut |p| {
            use rapport_core::duplicates::ScanPhase;
            if said.contains(&p.phase) {
                return;
            }
            said.push(p.phase);
            match p.phase {
                ScanPhase::Reading => eprintln!("reading leads"),
                // A steward limited to some campaigns is told no count of the whole store's leads or pairs.
                ScanPhase::Matching if p.thousandths => eprintln!("matching every lead"),
                ScanPhase::Saving if p.thousandths => eprintln!("saving the pairs found"),
                ScanPhase::Matching => eprintln!("matching {} leads", p.total),
                ScanPhase::Saving => eprintln!("saving {} pairs", p.total),
                ScanPhase::Enriching => {}
            }
        })
        .map_err(err)?;
    let pairs: Vec<_> = report.pairs.iter().filter(|p| p.score >= min_score).collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let write_err = |e: std::io::Error| format!("could not write the pairs: {e}");
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            // The lead ids too: leads entered by hand have no external reference to tell them by.
            w.write_record(["external_ref_a", "external_ref_b", "score", "tier", "lead_a", "lead_b"]).map_err(err)?;
            for p in &pairs {
                let score = format!("{:.6}", p.score);
                let (a, b) = (p.lead_a.to_string(), p.lead_b.to_string());
                // References come from imported files and forms: guarded as in the lead export.
                let guard = |r: &str| rapport_core::leads::csv::guard_cell(r.to_string());
                let (ref_a, ref_b) = (guard(&p.external_ref_a), guard(&p.external_ref_b));
                w.write_record([ref_a.as_str(), ref_b.as_str(), &score, p.tier.as_str(), &a, &b]).map_err(err)?;
            }
            w.flush().map_err(write_err)?;
        }
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &pairs).map_err(err)?;
            writeln!(out).map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)?;
    eprintln!(
        "{} leads, {} pairs ({} open in the queue, {} kept apart as not duplicates) in {:.1} s",
        report.leads,
        report.pairs.len(),
        report.open,
        report.kept_apart,
        report.seconds
    );
    if enrich {
        let mut merged = Vec::new();
        let done =
            core.enrich_same_pairs(actor, &std::sync::atomic::AtomicBool::new(false), &mut |_, _| {}, &mut merged);
        for m in &merged {
            eprintln!("merged into lead {} ({}): merge {}", m.lead.id, m.lead.display_name(), m.merge_id);
        }
        eprintln!(
            "{} same-tier pairs without a conflict merged (`rapport duplicates unmerge MERGE` takes one back)",
            merged.len()
        );
        done.map_err(|e| format!("merging stopped part-way (the queue is saved, the merges above stand): {e}"))?;
        // What the merges left: the count above was taken before them.
        eprintln!("{} pairs open in the queue now", core.open_duplicate_pairs(actor).map_err(err)?);
    }
    Ok(())
}

fn merge_leads(core: &Rapport, actor: &Actor, survivor: i64, others: &[i64], keep: &[String]) -> CliResult<()> {
    let mut choices = Vec::with_capacity(keep.len());
    for k in keep {
        let (field, lead) = k.split_once('=').ok_or(format!("--keep {k}: write it as FIELD=LEAD, like company=12"))?;
        let lead_id = lead.trim().parse().map_err(|_| format!("--keep {k}: \"{lead}\" is not a lead's id"))?;
        // The field as files and flags name it (`deal_value`, `deal-value`), as the core names it.
        let field = field.trim().replace('-', "_");
        choices.push(rapport_core::duplicates::FieldChoice { field, lead_id });
    }
    let merged =
        core.merge_leads(actor, survivor, others, &choices).map_err(|e| with_fields("nothing was merged", &e))?;
    let lead = merged.lead;
    println!(
        "merged {} into lead {} ({}): {} (merge {}; `rapport duplicates unmerge {}` takes it back)",
        others.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", "),
        lead.id,
        lead.status.as_str(),
        lead.display_name(),
        merged.merge_id,
        merged.merge_id
    );
    print_missing(&lead);
    Ok(())
}

fn duplicate_queue(
    core: &Rapport,
    actor: &Actor,
    filter: &rapport_core::duplicates::QueueFilter,
    limit: usize,
    json: bool,
) -> CliResult<()> {
    let page = core.duplicate_queue_page(actor, filter, limit).map_err(err)?;
    let queue = &page.pairs;
    if json {
        println!("{}", serde_json::to_string_pretty(&page).map_err(err)?);
        return Ok(());
    }
    if page.open == 0 {
        // An Editor sees only the pairs with a lead of theirs, and may not scan: the queue may not be empty.
        println!("No pair waits for your review. Data stewards look for more with `rapport duplicates scan`.");
    } else if !filter.is_everything() {
        let of = if page.open == 1 { "the 1 pair".to_string() } else { format!("the {} pairs", page.open) };
        println!("{} of {of} in the queue {}.", page.matching, if page.matching == 1 { "matches" } else { "match" });
    }
    let name = |l: &Lead| format!("#{} {} {}", l.id, l.first_name, l.last_name).trim().to_string();
    for p in queue {
        println!("pair {}: {} and {} — {:.1}% ({})", p.id, name(&p.a), name(&p.b), p.score * 100.0, p.tier.as_str());
        for e in &p.evidence {
            println!("    {:+5.1}  {}", e.weight, e.text);
        }
        // Why a sure pair waits rather than being merged by the scan: a field each lead fills differently.
        if !p.conflicts.is_empty() {
            let fields: Vec<&str> = p.conflicts.iter().map(|f| csv_io::csv_column(f)).collect();
            println!("    each lead holds its own {}: choose with `duplicates merge --keep FIELD=LEAD`, or in the app's review queue", fields.join(", "));
        }
    }
    match (page.matching as usize).saturating_sub(queue.len()) {
        0 => {}
        1 => println!("1 more pair waits: --limit lists more."),
        more => println!("{more} more pairs wait: --limit lists more."),
    }
    Ok(())
}

fn print_settings(s: &rapport_core::settings::Settings) {
    println!("default_region = {}", s.default_region);
    let currency = if s.default_currency.is_empty() { "none" } else { s.default_currency.as_str() };
    println!("default_currency = {currency}");
}

#[cfg(test)]
mod tests {
    use super::cell;

    /// Columns line up whatever the script: a cell is as wide in terminal cells as its column, cut or padded.
    #[test]
    fn a_cell_is_as_wide_as_its_column_in_terminal_cells() {
        use unicode_width::UnicodeWidthStr;
        for s in ["Ann Lee", "李 小龙", "李小龙李小龙李小龙李小龙", "+1 415-555-2671 ext. 123", "Zoë", ""]
        {
            assert_eq!(cell(s, 10).width(), 10, "{s:?} → {:?}", cell(s, 10));
        }
        assert_eq!(cell("李小龙李小龙", 10), "李小龙李… ");
        assert_eq!(cell("Ann", 5), "Ann  ");
    }
}
