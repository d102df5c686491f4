//! The pipeline's write operations and configuration reads: stage settings (Administrators), activities
//! (anyone who may change the lead, within their campaigns).
use chrono::DateTime;

use super::activities::{self, Activity, ActivityKind, NewActivity, ValidActivity};
use super::board::{self, Board, BoardColumn, BoardQuery};
use super::config::{self, LostReason, NewStage, PipelineConfig, StageConfig, StageSettings};
use super::gate::Passing;
use crate::access::{Actor, Grant, Permission};
use crate::audit::store as changelog;
use crate::audit::Origin;
use crate::error::{Error, FieldError, Result};
use crate::leads::api::visible_lead;
use crate::leads::{fields, ValidationErrors};
use crate::rapport::Rapport;

const SUBJECT_CHARS: usize = 200;
const BODY_CHARS: usize = 20_000;

/// Checks an RFC 3339 time and gives it the database's one spelling (UTC, milliseconds): times are compared
/// as text, and "…09:00:00Z" sorts after "…09:00:00.012Z".
fn instant(field: &str, value: &mut Option<String>, errors: &mut Vec<FieldError>) {
    if let Some(v) = value {
        match DateTime::parse_from_rfc3339(v.trim()) {
            Ok(t) => *v = crate::clock::to_db_time(t.with_timezone(&chrono::Utc)),
            Err(_) => errors.push(FieldError::new(field, format!("\"{v}\" is not a date and time (RFC 3339)"))),
        }
    }
}

/// A configuration key: lower-case letters, digits and underscores, as stages and reasons are named in files.
fn checked_key(field: &str, key: &str) -> Result<String> {
    let k = key.trim();
    let ok =
        !k.is_empty() && k.len() <= 40 && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(k.to_string())
    } else {
        Err(ValidationErrors::one(field, format!("\"{k}\": use lower-case letters, digits and _")).into())
    }
}

/// The longest label of a stage or a pipeline: a board column's header.
const LABEL_CHARS: usize = 60;

/// A stage's or a pipeline's label, checked as a lead's text is (it heads a board column, and the CLI prints it:
/// a terminal escape in it ran in every terminal listing the stages), into `errors`; the label as kept.
fn checked_label(value: &str, errors: &mut Vec<FieldError>) -> String {
    let label = crate::leads::clean_text("label", value, LABEL_CHARS, false, errors);
    if label.is_empty() {
        errors.push(FieldError::new("label", "is required"));
    }
    label
}

/// A stage is moved by its label too (the CLI, an import's column): two stages of one pipeline with one label
/// would make the move a guess. Pipelines may share a label (each its own "Won").
fn label_taken(tx: &rusqlite::Transaction<'_>, pipeline: &str, key: &str, label: &str) -> Result<Option<FieldError>> {
    let folded = label.to_lowercase();
    let other = config::stages(tx)?
        .into_iter()
        .find(|s| s.pipeline == pipeline && s.key != key && s.label.trim().to_lowercase() == folded);
    Ok(other.map(|o| {
        FieldError::new("label", format!("\"{label}\" is stage {}'s label already; give each its own", o.key))
    }))
}

/// How far ahead of this computer's clock a logged activity may be, for another device's clock.
const CLOCK_SKEW_MINUTES: i64 = 5;

