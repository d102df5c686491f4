use serde::Serialize;

use super::model::{Role, User, UserHoldings, UserInput};
use super::password::{self as auth, AuthError};
use super::store;
use crate::access::{Actor, Grant, Permission};
use crate::audit::store as changelog;
use crate::audit::store::BatchId;
use crate::audit::Origin;
use crate::error::{Error, FieldError, Result};
use crate::leads::UserRef;
use crate::leads::ValidationErrors;
use crate::rapport::Rapport;

/// Who the change log names for a password recovered from the command line.
pub const RECOVERY_ACTOR: &str = "password recovery";

/// What the UI needs to know about who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SessionInfo {
    pub user: User,
    pub permissions: Vec<Permission>,
}

/// `input` trimmed and checked, with the `password` a new user is given: every field's fault at once.
fn clean_user_input(input: &UserInput, password: Option<&str>) -> Result<UserInput, ValidationErrors> {
    let mut errors = Vec::new();
    let username = input.username.trim().to_string();
    if username.is_empty() {
        errors.push(FieldError::new("username", "is required"));
    } else if username.chars().count() > 64 || !username.chars().all(|c| c.is_alphanumeric() || "._@-".contains(c)) {
        errors.push(FieldError::new("username", "use up to 64 letters, digits and . _ @ -"));
    }
    let display_name = input.display_name.trim();
    if display_name.chars().count() > 200 {
        errors.push(FieldError::new("display_name", "is longer than 200 characters"));
    } else if let Some(why) = crate::leads::unsafe_entry(display_name) {
        // Shown as the owner of every lead the user holds, and in every change they make.
        errors.push(FieldError::new("display_name", why));
    }
    let mut campaigns: Vec<String> = Vec::new();
    for c in &input.campaigns {
        let c = crate::access::campaign_spelling(c);
        if !c.is_empty() && !campaigns.iter().any(|x| x.eq_ignore_ascii_case(&c)) {
            campaigns.push(c);
        }
    }
    // In the order the store reads them back (its column ignores ASCII case), so that the same campaigns typed
    // in another order are no change.
    campaigns.sort_by_key(|c| c.to_ascii_lowercase());
    if campaigns.is_empty() && !input.all_campaigns && input.role != Role::Administrator {
        errors.push(FieldError::new(
            "campaigns",
            "name the campaigns this user works on, or give them all campaigns (to take all access away, deactivate the user)",
        ));
    }
    if let Some(Err(e)) = password.map(auth::check_password_policy) {
        errors.push(FieldError::new("password", e.to_string()));
    }
    if !errors.is_empty() {
        return Err(ValidationErrors { errors });
    }
    Ok(UserInput {
        display_name: if display_name.is_empty() { username.clone() } else { display_name.to_string() },
        username,
        role: input.role,
        active: input.active,
        campaigns,
        all_campaigns: input.all_campaigns,
    })
}

fn user_snapshot(u: &UserInput) -> String {
    serde_json::json!({
        "username": u.username, "display_name": u.display_name, "role": u.role.as_str(),
        "active": u.active, "campaigns": u.campaigns, "all_campaigns": u.all_campaigns,
    })
    .to_string()
}

/// Marks or unmarks user `id` as a data steward in `batch`, with its change-log row.
fn mark_steward(tx: &rusqlite::Transaction<'_>, batch: &BatchId, id: i64, old: bool, new: bool) -> Result<()> {
    store::set_data_steward(tx, id, new, &batch.at)?;
    changelog::record(tx, batch, "user", id, "data_steward", Some(&old.to_string()), Some(&new.to_string()))?;
    Ok(())
}

impl Rapport {
    /// Whether the first administrator exists yet. Safe to ask before signing in.
    pub fn has_users(&self) -> Result<bool> {
        self.db.read(|conn| Ok(store::count(conn)? > 0))
    }

    /// Creates the first Administrator; refused once any user exists (checked inside the write transaction,
    /// so two first runs racing cannot both succeed).
    pub fn create_first_admin(&self, username: &str, display_name: &str, password: &str) -> Result<Actor> {
        let input = clean_user_input(
            &UserInput {
                username: username.into(),
                display_name: display_name.into(),
                role: Role::Administrator,
                active: true,
                campaigns: vec![],
                all_campaigns: true,
            },
            Some(password),
        )?;
        let hash = auth::hash_password(password)?;
        self.db.write(|tx| {
            if store::count(tx)? > 0 {
                return Err(Error::Auth(AuthError::AlreadyInitialized));
            }
            let at = self.now();
            let id = store::insert(tx, &input, &hash, &at)?;
            let batch = changelog::begin(
                tx,
                &changelog::Batch {
                    actor_id: Some(id),
                    actor_name: input.username.clone(),
                    at,
                    reason: changelog::ChangeReason::ManualEdit,
                    source_ref: "first run".into(),
                },
            )?;
            changelog::record(tx, &batch, "user", id, "*", None, Some(&user_snapshot(&input)))?;
            Ok(Actor::signed_in(id, input.username.clone(), &hash, 0))
        })
    }

