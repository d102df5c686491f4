//! The approval operations: a move that needs approval becomes a request (nothing moves); Administrators
//! see the queue and approve (the move is made then, through the gate) or reject, with a comment; each step
//! is logged and the other side is told.
use super::approvals::{self, ApprovalRequest, ApprovalRule, ApprovalStatus, NewRequest};
use super::gate::{self, Passage};
use super::stagnation;
use crate::access::{Actor, Permission};
use crate::audit::store as changelog;
use crate::audit::{ChangeReason, Origin};
use crate::error::{Error, Result};
use crate::leads::api::{visible_lead, Rules};
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;
use crate::users::Role;

const NOTE_CHARS: usize = 2_000;

fn request_json(r: &ApprovalRequest) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

impl Rapport {
    /// Asks an Administrator to approve moving lead `lead_id` (at `version`) to `stage` (with `lost_reason`
    /// when it is a lost stage). Refused when the move needs no approval, when the stage's criteria are
    /// unmet (fill them first), or when a request for the lead already waits.
    pub fn request_move(
        &self,
        actor: &Actor,
        lead_id: i64,
        version: i64,
        stage: &str,
        lost_reason: &str,
        note: &str,
    ) -> Result<ApprovalRequest> {
        let at = self.now();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let lead = visible_lead(tx, &grant, lead_id)?;
            if lead.version != version {
                return Err(Error::Conflict { entity: "lead" });
            }
            // Checked as a lead's text is: a terminal escape or a direction override would be shown raw to the
            // approver, in the app and in the CLI's queue.
            let mut errors = Vec::new();
            let note = crate::leads::clean_text("note", note, NOTE_CHARS, true, &mut errors);
            if !errors.is_empty() {
                return Err(ValidationErrors { errors }.into());
            }
            if approvals::pending_for(tx, lead_id)?.is_some() {
                // Its own field: the UI marks the lead as waiting on this refusal, and on no other.
                return Err(ValidationErrors::one("pending", "a move of this lead already waits for a decision").into());
            }
            let mut input = lead.to_input();
            input.stage = stage.to_string();
            if !lost_reason.trim().is_empty() {
                input.deal.lost_reason = lost_reason.trim().to_string();
            }
            // The lead keeps its owner, even one deactivated since, as a move does.
            let owner = lead.owner.as_ref().map(|o| o.id);
            // Its phones as stored, as the move's save keeps them: read again in today's region, a number saved
            // in another would refuse a move of a field nobody touched.
            let (input, _) = crate::leads::api::stored_phones_kept(&lead, &[], &input);
            let valid = Rules::load(tx)?.validate(tx, &input, &grant.lead_scope(), owner)?;
            let after = valid.as_lead(lead.id);
            let needed = match gate::check(tx, &grant, Some(&lead), &after, Passage::Checked) {
                Err(Error::NeedsApproval(n)) => n,
                Err(e) => return Err(e),
                Ok(_) => {
                    return Err(ValidationErrors::one("stage", "this move needs no approval: move the lead").into())
                }
            };
            let id = approvals::insert(
                tx,
                &NewRequest {
                    lead_id,
                    rule: &needed.rule,
                    from_stage: &lead.stage,
                    to_stage: &after.stage,
                    // Only a reason the requester gave: one the lead held already is not theirs to apply, and
                    // applied at the approval it would undo a colleague's change of it meanwhile.
                    lost_reason: if lost_reason.trim().is_empty() { "" } else { &after.deal.lost_reason },
                    note: &note,
                    requested_by: grant.user_id,
                    at: &at,
                },
            )?;
            let stored = approvals::get(tx, id)?.ok_or_else(|| Error::Internal("request vanished".into()))?;
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            changelog::record(tx, &batch, "approval_request", id, "*", None, Some(&request_json(&stored.request)))?;
            let message = format!(
                "{} asks to move {} to {} ({})",
                grant.username,
                lead.display_name(),
                needed.stage_label,
                needed.rule
            );
            for admin in crate::users::store::active_with_role(tx, Role::Administrator)? {
                stagnation::notify(tx, admin, lead_id, &message, &at)?;
            }
            Ok(stored.request)
        })
    }

    /// Takes back a request one made oneself (the wrong reason, a move no longer wanted): closed, logged, gone
    /// from the Administrators' queue, and the lead free for another request and for the stagnation sweep (which
    /// leaves a lead with a request waiting alone). Only who asked may; an Administrator rejects instead.
    pub fn withdraw_approval(&self, actor: &Actor, id: i64) -> Result<ApprovalRequest> {
        let at = self.now();
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::WriteLeads)?;
            let not_found = || Error::NotFound { entity: "approval request", id: id.to_string() };
            let stored = approvals::get(tx, id)?.ok_or_else(not_found)?;
            // A request is its lead's: one of a lead outside the reader's campaigns is not theirs to know of.
            // Refused as the request, not its lead: "lead 2 does not exist" named the lead of every request number.
            let lead = match visible_lead(tx, &grant, stored.request.lead_id) {
                Err(Error::NotFound { .. }) => return Err(not_found()),
                other => other?,
            };
            if grant.user_id.is_none() || grant.user_id != stored.requested_by {
                return Err(crate::access::AccessError::NotYours(
                    "who asked may withdraw a request; an Administrator rejects it",
                )
                .into());
            }
            if stored.request.status != ApprovalStatus::Pending {
                return Err(Error::Conflict { entity: "approval request" });
            }
            let origin = Origin { reason: ChangeReason::ManualEdit, source_ref: format!("approval request {id}") };
            let batch = self.begin_batch(tx, &grant, &origin)?;
            let comment = "withdrawn by who asked";
            approvals::decide(tx, id, ApprovalStatus::Rejected, grant.user_id, &at, comment)?;
            let decision = format!("{}: {comment}", ApprovalStatus::Rejected.as_str());
            changelog::record(tx, &batch, "approval_request", id, "status", Some("pending"), Some(&decision))?;
            tracing::info!(request = id, lead = lead.id, "approval request withdrawn");
            Ok(approvals::get(tx, id)?.ok_or_else(not_found)?.request)
        })
    }

    /// The requests waiting for a decision, oldest first (Administrators).
    pub fn approval_queue(&self, actor: &Actor) -> Result<Vec<ApprovalRequest>> {
        self.db.read(|conn| {
            Self::grant_to(conn, actor, Permission::ManageSettings, "see the moves waiting for approval")?;
            Ok(approvals::with_status(conn, ApprovalStatus::Pending, 500)?.into_iter().map(|s| s.request).collect())
        })
    }

    /// Approves (the move is made now, through the gate, whose criteria must still hold) or rejects a request.
    /// A rejection needs a comment; both are logged and the requester is told.
    pub fn decide_approval(&self, actor: &Actor, id: i64, approve: bool, comment: &str) -> Result<ApprovalRequest> {
        let at = self.now();
        self.db.write(|tx| {
            let grant = Self::grant_to(tx, actor, Permission::ManageSettings, "decide approval requests")?;
            let not_found = || Error::NotFound { entity: "approval request", id: id.to_string() };
            let stored = approvals::get(tx, id)?.ok_or_else(not_found)?;
            let request = &stored.request;
            // Another Administrator came first: a conflict (what the page read is stale), not a refusal of what
            // this one asked, which the four-eyes rule below is.
            if request.status != ApprovalStatus::Pending {
                return Err(Error::Conflict { entity: "approval request" });
            }
            // Four eyes: whoever asked (an Editor promoted since, say) may withdraw the request, not grant it.
            if approve && grant.user_id.is_some() && grant.user_id == stored.requested_by {
                return Err(ValidationErrors::one(
                    "status",
                    "a request is approved by another Administrator than the one who asked; you may reject it",
                )
                .into());
            }
            let mut errors = Vec::new();
            let comment = crate::leads::clean_text("comment", comment, NOTE_CHARS, true, &mut errors);
            let comment = comment.as_str();
            if !approve && comment.is_empty() {
                return Err(ValidationErrors::one("comment", "say why the move is rejected").into());
            }
            if !errors.is_empty() {
                return Err(ValidationErrors { errors }.into());
            }
            let origin = Origin { reason: ChangeReason::ManualEdit, source_ref: format!("approval request {id}") };
            let batch = self.begin_batch(tx, &grant, &origin)?;
            // A lead merged into another or removed since (an import undone) leaves its request to be rejected,
            // not stuck in the queue.
            let lead = match visible_lead(tx, &grant, request.lead_id) {
                Ok(l) => Some(l),
                Err(Error::NotFound { .. }) if !approve && crate::leads::store::get(tx, request.lead_id)?.is_none() => {
                    None
                }
                Err(e) => return Err(e),
            };
            if let (true, Some(lead)) = (approve, &lead) {
                if lead.stage != request.from_stage {
                    let label = super::config::stage(tx, &lead.stage)?.map_or_else(|| lead.stage.clone(), |s| s.label);
                    return Err(ValidationErrors::one(
                        "stage",
                        format!("the lead has moved to {label} since it was asked; reject the request"),
                    )
                    .into());
                }
                // Back in the same stage after moves of its own (the client came back), the lead is not the one
                // the request was about.
                if super::history::moved_since(tx, lead.id, &request.requested_at)? {
                    return Err(ValidationErrors::one(
                        "stage",
                        "the lead has moved since it was asked (and back): reject the request, and ask again if it still holds",
                    )
                    .into());
                }
                let mut input = lead.to_input();
                input.stage = request.to_stage.clone();
                if !request.lost_reason.is_empty() {
                    input.deal.lost_reason = request.lost_reason.clone();
                }
                self.write_update(tx, &grant, lead.clone(), &input, Passage::Approved(id), &mut || Ok(batch.clone()))?;
            }
            let name = lead.as_ref().map_or_else(|| "a lead merged or removed since".to_string(), |l| l.display_name());
            let status = if approve { ApprovalStatus::Approved } else { ApprovalStatus::Rejected };
            approvals::decide(tx, id, status, grant.user_id, &at, comment)?;
            let decision = if comment.is_empty() {
                status.as_str().to_string()
            } else {
                format!("{}: {comment}", status.as_str())
            };
            changelog::record(tx, &batch, "approval_request", id, "status", Some("pending"), Some(&decision))?;
            if let Some(requester) = stored.requested_by {
                let label =
                    super::config::stage(tx, &request.to_stage)?.map_or_else(|| request.to_stage.clone(), |s| s.label);
                let message = format!(
                    "Your request to move {} to {label} was {}{}",
                    name,
                    status.as_str(),
                    if comment.is_empty() { String::new() } else { format!(": {comment}") }
                );
                stagnation::notify(tx, requester, request.lead_id, &message, &at)?;
            }
            Ok(approvals::get(tx, id)?.ok_or_else(not_found)?.request)
        })
    }

    /// The requests for lead `lead_id`, newest first, for its page.
    pub fn lead_approval_requests(&self, actor: &Actor, lead_id: i64) -> Result<Vec<ApprovalRequest>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            visible_lead(conn, &grant, lead_id)?;
            Ok(approvals::of_lead(conn, lead_id)?.into_iter().map(|s| s.request).collect())
        })
    }

    pub fn approval_rules(&self, actor: &Actor) -> Result<Vec<ApprovalRule>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(approvals::rules(conn)?)
        })
    }

    /// Replaces the approval rules (Administrators); logged.
    pub fn set_approval_rules(&self, actor: &Actor, rules: &[ApprovalRule]) -> Result<Vec<ApprovalRule>> {
        self.set_approval_rules_as_seen(actor, None, rules)
    }

    /// [`Rapport::set_approval_rules`] from an editor that read the rules as `seen`: the list is replaced whole,
    /// so a save over another Administrator's since (a rule they added would go) is refused as a conflict.
    pub fn set_approval_rules_as_seen(
        &self,
        actor: &Actor,
        seen: Option<&[ApprovalRule]>,
        rules: &[ApprovalRule],
    ) -> Result<Vec<ApprovalRule>> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageSettings)?;
            if let Some(seen) = seen {
                if approvals::rules(tx)? != seen {
                    return Err(Error::Conflict { entity: "list of approval rules" });
                }
            }
            let stages = super::config::stages(tx)?;
            let known = |s: &Option<String>| s.as_ref().is_none_or(|k| stages.iter().any(|x| &x.key == k));
            let mut rules = rules.to_vec();
            for r in &mut rules {
                if r.label.trim().is_empty() {
                    return Err(ValidationErrors::one("label", "say what the rule is for").into());
                }
                if !known(&r.from_stage) || !known(&r.to_stage) {
                    return Err(ValidationErrors::one("stage", "a rule names stages of the pipeline").into());
                }
                if r.min_value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                    return Err(ValidationErrors::one("min_value", "is a non-negative amount").into());
                }
                if !r.min_currency.trim().is_empty() {
                    if r.min_value.is_none() {
                        return Err(ValidationErrors::one("min_currency", "is the currency of a minimum value").into());
                    }
                    r.min_currency = crate::leads::deal::normalize_currency(&r.min_currency)
                        .map_err(|why| ValidationErrors::one("min_currency", why))?;
                } else {
                    r.min_currency = String::new();
                }
            }
            let rules = rules.as_slice();
            let old = approvals::rules(tx)?;
            let text = |v: &[ApprovalRule]| serde_json::to_string(v).unwrap_or_default();
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            approvals::replace_rules(tx, rules)?;
            let new = approvals::rules(tx)?;
            changelog::record(tx, &batch, "settings", 0, "approval_rules", Some(&text(&old)), Some(&text(&new)))?;
            Ok(new)
        })
    }
}

