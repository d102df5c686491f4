//! `rapport pipeline ...`: a lead's stage history and the pipeline's velocity, as text or JSON.
use std::io::Write as _;

use clap::Subcommand;
use rapport_core::pipeline::BottleneckGroup;
use rapport_core::{Actor, Rapport};

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
}

fn days(d: Option<f64>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{d:.1}"))
}

pub fn run(core: &Rapport, actor: &Actor, cmd: &PipelineCommand) -> CliResult<()> {
    let mut o = std::io::stdout().lock();
    match cmd {
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
            writeln!(
                o,
                "{:<16} {:>6} {:>10} {:>12} {:>8} {:>14}",
                "stage", "stays", "mean days", "median days", "now", "mean age days"
            )
            .map_err(err)?;
            for s in &v.stages {
                writeln!(
                    o,
                    "{:<16} {:>6} {:>10} {:>12} {:>8} {:>14}",
                    s.label,
                    s.stays,
                    days(s.mean_days),
                    days(s.median_days),
                    s.in_stage_now,
                    days(s.mean_age_days)
                )
                .map_err(err)?;
            }
            for c in &v.to_close {
                writeln!(
                    o,
                    "to {}: {} leads, mean {} days, median {} days",
                    c.label,
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
                    b.group, b.label, b.mean_days, b.stays
                )
                .map_err(err)?;
            }
        }
    }
    Ok(())
}