    pub fn sign_in(&self, username: &str, password: &str) -> Result<Actor> {
        let creds = self.db.read(|conn| -> Result<_> {
            let Some(c) = store::credentials(conn, username)? else { return Ok(None) };
            let mark = crate::audit::store::last_change_id(conn, "user", c.id, "password")?;
            Ok(Some((c, mark)))
        })?;
        match creds {
            None => {
                auth::burn_verification(password);
                if self.has_users()? {
                    Err(AuthError::InvalidCredentials.into())
                } else {
                    Err(AuthError::NoUsers.into())
                }
            }
            Some((c, mark)) => {
                if !auth::verify_password(password, &c.password_hash) {
                    return Err(AuthError::InvalidCredentials.into());
                }
                if !c.active {
                    return Err(AuthError::Deactivated.into());
                }
                Ok(Actor::signed_in(c.id, c.username, &c.password_hash, mark))
            }
        }
    }

    pub fn session(&self, actor: &Actor) -> Result<SessionInfo> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            let id = actor.user_id.unwrap_or_default();
            let user = store::get(conn, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })?;
            Ok(SessionInfo { user, permissions: grant.permissions() })
        })
    }

    pub fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ManageUsers)?;
            Ok(store::list(conn)?)
        })
    }

    /// Active users a lead can be assigned to; readable by every role, for pickers and filters.
    pub fn owners(&self, actor: &Actor) -> Result<Vec<UserRef>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(store::owners(conn)?.into_iter().map(|(id, name)| UserRef { id, name }).collect())
        })
    }

    /// What user `id` holds that nobody would look after once they are deactivated or made a Viewer (the user
    /// dialog says it before such a save). Every lead and meeting counts, whatever campaign: an Administrator asks.
    pub fn user_holdings(&self, actor: &Actor, id: i64) -> Result<UserHoldings> {
        let now = crate::calendar::time::utc_text(self.now_utc());
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ManageUsers)?;
            let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
            Ok(UserHoldings {
                open_leads: count(crate::leads::store::open_owned_by(conn, id)?),
                upcoming_appointments: count(crate::calendar::store::upcoming_of(conn, id, &now)?),
            })
        })
    }

    /// What user `id` holds in the campaigns a change to `campaigns` (`all_campaigns`) would take from them: their
    /// open leads there and their meetings to come with those leads. They would no longer see them, and nobody
    /// else is reminded of them (an owner must see what they own): the user dialog says it before such a save.
    pub fn user_holdings_outside(
        &self,
        actor: &Actor,
        id: i64,
        campaigns: &[String],
        all_campaigns: bool,
    ) -> Result<UserHoldings> {
        let now = crate::calendar::time::utc_text(self.now_utc());
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ManageUsers)?;
            if all_campaigns {
                return Ok(UserHoldings::default());
            }
            let kept: Vec<String> = campaigns.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
            let scope = crate::access::LeadScope::Campaigns(kept.clone());
            // What they see now: leads left to them in campaigns taken by an earlier change are not this one's.
            let user = store::get(conn, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })?;
            let seen = if user.role == Role::Administrator || user.all_campaigns { None } else { Some(user.campaigns) };
            let seen_now =
                |c: &str| seen.as_ref().is_none_or(|list| list.iter().any(|s| s.eq_ignore_ascii_case(c.trim())));
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let mut meetings = 0usize;
            for lead in crate::calendar::store::upcoming_leads_of(conn, id, &now)? {
                if crate::leads::store::get(conn, lead)?
                    .is_some_and(|l| seen_now(&l.campaign) && !scope.allows_campaign(&l.campaign))
                {
                    meetings += 1;
                }
            }
            Ok(UserHoldings {
                open_leads: count(crate::leads::store::open_owned_outside(conn, id, &kept, seen.as_deref())?),
                upcoming_appointments: count(meetings),
            })
        })
    }

    /// Active users a lead of `campaign` can be given to: those who work on it (an owner must see what they
    /// own). Only for a campaign the reader works on: who works on another is not theirs to know.
    pub fn owners_for_campaign(&self, actor: &Actor, campaign: &str) -> Result<Vec<UserRef>> {
        self.db.read(|conn| {
            let grant = Self::grant(conn, actor, Permission::ReadLeads)?;
            if !grant.lead_scope().allows_campaign(campaign) {
                return Err(crate::access::AccessError::OutsideCampaigns(campaign.trim().to_string()).into());
            }
            let mut out = Vec::new();
            for (id, name) in store::owners(conn)? {
                if store::may_own(conn, id, campaign)? {
                    out.push(UserRef { id, name });
                }
            }
            Ok(out)
        })
    }

    /// Every user, deactivated ones included, as id and name: history must still name people who left.
    pub fn user_directory(&self, actor: &Actor) -> Result<Vec<UserRef>> {
        self.db.read(|conn| {
            Self::grant(conn, actor, Permission::ReadLeads)?;
            Ok(store::directory(conn)?.into_iter().map(|(id, name)| UserRef { id, name }).collect())
        })
    }

    pub fn create_user(&self, actor: &Actor, input: &UserInput, password: &str) -> Result<User> {
        self.add_user(actor, input, password, false)
    }

    /// [`Rapport::create_user`], marked a data steward or not in the same transaction: the user dialog's save,
    /// never half-done.
    pub fn add_user(&self, actor: &Actor, input: &UserInput, password: &str, data_steward: bool) -> Result<User> {
        let input = clean_user_input(input, Some(password))?;
        // Hashing is deliberately slow: do it before taking the write lock.
        let hash = auth::hash_password(password)?;
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageUsers)?;
            if store::username_taken(tx, &input.username, None)? {
                return Err(ValidationErrors::one("username", format!("\"{}\" is taken", input.username)).into());
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            let id = store::insert(tx, &input, &hash, &batch.at)?;
            changelog::record(tx, &batch, "user", id, "*", None, Some(&user_snapshot(&input)))?;
            if data_steward {
                mark_steward(tx, &batch, id, false, true)?;
            }
            store::get(tx, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })
        })
    }

    /// Marks or unmarks user `id` as a data steward (Administrators). Logged like any change.
    pub fn set_data_steward(&self, actor: &Actor, id: i64, steward: bool) -> Result<User> {
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageUsers)?;
            let old = store::get(tx, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })?;
            if old.data_steward != steward {
                let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
                mark_steward(tx, &batch, id, old.data_steward, steward)?;
            }
            store::get(tx, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })
        })
    }

    pub fn update_user(&self, actor: &Actor, id: i64, input: &UserInput) -> Result<User> {
        self.update_user_checked(actor, id, None, input, None)
    }

    /// [`Rapport::update_user`] from a form opened on `seen`, with the data-steward mark as the form has it, all in
    /// one transaction: refused as a conflict, nothing written, when the account changed since (another
    /// Administrator deactivated it, or took a campaign away): saving the form would undo that unseen.
    pub fn update_user_as_seen(
        &self,
        actor: &Actor,
        id: i64,
        seen: &User,
        input: &UserInput,
        data_steward: bool,
    ) -> Result<User> {
        self.update_user_checked(actor, id, Some(seen), input, Some(data_steward))
    }

    fn update_user_checked(
        &self,
        actor: &Actor,
        id: i64,
        seen: Option<&User>,
        input: &UserInput,
        data_steward: Option<bool>,
    ) -> Result<User> {
        let input = clean_user_input(input, None)?;
        self.db.write(|tx| {
            let grant = Self::grant(tx, actor, Permission::ManageUsers)?;
            let old = store::get(tx, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })?;
            if seen.is_some_and(|seen| *seen != old) {
                return Err(Error::Conflict { entity: "user" });
            }
            if store::username_taken(tx, &input.username, Some(id))? {
                return Err(ValidationErrors::one("username", format!("\"{}\" is taken", input.username)).into());
            }
            let was_admin = old.role == Role::Administrator && old.active;
            let stays_admin = input.role == Role::Administrator && input.active;
            if was_admin && !stays_admin && store::active_admins(tx)? <= 1 {
                return Err(ValidationErrors::one(
                    "role",
                    "this is the last active administrator; make someone else administrator first",
                )
                .into());
            }
            let changes: Vec<(&str, String, String)> = vec![
                ("username", old.username.clone(), input.username.clone()),
                ("display_name", old.display_name.clone(), input.display_name.clone()),
                ("role", old.role.as_str().into(), input.role.as_str().into()),
                ("active", old.active.to_string(), input.active.to_string()),
                ("campaigns", old.campaigns.join("; "), input.campaigns.join("; ")),
                ("all_campaigns", old.all_campaigns.to_string(), input.all_campaigns.to_string()),
            ];
            let changes: Vec<_> = changes.into_iter().filter(|(_, a, b)| a != b).collect();
            let steward = data_steward.filter(|s| *s != old.data_steward);
            if changes.is_empty() && steward.is_none() {
                return Ok(old);
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            if !changes.is_empty() {
                store::update(tx, id, &input, &batch.at)?;
                for (field, a, b) in &changes {
                    changelog::record(tx, &batch, "user", id, field, Some(a), Some(b))?;
                }
            }
            if let Some(steward) = steward {
                mark_steward(tx, &batch, id, old.data_steward, steward)?;
            }
            store::get(tx, id)?.ok_or(Error::NotFound { entity: "user", id: id.to_string() })
        })
    }

    /// Users change their own password by giving the current one; administrators may set anyone's. Every
    /// session of that account opened with the old password ends; changing one's own, the session that did it
    /// goes on as the one returned.
    /// Sets a new password for Administrator `username` without signing in: the way back when the only
    /// Administrator forgot theirs (nobody else may reset it, and with it go users, settings and approvals). It
    /// takes writing to the database file, which whoever may do so could change anyway; the change log says it
    /// was a recovery, and every session opened with the old password ends. Another user's password is an
    /// Administrator's to reset in the app.
    pub fn recover_admin_password(&self, username: &str, new: &str) -> Result<()> {
        auth::check_password_policy(new)
            .map_err(|e| Error::Validation(ValidationErrors::one("password", e.to_string())))?;
        let hash = auth::hash_password(new)?;
        self.db.write(|tx| {
            let user = store::id_of_name(tx, username.trim())?
                .map(|id| store::get(tx, id))
                .transpose()?
                .flatten()
                .ok_or_else(|| Error::NotFound { entity: "user", id: username.trim().to_string() })?;
            if user.role != Role::Administrator || !user.active {
                return Err(ValidationErrors::one(
                    "username",
                    format!(
                        "{} is not an active Administrator: an Administrator resets other users' passwords in the app",
                        user.username
                    ),
                )
                .into());
            }
            let recovery = Grant { username: RECOVERY_ACTOR.into(), ..Grant::system() };
            let why = Origin { source_ref: "password recovered from the command line".into(), ..Origin::manual() };
            let batch = self.begin_batch(tx, &recovery, &why)?;
            store::set_password_hash(tx, user.id, &hash, &batch.at)?;
            changelog::record(tx, &batch, "user", user.id, "password", None, Some("(changed)"))?;
            Ok(())
        })
    }

    pub fn change_password(
        &self,
        actor: &Actor,
        user_id: i64,
        current: Option<&str>,
        new: &str,
    ) -> Result<Option<Actor>> {
        auth::check_password_policy(new)
            .map_err(|e| Error::Validation(ValidationErrors::one("password", e.to_string())))?;
        let own = actor.user_id == Some(user_id);
        if own {
            let stored = self.db.read(|conn| -> Result<Option<String>> {
                Self::grant(conn, actor, Permission::ReadLeads)?;
                // By id: a username can change (or be given to someone else) while this session lasts.
                Ok(store::password_hash(conn, user_id)?)
            })?;
            let ok = match (current, stored) {
                (Some(cur), Some(hash)) => auth::verify_password(cur, &hash),
                _ => false,
            };
            if !ok {
                return Err(ValidationErrors::one("current_password", "is not the password you sign in with").into());
            }
        }
        let hash = auth::hash_password(new)?;
        self.db.write(|tx| {
            let permission = if own { Permission::ReadLeads } else { Permission::ManageUsers };
            let grant = Self::grant(tx, actor, permission)?;
            if store::get(tx, user_id)?.is_none() {
                return Err(Error::NotFound { entity: "user", id: user_id.to_string() });
            }
            let batch = self.begin_batch(tx, &grant, &Origin::manual())?;
            store::set_password_hash(tx, user_id, &hash, &batch.at)?;
            // The log says that it changed, never what to: no hash, no password.
            changelog::record(tx, &batch, "user", user_id, "password", None, Some("(changed)"))?;
            if !own {
                return Ok(None);
            }
            let mark = crate::audit::store::last_change_id(tx, "user", user_id, "password")?;
            Ok(Some(Actor::signed_in(user_id, actor.username.clone(), &hash, mark)))
        })
    }
}