/// Closes the request waiting for lead `lead` as a merge absorbs it (rejected by no one, saying why) and tells
/// who asked. Left pending, it named a lead no longer there; and once the lead was unmerged it could not be
/// approved (the lead had moved) and blocked a new request.
pub(crate) fn close_for_merged(
    tx: &rusqlite::Transaction<'_>,
    batch: &changelog::BatchId,
    lead: &crate::leads::Lead,
) -> Result<()> {
    close_pending(
        tx,
        batch,
        lead,
        "closed: the lead was merged into another; ask again on that lead if the move still holds",
        "the lead was merged into another",
    )
}

/// Puts back in the queue the request of lead `lead` that merge `merge_id` closed, now an unmerge brings the lead
/// back as it was: the move it asked for waits again, and its requester is told. Closed and never reopened, the
/// requested move was lost, shown as rejected. Not when another request of the lead waits meanwhile, or the lead
/// is no longer where the request found it.
pub(crate) fn reopen_for_unmerged(
    tx: &rusqlite::Transaction<'_>,
    batch: &changelog::BatchId,
    merge_id: i64,
    lead: &crate::leads::Lead,
) -> Result<()> {
    if approvals::pending_for(tx, lead.id)?.is_some() {
        return Ok(());
    }
    for id in changelog::changed_from_in_batch(tx, merge_id, "approval_request", "status", "pending")? {
        let Some(stored) = approvals::get(tx, id)? else { continue };
        let r = &stored.request;
        if r.lead_id != lead.id || r.status != ApprovalStatus::Rejected || r.from_stage != lead.stage {
            continue;
        }
        let decision = format!("{}: {}", ApprovalStatus::Rejected.as_str(), r.comment);
        approvals::reopen(tx, id)?;
        changelog::record(tx, batch, "approval_request", id, "status", Some(&decision), Some("pending"))?;
        if let Some(requester) = stored.requested_by {
            let to = &r.to_stage;
            let label = super::config::stage(tx, to)?.map_or_else(|| to.clone(), |s| s.label);
            let message = format!(
                "Your request to move {} to {label} waits again: the merge that closed it was taken back",
                lead.display_name()
            );
            stagnation::notify(tx, requester, lead.id, &message, &batch.at)?;
        }
        break;
    }
    Ok(())
}

