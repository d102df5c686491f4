//! `rapport import FILE ...`, `rapport import undo|resume|history`: the import engine the app's wizard uses,
//! from a terminal. Without `--map` the suggested mapping is applied and printed; a column nothing matches
//! goes to the notes (and is said so), never dropped silently.
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use rapport_core::imports::{
    apply_template, ColumnMapping, DryRunReport, ImportBatch, ImportPlan, NaturalKey, OutcomeCounts, RunProgress,
    UndoReport, IGNORE, TO_NOTES,
};
use rapport_core::leads::SourceChannel;
use rapport_core::{Actor, Rapport};

use crate::session::CliResult;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub command: Option<ImportCommand>,
    /// A CSV/TSV file (any common encoding and separator) or a workbook (.xlsx, .xls, .ods).
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    /// Send column COLUMN to FIELD (a lead column such as email or company, `notes`, or `ignore`); repeat.
    /// Other columns keep the suggested mapping.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// Apply a saved mapping template (columns it does not name keep the suggestion).
    #[arg(long)]
    pub template: Option<String>,
    /// Save the mapping used as a template under this name.
    #[arg(long)]
    pub save_template: Option<String>,
    /// Where rows whose file does not say came from: a channel (direct_entry, web_form, bulk_import, partner), a
    /// channel and a detail (partner:Acme Leads), or a detail alone (a fair's name) of the bulk_import channel.
    #[arg(long)]
    pub source: Option<String>,
    /// Update the existing lead this value finds instead of creating another.
    #[arg(long, value_enum)]
    pub key: Option<KeyArg>,
    /// With a key: the file's filled cells replace what the lead holds. Without it a row only fills the lead's
    /// empty fields, and a row that disagrees with a stored value is rejected with both values.
    #[arg(long)]
    pub replace: bool,
    /// Workbook sheet (default: the first with data).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Show what each row would do; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows even if some are invalid (the default refuses the file when any row is).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Save a row whose only faults are invalid emails or phones as a Draft with the values kept as typed.
    #[arg(long)]
    pub keep_invalid: bool,
    /// Load every row as it is, without checking it for duplicates against the file and the database.
    #[arg(long)]
    pub no_dedup: bool,
    /// The country (two letters: AU, GB) that phone numbers without a country code are written for, in rows
    /// without a country. Default: the one the file's numbers show, when most are not valid in Settings' default
    /// region; else that region.
    #[arg(long, value_name = "CODE")]
    pub phone_region: Option<String>,
    /// The campaign of rows whose file gives none: a user who works on some campaigns imports into one of them.
    #[arg(long, value_name = "NAME")]
    pub campaign: Option<String>,
    /// Administrators: bring rows into their stage though its entry criteria are unmet (deals moved from another
    /// CRM come without the activities a stage asks for), for this reason, logged on each lead it lets through.
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    /// Where rejected rows are written with their errors (default: FILE.rejects.csv beside the input).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KeyArg {
    Email,
    ExternalRef,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Undo a whole import batch: leads it created go, fields it changed go back; later edits stay.
    Undo {
        batch: i64,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Go on with an interrupted or cancelled import from where it stopped.
    Resume {
        batch: i64,
        /// Where its rejected rows are written (default: FILE.rejects.csv beside the file it imports).
        #[arg(long)]
        rejects: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write an import's rejected rows again, with their errors (as the import wrote them: its original columns
    /// and why each was rejected), ready to fix and import again.
    Rejects {
        batch: i64,
        /// The file to write (default: FILE.rejects.csv beside the file it imported); `-` for standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// List the imports, newest first.
    History {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

pub fn run(core: &Rapport, actor: &Actor, a: &ImportArgs) -> CliResult<()> {
    match &a.command {
        Some(ImportCommand::Undo { batch, format }) => {
            let report = core.undo_import(actor, *batch, &mut progress_printer()).map_err(err)?;
            print_undo(*batch, &report, *format)
        }
        Some(ImportCommand::Resume { batch, rejects, format }) => {
            let b = core.resume_import(actor, *batch, &mut progress_printer()).map_err(err)?;
            // Beside the file, as the import that began the batch wrote them: all of the batch's, not only this
            // run's.
            let rejects = match rejects {
                Some(r) => r.clone(),
                None => rejects_path(&core.import_file_path(actor, *batch).map_err(err)?, a),
            };
            finish(core, actor, &b, Some(&rejects), *format, &[])
        }
        // The rows are kept with the batch: a rejects file lost (the import killed as it wrote it, the file
        // deleted) is written again from them.
        Some(ImportCommand::Rejects { batch, output }) => match output.as_deref().filter(|o| o.as_os_str() != "-") {
            Some(path) => write_rejects(core, actor, *batch, path).map(|()| eprintln!("wrote {}", path.display())),
            None if output.is_some() => {
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                core.write_import_rejects(actor, *batch, &mut out).map_err(err)?;
                out.flush().map_err(|e| e.to_string())
            }
            None => {
                let path = rejects_path(&core.import_file_path(actor, *batch).map_err(err)?, a);
                write_rejects(core, actor, *batch, &path).map(|()| eprintln!("wrote {}", path.display()))
            }
        },
        Some(ImportCommand::History { format }) => history(core, actor, *format),
        None => match &a.file {
            Some(file) => import_file(core, actor, file, a),
            None => Err("name a file to import".into()),
        },
    }
}

/// Whether a progress line is on the terminal without its line end: whatever is said next starts a line of
/// its own (an error written over "imported 3000 of …" read as one sentence).
static PROGRESS_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Ends the progress line, if one is shown.
pub(crate) fn end_progress_line() {
    if PROGRESS_SHOWN.swap(false, std::sync::atomic::Ordering::SeqCst) {
        eprintln!();
    }
}

fn progress_printer() -> impl FnMut(RunProgress) {
    let mut last = std::time::Instant::now();
    let mut named = false;
    move |p: RunProgress| {
        // The batch's number at once: a run stopped by Ctrl-C, a crash or a failure goes on with it.
        if !named && p.phase == rapport_core::imports::RunPhase::Importing {
            named = true;
            end_progress_line();
            eprintln!(
                "import {0} is running; if it stops, go on with: rapport import resume {0} (or undo it: rapport import undo {0})",
                p.batch_id
            );
        }
        if last.elapsed().as_millis() < 500 {
            return;
        }
        last = std::time::Instant::now();
        PROGRESS_SHOWN.store(true, std::sync::atomic::Ordering::SeqCst);
        let total = p.rows_total.map(|t| format!(" of {t}")).unwrap_or_default();
        let eta = p.eta_seconds.map(|s| format!(", {s:.0} s left")).unwrap_or_default();
        eprint!(
            "\r{} {}{total} ({:.0}/s{eta})   ",
            match p.phase {
                rapport_core::imports::RunPhase::Importing => "imported",
                rapport_core::imports::RunPhase::Undoing => "leads taken back:",
                rapport_core::imports::RunPhase::Checking => "checked",
            },
            p.rows_done,
            p.rows_per_second
        );
    }
}

/// `--source`: a channel ("partner"), a channel and a detail ("partner:Acme Leads"), or a detail alone (a fair's
/// name) of the import's own channel. A value a letter or two from a channel's name ("partnr", "webfrom") is
/// refused with the channel it is near: taken as a detail, the typo would stand on every lead.
fn parse_source(s: &str) -> Result<(Option<SourceChannel>, Option<String>), String> {
    let channels = || SourceChannel::ALL.map(|c| c.as_str()).join(", ");
    if let Some((channel, detail)) = s.split_once(':') {
        let c = SourceChannel::parse(channel).ok_or(format!(
            "--source {s}: \"{}\" is not a channel ({})",
            channel.trim(),
            channels()
        ))?;
        let detail = detail.trim();
        return Ok((Some(c), (!detail.is_empty()).then(|| detail.to_string())));
    }
    if let Some(c) = SourceChannel::parse(s) {
        return Ok((Some(c), None));
    }
    let folded = SourceChannel::folded(s);
    let near = SourceChannel::SPELLINGS.iter().find(|(spelling, _)| {
        let spelling = SourceChannel::folded(spelling);
        spelling.chars().count() >= 6 && strsim::damerau_levenshtein(&folded, &spelling) <= 2
    });
    if let Some((spelling, c)) = near {
        return Err(format!(
            "--source {s}: did you mean the channel {} (\"{spelling}\")? For a detail that close to a channel's \
             name, say the channel first: --source bulk_import:{s}",
            c.as_str()
        ));
    }
    Ok((None, (!s.trim().is_empty()).then(|| s.trim().to_string())))
}

fn import_file(core: &Rapport, actor: &Actor, file: &Path, a: &ImportArgs) -> CliResult<()> {
    if !file.exists() {
        return Err(format!("could not read {}: no such file", file.display()));
    }
    if file.is_dir() {
        return Err(format!("{} is a folder: name the file to import in it", file.display()));
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let same = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
    let rejects = rejects_path(file, a);
    if same(&rejects, file) {
        return Err(format!(
            "--rejects {}: that is the file being imported, which the rejected rows would replace; name another file",
            rejects.display()
        ));
    }
    let preview = core.preview_import_path(actor, file, "", &name, a.sheet.as_deref()).map_err(err)?;
    // A text file has no sheets: said, as the option is not taken.
    if a.sheet.is_some() && preview.format == rapport_core::imports::FileFormat::Csv {
        eprintln!("--sheet is for workbooks (.xlsx, .xls, .ods): {name} is read as a whole");
    }
    // One sheet of a workbook is read (as the app's wizard picks one): the others are named, not left unsaid.
    if let (None, Some(read), true) = (&a.sheet, &preview.sheet, preview.sheets.len() > 1) {
        let others: Vec<String> = preview.sheets.iter().filter(|s| *s != read).map(|s| format!("\"{s}\"")).collect();
        eprintln!(
            "{name}: reading the sheet \"{read}\"; not imported: {} (--sheet NAME imports another)",
            others.join(", ")
        );
    }
    if preview.header_line == 0 {
        eprintln!("{name} has no header row: its first row is imported, and its columns are named by what they hold");
    }
    let mut mapping = preview.suggested.clone();
    // A template brings its mapping and its update key (as in the app), and is recorded by its own name.
    let mut template: Option<(String, Option<NaturalKey>)> = None;
    if let Some(t) = &a.template {
        let templates = core.import_templates(actor).map_err(err)?;
        let found =
            templates.iter().find(|x| x.name.eq_ignore_ascii_case(t)).ok_or(format!("no template is named \"{t}\""))?;
        mapping = apply_template(&mapping, found);
        template = Some((found.name.clone(), found.key));
    }
    for m in &a.map {
        let (col, field) = m.rsplit_once('=').ok_or(format!("--map takes COLUMN=FIELD, not \"{m}\""))?;
        let entry = mapping
            .iter_mut()
            .find(|x| x.column.eq_ignore_ascii_case(col.trim()))
            .ok_or(format!("--map {m}: the file has no column \"{col}\" (it has: {})", preview.headers.join(", ")))?;
        entry.target = field.trim().to_string();
    }
    // The country the numbers show is read again for the mapping chosen (a column mapped to the phone by
    // --map or a template), as the app's wizard does.
    let phone_region = match &a.phone_region {
        Some(r) => Some(r.clone()),
        None if mapping != preview.suggested => {
            core.import_phone_region_path(actor, file, preview.sheet.as_deref(), &mapping).map_err(err)?
        }
        None => preview.phone_region.clone(),
    };
    let (channel, detail) = a.source.as_deref().map(parse_source).transpose()?.unwrap_or_default();
    let plan = ImportPlan {
        sheet: preview.sheet.clone(),
        mapping: mapping.clone(),
        key: a
            .key
            .map(|k| match k {
                KeyArg::Email => NaturalKey::Email,
                KeyArg::ExternalRef => NaturalKey::ExternalRef,
            })
            .or(template.as_ref().and_then(|t| t.1)),
        replace: a.replace,
        source: channel,
        source_detail: detail,
        template: template.map(|t| t.0),
        dedup: !a.no_dedup,
        keep_invalid: a.keep_invalid,
        phone_region,
        campaign: a.campaign.clone(),
        override_reason: a.override_reason.clone(),
    };
    if plan.replace && plan.key.is_none() {
        return Err("--replace needs --key (or a template with a key): it says what a row may replace in the lead \
                    its key finds"
            .into());
    }
    if a.format == Format::Text {
        // What comes before the header (an export's title lines) is not imported: said, not dropped unseen.
        if preview.header_line > 1 {
            eprintln!(
                "the header is on {} {}: what comes before it (a title, notes) is not imported",
                if preview.format == rapport_core::imports::FileFormat::Csv { "line" } else { "row" },
                preview.header_line
            );
        }
        print_mapping(&mapping, a.map.is_empty() && a.template.is_none());
        if let (None, Some(region)) = (&a.phone_region, &preview.phone_region) {
            eprintln!(
                "phone numbers without a country code are read as {region} numbers: most of the file's are, and are \
                 not valid in the default region of the settings (--phone-region to choose another)"
            );
        }
    }
    // The template is saved once the file is accepted, before its rows go in: a dry run writes nothing, and a
    // refused file no template, but an import interrupted (killed, the machine down) and resumed lost it when it
    // was saved at the end. One that cannot be saved stops the command before anything is imported: a script
    // that goes on to use `--template NAME` must learn it here.
    let save_template = || -> CliResult<()> {
        let Some(t) = &a.save_template else { return Ok(()) };
        let input =
            rapport_core::imports::ImportTemplateInput { name: t.clone(), mapping: mapping.clone(), key: plan.key };
        match core.save_import_template(actor, &input) {
            Ok(_) => {
                eprintln!("saved the mapping as template \"{t}\"");
                Ok(())
            }
            Err(e) => Err(format!("the template \"{t}\" could not be saved, and nothing was imported: {e}")),
        }
    };
    if a.save_template.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err("--save-template needs a name".into());
    }
    if a.dry_run && a.save_template.is_some() {
        eprintln!("--save-template is not saved by a dry run, which writes nothing");
    }
    if a.dry_run || !a.skip_invalid {
        let report = core.dry_run_import_following(actor, file, &name, &plan, &mut progress_printer());
        end_progress_line();
        let report = report.map_err(err)?;
        if a.dry_run {
            return print_dry_run(&report, a.format, &mapping);
        }
        // Lines that are no contact (a total, a note below the table) are left out without refusing the file:
        // they are said here and kept with the run's rejected rows. Only when every rejected row is shown can
        // they be told from faulty rows.
        let shown_rejects: Vec<_> =
            report.rows_shown.iter().filter(|r| r.action == rapport_core::imports::RowAction::Reject).collect();
        let reasons: Vec<_> = shown_rejects.iter().map(|r| (r.errors.as_slice(), r.cells.as_slice())).collect();
        let only_left_out =
            shown_rejects.len() as u32 == report.counts.reject && rapport_core::imports::all_left_out(&reasons);
        if report.counts.reject > 0 && only_left_out {
            let lines: Vec<String> = shown_rejects.iter().map(|r| r.line.to_string()).collect();
            eprintln!(
                "{} left out, not contacts (a total, a note below the table): line {}",
                if lines.len() == 1 { "1 line is".to_string() } else { format!("{} lines are", lines.len()) },
                lines.join(", ")
            );
        }
        if report.counts.reject > 0 && !only_left_out {
            let rejected: Vec<_> = report
                .rows_shown
                .iter()
                .filter(|r| r.action == rapport_core::imports::RowAction::Reject)
                .map(|r| (r.line, r.cells.clone(), r.errors.clone()))
                .collect();
            let csv = rapport_core::imports::rejects_csv(&preview.headers, &rejected, preview.delimiter.as_deref())
                .map_err(err)?;
            let path = &rejects;
            let shown = rejected.len() as u32;
            let more = if shown < report.counts.reject {
                format!(" (the first {shown} of {})", report.counts.reject)
            } else {
                String::new()
            };
            // The refusal is what matters: a rejects file that cannot be written is said, not put in its place.
            let written = std::fs::write(path, csv);
            match &written {
                Ok(()) => {
                    eprintln!("the rows that would be rejected are in {}{more}, with their errors", path.display())
                }
                Err(e) => eprintln!("the rows that would be rejected could not be written to {}: {e}", path.display()),
            }
            // A script reading the summary learns of the refusal there too (and by the exit code).
            if a.format == Format::Json {
                let v = serde_json::json!({
                    "status": "refused",
                    "file": name,
                    "rows": report.rows,
                    "counts": report.counts,
                    "rejects_file": written.is_ok().then(|| path.display().to_string()),
                    "mapping": mapping,
                });
                println!("{}", serde_json::to_string_pretty(&v).map_err(err)?);
            }
            for r in report.rows_shown.iter().filter(|r| !r.errors.is_empty()).take(20) {
                eprintln!("line {}: {}", r.line, r.detail);
            }
            if report.counts.reject > 20 {
                eprintln!("… and {} more", report.counts.reject - 20);
            }
            gated_hint(report.gated);
            // A file of real contacts often holds a number or an address no check accepts (a range not yet
            // allocated, a typo): those rows need not be lost, and the way to keep them is named.
            let keep = match report.keepable {
                0 => String::new(),
                1 if report.counts.reject == 1 => {
                    ", pass --keep-invalid to import it as a Draft with its email or phone kept as typed, to fix later,"
                        .to_string()
                }
                n if n == report.counts.reject => {
                    ", pass --keep-invalid to import them as Drafts with their emails and phones kept as typed, to fix later,"
                        .to_string()
                }
                n => format!(
                    ", pass --keep-invalid to import the {n} whose only faults are emails or phones as Drafts (kept as typed, to fix later),"
                ),
            };
            return Err(format!(
                "nothing was imported: {} row(s) would be rejected; fix them{keep} or pass --skip-invalid to import the {} other row(s)",
                report.counts.reject,
                report.rows - report.counts.reject
            ));
        }
    }
    save_template()?;
    // Batches from here on are this run's: a failure before its batch is recorded (a mapping refused) names no
    // older failed import of the same file.
    let newest_before = core.import_history(actor, 1).ok().and_then(|h| h.first().map(|b| b.id)).unwrap_or(0);
    let b = core.start_import(actor, file, &name, &plan, &mut progress_printer()).map_err(|e| {
        // The chunks before the failure are in, in a batch of their own: say which, and what can be done.
        let failed = core.import_history(actor, 20).ok().and_then(|h| {
            h.into_iter().find(|b| {
                b.id > newest_before && b.file_name == name && b.status == rapport_core::imports::ImportStatus::Failed
            })
        });
        match failed {
            Some(b) if b.rows_done > 0 => format!(
                "import {} stopped after {} row(s): {e}\nthe rows before it are in; go on with: rapport import resume {}, \
                 or take them back with: rapport import undo {}",
                b.id, b.rows_done, b.id, b.id
            ),
            Some(b) => format!("import {} stopped before its first row was in: {e}", b.id),
            None => err(e),
        }
    })?;
    finish(core, actor, &b, Some(&rejects), a.format, &mapping)
}

fn rejects_path(file: &Path, a: &ImportArgs) -> PathBuf {
    a.rejects.clone().unwrap_or_else(|| {
        let mut p = file.to_path_buf().into_os_string();
        p.push(".rejects.csv");
        p.into()
    })
}

fn print_mapping(mapping: &[ColumnMapping], suggested: bool) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{} mapping:", if suggested { "suggested" } else { "the" });
    for m in mapping {
        let to = match m.target.as_str() {
            IGNORE => "(ignored)".to_string(),
            TO_NOTES => "notes".to_string(),
            t => t.to_string(),
        };
        let _ = writeln!(err, "  {} -> {to}", m.column);
    }
}

fn counts_text(c: &OutcomeCounts) -> String {
    let parts = [
        (c.create_active, "created Active"),
        (c.create_draft, "created Draft"),
        (c.update, "updated"),
        (c.unchanged, "unchanged"),
        (c.enrich, "enriched"),
        (c.review, "sent to the review queue"),
        (c.reject, "rejected"),
    ];
    let shown: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {w}")).collect();
    if shown.is_empty() {
        "no rows".into()
    } else {
        shown.join(", ")
    }
}

/// Rows refused by their stage's criteria alone (deals from another CRM, without the activities Rapport asks
/// for) are not to be fixed in the file: the way an Administrator brings them in is named.
fn gated_hint(gated: u32) {
    if gated > 0 {
        eprintln!(
            "{gated} of the rejected rows are refused only by their stage's entry criteria (an activity a file \
             cannot hold, a field the stage needs): an Administrator may bring them in their stage with --override \
             REASON, the reason logged on each"
        );
    }
}

fn print_dry_run(r: &DryRunReport, format: Format, mapping: &[ColumnMapping]) -> CliResult<()> {
    if format == Format::Json {
        // The mapping it was checked with, as a run's summary gives it (the text form prints it beforehand).
        let mut v = serde_json::to_value(r).map_err(err)?;
        v["mapping"] = serde_json::json!(mapping);
        println!("{}", serde_json::to_string_pretty(&v).map_err(err)?);
        return Ok(());
    }
    println!("dry run: {} row(s): {}", r.rows, counts_text(&r.counts));
    if r.keepable > 0 {
        println!(
            "{} of the rejected rows fail only on an email or phone: --keep-invalid imports them as Drafts, those kept as typed",
            r.keepable
        );
    }
    gated_hint(r.gated);
    if !r.unmapped.is_empty() {
        println!("ignored columns: {}", r.unmapped.join(", "));
    }
    if let Some(line) = r.checked_apart_from {
        println!(
            "rows from line {line} on were checked against the database and the rows before them, not against one \
             another (too many to hold): the run checks them all"
        );
    }
    const LISTED: usize = 50;
    for p in r.rows_shown.iter().take(LISTED) {
        println!(
            "line {}: {} {} {}",
            p.line,
            serde_json::to_value(p.action).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            p.name,
            p.detail
        );
    }
    // The list stopped without a word, under a count of rejected rows it did not reach.
    let total = usize::try_from(r.counts.total()).unwrap_or(usize::MAX);
    let listed = r.rows_shown.len().min(LISTED);
    if total > listed {
        let rejected = usize::try_from(r.counts.reject).unwrap_or(usize::MAX);
        let unlisted_rejects = rejected.saturating_sub(
            r.rows_shown.iter().take(LISTED).filter(|p| p.action == rapport_core::imports::RowAction::Reject).count(),
        );
        let why = if unlisted_rejects > 0 {
            format!(" ({unlisted_rejects} of them rejected: the import without --dry-run writes every rejected row, with why, to a file)")
        } else {
            String::new()
        };
        println!("… and {} more rows{why}", total - listed);
    }
    Ok(())
}

/// Streams the rejected rows of import `id` into `path`: into a file beside it first, then renamed over it, so
/// a write that fails part-way leaves `path` as it was. What is not a plain file (`/dev/stdout`, a pipe, a link)
/// is written through, as it is.
fn write_rejects(core: &Rapport, actor: &Actor, id: i64, path: &Path) -> Result<(), String> {
    crate::commands::write_whole(path, |out| {
        core.write_import_rejects(actor, id, out).map(|_| ()).map_err(|e| e.to_string())
    })
}

fn finish(
    core: &Rapport,
    actor: &Actor,
    b: &ImportBatch,
    rejects: Option<&Path>,
    format: Format,
    mapping: &[ColumnMapping],
) -> CliResult<()> {
    end_progress_line();
    let mut rejects_file = None;
    // The import is committed by now: a rejects file that cannot be written must not hide the batch (the user
    // would run the file again), so the summary is printed first and the failure said after it.
    let mut rejects_error = None;
    if b.counts.reject > 0 {
        if let Some(path) = rejects {
            match write_rejects(core, actor, b.id, path) {
                Ok(()) => rejects_file = Some(path.display().to_string()),
                Err(e) => rejects_error = Some(format!("could not write the rejected rows to {}: {e}", path.display())),
            }
        }
    }
    let done = |rejects_error: Option<String>| match rejects_error {
        Some(e) => Err(format!(
            "import {} is done, but {e}; they stay with the import, and the app's import history downloads them",
            b.id
        )),
        None => Ok(()),
    };
    if format == Format::Json {
        let mut v = serde_json::json!({
            "batch": b.id,
            "file": b.file_name,
            "status": b.status,
            "rows": b.rows_done,
            "counts": b.counts,
            "rejects_file": rejects_file,
            "rejects_error": rejects_error,
        });
        // A resume is not told the mapping again: none rather than an empty one.
        if !mapping.is_empty() {
            v["mapping"] = serde_json::json!(mapping);
        }
        println!("{}", serde_json::to_string_pretty(&v).map_err(err)?);
        return done(rejects_error);
    }
    println!("import {} of {}: {} ({:?})", b.id, b.file_name, counts_text(&b.counts), b.status);
    let created = b.counts.create_active + b.counts.create_draft + b.counts.review;
    // A row held for review is a new lead too, Active or Draft as its values make it: counted apart.
    let review = match b.counts.review {
        0 => String::new(),
        n => format!(", {n} held for review as possible duplicates"),
    };
    println!(
        "imported {created} lead(s) from {}: {} Active, {} Draft{review}",
        b.file_name, b.counts.create_active, b.counts.create_draft
    );
    if b.counts.create_draft > 0 {
        // `--needs-fixing` alone lists only the leads holding a value kept as typed: a Draft for a missing name
        // was not among them, and the hint listed nothing.
        println!(
            "list its Drafts with: rapport leads list --import {} --status draft (those holding an invalid email or \
             phone kept as typed: add --needs-fixing)",
            b.id
        );
    }
    if let Some(f) = rejects_file {
        println!("{} row(s) rejected, written with their errors to {f}", b.counts.reject);
    }
    println!("list its leads with: rapport leads list --import {}", b.id);
    if b.counts.review > 0 {
        println!("review its possible duplicates with: rapport duplicates queue --import {}", b.id);
    }
    println!("undo it with: rapport import undo {}", b.id);
    done(rejects_error)
}

fn print_undo(batch: i64, r: &UndoReport, format: Format) -> CliResult<()> {
    end_progress_line();
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(r).map_err(err)?);
        return Ok(());
    }
    println!("undid import {batch}: {} lead(s) removed, {} reverted, {} kept", r.removed, r.reverted, r.kept_count);
    for k in &r.kept {
        match &k.name {
            Some(name) => println!("  lead {} ({name}): {}", k.lead_id, k.reason),
            None => println!("  lead {}: {}", k.lead_id, k.reason),
        }
    }
    Ok(())
}

fn history(core: &Rapport, actor: &Actor, format: Format) -> CliResult<()> {
    let h = core.import_history(actor, 100).map_err(err)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&h).map_err(err)?);
        return Ok(());
    }
    if h.is_empty() {
        // An Administrator sees every import; others see their own.
        eprintln!("no imports yet that you may see (each user sees their own; an Administrator, all)");
    }
    for b in h {
        println!(
            "{:>5}  {}  {:<12} {}  {} of {} rows: {}",
            b.id,
            b.started_at,
            format!("{:?}", b.status).to_lowercase(),
            b.file_name,
            b.rows_done,
            b.rows_total.map(|t| t.to_string()).unwrap_or("?".into()),
            counts_text(&b.counts)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_a_channel_a_channel_and_detail_or_a_detail() {
        assert_eq!(parse_source("partner"), Ok((Some(SourceChannel::Partner), None)));
        assert_eq!(parse_source("Web-Form"), Ok((Some(SourceChannel::WebForm), None)));
        assert_eq!(parse_source("webform"), Ok((Some(SourceChannel::WebForm), None)), "separators aside");
        assert_eq!(
            parse_source("partner: Acme Leads"),
            Ok((Some(SourceChannel::Partner), Some("Acme Leads".to_string())))
        );
        assert_eq!(parse_source("Messe München 2026"), Ok((None, Some("Messe München 2026".to_string()))));
        assert_eq!(parse_source("CES"), Ok((None, Some("CES".to_string()))), "short details are not typos");
        assert_eq!(parse_source("Expo"), Ok((None, Some("Expo".to_string()))));
    }

    #[test]
    fn a_typo_of_a_channel_is_refused_with_the_channel() {
        for typo in ["partnr", "webfrom", "bulk_imprt", "affilate", "direct_entyr"] {
            let e = parse_source(typo).err().unwrap_or_default();
            assert!(e.contains("did you mean the channel"), "{typo}: {e}");
            assert!(e.contains(&format!("bulk_import:{typo}")), "says how to keep it as a detail: {e}");
        }
        let e = parse_source("partnr").err().unwrap_or_default();
        assert!(e.contains("channel partner"), "{e}");
        let e = parse_source("parnter:Acme").err().unwrap_or_default();
        assert!(e.contains("\"parnter\" is not a channel"), "{e}");
        // Said as a detail after the channel, the same text is taken.
        assert_eq!(parse_source("bulk_import:partnr"), Ok((Some(SourceChannel::BulkImport), Some("partnr".into()))));
    }
}
