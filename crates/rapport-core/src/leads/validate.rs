//! Turns a [`LeadInput`] into a [`ValidLead`] or into every field error at once: a form shows them all inline,
//! an import reports them all per row. Nothing invalid is dropped silently: it is an error the user sees.
use super::completeness::{missing_fields, status_for, CompletenessFacts};
use super::country::region_of_country;
use super::deal;
use super::email::normalize_email;
use super::fields::{LeadFieldKind, FIELDS};
use super::model::{
    EmailEntry, InvalidValue, Lead, LeadInput, LeadStatus, MissingField, PhoneEntry, SourceChannel, UserRef,
};
use super::phone::{parse_phone, PhoneError};
use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summary(.errors))]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

fn summary(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field, one.message),
        _ => format!(
            "{} fields need attention: {}",
            errors.len(),
            errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        ),
    }
}

impl ValidationErrors {
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { errors: vec![FieldError::new(field, message)] }
    }

    /// Gathers faults one by one, so a form learns about all of them at once.
    pub fn none() -> Self {
        Self { errors: Vec::new() }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPhone {
    pub entry: PhoneEntry,
    pub national: String,
}

/// A lead that passed validation: what the store writes. Text fields are cleaned (trimmed, length-checked)
/// generically through the field table and kept in `text`; contact points are parsed and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLead {
    /// The cleaned text fields (its list, source, owner and stage members are unused: see the fields below).
    pub text: LeadInput,
    pub emails: Vec<EmailEntry>,
    pub phones: Vec<ValidPhone>,
    pub source: Option<SourceChannel>,
    pub owner_id: Option<i64>,
    pub stage: String,
    pub tags: Vec<String>,
    pub invalid: Vec<InvalidValue>,
    pub missing: Vec<MissingField>,
    pub status: LeadStatus,
}