/// Closes the request waiting for lead `lead`, which a move other than the approved one took to another stage
/// (the form, the board, an import, the sweep): it could no longer be approved ("moved since"), blocked a new
/// request, and kept the lead out of the stagnation sweep as work in hand.
pub(crate) fn close_for_moved(
    tx: &rusqlite::Transaction<'_>,
    batch: &changelog::BatchId,
    lead: &crate::leads::Lead,
) -> Result<()> {
    let label = super::config::stage(tx, &lead.stage)?.map_or_else(|| lead.stage.clone(), |s| s.label);
    close_pending(
        tx,
        batch,
        lead,
        &format!("closed: the lead was moved to {label} since; ask again if the move still holds"),
        &format!("the lead was moved to {label} since"),
    )
}

fn close_pending(
    tx: &rusqlite::Transaction<'_>,
    batch: &changelog::BatchId,
    lead: &crate::leads::Lead,
    comment: &str,
    why: &str,
) -> Result<()> {
    let Some(id) = approvals::pending_for(tx, lead.id)? else { return Ok(()) };
    let Some(stored) = approvals::get(tx, id)? else { return Ok(()) };
    approvals::decide(tx, id, ApprovalStatus::Rejected, None, &batch.at, comment)?;
    let decision = format!("{}: {comment}", ApprovalStatus::Rejected.as_str());
    changelog::record(tx, batch, "approval_request", id, "status", Some("pending"), Some(&decision))?;
    if let Some(requester) = stored.requested_by {
        let to = &stored.request.to_stage;
        let label = super::config::stage(tx, to)?.map_or_else(|| to.clone(), |s| s.label);
        let message = format!("Your request to move {} to {label} was closed: {why}", lead.display_name());
        stagnation::notify(tx, requester, lead.id, &message, &batch.at)?;
    }
    Ok(())
}
