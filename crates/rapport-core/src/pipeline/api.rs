use std::collections::BTreeMap;

use super::history;
use super::model::{Bottleneck, BottleneckGroup, StageStay, StageVelocity, TimeToClose, Velocity};
use super::velocity::{self, Tally};
use crate::access::{Actor, Permission};
use crate::clock::to_db_time;
use crate::error::{Error, Result};
use crate::leads::api::visible_lead;
use crate::rapport::Rapport;
use crate::settings::store as settings_store;
use crate::users::store as user_store;

/// The configured stages in pipeline order, then any others the history names (a stage removed since).
struct Stages {
    order: Vec<String>,
    labels: BTreeMap<String, String>,
    /// Each stage's pipeline: its key and name.
    pipelines: BTreeMap<String, (String, String)>,
    closed: Vec<String>,
    /// See [`StageVelocity::parking`].
    parking: Vec<String>,
}

impl Stages {
    fn load(conn: &rusqlite::Connection) -> Result<Self> {
        let rows = settings_store::stages(conn)?;
        let config = super::config::stages(conn)?;
        let first = |pipeline: &str| config.iter().filter(|s| s.pipeline == pipeline).min_by_key(|s| s.position);
        let parking = config
            .iter()
            .filter(|s| {
                config.iter().any(|o| o.stagnation.as_ref().is_some_and(|p| p.target == s.key))
                    && !s.closed
                    && first(&s.pipeline).is_some_and(|f| f.key != s.key && s.probability <= f.probability)
            })
            .map(|s| s.key.clone())
            .collect();
        let names: BTreeMap<String, String> =
            super::config::pipelines(conn)?.into_iter().map(|p| (p.key, p.label)).collect();
        let pipelines = config
            .iter()
            .map(|s| {
                let label = names.get(&s.pipeline).cloned().unwrap_or_else(|| s.pipeline.clone());
                (s.key.clone(), (s.pipeline.clone(), label))
            })
            .collect();
        Ok(Self {
            pipelines,
            order: rows.iter().map(|s| s.key.clone()).collect(),
            labels: rows.iter().map(|s| (s.key.clone(), s.label.clone())).collect(),
            closed: rows.iter().filter(|s| s.closed).map(|s| s.key.clone()).collect(),
            parking,
        })
    }

    fn label(&self, key: &str) -> String {
        self.labels.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// The pipeline of stage `key`, key and name ("" for a stage no longer configured).
    fn pipeline(&self, key: &str) -> (String, String) {
        self.pipelines.get(key).cloned().unwrap_or_default()
    }

    /// `keys` in pipeline order.
    fn ordered<'a>(&self, keys: impl Iterator<Item = &'a String>) -> Vec<String> {
        let mut v: Vec<String> = keys.cloned().collect();
        v.sort_by_key(|k| (self.order.iter().position(|o| o == k).unwrap_or(usize::MAX), k.clone()));
        v.dedup();
        v
    }
}

impl Rapport {
    /// Lead `id`'s stays in each stage, oldest first, with how long each lasted (the last one up to now).
    pub fn stage_history(&self, actor: &Actor, id: i64) -> Result<Vec<StageStay>> {
        let now = self.now_utc();
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            visible_lead(conn, &grant, id)?;
            let stages = Stages::load(conn)?;
            let moves = history::moves_of(conn, id)?;
            Ok::<_, Error>(
                velocity::stays(&moves)
                    .into_iter()
                    .map(|s| StageStay {
                        label: stages.label(&s.stage),
                        entered_at: to_db_time(s.entered),
                        exited_at: s.exited.map(to_db_time),
                        days: s.days(now),
                        stage: s.stage,
                    })
                    .collect(),
            )
        })
    }

    /// Time in each stage, time to close and the bottleneck of each owner and source, over the leads the actor
    /// may see (their campaigns), computed from the stage history.
    pub fn pipeline_velocity(&self, actor: &Actor) -> Result<Velocity> {
        let now = self.now_utc();
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let scope = grant.lead_scope();
            let stages = Stages::load(conn)?;
            let closed = |s: &str| stages.closed.iter().any(|c| c == s);
            let mut tally = Tally::default();
            history::for_each_lead(conn, &mut |facts, moves| {
                if scope.allows_campaign(&facts.campaign) {
                    tally.add(moves, &closed, facts.owner_id, facts.source.as_deref(), now);
                }
            })?;
            let names = user_store::usernames(conn)?;
            Ok::<_, Error>(report(&stages, &tally, &names))
        })
    }
}