/// `now` is this computer's time: what was done (a call, a proposal sent) was done by now.
pub(super) fn validate_activity(input: &mut NewActivity, now: DateTime<chrono::Utc>) -> Result<ValidActivity<'_>> {
    let mut errors = Vec::new();
    let Some(kind) = input.kind else {
        return Err(ValidationErrors::one("kind", "choose what kind of activity this is").into());
    };
    if input.subject.trim().is_empty() {
        errors.push(FieldError::new("subject", "is required"));
    }
    // Checked as a lead's text is: a control character (a terminal escape) or a direction override shown on the
    // timeline and in the CLI would make it read as something else; a line typed into the subject is a space.
    input.subject = crate::leads::clean_text("subject", &input.subject, SUBJECT_CHARS, false, &mut errors);
    input.body = crate::leads::clean_text("body", &input.body, BODY_CHARS, true, &mut errors);
    input.outcome = crate::leads::clean_text("outcome", &input.outcome, SUBJECT_CHARS, false, &mut errors);
    instant("due_at", &mut input.due_at, &mut errors);
    instant("remind_at", &mut input.remind_at, &mut errors);
    instant("done_at", &mut input.done_at, &mut errors);
    // A call dated next year would hold the lead out of every stagnation sweep until then, and a proposal
    // "sent" tomorrow would open the Engagement stage today.
    let latest = crate::clock::to_db_time(now + chrono::Duration::minutes(CLOCK_SKEW_MINUTES));
    if input.done_at.as_deref().is_some_and(|d| !errors.iter().any(|e| e.field == "done_at") && d > latest.as_str()) {
        errors.push(FieldError::new("done_at", "is in the future: log what was done once it is done, or add a task"));
    }
    if kind != ActivityKind::Task && (input.due_at.is_some() || input.remind_at.is_some()) {
        errors.push(FieldError::new("due_at", "only a task has a due date or a reminder"));
    }
    if input.duration_minutes.is_some_and(|m| m > 100_000) {
        errors.push(FieldError::new("duration_minutes", "is longer than 100,000 minutes"));
    }
    if errors.is_empty() {
        Ok(ValidActivity { kind, input })
    } else {
        Err(ValidationErrors { errors }.into())
    }
}