impl ValidLead {
    /// The lead this would be once stored, for comparing with a stored one field by field.
    pub fn as_lead(&self, id: i64) -> Lead {
        let t = &self.text;
        Lead {
            id,
            version: 0,
            first_name: t.first_name.clone(),
            last_name: t.last_name.clone(),
            company: t.company.clone(),
            job_title: t.job_title.clone(),
            emails: self.emails.clone(),
            phones: self.phones.iter().map(|p| p.entry.clone()).collect(),
            address: t.address.clone(),
            country_code: region_of_country(&t.address.country).unwrap_or_default(),
            source: self.source,
            source_detail: t.source_detail.clone(),
            campaign: t.campaign.clone(),
            owner: self.owner_id.map(|id| UserRef { id, name: String::new() }),
            stage: self.stage.clone(),
            tags: self.tags.clone(),
            notes: t.notes.clone(),
            external_ref: t.external_ref.clone(),
            deal: t.deal.clone(),
            invalid: self.invalid.clone(),
            status: self.status,
            missing: self.missing.clone(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    pub fn campaign(&self) -> &str {
        &self.text.campaign
    }
}

/// What validation needs from configuration and the database.
pub struct ValidationContext<'a> {
    /// Region for phone numbers written without a country code, when the lead's own country names none.
    pub default_region: &'a str,
    /// The currency of a deal value that names none (Settings), if an Administrator set one.
    pub default_currency: Option<&'a str>,
    /// Stage keys in pipeline order; the first is where new leads start.
    pub stages: &'a [String],
    /// The configured lost reasons: (key, label).
    pub lost_reasons: &'a [(String, String)],
    /// Whether an owner id names an active user.
    pub owner_exists: &'a dyn Fn(i64) -> bool,
    /// The owner the lead has now, if it is stored: keeping an owner who has since been deactivated is not a
    /// new assignment, so it is not refused (the lead stays editable, undoable and re-importable).
    pub current_owner: Option<i64>,
}

/// Characters that reorder the text shown around them (U+202A to U+202E, U+2066 to U+2069): in a name they
/// make "Ann\u{202E}nhoJ" read as someone else's.
fn reorders_text(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A zero-width space or a byte-order mark inside text, and Unicode's line and paragraph separators: pasted
/// from web pages and word processors, they make "Ada\u{200B}Lovelace" look like a name it does not match, and
/// a separator breaks a line in some readers and not in others.
const INVISIBLE_OR_SEPARATOR: [char; 4] = ['\u{200B}', '\u{FEFF}', '\u{2028}', '\u{2029}'];

/// `value` with its zero-width spaces and byte-order marks taken out, and its line and paragraph separators
/// made line breaks, which [`clean`] then keeps (multi-line text) or joins with a space.
fn without_invisible(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\u{200B}' | '\u{FEFF}'))
        .map(|c| if matches!(c, '\u{2028}' | '\u{2029}') { '\n' } else { c })
        .collect()
}

/// Outside text to show as it was sent (a sender's field name in a refusal): the characters [`unsafe_entry`]
/// refuses are written as their code (`\u{1b}`), so that a terminal or a list shows them instead of obeying them.
pub(crate) fn shown_as_sent(v: &str) -> std::borrow::Cow<'_, str> {
    if unsafe_entry(v).is_none() {
        return v.into();
    }
    v.chars()
        .map(|c| if c.is_control() || reorders_text(c) { c.escape_unicode().to_string() } else { c.to_string() })
        .collect::<String>()
        .into()
}

/// Why text shown to people as one line cannot be taken as it is (a control character, a line break, a
/// direction override that makes it read as something else), if it cannot.
pub(crate) fn unsafe_entry(v: &str) -> Option<&'static str> {
    if v.chars().any(char::is_control) {
        Some("contains control characters or line breaks")
    } else if v.chars().any(reorders_text) {
        Some("contains characters that reorder the text shown (right-to-left overrides)")
    } else {
        None
    }
}

fn too_many(field: &str, what: &str, given: usize) -> FieldError {
    FieldError::new(
        field,
        format!("a lead holds at most {MAX_CONTACTS_PER_KIND} {what} ({given} were given): keep the ones in use"),
    )
}

/// The longest entry kept as typed (an email with its display name, a phone with its extension).
const MAX_ENTRY_CHARS: usize = 320;

/// The most email addresses, and phone numbers, one lead holds: a person has a few; a cell or a body with
/// thousands is a list pasted into one field (and each entry is checked against the ones before it).
pub const MAX_CONTACTS_PER_KIND: usize = 20;

/// The most tags one lead carries.
pub const MAX_TAGS: usize = 50;

/// An entry's spelling as typed, checked as the other text is: the normalized value is checked by its own rules,
/// but the spelling is stored and shown too.
fn entry_problem(raw: &str) -> Option<String> {
    if raw.chars().count() > MAX_ENTRY_CHARS {
        return Some(format!("is longer than {MAX_ENTRY_CHARS} characters"));
    }
    unsafe_entry(raw).map(String::from)
}

/// A text value trimmed and checked. A field of one line (`multiline` false) takes a line break or a tab typed
/// into it (a spreadsheet cell with Alt+Enter) as a space: such a name broke every list it was shown in.
/// Text is kept in Unicode's composed form (NFC): "Zoë" pasted from a Mac comes as "Zoe" and a combining mark,
/// which looks the same but compares, sorts and counts otherwise.
#[must_use = "the cleaned text is what is stored: the value as typed keeps its lone carriage returns"]
pub(crate) fn clean(field: &str, value: &str, max: usize, multiline: bool, errors: &mut Vec<FieldError>) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let composed: String;
    let value = if is_nfc_quick(value.chars()) == IsNormalized::Yes {
        value
    } else {
        composed = value.nfc().collect();
        &composed
    };
    let separated: String;
    let value = if value.contains(INVISIBLE_OR_SEPARATOR) {
        separated = without_invisible(value);
        &separated
    } else {
        value
    };
    let v = value.trim();
    let v = if multiline && !v.contains('\r') {
        v.to_string()
    } else if multiline {
        // A lone carriage return (old Mac line ends, or typed) is a line break: kept as it is, a terminal would
        // print what follows it over the start of its line, and a note could fake another line of output.
        let mut text = String::with_capacity(v.len());
        let mut chars = v.chars().peekable();
        while let Some(c) = chars.next() {
            text.push(if c == '\r' && chars.peek() != Some(&'\n') { '\n' } else { c });
        }
        text
    } else if !v.contains(['\n', '\r', '\t']) {
        v.to_string()
    } else {
        v.split(['\n', '\r', '\t']).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
    };
    if v.chars().count() > max {
        errors.push(FieldError::new(field, format!("is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        errors.push(FieldError::new(field, "contains control characters"));
    }
    if v.chars().any(reorders_text) {
        errors
            .push(FieldError::new(field, "contains characters that reorder the text shown (right-to-left overrides)"));
    }
    v
}

pub fn validate_lead(input: &LeadInput, ctx: &ValidationContext<'_>) -> Result<ValidLead, ValidationErrors> {
    let mut errors = Vec::new();
    let mut text = LeadInput::default();
    for f in FIELDS.iter().filter(|f| f.info.kind.is_text()) {
        let multiline = f.info.kind == LeadFieldKind::LongText;
        let mut value = clean(f.info.name, &(f.read)(input), f.info.max_chars as usize, multiline, &mut errors);
        if f.info.name == "campaign" {
            value = crate::access::campaign_spelling(&value);
        }
        if !value.is_empty() {
            let spelled = match f.info.kind {
                LeadFieldKind::Amount => Some(deal::normalize_amount(&value)),
                LeadFieldKind::Currency => Some(deal::normalize_currency(&value)),
                LeadFieldKind::Date => Some(deal::normalize_date(&value)),
                LeadFieldKind::LostReason => Some(deal::match_lost_reason(&value, ctx.lost_reasons)),
                _ => None,
            };
            match spelled {
                Some(Ok(one)) => value = one,
                Some(Err(why)) => errors.push(FieldError::new(f.info.name, why)),
                None => {}
            }
        }
        (f.set)(&mut text, &value);
    }

    // The currency written with the value ("5,000 USD", "£5,000") is the deal's when it names none, and may not
    // contradict the one it names: it was dropped, and the deal summed with the others of no currency.
    if let (false, Some(code)) = (text.deal.value.is_empty(), deal::written_currency(&input.deal.value)) {
        if text.deal.currency.is_empty() {
            if !errors.iter().any(|e| e.field == "currency") {
                text.deal.currency = code;
            }
        } else if !deal::agrees_with(&code, &input.deal.value, &text.deal.currency) {
            errors.push(FieldError::new(
                "deal_value",
                format!(
                    "\"{}\" is in {code}, but the deal's currency is {}",
                    input.deal.value.trim(),
                    text.deal.currency
                ),
            ));
        }
    }
    // A value that names no currency, in a CRM of one currency (its exports write "5000"), is in that one.
    if let (false, true, Some(code)) = (text.deal.value.is_empty(), text.deal.currency.is_empty(), ctx.default_currency)
    {
        if !errors.iter().any(|e| e.field == "currency") {
            text.deal.currency = code.to_string();
        }
    }

    let mut emails: Vec<EmailEntry> = Vec::new();
    // Invalid entries count towards the limit too: a pasted list of names is refused as a list, in one message,
    // not as a message per entry (nor kept, with keep-invalid, as hundreds of values to fix).
    let mut invalid = 0;
    for (i, raw) in input.emails.iter().enumerate() {
        if raw.trim().is_empty() {
            continue; // an empty row of the form, not a value
        }
        let problem = entry_problem(raw.trim());
        let address = match problem {
            Some(why) => Err(why),
            None => normalize_email(raw).map_err(|e| format!("\"{}\" {e}", raw.trim())),
        };
        // The same address twice is one contact point; keeping one loses nothing.
        if address.as_ref().is_ok_and(|a| emails.iter().any(|e| e.address.eq_ignore_ascii_case(a))) {
            continue;
        }
        if emails.len() + invalid == MAX_CONTACTS_PER_KIND {
            errors.retain(|e| !e.field.starts_with("emails."));
            errors.push(too_many("emails", "email addresses", input.emails.len()));
            break;
        }
        match address {
            Ok(address) => emails.push(EmailEntry { address, original: raw.trim().to_string() }),
            Err(why) => {
                invalid += 1;
                errors.push(FieldError::new(format!("emails.{i}"), why));
            }
        }
    }

    // A lead's own country says more about its phone numbers than the global default.
    let region = region_of_country(&text.address.country).unwrap_or_else(|| ctx.default_region.to_string());
    let mut phones: Vec<ValidPhone> = Vec::new();
    let mut invalid = 0;
    for (i, raw) in input.phones.iter().enumerate() {
        // Marks a right-to-left app puts around a number copied from it steer how it is shown, and are no part
        // of it: refused as "characters that reorder the text", or read as a national number, it was lost.
        let raw = &*super::phone::without_direction_marks(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let problem = entry_problem(raw.trim());
        let parsed = match problem {
            Some(why) => Err(why),
            None => parse_phone(raw, &region).map_err(|e| {
                // The lead's country was given but is none Rapport reads: said, or "add its country code" reads
                // as if none had been given.
                let country = text.address.country.trim();
                match e {
                    PhoneError::Invalid(_) if !country.is_empty() && region_of_country(country).is_none() => format!(
                        "\"{}\" {e} (the lead's country, \"{country}\", is not one Rapport knows: write it as its \
                         name or two-letter code)",
                        raw.trim()
                    ),
                    e => format!("\"{}\" {e}", raw.trim()),
                }
            }),
        };
        if parsed.as_ref().is_ok_and(|p| phones.iter().any(|q| q.entry.e164 == p.e164)) {
            continue;
        }
        if phones.len() + invalid == MAX_CONTACTS_PER_KIND {
            errors.retain(|e| !e.field.starts_with("phones."));
            errors.push(too_many("phones", "phone numbers", input.phones.len()));
            break;
        }
        match parsed {
            Ok(p) => phones.push(ValidPhone {
                entry: PhoneEntry { e164: p.e164, display: p.international, original: raw.trim().to_string() },
                national: p.national,
            }),
            Err(why) => {
                invalid += 1;
                errors.push(FieldError::new(format!("phones.{i}"), why));
            }
        }
    }

    let mut tags: Vec<String> = Vec::new();
    for raw in &input.tags {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(why) = unsafe_entry(t) {
            errors.push(FieldError::new("tags", format!("a tag {why}")));
        } else if t.contains(';') {
            errors.push(FieldError::new("tags", format!("\"{t}\": a tag cannot contain ';'")));
        } else if t.chars().count() > 60 {
            errors.push(FieldError::new("tags", format!("\"{t}\" is longer than 60 characters")));
        } else if !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            if tags.len() == MAX_TAGS {
                errors.push(FieldError::new("tags", format!("a lead carries at most {MAX_TAGS} tags")));
                break;
            }
            tags.push(t.to_string());
        }
    }
    // In the order the store reads them back (its NOCASE collation folds ASCII letters only), so the log
    // records what a later read shows: an undo then finds the tags as the save left them, and the same tags
    // typed in another order are no change.
    tags.sort_by_key(|t| t.to_ascii_lowercase());

    let stage_key = input.stage.trim();
    let stage = if stage_key.is_empty() {
        ctx.stages.first().cloned().unwrap_or_default()
    } else if let Some(s) = ctx.stages.iter().find(|s| s.eq_ignore_ascii_case(stage_key)) {
        s.clone()
    } else {
        errors.push(FieldError::new(
            "stage",
            format!("\"{stage_key}\" is not a stage of the pipeline (one of: {})", ctx.stages.join(", ")),
        ));
        String::new()
    };

    if let Some(owner) = input.owner_id.filter(|o| Some(*o) != ctx.current_owner) {
        if !(ctx.owner_exists)(owner) {
            errors.push(FieldError::new(
                "owner",
                format!("user {owner} does not exist, is deactivated or is a Viewer (who cannot work a lead)"),
            ));
        }
    }

    let mut invalid: Vec<InvalidValue> = Vec::new();
    for (i, v) in input.invalid.iter().enumerate() {
        let value = v.value.trim();
        if value.is_empty() || invalid.iter().any(|x| x.field == v.field && x.value == value) {
            continue;
        }
        if v.field != "emails" && v.field != "phones" {
            errors.push(FieldError::new(format!("invalid.{i}"), "only emails and phones can be kept as invalid"));
        } else if let Some(why) = entry_problem(value) {
            errors.push(FieldError::new(format!("invalid.{i}"), why));
        }
        // The reason is shown under "needs fixing" as the value is: checked as it is.
        let reason = v.reason.trim();
        if let Some(why) = entry_problem(reason) {
            errors.push(FieldError::new(format!("invalid.{i}.reason"), why));
        }
        invalid.push(InvalidValue { field: v.field.clone(), value: value.to_string(), reason: reason.to_string() });
    }

    if !errors.is_empty() {
        return Err(ValidationErrors { errors });
    }

    let missing = missing_fields(&CompletenessFacts {
        flagged_values: invalid.len(),
        has_name: super::completeness::has_name(&text.first_name, &text.last_name),
        valid_contact_points: emails.len() + phones.len(),
        source: input.source,
    });
    let status = status_for(&missing);
    Ok(ValidLead {
        text,
        emails,
        phones,
        source: input.source,
        owner_id: input.owner_id,
        stage,
        tags,
        invalid,
        missing,
        status,
    })
}

/// For "keep invalid values": when the only errors are invalid emails or phones, the input with those values
/// moved into [`LeadInput::invalid`] (as typed, with the reason), so the lead can be saved as a Draft. None when
/// another field is at fault too: such a row is still rejected.
pub fn keep_invalid_contacts(input: &LeadInput, errors: &ValidationErrors) -> Option<LeadInput> {
    let mut bad: Vec<(&str, usize, &str)> = Vec::new();
    for e in &errors.errors {
        let (list, index) = e.field.split_once('.')?;
        if list != "emails" && list != "phones" {
            return None;
        }
        bad.push((list, index.parse().ok()?, e.message.as_str()));
    }
    let mut out = input.clone();
    for (list, index, reason) in &bad {
        let values = if *list == "emails" { &input.emails } else { &input.phones };
        let value = values.get(*index)?.trim().to_string();
        out.invalid.push(InvalidValue { field: list.to_string(), value, reason: reason.to_string() });
    }
    let keep = |list: &str, values: &[String]| -> Vec<String> {
        values
            .iter()
            .enumerate()
            .filter(|(i, _)| !bad.iter().any(|(l, j, _)| *l == list && j == i))
            .map(|(_, v)| v.clone())
            .collect()
    };
    out.emails = keep("emails", &input.emails);
    out.phones = keep("phones", &input.phones);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::model::Address;

    fn ctx_stages() -> Vec<String> {
        vec!["new".into(), "qualification".into()]
    }

    fn validate(input: &LeadInput) -> Result<ValidLead, ValidationErrors> {
        validate_in(input, None)
    }

    fn validate_in(input: &LeadInput, default_currency: Option<&str>) -> Result<ValidLead, ValidationErrors> {
        let stages = ctx_stages();
        let owners = |id: i64| id == 1;
        validate_lead(
            input,
            &ValidationContext {
                default_region: "US",
                default_currency,
                stages: &stages,
                lost_reasons: &[("price".to_string(), "Price".to_string())],
                owner_exists: &owners,
                current_owner: None,
            },
        )
    }

    /// Text pasted from a web page keeps no zero-width spaces or byte-order marks, which make a name look
    /// like one it does not match, and Unicode's line separators are line breaks: kept in notes, a space in a
    /// one-line field. Joiners (U+200C, U+200D), which some scripts and emoji need, stay.
    #[test]
    fn invisible_characters_and_unicode_line_separators_are_not_stored() {
        let mut errors = Vec::new();
        assert_eq!(clean("first_name", "\u{FEFF}Ada\u{200B}", 80, false, &mut errors), "Ada");
        assert_eq!(clean("last_name", "Love\u{200B}lace", 80, false, &mut errors), "Lovelace");
        assert_eq!(clean("company", "Acme\u{2028}Labs\u{2029}", 80, false, &mut errors), "Acme Labs");
        assert_eq!(clean("notes", "one\u{2028}two\u{2029}three", 80, true, &mut errors), "one\ntwo\nthree");
        assert_eq!(
            clean("company", "\u{646}\u{200C}\u{627} \u{1F469}\u{200D}\u{1F4BB}", 80, false, &mut errors),
            "\u{646}\u{200C}\u{627} \u{1F469}\u{200D}\u{1F4BB}"
        );
        assert!(errors.is_empty(), "{errors:?}");
        let stored = validate(&LeadInput {
            first_name: "Ada\u{200B}".into(),
            last_name: "Love\u{2028}lace".into(),
            ..Default::default()
        })
        .expect("a name with invisible characters is valid once they are out");
        assert_eq!((stored.text.first_name.as_str(), stored.text.last_name.as_str()), ("Ada", "Love lace"));
    }

    /// A campaign decides who sees a lead: spelled with two spaces, or a non-breaking one, it was another
    /// campaign, hidden from the team of the one meant.
    #[test]
    fn a_campaign_is_spelled_with_single_spaces() {
        for typed in ["Spring  Expo", " Spring\u{a0}Expo ", "Spring \t Expo"] {
            let lead = validate(&LeadInput { first_name: "Ann".into(), campaign: typed.into(), ..Default::default() })
                .expect("valid");
            assert_eq!(lead.campaign(), "Spring Expo", "{typed:?}");
        }
    }

    /// A lead holds at most so many addresses, numbers and tags: as many is fine, one more is refused naming
    /// the list, and the same entry repeated counts once (a list pasted into one cell is caught, quickly).
    #[test]
    fn a_lead_holds_a_bounded_number_of_contacts_and_tags() {
        let emails = |n: usize| (0..n).map(|i| format!("ann{i}@lee.io")).collect::<Vec<_>>();
        let phones = |n: usize| (0..n).map(|i| format!("+44 20 7946 {:04}", i)).collect::<Vec<_>>();
        let tags = |n: usize| (0..n).map(|i| format!("tag {i}")).collect::<Vec<_>>();
        let full = LeadInput {
            first_name: "Ann".into(),
            emails: emails(MAX_CONTACTS_PER_KIND),
            phones: phones(MAX_CONTACTS_PER_KIND),
            tags: tags(MAX_TAGS),
            ..Default::default()
        };
        let v = validate(&full).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v.emails.len(), v.phones.len(), v.tags.len()), (20, 20, 50));
        let mut repeated = full.clone();
        repeated.emails.extend(emails(5));
        assert!(validate(&repeated).is_ok(), "the same addresses again are no more addresses");
        let fields = |input: &LeadInput| {
            validate(input).err().map(|e| e.errors.into_iter().map(|f| (f.field, f.message)).collect::<Vec<_>>())
        };
        let pasted = LeadInput { emails: emails(100_000), ..full.clone() };
        let errs = fields(&pasted).unwrap_or_default();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].0, "emails");
        assert!(errs[0].1.contains("at most 20 email addresses (100000 were given)"), "{errs:?}");
        let errs = fields(&LeadInput { phones: phones(21), ..full.clone() }).unwrap_or_default();
        assert_eq!(errs.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["phones"], "{errs:?}");
        // Names pasted where addresses go, valid entries among them: one message for the list, not one an entry.
        let mut names: Vec<String> = (0..500).map(|i| format!("Person {i}")).collect();
        names.insert(3, "ann@lee.io".into());
        for (list, field) in [("emails", "email addresses"), ("phones", "phone numbers")] {
            let mut input = LeadInput { first_name: "Ann".into(), ..Default::default() };
            if list == "emails" {
                input.emails = names.clone()
            } else {
                input.phones = names.clone()
            }
            let errs = fields(&input).unwrap_or_default();
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].0, list);
            assert!(errs[0].1.contains(&format!("at most 20 {field} (501 were given)")), "{errs:?}");
        }
        // As many as the limit, some invalid: each named where it is, as before.
        let errs = fields(&LeadInput { emails: names[..20].to_vec(), ..full.clone() }).unwrap_or_default();
        assert!(errs.iter().all(|e| e.0.starts_with("emails.")) && errs.len() == 19, "{errs:?}");
        let errs = fields(&LeadInput { tags: tags(51), ..full }).unwrap_or_default();
        assert_eq!(errs.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["tags"], "{errs:?}");
    }

    /// A value naming no currency is in Settings' default currency when one is set; a currency written with the
    /// value or in its own field stays the deal's; without a value there is no currency to give.
    #[test]
    fn a_value_naming_no_currency_is_in_the_default_one() {
        let deal = |value: &str, currency: &str| LeadInput {
            first_name: "Ann".into(),
            deal: crate::leads::model::Deal { value: value.into(), currency: currency.into(), ..Default::default() },
            ..Default::default()
        };
        let currency = |input: &LeadInput, default: Option<&str>| {
            validate_in(input, default).map(|v| v.text.deal.currency).unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(currency(&deal("5000", ""), Some("EUR")), "EUR");
        assert_eq!(currency(&deal("5000", ""), None), "");
        assert_eq!(currency(&deal("£5,000", ""), Some("EUR")), "GBP");
        assert_eq!(currency(&deal("5000", "chf"), Some("EUR")), "CHF");
        assert_eq!(currency(&deal("", ""), Some("EUR")), "");
        // A currency field typed wrong is refused as it was, not replaced by the default.
        let refused = validate_in(&deal("5000", "eur0"), Some("EUR")).err().map(|e| e.errors[0].field.clone());
        assert_eq!(refused.as_deref(), Some("currency"));
    }

    /// A line break in a field of one line (a spreadsheet cell typed with Alt+Enter) is a space; notes keep theirs;
    /// a right-to-left override in a name is refused, naming the field.
    #[test]
    fn one_line_fields_stay_one_line_and_names_are_not_reordered() {
        let input = LeadInput {
            first_name: "Ann\r\nMarie".into(),
            company: "Acme\tLabs".into(),
            notes: "line one\nline two".into(),
            ..Default::default()
        };
        let v = validate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v.text.first_name.as_str(), v.text.company.as_str()), ("Ann Marie", "Acme Labs"));
        assert_eq!(v.text.notes, "line one\nline two");
        // A lone carriage return would let a note print over its own line in a terminal: it is a line break.
        let input = LeadInput { notes: "harmless\rowner: mallory\r\nlast".into(), ..Default::default() };
        let v = validate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.text.notes, "harmless\nowner: mallory\r\nlast", "a Windows line end stays as it was");
        let spoof = LeadInput { last_name: "Lee\u{202E}nhoJ".into(), ..Default::default() };
        let errs = validate(&spoof).err().map(|e| e.errors.into_iter().map(|f| f.field).collect::<Vec<_>>());
        assert_eq!(errs, Some(vec!["last_name".to_string()]));
    }

    /// A name pasted from a Mac (decomposed: a letter and a combining accent) is kept composed, as typed elsewhere:
    /// the two looked the same and compared apart, so a returning visitor was a second lead to review.
    #[test]
    fn text_is_kept_composed() {
        let input =
            LeadInput { first_name: "Zoe\u{308}".into(), last_name: "Bronte\u{308}".into(), ..Default::default() };
        let v = validate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v.text.first_name.as_str(), v.text.last_name.as_str()), ("Zo\u{eb}", "Bront\u{eb}"));
    }

    /// What is kept as typed is checked as the other text is: an email's display name, a phone's parameters,
    /// a tag and a value kept as invalid refuse terminal escapes, line breaks, text-reordering characters and
    /// entries longer than 320 characters, naming the entry.
    #[test]
    fn entries_kept_as_typed_refuse_escapes_reordering_and_length() {
        let fields = |input: LeadInput| -> Vec<String> {
            validate(&input).err().map(|e| e.errors.into_iter().map(|f| f.field).collect()).unwrap_or_default()
        };
        let base = || LeadInput { last_name: "Lee".into(), ..Default::default() };
        let email = |e: &str| LeadInput { emails: vec!["ann@x.io".into(), e.into()], ..base() };
        assert_eq!(fields(email("\u{202E}evil <ann@lee.io>")), ["emails.1"]);
        assert_eq!(fields(email("\u{1b}[2J Ann <ann@lee.io>")), ["emails.1"]);
        assert_eq!(fields(email(&format!("{} <ann@lee.io>", "A".repeat(400)))), ["emails.1"]);
        assert!(fields(email("Ann Lee <ann@lee.io>")).is_empty());
        let phone = |p: &str| LeadInput { phones: vec![p.into()], ..base() };
        assert_eq!(fields(phone(&format!("tel:+14155552671;x={}", "y".repeat(400)))), ["phones.0"]);
        assert_eq!(fields(phone("tel:+14155552671;x=\u{1b}[31m")), ["phones.0"]);
        assert!(fields(phone("(415) 555-2671")).is_empty());
        let tags = |t: &str| LeadInput { tags: vec!["vip".into(), t.into()], ..base() };
        assert_eq!(fields(tags("a\u{1b}[31m")), ["tags"]);
        assert_eq!(fields(tags("x\u{202E}y")), ["tags"]);
        assert_eq!(fields(tags("two\nlines")), ["tags"]);
        let kept = |v: &str| LeadInput {
            invalid: vec![InvalidValue { field: "emails".into(), value: v.into(), reason: "not an address".into() }],
            ..base()
        };
        assert_eq!(fields(kept("ann\u{202E}@x")), ["invalid.0"]);
        assert!(fields(kept("ann@")).is_empty());
        // Its reason is shown beside it under "needs fixing": checked the same way.
        let reason = |r: &str| LeadInput {
            invalid: vec![InvalidValue { field: "emails".into(), value: "ann@".into(), reason: r.into() }],
            ..base()
        };
        assert_eq!(fields(reason("not\u{202E} an address")), ["invalid.0.reason"]);
        assert_eq!(fields(reason(&"x".repeat(400))), ["invalid.0.reason"]);
    }

    /// A name of invisible characters only is no name: the lead stays a Draft until it has one.
    #[test]
    fn an_invisible_name_is_no_name() {
        for name in ["\u{200B}", "\u{FEFF}\u{2060}", "\u{00AD}", "-", "李"] {
            let input = LeadInput {
                first_name: name.into(),
                emails: vec!["ann@x.io".into()],
                source: Some(SourceChannel::DirectEntry),
                ..Default::default()
            };
            let v = validate(&input).unwrap_or_else(|e| panic!("{name:?}: {e}"));
            let named = name == "李";
            assert_eq!(v.missing.contains(&MissingField::Name), !named, "{name:?}");
        }
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let input = LeadInput {
            emails: vec!["good@x.com".into(), "bad@".into()],
            phones: vec!["12".into()],
            stage: "nowhere".into(),
            owner_id: Some(9),
            ..Default::default()
        };
        let errs = validate(&input).err().map(|e| e.errors.into_iter().map(|f| f.field).collect::<Vec<_>>());
        assert_eq!(errs, Some(vec!["emails.1".into(), "phones.0".into(), "stage".into(), "owner".into()]));
    }

    #[test]
    fn lead_country_picks_the_phone_region() {
        let input = LeadInput {
            first_name: "Ann".into(),
            phones: vec!["020 7946 0018".into()],
            address: Address { country: "gb".into(), ..Default::default() },
            source: Some(SourceChannel::DirectEntry),
            ..Default::default()
        };
        let lead = validate(&input).map_err(|e| e.to_string());
        assert_eq!(lead.as_ref().map(|l| l.phones[0].entry.e164.as_str()), Ok("+442079460018"));
        assert_eq!(lead.map(|l| (l.status, l.stage)), Ok((LeadStatus::Active, "new".to_string())));
    }

    #[test]
    fn a_country_written_out_picks_the_phone_region_too() {
        for (country, phone, e164) in [
            ("Australia", "0412 345 678", "+61412345678"),
            ("United Kingdom", "020 7946 0018", "+442079460018"),
            ("UK", "020 7946 0018", "+442079460018"),
            ("DEU", "030 901820", "+4930901820"),
            (" germany ", "030 901820", "+4930901820"),
            // Exports from Europe write the country in their own language.
            ("Deutschland", "030 901820", "+4930901820"),
            ("Österreich", "01 5134567", "+4315134567"),
            ("Schweiz", "044 668 18 00", "+41446681800"),
            ("Suisse", "022 310 11 22", "+41223101122"),
            ("España", "912 345 678", "+34912345678"),
            ("Nederland", "020 794 6001", "+31207946001"),
            ("Allemagne", "030 901820", "+4930901820"),
            ("U.S.A.", "(415) 555-0134", "+14155550134"),
        ] {
            let input = LeadInput {
                first_name: "Ann".into(),
                phones: vec![phone.into()],
                address: Address { country: country.into(), ..Default::default() },
                source: Some(SourceChannel::DirectEntry),
                ..Default::default()
            };
            let lead = validate(&input).map_err(|e| e.to_string());
            assert_eq!(lead.map(|l| l.phones[0].entry.e164.clone()), Ok(e164.to_string()), "{country}");
        }
    }

    #[test]
    fn missing_contact_point_makes_a_draft() {
        let input = LeadInput { first_name: "Ann".into(), source: Some(SourceChannel::Partner), ..Default::default() };
        let lead = validate(&input).map_err(|e| e.to_string());
        assert_eq!(lead.map(|l| (l.status, l.missing)), Ok((LeadStatus::Draft, vec![MissingField::ContactPoint])));
    }

    #[test]
    fn duplicates_within_a_lead_collapse_and_tags_are_trimmed() {
        let input = LeadInput {
            emails: vec!["A@X.COM".into(), "A@x.com".into()],
            tags: vec![" vip ".into(), "VIP".into(), "".into()],
            ..Default::default()
        };
        let lead = validate(&input).map_err(|e| e.to_string());
        assert_eq!(lead.map(|l| (l.emails.len(), l.tags)), Ok((1, vec!["vip".to_string()])));
    }
}
