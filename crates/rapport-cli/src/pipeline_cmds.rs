//! `rapport pipeline ...`: the stages and their entry criteria, moving a lead through the gate (or asking for
//! the approval a rule wants), activities on a lead, a lead's stage history and the pipeline's velocity, as text
//! or JSON.
use std::io::Write as _;

use clap::Subcommand;
use rapport_core::pipeline::{ActivityKind, BottleneckGroup, NewActivity, NewStage, Passing, StageOutcome};
use rapport_core::{Actor, Error, Rapport};

use crate::session::CliResult;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

#[derive(Subcommand)]
pub enum PipelineCommand {
    /// A lead's stays in each stage, oldest first, with their durations.
    History {
        lead: i64,
        #[arg(long)]
        json: bool,
    },
    /// Time in each stage (mean and median of ended stays, leads there now), time to close, and the stage
    /// that holds each owner's and each source's leads longest.
    Velocity {
        #[arg(long)]
        json: bool,
    },
    /// The stages with their probability and entry criteria.
    Stages {
        #[arg(long)]
        json: bool,
    },
    /// Add a pipeline (Administrators), e.g. renewals beside new business; add its stages with add-stage.
    AddPipeline {
        /// Lower-case letters, digits and _: what add-stage --pipeline takes.
        key: String,
        label: String,
    },
    /// Put a pipeline's stages in another order (Administrators): every stage of it, by key, in the new order.
    /// The board's columns follow; the first stays first (a lead without a stage enters it).
    Reorder {
        #[arg(required = true)]
        stages: Vec<String>,
        #[arg(long, default_value = "sales")]
        pipeline: String,
    },
    /// Add a stage to a pipeline (Administrators): an open one comes before the pipeline's closing stages.
    AddStage {
        /// Lower-case letters, digits and _, unique across pipelines.
        key: String,
        label: String,
        #[arg(long, default_value = "sales")]
        pipeline: String,
        /// open, won or lost.
        #[arg(long, default_value = "open")]
        outcome: String,
    },
    /// Log an activity on a lead: call, email, meeting, note, proposal (sent) or task (open until done).
    Activity {
        lead: i64,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        subject: String,
        #[arg(long, default_value = "")]
        outcome: String,
        #[arg(long)]
        minutes: Option<u32>,
        /// A task's due time (RFC 3339). It reminds you then, as the app's tasks do, unless told otherwise.
        #[arg(long)]
        due: Option<String>,
        /// Remind this many minutes before the due time instead.
        #[arg(long, value_name = "MINUTES", conflicts_with = "no_reminder")]
        remind_before: Option<u32>,
        /// No reminder for the task.
        #[arg(long)]
        no_reminder: bool,
    },
    /// Apply the stagnation policy: leads inactive longer than their stage allows move (through the gate) to
    /// Nurture or Lost. --dry-run lists what would move and writes nothing.
    Sweep {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Set a stage's stagnation policy: after N business days without activity, move to TARGET.
    Policy {
        stage: String,
        #[arg(long, required_unless_present = "off")]
        after: Option<u16>,
        #[arg(long, required_unless_present = "off")]
        to: Option<String>,
        /// The lost reason given when TARGET is a lost stage.
        #[arg(long)]
        reason: Option<String>,
        /// Remove the stage's policy.
        #[arg(long, conflicts_with_all = ["after", "to", "reason"])]
        off: bool,
    },
    /// The moves waiting for an Administrator's approval, oldest first.
    Approvals {
        #[arg(long)]
        json: bool,
    },
    /// Approve (or with --reject, reject) a waiting move, with a comment.
    Decide {
        request: i64,
        #[arg(long)]
        reject: bool,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Withdraw a move you asked approval for (only who asked may).
    Withdraw { request: i64 },
    /// Move a lead to STAGE (its key or its label) through the stage's gate: its criteria, and the approval a
    /// rule may ask for (--request-approval asks for it instead of refusing).
    Move {
        lead: i64,
        stage: String,
        /// Why the deal was lost (a configured reason, key or label), when STAGE is a lost stage.
        #[arg(long)]
        lost_reason: Option<String>,
        /// When a rule asks for an Administrator's approval, ask for it (the lead stays where it is until then).
        #[arg(long)]
        request_approval: bool,
        /// The note the approver reads with the request.
        #[arg(long, default_value = "", requires = "request_approval")]
        note: String,
        /// Administrators: pass the stage's criteria and approval anyway, for this reason (logged with the move).
        #[arg(long = "override", value_name = "REASON", conflicts_with = "request_approval")]
        override_reason: Option<String>,
    },
    /// Mark an open task done (its id is in `pipeline activities`).
    Done { activity: i64 },
    /// Remove an activity logged by mistake (who logged it, or an Administrator); its record stays in the log.
    RemoveActivity { activity: i64 },
    /// Put back an activity removed by mistake, as it was.
    RestoreActivity { activity: i64 },
    /// A lead's activities, newest first.
    Activities {
        lead: i64,
        #[arg(long)]
        json: bool,
    },
}

fn days(d: Option<f64>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{d:.1}"))
}

pub fn run(core: &Rapport, actor: &Actor, cmd: &PipelineCommand) -> CliResult<()> {
    let mut o = std::io::stdout().lock();
    match cmd {
        PipelineCommand::Stages { json } => {
            let c = core.pipeline_config(actor).map_err(err)?;
            if *json {
                return writeln!(o, "{}", serde_json::to_string_pretty(&c).map_err(err)?).map_err(err);
            }
            for s in &c.stages {
                let mut needs: Vec<String> = s.required_fields.clone();
                needs.extend(s.required_activities.iter().map(|k| format!("“{}” activity", k.label())));
                let needs = match (needs.is_empty(), s.asked_when_skipped) {
                    (true, _) => "-".to_string(),
                    (false, false) => needs.join(", "),
                    (false, true) => format!("{} (also of leads skipping it)", needs.join(", ")),
                };
                // The key too: it is what `--stage` and `pipeline move` take, besides the label.
                writeln!(o, "{:<16} {:<14} {:>3}%  needs: {needs}", s.label, s.key, s.probability).map_err(err)?;
            }
        }
        PipelineCommand::AddPipeline { key, label } => {
            core.create_pipeline(actor, key, label).map_err(err)?;
            writeln!(o, "pipeline {} added ({label}): add its stages with `pipeline add-stage`", key.trim())
                .map_err(err)?;
        }
        PipelineCommand::Reorder { stages, pipeline } => {
            let config = core.reorder_stages(actor, pipeline.trim(), None, stages).map_err(err)?;
            let mut ordered: Vec<_> = config.stages.iter().filter(|s| s.pipeline == pipeline.trim()).collect();
            ordered.sort_by_key(|s| s.position);
            let labels: Vec<&str> = ordered.iter().map(|s| s.label.as_str()).collect();
            writeln!(o, "{}: {}", pipeline.trim(), labels.join(" → ")).map_err(err)?;
        }
        PipelineCommand::AddStage { key, label, pipeline, outcome } => {
            let outcome = match outcome.trim().to_ascii_lowercase().as_str() {
                "open" => StageOutcome::Open,
                "won" => StageOutcome::Won,
                "lost" => StageOutcome::Lost,
                other => return Err(format!("unknown outcome \"{other}\": one of open, won, lost")),
            };
            let stage = NewStage { pipeline: pipeline.clone(), key: key.clone(), label: label.clone(), outcome };
            let c = core.create_stage(actor, &stage).map_err(err)?;
            let made = c.stages.iter().find(|s| s.key == key.trim());
            let probability = made.map_or(0, |s| s.probability);
            writeln!(o, "stage {} added to {pipeline} ({label}, {probability}%)", key.trim()).map_err(err)?;
        }
        PipelineCommand::Activity { lead, kind, subject, outcome, minutes, due, remind_before, no_reminder } => {
            let names: Vec<&str> = ActivityKind::ALL.iter().map(|k| k.as_str()).collect();
            let kind = ActivityKind::parse(kind.trim())
                .ok_or_else(|| format!("unknown kind \"{kind}\": one of {}", names.join(", ")))?;
            if (remind_before.is_some() || *no_reminder) && due.is_none() {
                return Err("a reminder is counted from the due time: give --due too".into());
            }
            // An unreadable due time is the core's to refuse, naming the field: no reminder is made from it.
            let remind_at = match (due.as_deref().map(chrono::DateTime::parse_from_rfc3339), no_reminder) {
                (Some(Ok(due)), false) => {
                    let before = chrono::Duration::minutes(i64::from(remind_before.unwrap_or(0)));
                    Some(
                        (due.with_timezone(&chrono::Utc) - before).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    )
                }
                _ => None,
            };
            let input = NewActivity {
                kind: Some(kind),
                subject: subject.clone(),
                outcome: outcome.clone(),
                duration_minutes: *minutes,
                due_at: due.clone(),
                remind_at,
                ..Default::default()
            };
            let a = core.log_activity(actor, *lead, &input).map_err(err)?;
            writeln!(o, "logged activity {} ({}) on lead {}", a.id, a.kind.label(), a.lead_id).map_err(err)?;
        }
        PipelineCommand::Sweep { dry_run, json } => {
            let r = core.pipeline_sweep(actor, *dry_run).map_err(err)?;
            if *json {
                return writeln!(o, "{}", serde_json::to_string_pretty(&r).map_err(err)?).map_err(err);
            }
            let verb = if r.dry_run { "would move" } else { "moved" };
            for m in &r.moves {
                let what = match &m.refused {
                    Some(why) => format!("stays in {} (refused: {why})", m.from_stage),
                    None => format!("{} → {}", m.from_stage, m.to_stage),
                };
                writeln!(o, "#{} {}: {what}, inactive {} business days", m.lead_id, m.name, m.inactive_days)
                    .map_err(err)?;
            }
            writeln!(o, "{verb} {} lead(s); the gate refused {}", r.moved, r.refused).map_err(err)?;
        }
        PipelineCommand::Policy { stage, after, to, reason, off } => {
            let policy = match (after, to, off) {
                (_, _, true) => None,
                (Some(after_days), Some(target), false) => Some(rapport_core::pipeline::StagnationPolicy {
                    after_days: *after_days,
                    target: target.clone(),
                    lost_reason: reason.clone(),
                }),
                _ => return Err("give --after and --to, or --off".into()),
            };
            core.set_stagnation_policy(actor, stage, policy.as_ref()).map_err(err)?;
            writeln!(
                o,
                "{stage}: {}",
                policy.map_or("no stagnation policy".to_string(), |p| {
                    format!("after {} business days without activity, to {}", p.after_days, p.target)
                })
            )
            .map_err(err)?;
        }
        PipelineCommand::Approvals { json } => {
            let queue = core.approval_queue(actor).map_err(err)?;
            if *json {
                return writeln!(o, "{}", serde_json::to_string_pretty(&queue).map_err(err)?).map_err(err);
            }
            if queue.is_empty() {
                writeln!(o, "no move waits for approval").map_err(err)?;
            }
            for r in queue {
                // What the approver decides on: the deal's worth, and who asked (a requester since removed is
                // said so, not left blank).
                let who = r.requested_by.unwrap_or_else(|| "a user no longer listed".into());
                let deal = if r.value.is_empty() {
                    "no deal value".to_string()
                } else {
                    format!("{} {}", r.value, r.currency)
                };
                writeln!(
                    o,
                    "#{} {} ({deal}): {} → {} ({}), asked by {who} at {}: {}",
                    r.id, r.lead_name, r.from_stage, r.to_stage, r.rule, r.requested_at, r.note
                )
                .map_err(err)?;
            }
        }
        PipelineCommand::Move { lead, stage, lost_reason, request_approval, note, override_reason } => {
            move_lead(
                &mut o,
                core,
                actor,
                *lead,
                stage,
                lost_reason.as_deref(),
                *request_approval,
                note,
                override_reason.as_deref(),
            )?;
        }
        PipelineCommand::Done { activity } => {
            let a = core
                .complete_activity(actor, *activity)
                .map_err(|e| crate::session::with_fields(&format!("activity {activity} was not marked done"), &e))?;
            writeln!(o, "{} {} done on lead {}: {}", a.kind.label(), a.id, a.lead_id, a.subject).map_err(err)?;
        }
        PipelineCommand::RemoveActivity { activity } => {
            core.remove_activity(actor, *activity)
                .map_err(|e| crate::session::with_fields(&format!("activity {activity} was not removed"), &e))?;
            writeln!(o, "activity {activity} removed").map_err(err)?;
        }
        PipelineCommand::RestoreActivity { activity } => {
            let a = core
                .restore_activity(actor, *activity)
                .map_err(|e| crate::session::with_fields(&format!("activity {activity} was not put back"), &e))?;
            writeln!(o, "{} {} back on lead {}: {}", a.kind.label(), a.id, a.lead_id, a.subject).map_err(err)?;
        }
        PipelineCommand::Decide { request, reject, comment } => {
            let r = core.decide_approval(actor, *request, !*reject, comment).map_err(err)?;
            writeln!(o, "request {} {}: {} → {}", r.id, r.status.as_str(), r.from_stage, r.to_stage).map_err(err)?;
        }
        PipelineCommand::Withdraw { request } => {
            let r = core.withdraw_approval(actor, *request).map_err(err)?;
            writeln!(o, "request {} withdrawn: {} → {}", r.id, r.from_stage, r.to_stage).map_err(err)?;
        }
        PipelineCommand::Activities { lead, json } => {
            let list = core.lead_activities(actor, *lead).map_err(err)?;
            if *json {
                return writeln!(o, "{}", serde_json::to_string_pretty(&list).map_err(err)?).map_err(err);
            }
            if list.is_empty() {
                writeln!(o, "no activity on lead {lead}").map_err(err)?;
            }
            for a in list {
                let when = match (&a.done_at, &a.due_at) {
                    (Some(done), _) => done.clone(),
                    (None, Some(due)) => format!("open, due {due}"),
                    (None, None) => "open".to_string(),
                };
                writeln!(o, "#{:<5} {:<14} {}  {}", a.id, a.kind.label(), when, a.subject).map_err(err)?;
            }
        }
        PipelineCommand::History { lead, json } => {
            let stays = core.stage_history(actor, *lead).map_err(err)?;
            if *json {
                return writeln!(o, "{}", serde_json::to_string_pretty(&stays).map_err(err)?).map_err(err);
            }
            for s in stays {
                let until = s.exited_at.unwrap_or_else(|| "now".to_string());
                writeln!(o, "{:<16} {} → {}  {:.1} days", s.label, s.entered_at, until, s.days).map_err(err)?;
            }
        }
        PipelineCommand::Velocity { json } => {
            let v = core.pipeline_velocity(actor).map_err(err)?;
            if *json {
                return writeln!(o, "{}", serde_json::to_string_pretty(&v).map_err(err)?).map_err(err);
            }
            // Two pipelines may each have a "Won": a stage is then named with its pipeline.
            let several = v.stages.iter().any(|s| s.pipeline != v.stages[0].pipeline);
            let named = |label: &str, pipeline: &str| {
                if several && !pipeline.is_empty() {
                    format!("{label} ({pipeline})")
                } else {
                    label.to_string()
                }
            };
            // The stage column as wide as its longest name.
            let w =
                v.stages.iter().map(|s| named(&s.label, &s.pipeline_label).chars().count()).max().unwrap_or(0).max(16);
            writeln!(
                o,
                "{:<w$} {:>6} {:>10} {:>12} {:>8} {:>14}",
                "stage", "stays", "mean days", "median days", "now", "mean age days"
            )
            .map_err(err)?;
            for s in &v.stages {
                writeln!(
                    o,
                    "{:<w$} {:>6} {:>10} {:>12} {:>8} {:>14}",
                    named(&s.label, &s.pipeline_label),
                    s.stays,
                    days(s.mean_days),
                    days(s.median_days),
                    s.in_stage_now,
                    days(s.mean_age_days)
                )
                .map_err(err)?;
            }
            // Said once: the table's rows keep their columns.
            let parking: Vec<&str> = v.stages.iter().filter(|s| s.parking).map(|s| s.label.as_str()).collect();
            if !parking.is_empty() {
                writeln!(o, "parking (quiet leads wait there by design, never a bottleneck): {}", parking.join(", "))
                    .map_err(err)?;
            }
            for c in &v.to_close {
                writeln!(
                    o,
                    "to {}: {} leads, mean {} days, median {} days",
                    named(&c.label, &c.pipeline_label),
                    c.leads,
                    days(c.mean_days),
                    days(c.median_days)
                )
                .map_err(err)?;
            }
            for b in &v.bottlenecks {
                let by = match b.by {
                    BottleneckGroup::Owner => "owner",
                    BottleneckGroup::Source => "source",
                };
                writeln!(
                    o,
                    "bottleneck of {by} {}: {} ({:.1} days on average, {} stays)",
                    b.group,
                    named(&b.label, &b.pipeline_label),
                    b.mean_days,
                    b.stays
                )
                .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// A stage as typed: its key or its label, in any case (`pipeline stages` lists both).
pub(crate) fn stage_key(core: &Rapport, actor: &Actor, typed: &str) -> CliResult<String> {
    let config = core.pipeline_config(actor).map_err(err)?;
    let t = typed.trim();
    if let Some(s) = config.stages.iter().find(|s| s.key.eq_ignore_ascii_case(t)) {
        return Ok(s.key.clone());
    }
    // Two pipelines may each have a "New lead": a label that names several is asked by key, not taken as the
    // first pipeline's (which moved a sales lead into another pipeline without a word).
    let labelled: Vec<_> =
        config.stages.iter().filter(|s| !t.is_empty() && s.label.trim().to_lowercase() == t.to_lowercase()).collect();
    match labelled.as_slice() {
        [one] => Ok(one.key.clone()),
        [] => {
            let known: Vec<String> = config.stages.iter().map(|s| format!("{} ({})", s.key, s.label)).collect();
            Err(format!("\"{typed}\" is not a stage: one of {}", known.join(", ")))
        }
        several => {
            let keys: Vec<String> = several.iter().map(|s| format!("{} ({} pipeline)", s.key, s.pipeline)).collect();
            Err(format!("\"{typed}\" is the label of several stages: give its key, one of {}", keys.join(", ")))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn move_lead(
    o: &mut impl std::io::Write,
    core: &Rapport,
    actor: &Actor,
    id: i64,
    stage: &str,
    lost_reason: Option<&str>,
    request_approval: bool,
    note: &str,
    override_reason: Option<&str>,
) -> CliResult<()> {
    let key = stage_key(core, actor, stage)?;
    let lead = core.get_lead(actor, id).map_err(err)?;
    let passing = override_reason.map_or(Passing::Checked, Passing::Override);
    match core.move_lead_losing(actor, id, lead.version, &key, lost_reason, passing) {
        Ok(saved) if saved.batch_id.is_none() => {
            writeln!(o, "lead {id} is in {} already; nothing changed", saved.lead.stage).map_err(err)
        }
        Ok(saved) => writeln!(
            o,
            "moved lead {id} ({}) from {} to {} (batch {})",
            saved.lead.display_name(),
            lead.stage,
            saved.lead.stage,
            saved.batch_id.unwrap_or_default()
        )
        .map_err(err),
        Err(Error::NeedsApproval(needed)) if request_approval => {
            let r = core.request_move(actor, id, lead.version, &key, lost_reason.unwrap_or(""), note).map_err(err)?;
            writeln!(
                o,
                "asked for approval (request {}): {} → {} ({}); the lead stays in {} until an Administrator decides",
                r.id, r.from_stage, r.to_stage, needed.rule, r.from_stage
            )
            .map_err(err)
        }
        Err(Error::NeedsApproval(needed)) => Err(format!(
            "{needed}: run it again with --request-approval (and --note for the approver); nothing was changed"
        )),
        Err(e) => Err(crate::session::with_fields("the lead was not moved", &e)),
    }
}