impl Rapport {
    /// The pipelines, their stages with entry criteria, and the lost reasons.
    pub fn pipeline_config(&self, actor: &Actor) -> Result<PipelineConfig> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(PipelineConfig {
                pipelines: config::pipelines(conn)?,
                stages: config::stages(conn)?,
                lost_reasons: config::lost_reasons(conn)?,
            })
        })
    }

    /// Changes a stage's label, probability, colour and entry criteria (Administrators). Each changed setting
    /// is a change-log row (entity `stage`, field `<stage>.<setting>`).
    pub fn update_stage(&self, actor: &Actor, key: &str, settings: &StageSettings) -> Result<PipelineConfig> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            self.write_stage_settings(tx, &grant, key, settings, false)?;
            config_of(tx)
        })
    }

    /// A stage's settings and its stagnation policy, as the stage dialog saves them: both or, when either is
    /// refused, neither (new entry criteria live without the policy the same save asked for would be half a save).
    pub fn save_stage(
        &self,
        actor: &Actor,
        key: &str,
        settings: &StageSettings,
        policy: Option<&super::StagnationPolicy>,
    ) -> Result<PipelineConfig> {
        self.save_stage_as_seen(actor, key, None, settings, policy)
    }

    /// [`Rapport::save_stage`] from a dialog that read the stage as `seen`: refused as a conflict when another
    /// Administrator saved it meanwhile (their entry criteria or policy would go without a word).
    pub fn save_stage_as_seen(
        &self,
        actor: &Actor,
        key: &str,
        seen: Option<&StageConfig>,
        settings: &StageSettings,
        policy: Option<&super::StagnationPolicy>,
    ) -> Result<PipelineConfig> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            if let (Some(seen), Some(now)) = (seen, config::stage(tx, key)?) {
                let set = |s: &StageConfig| {
                    (
                        s.label.clone(),
                        s.probability,
                        s.colour.clone(),
                        s.required_fields.clone(),
                        s.required_activities.clone(),
                        s.asked_when_skipped,
                        s.stagnation.clone(),
                    )
                };
                if set(seen) != set(&now) {
                    return Err(Error::Conflict { entity: "stage" });
                }
            }
            // The policy this save gives the stage replaces its own: checked against the stage as saved (by the
            // policy's own write), not the stored policy against the new probability (which refused lowering New
            // and sending its quiet leads to Lost instead of Nurture in one save).
            let replaced = super::stagnation::policy_of(tx, key)?.as_ref() != policy;
            self.write_stage_settings(tx, &grant, key, settings, replaced)?;
            self.write_stagnation_policy(tx, &grant, key, policy)?;
            config_of(tx)
        })
    }

    fn write_stage_settings(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        key: &str,
        settings: &StageSettings,
        own_policy_replaced: bool,
    ) -> Result<()> {
        let old = config::stage(tx, key)?.ok_or_else(|| Error::NotFound { entity: "stage", id: key.into() })?;
        let mut errors = Vec::new();
        let label = checked_label(&settings.label, &mut errors);
        if !label.is_empty() {
            errors.extend(label_taken(tx, &old.pipeline, key, &label)?);
        }
        if settings.probability > 100 {
            errors.push(FieldError::new("probability", "is a percentage, 0 to 100"));
        }
        if settings.colour.trim().is_empty() || settings.colour.chars().count() > 32 {
            errors.push(FieldError::new("colour", "is a CSS colour, like #0ea5e9"));
        }
        for name in &settings.required_fields {
            if !fields::field(name).is_some_and(|f| f.info.editable) {
                errors.push(FieldError::new("required_fields", format!("\"{name}\" is not a lead field")));
            }
        }
        if settings.probability != old.probability && settings.probability <= 100 {
            errors.extend(policies_stopped(tx, &old, settings.probability, own_policy_replaced)?);
        }
        if !errors.is_empty() {
            return Err(ValidationErrors { errors }.into());
        }
        let settings = StageSettings { label, ..settings.clone() };
        let list = |v: &[String]| v.join(", ");
        let kinds = |v: &[ActivityKind]| v.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
        let changes = [
            ("label", old.label.clone(), settings.label.clone()),
            ("probability", old.probability.to_string(), settings.probability.to_string()),
            ("colour", old.colour.clone(), settings.colour.clone()),
            ("required_fields", list(&old.required_fields), list(&settings.required_fields)),
            ("required_activities", kinds(&old.required_activities), kinds(&settings.required_activities)),
            ("asked_when_skipped", old.asked_when_skipped.to_string(), settings.asked_when_skipped.to_string()),
        ];
        if changes.iter().any(|(_, a, b)| a != b) {
            let batch = self.begin_batch(tx, grant, &Origin::manual())?;
            config::update_stage(tx, key, &settings)?;
            for (name, a, b) in changes.iter().filter(|(_, a, b)| a != b) {
                changelog::record(tx, &batch, "stage", 0, &format!("{key}.{name}"), Some(a), Some(b))?;
            }
        }
        Ok(())
    }

    /// Adds a pipeline (Administrators), for instance renewals beside new business; its stages follow.
    pub fn create_pipeline(&self, actor: &Actor, key: &str, label: &str) -> Result<PipelineConfig> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let key = checked_key("key", key)?;
            let mut errors = Vec::new();
            let label = checked_label(label, &mut errors);
            if !errors.is_empty() {
                return Err(ValidationErrors { errors }.into());
            }
            if config::pipelines(tx)?.iter().any(|p| p.key == key) {
                return Err(ValidationErrors::one("key", format!("a pipeline \"{key}\" exists already")).into());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            config::insert_pipeline(tx, &key, &label)?;
            changelog::record(tx, &batch, "pipeline", 0, &key, None, Some(&label))?;
            Ok(PipelineConfig {
                pipelines: config::pipelines(tx)?,
                stages: config::stages(tx)?,
                lost_reasons: config::lost_reasons(tx)?,
            })
        })
    }

    /// Puts the stages of `pipeline` in the order `order` names them (Administrators): the board's columns and
    /// every list of stages follow it. `order` names each of the pipeline's stages once; one added or removed
    /// since the screen read them is a validation error, nothing written. `seen`, the order as the screen read
    /// it (None: the CLI's, which names the whole order): another Administrator's reorder since is a conflict.
    /// Each stage that moves is logged.
    pub fn reorder_stages(
        &self,
        actor: &Actor,
        pipeline: &str,
        seen: Option<&[String]>,
        order: &[String],
    ) -> Result<PipelineConfig> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let mut current: Vec<StageConfig> =
                config::stages(tx)?.into_iter().filter(|s| s.pipeline == pipeline).collect();
            if current.is_empty() {
                return Err(ValidationErrors::one("pipeline", format!("no pipeline \"{pipeline}\" with stages")).into());
            }
            current.sort_by_key(|s| s.position);
            let mut named: Vec<&str> = order.iter().map(|k| k.trim()).collect();
            named.sort_unstable();
            let mut keys: Vec<&str> = current.iter().map(|s| s.key.as_str()).collect();
            keys.sort_unstable();
            if named != keys {
                let listed: Vec<&str> = current.iter().map(|s| s.key.as_str()).collect();
                return Err(ValidationErrors::one(
                    "order",
                    format!("name each stage of the pipeline once: {} (reload if one was added)", listed.join(", ")),
                )
                .into());
            }
            if let Some(seen) = seen {
                let now: Vec<&str> = current.iter().map(|s| s.key.as_str()).collect();
                if now != seen.iter().map(|k| k.trim()).collect::<Vec<_>>() {
                    return Err(Error::Conflict { entity: "order of the stages" });
                }
            }
            // The first stage is where a lead without one goes (a new lead, a web form's, a row naming none), and
            // what the gate measures a Draft's moves from: another there would ask its criteria of every new lead
            // (a capture refused, its details lost), or close every new deal. It stays first.
            if order[0].trim() != current[0].key {
                return Err(ValidationErrors::one(
                    "order",
                    format!(
                        "{} stays first: a lead without a stage enters it (move the others after it)",
                        current[0].label
                    ),
                )
                .into());
            }
            let positions: Vec<i32> = current.iter().map(|s| s.position).collect();
            let mut batch = None;
            for (key, position) in order.iter().map(|k| k.trim()).zip(positions) {
                let Some(was) = current.iter().find(|s| s.key == key).map(|s| s.position) else { continue };
                if was == position {
                    continue;
                }
                let b = match &batch {
                    Some(b) => b,
                    None => batch.insert(self.begin_batch(tx, &grant, &Origin::manual())?),
                };
                config::set_position(tx, key, position)?;
                let field = format!("{key}.position");
                changelog::record(tx, b, "stage", 0, &field, Some(&was.to_string()), Some(&position.to_string()))?;
            }
            Ok(PipelineConfig {
                pipelines: config::pipelines(tx)?,
                stages: config::stages(tx)?,
                lost_reasons: config::lost_reasons(tx)?,
            })
        })
    }

    /// Adds a stage at the end of a pipeline (Administrators). Its key is unique across pipelines, since a
    /// lead's stage names its pipeline.
    pub fn create_stage(&self, actor: &Actor, stage: &NewStage) -> Result<PipelineConfig> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            let key = checked_key("key", &stage.key)?;
            let mut errors = Vec::new();
            let label = checked_label(&stage.label, &mut errors);
            if !errors.is_empty() {
                return Err(ValidationErrors { errors }.into());
            }
            if !config::pipelines(tx)?.iter().any(|p| p.key == stage.pipeline) {
                return Err(ValidationErrors::one("pipeline", format!("no pipeline \"{}\"", stage.pipeline)).into());
            }
            if config::stage(tx, &key)?.is_some() {
                return Err(ValidationErrors::one("key", format!("a stage \"{key}\" exists already")).into());
            }
            if let Some(taken) = label_taken(tx, &stage.pipeline, &key, &label)? {
                return Err(ValidationErrors { errors: vec![taken] }.into());
            }
            let new = NewStage { key: key.clone(), label, ..stage.clone() };
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let probability = config::default_probability(tx, &new)?;
            // An open stage goes before the closing ones, which moves them (and every stage after them): each
            // stage that moves is logged, as a reorder logs it.
            let was: Vec<(String, i32)> = config::stages(tx)?.into_iter().map(|s| (s.key, s.position)).collect();
            config::insert_stage(tx, &new, probability)?;
            for moved in config::stages(tx)? {
                let Some((_, before)) = was.iter().find(|(k, _)| *k == moved.key) else { continue };
                if *before != moved.position {
                    let field = format!("{}.position", moved.key);
                    let (a, b) = (before.to_string(), moved.position.to_string());
                    changelog::record(tx, &batch, "stage", 0, &field, Some(&a), Some(&b))?;
                }
            }
            let asks = config::closing_fields(new.outcome);
            let asks = if asks.is_empty() { String::new() } else { format!(", asks {}", asks.join(", ")) };
            let text = format!("{} ({}, {}, {probability}%{asks})", new.label, new.pipeline, new.outcome.as_str());
            changelog::record(tx, &batch, "stage", 0, &format!("{key}.created"), None, Some(&text))?;
            Ok(PipelineConfig {
                pipelines: config::pipelines(tx)?,
                stages: config::stages(tx)?,
                lost_reasons: config::lost_reasons(tx)?,
            })
        })
    }

    /// Replaces the list of lost reasons (Administrators); a reason some lead holds cannot be removed.
    pub fn set_lost_reasons(&self, actor: &Actor, reasons: &[LostReason]) -> Result<PipelineConfig> {
        self.set_lost_reasons_as_seen(actor, None, reasons)
    }

    /// [`Rapport::set_lost_reasons`] from an editor that read the list as `seen`: the list is replaced whole, so
    /// a save over another Administrator's since (a reason they added or renamed would go) is a conflict.
    pub fn set_lost_reasons_as_seen(
        &self,
        actor: &Actor,
        seen: Option<&[LostReason]>,
        reasons: &[LostReason],
    ) -> Result<PipelineConfig> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            if let Some(seen) = seen {
                if config::lost_reasons(tx)? != seen {
                    return Err(Error::Conflict { entity: "list of lost reasons" });
                }
            }
            let mut keys = Vec::new();
            for r in reasons {
                let key = checked_key("lost_reasons", &r.key)?;
                if r.label.trim().is_empty() || keys.contains(&key) {
                    return Err(ValidationErrors::one("lost_reasons", "each reason has its own key and a label").into());
                }
                if r.label.trim().chars().count() > 60 {
                    let msg = format!(
                        "\"{}…\" is longer than 60 characters",
                        r.label.trim().chars().take(20).collect::<String>()
                    );
                    return Err(ValidationErrors::one("lost_reasons", msg).into());
                }
                keys.push(key);
            }
            // A reason is chosen by its key or its label, in any case (an import's column, a form): two reasons
            // one name could mean would make the choice a guess.
            for (i, r) in reasons.iter().enumerate() {
                let label = r.label.trim();
                let folded = label.to_lowercase();
                let clash = reasons.iter().enumerate().any(|(j, o)| {
                    j != i && (o.label.trim().to_lowercase() == folded || o.key.trim().to_lowercase() == folded)
                });
                if clash {
                    let msg = format!("\"{label}\" names two reasons; give each its own label");
                    return Err(ValidationErrors::one("lost_reasons", msg).into());
                }
            }
            if reasons.is_empty() {
                let msg = "keep at least one reason: a lead moved to a lost stage is given one";
                return Err(ValidationErrors::one("lost_reasons", msg).into());
            }
            let old = config::lost_reasons(tx)?;
            for gone in old.iter().filter(|o| !keys.contains(&o.key)) {
                let n = config::leads_with_reason(tx, &gone.key)?;
                if n > 0 {
                    let msg = format!("\"{}\" is the reason of {n} lost lead(s); keep it", gone.label);
                    return Err(ValidationErrors::one("lost_reasons", msg).into());
                }
                // A stagnation policy giving it would be refused at every sweep, its leads left where they are.
                let policy = config::stages(tx)?.into_iter().find(|st| {
                    st.stagnation.as_ref().is_some_and(|p| p.lost_reason.as_deref() == Some(gone.key.as_str()))
                });
                if let Some(st) = policy {
                    let msg =
                        format!("\"{}\" is what {}'s stagnation policy gives; change that first", gone.label, st.label);
                    return Err(ValidationErrors::one("lost_reasons", msg).into());
                }
                let pending = super::approvals::pending_with_reason(tx, &gone.key)?;
                if pending > 0 {
                    let msg = format!(
                        "\"{}\" is asked for by {pending} pending approval request(s); decide them first",
                        gone.label
                    );
                    return Err(ValidationErrors::one("lost_reasons", msg).into());
                }
            }
            let text = |v: &[LostReason]| serde_json::to_string(v).unwrap_or_default();
            let new: Vec<LostReason> = reasons
                .iter()
                .map(|r| LostReason { key: r.key.trim().to_string(), label: r.label.trim().to_string() })
                .collect();
            if new != old {
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                config::replace_lost_reasons(tx, &new)?;
                changelog::record(tx, &batch, "settings", 0, "lost_reasons", Some(&text(&old)), Some(&text(&new)))?;
            }
            Ok(PipelineConfig {
                pipelines: config::pipelines(tx)?,
                stages: config::stages(tx)?,
                lost_reasons: config::lost_reasons(tx)?,
            })
        })
    }

    /// Logs an activity on lead `lead_id`. What happened (anything but an open task) resets the lead's
    /// inactivity clock and counts toward stages' required activities.
    pub fn log_activity(&self, actor: &Actor, lead_id: i64, input: &NewActivity) -> Result<Activity> {
        let now = self.now();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            visible_lead(tx, &grant, lead_id)?;
            let mut filled = input.clone();
            if filled.kind != Some(ActivityKind::Task) && filled.done_at.is_none() {
                filled.done_at = Some(now.clone());
            }
            // The meeting it records is one of this lead's (appointments follow a merge to the survivor).
            if let Some(appointment) = filled.appointment_id {
                let of_lead = crate::calendar::store::get(tx, appointment)?.is_some_and(|a| a.lead_id == Some(lead_id));
                if !of_lead {
                    return Err(ValidationErrors::one("appointment_id", "is not an appointment of this lead").into());
                }
            }
            let valid = validate_activity(&mut filled, self.now_utc())?;
            self.write_activity(tx, &grant, lead_id, &valid, &Origin::manual())
        })
    }

    pub(crate) fn write_activity(
        &self,
        tx: &rusqlite::Transaction<'_>,
        grant: &Grant,
        lead_id: i64,
        valid: &ValidActivity<'_>,
        origin: &Origin,
    ) -> Result<Activity> {
        let batch = self.begin_batch(tx, grant, origin)?;
        let id = activities::insert(tx, lead_id, valid, grant.user_id, &batch.at)?;
        let stored = activities::get(tx, id)?.ok_or_else(|| Error::Internal("activity vanished".into()))?;
        let snapshot = serde_json::to_string(&stored).map_err(|e| Error::Internal(e.to_string()))?;
        changelog::record(tx, &batch, "activity", id, "*", None, Some(&snapshot))?;
        if let Some(done) = &stored.done_at {
            activities::touch_lead(tx, lead_id, done)?;
        }
        Ok(stored)
    }

    /// Marks an open task done (now): logged, and it resets the lead's inactivity clock.
    pub fn complete_activity(&self, actor: &Actor, id: i64) -> Result<Activity> {
        let now = self.now();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let not_found = || Error::NotFound { entity: "activity", id: id.to_string() };
            let a = activities::get(tx, id)?.ok_or_else(not_found)?;
            // A merged lead's task shows on the lead it was merged into, and is done there.
            let lead_id = crate::duplicates::seen_through_merges(tx, &grant, a.lead_id)?.ok_or_else(not_found)?.id;
            if a.done_at.is_some() {
                return Err(ValidationErrors::one("done_at", "this is done already").into());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            activities::mark_done(tx, id, &now)?;
            changelog::record(tx, &batch, "activity", id, "done_at", None, Some(&now))?;
            activities::touch_lead(tx, lead_id, &now)?;
            activities::get(tx, id)?.ok_or_else(not_found)
        })
    }

    /// Removes an activity logged by mistake (on the wrong lead, a call that never happened, a task no longer
    /// to do): its author or an Administrator may. Its whole record stays in the change log; the lead's
    /// inactivity clock is counted again without it. A move it let through the gate stands (the gate is met on
    /// entry), but it counts for no later one.
    pub fn remove_activity(&self, actor: &Actor, id: i64) -> Result<()> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let not_found = || Error::NotFound { entity: "activity", id: id.to_string() };
            let a = activities::get(tx, id)?.ok_or_else(not_found)?;
            // A merged lead's activity shows on the lead it was merged into, and is removed there.
            let living = crate::duplicates::seen_through_merges(tx, &grant, a.lead_id)?.ok_or_else(not_found)?.id;
            let mine = grant.user_id.is_some() && a.created_by_id == grant.user_id;
            if !mine && grant.role != crate::users::Role::Administrator {
                return Err(crate::access::AccessError::NotYours(
                    "who logged an activity, or an Administrator, may remove it",
                )
                .into());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            // Whether its reminder was shown goes with it, so Undo puts it back exactly (neither given twice nor
            // lost); it is no field of an activity's otherwise.
            let mut snapshot = serde_json::to_value(&a).map_err(|e| Error::Internal(e.to_string()))?;
            snapshot["reminded_at"] = serde_json::json!(activities::reminded_at(tx, id)?);
            changelog::record(tx, &batch, "activity", id, "*", Some(&snapshot.to_string()), None)?;
            activities::delete(tx, id)?;
            let mut family = vec![living];
            family.extend(crate::duplicates::store::merged_into(tx, living)?);
            activities::recount_last_activity(tx, living, &family)?;
            Ok(())
        })
    }

    /// Puts back activity `id` as it was removed (the Undo of [`Rapport::remove_activity`]): its id, lead,
    /// author and times, from the change log's record of the removal, so its reminders still reach its author
    /// and an unmerge still takes it back with its lead. Who removed it may, as may its author or an
    /// Administrator.
    pub fn restore_activity(&self, actor: &Actor, id: i64) -> Result<Activity> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let not_found = || Error::NotFound { entity: "activity", id: id.to_string() };
            if let Some(there) = activities::get(tx, id)? {
                // Said only to whoever may see its lead: to anyone else, an activity outside their campaigns is
                // no more there than one never logged.
                crate::duplicates::seen_through_merges(tx, &grant, there.lead_id)?.ok_or_else(not_found)?;
                return Err(ValidationErrors::one("activity", "this activity is there already").into());
            }
            let removed = changelog::last_removal(tx, "activity", id)?.ok_or_else(not_found)?;
            let a: Activity = serde_json::from_str(&removed.snapshot).map_err(|_| not_found())?;
            let reminded: Option<String> = serde_json::from_str::<serde_json::Value>(&removed.snapshot)
                .ok()
                .and_then(|v| v.get("reminded_at").and_then(|r| r.as_str()).map(str::to_owned));
            crate::duplicates::seen_through_merges(tx, &grant, a.lead_id)?.ok_or_else(not_found)?;
            let mine =
                grant.user_id.is_some() && (a.created_by_id == grant.user_id || removed.actor_id == grant.user_id);
            if !mine && grant.role != crate::users::Role::Administrator {
                return Err(crate::access::AccessError::NotYours(
                    "who logged an activity, or an Administrator, may put it back",
                )
                .into());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            activities::insert_restored(tx, &a, reminded.as_deref())?;
            let back = activities::get(tx, id)?.ok_or_else(not_found)?;
            let snapshot = serde_json::to_string(&back).map_err(|e| Error::Internal(e.to_string()))?;
            changelog::record(tx, &batch, "activity", id, "*", None, Some(&snapshot))?;
            let living = crate::duplicates::store::living_lead(tx, a.lead_id)?.unwrap_or(a.lead_id);
            let mut family = vec![living];
            family.extend(crate::duplicates::store::merged_into(tx, living)?);
            activities::recount_last_activity(tx, living, &family)?;
            Ok(back)
        })
    }

    /// The board of a pipeline: its stages as columns of the leads the actor may see, filtered, with each
    /// column's value per currency.
    pub fn pipeline_board(&self, actor: &Actor, query: &BoardQuery) -> Result<Board> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let all = config::stages(conn)?;
            let pipeline = if query.pipeline.trim().is_empty() {
                config::pipelines(conn)?.first().map(|p| p.key.clone()).unwrap_or_default()
            } else {
                query.pipeline.trim().to_string()
            };
            let shown: Vec<&StageConfig> =
                all.iter().filter(|s| s.pipeline == pipeline && (query.include_closed || !s.closed)).collect();
            let now = crate::calendar::time::utc_text(self.now_utc());
            let mut cards = board::cards(conn, &shown, query, &grant.lead_scope(), &now)?;
            let columns = shown
                .into_iter()
                .map(|s| {
                    let cards = cards.remove(&s.key).unwrap_or_default();
                    let totals = board::totals(&cards);
                    BoardColumn { stage: s.clone(), cards, totals }
                })
                .collect();
            Ok(Board { pipeline, columns })
        })
    }

    /// Moves lead `id` (at `expected_version`) to `stage`: the board's drag, through the gate like any edit.
    pub fn move_lead(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        stage: &str,
        passing: Passing<'_>,
    ) -> Result<crate::leads::SavedLead> {
        self.move_lead_losing(actor, id, expected_version, stage, None, passing)
    }

    /// As `move_lead`, with the reason of a loss given with the move (what Lost asks): saved by the move, in
    /// its transaction, never ahead of it onto a lead the move may then leave open (refused, or waiting for an
    /// approval that is rejected).
    pub fn move_lead_losing(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        stage: &str,
        lost_reason: Option<&str>,
        passing: Passing<'_>,
    ) -> Result<crate::leads::SavedLead> {
        let lead = self.get_lead(actor, id)?;
        let mut input = lead.to_input();
        input.stage = stage.to_string();
        if let Some(reason) = lost_reason.map(str::trim).filter(|r| !r.is_empty()) {
            // Kept on a deal still open, a reason would pass the gate of a later move to Lost unasked, and be
            // recorded as why a deal nobody had given up was lost.
            let config = self.pipeline_config(actor)?;
            if !config.stages.iter().any(|s| s.key == stage.trim() && s.outcome == config::StageOutcome::Lost) {
                return Err(
                    ValidationErrors::one("lost_reason", "a lost reason goes with a move to a lost stage").into()
                );
            }
            input.deal.lost_reason = reason.to_string();
        }
        self.update_lead_passing(actor, id, expected_version, &input, &Origin::manual(), passing)
    }

    /// The actor's task reminders that are due, each handed out once (the app shows them as notifications):
    /// "Task: <subject> (<lead>)".
    pub fn take_due_task_reminders(&self, actor: &Actor) -> Result<Vec<String>> {
        let now = self.now();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ReadLeads)?;
            let Some(user) = grant.user_id else { return Ok(vec![]) };
            let mut out = Vec::new();
            for (lead, subject, _due) in activities::take_due_reminders(tx, user, &now)? {
                // A merged lead's task is the task of the lead it was merged into. A lead of a campaign the user
                // no longer works on is not named, as nowhere else.
                let name = match crate::duplicates::seen_through_merges(tx, &grant, lead)? {
                    Some(l) => l.display_name(),
                    None => "a lead outside your campaigns".into(),
                };
                out.push(format!("Task: {subject} ({name})"));
            }
            Ok(out)
        })
    }

    /// Lead `lead_id`'s activities and those of the leads merged into it, newest first.
    pub fn lead_activities(&self, actor: &Actor, lead_id: i64) -> Result<Vec<Activity>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            visible_lead(conn, &grant, lead_id)?;
            let mut leads = vec![lead_id];
            leads.extend(crate::duplicates::store::merged_into_in_scope(conn, lead_id, &grant.lead_scope())?);
            Ok(activities::of_leads(conn, &leads)?)
        })
    }
}