fn report(stages: &Stages, t: &Tally, names: &std::collections::HashMap<i64, String>) -> Velocity {
    let seen = t.ended.keys().chain(t.current.keys()).chain(stages.order.iter());
    let velocity = stages
        .ordered(seen)
        .into_iter()
        .map(|stage| {
            let ended = t.ended.get(&stage).map(Vec::as_slice).unwrap_or_default();
            let now = t.current.get(&stage).map(Vec::as_slice).unwrap_or_default();
            let (pipeline, pipeline_label) = stages.pipeline(&stage);
            StageVelocity {
                label: stages.label(&stage),
                pipeline,
                pipeline_label,
                stays: ended.len() as u32,
                mean_days: velocity::mean(ended),
                median_days: velocity::median(ended),
                in_stage_now: now.len() as u32,
                mean_age_days: velocity::mean(now),
                parking: stages.parking.contains(&stage),
                stage,
            }
        })
        .collect();
    let to_close = stages
        .ordered(stages.closed.iter())
        .into_iter()
        .map(|stage| {
            let days = t.to_close.get(&stage).map(Vec::as_slice).unwrap_or_default();
            let (pipeline, pipeline_label) = stages.pipeline(&stage);
            TimeToClose {
                label: stages.label(&stage),
                pipeline,
                pipeline_label,
                leads: days.len() as u32,
                mean_days: velocity::mean(days),
                median_days: velocity::median(days),
                stage,
            }
        })
        .collect();
    let mut bottlenecks = Vec::new();
    // A closing stage is no bottleneck: a stay there ends only when a deal is reopened. Nor is a parking stage,
    // where leads wait by design until someone takes them up again.
    let open_stages = |per_stage: &BTreeMap<String, Vec<f64>>| -> BTreeMap<String, Vec<f64>> {
        per_stage
            .iter()
            .filter(|(s, _)| !stages.closed.contains(s) && !stages.parking.contains(s))
            .map(|(s, d)| (s.clone(), d.clone()))
            .collect()
    };
    let mut add = |by: BottleneckGroup, group: String, per_stage: &BTreeMap<String, Vec<f64>>| {
        // In each pipeline the group has stays in, its longest step.
        let mut per_pipeline: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
        for (stage, days) in open_stages(per_stage) {
            per_pipeline.entry(stages.pipeline(&stage).0).or_default().insert(stage, days);
        }
        for in_pipeline in per_pipeline.values() {
            if let Some((stage, mean_days, stays)) = velocity::longest(in_pipeline, &stages.order) {
                let (pipeline, pipeline_label) = stages.pipeline(stage);
                bottlenecks.push(Bottleneck {
                    by,
                    group: group.clone(),
                    stage: stage.to_string(),
                    label: stages.label(stage),
                    pipeline,
                    pipeline_label,
                    mean_days,
                    stays: stays as u32,
                });
            }
        }
    };
    for (owner, per_stage) in &t.by_owner {
        let group = match owner {
            Some(id) => names.get(id).cloned().unwrap_or_else(|| format!("user {id}")),
            None => "(no owner)".to_string(),
        };
        add(BottleneckGroup::Owner, group, per_stage);
    }
    for (source, per_stage) in &t.by_source {
        add(BottleneckGroup::Source, source.clone().unwrap_or_else(|| "(unknown)".to_string()), per_stage);
    }
    // The longest first, so the view opens on the worst.
    bottlenecks.sort_by(|a, b| {
        (a.by as u8).cmp(&(b.by as u8)).then(b.mean_days.total_cmp(&a.mean_days)).then(a.group.cmp(&b.group))
    });
    Velocity { stages: velocity, to_close, bottlenecks }
}