fn config_of(conn: &rusqlite::Connection) -> Result<PipelineConfig> {
    Ok(PipelineConfig {
        pipelines: config::pipelines(conn)?,
        stages: config::stages(conn)?,
        lost_reasons: config::lost_reasons(conn)?,
    })
}

/// The stagnation policies a new probability of stage `old` would stop (seed 4.2 moves a quiet lead only to a
/// stage less likely to win, or to Lost): said, rather than the policy left in the table doing nothing. A
/// policy already stopped before is not asked about.
fn policies_stopped(
    conn: &rusqlite::Connection,
    old: &StageConfig,
    probability: u8,
    own_policy_replaced: bool,
) -> Result<Vec<FieldError>> {
    let new = StageConfig { probability, ..old.clone() };
    let mut out = Vec::new();
    for stage in config::stages(conn)? {
        if own_policy_replaced && stage.key == old.key {
            continue;
        }
        let Some(policy) = super::stagnation::policy_of(conn, &stage.key)? else { continue };
        let Some(target) = config::stage(conn, &policy.target)? else { continue };
        let (from_before, to_before) = (&stage, &target);
        let from_after = if stage.key == old.key { &new } else { &stage };
        let to_after = if target.key == old.key { &new } else { &target };
        if super::sweep::quiet_target(from_before, to_before) && !super::sweep::quiet_target(from_after, to_after) {
            out.push(FieldError::new(
                "probability",
                format!(
                    "would stop the stagnation policy of {} (to {}): a quiet lead goes to a stage less likely to \
                     win; change that policy first",
                    stage.label, target.label
                ),
            ));
        }
    }
    Ok(out)
}
