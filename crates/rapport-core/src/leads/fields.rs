//! The one table of a lead's fields. The change-log diff and snapshot, undo, the store's columns, CSV import
//! and export, validation of plain text, and (through the generated bindings) the UI's labels and form all
//! read this list; merge survivorship will choose per entry of it. Adding a field is one entry here, its
//! member in [`LeadInput`]/[`Lead`], and a migration for its column.
use serde::{Deserialize, Serialize};

use super::model::{InvalidValue, Lead, LeadInput, SourceChannel};

/// How a field's value is shaped, which decides its input in the UI and its handling in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeadFieldKind {
    Text,
    LongText,
    EmailList,
    PhoneList,
    TagList,
    Source,
    Owner,
    Stage,
    /// A non-negative decimal with two places, in the lead's currency.
    Amount,
    /// An ISO 4217 code.
    Currency,
    /// A calendar date, YYYY-MM-DD.
    Date,
    /// One of the configured reasons a deal is lost for (its key).
    LostReason,
    /// Derived from the other fields (Draft/Active); logged, never edited.
    Status,
    /// The phones exactly as typed, logged when only their spelling changed.
    PhoneOriginals,
    /// The emails exactly as typed (matching folds the domain's capitals), logged when only their spelling
    /// changed.
    EmailOriginals,
    /// Values kept as typed although invalid, with their reasons.
    InvalidValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeadFieldGroup {
    Person,
    Contact,
    Address,
    Pipeline,
    /// What the deal is worth and how far it has come: the stages' entry criteria.
    Deal,
    Other,
}

impl LeadFieldKind {
    /// Kinds held as one line or block of text, cleaned alike before their own rules apply.
    pub(crate) fn is_text(self) -> bool {
        matches!(
            self,
            LeadFieldKind::Text
                | LeadFieldKind::LongText
                | LeadFieldKind::Amount
                | LeadFieldKind::Currency
                | LeadFieldKind::Date
                | LeadFieldKind::LostReason
        )
    }
}

/// The search tier a field's words rank in: a match in an earlier tier lists first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SearchTier {
    Name,
    Company,
    /// Matched whole, as typed or pasted (a reference in another system).
    Reference,
    Contact,
    Notes,
}

/// What the UI and files need to know of a field (the accessors stay in the core).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeadFieldInfo {
    /// Canonical name: the change log's field, the validation error's field, the API's key.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: LeadFieldKind,
    pub group: LeadFieldGroup,
    /// Path of the value inside `LeadInput` (and inside `Lead` for text kinds).
    pub path: &'static [&'static str],
    /// CSV columns: lists have a column for the first value and one for the others.
    pub csv: &'static [&'static str],
    pub search: Option<SearchTier>,
    /// Longest accepted value in characters (0: not a free-text field).
    pub max_chars: u32,
    /// False for values derived from the others.
    pub editable: bool,
}

/// One field: its description and how to read and write it. Values are the change log's text form: lists
/// joined with "; ", the owner as a user id, the source as its snake_case name.
pub(crate) struct LeadField {
    pub info: LeadFieldInfo,
    /// The stored lead's value.
    pub get: fn(&Lead) -> String,
    /// The value as an input carries it (before validation).
    pub read: fn(&LeadInput) -> String,
    /// Puts a value (from the log, a file or a merge) into an input.
    pub set: fn(&mut LeadInput, &str),
    /// The `leads` column holding it, for plain columns.
    pub column: Option<&'static str>,
}

pub(crate) const LIST_SEPARATOR: &str = "; ";

pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(';').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

/// Phones as typed may hold a ';' themselves (`tel:+1-201-555-0123;ext=1234`): in the log their list escapes it
/// (and the escape), so undo gives each back whole.
fn join_escaped<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.map(|x| x.replace('\\', "\\\\").replace(';', "\\;")).collect::<Vec<_>>().join(LIST_SEPARATOR)
}

/// The items of a list [`join_escaped`] wrote (a list logged before escaping splits as [`split_list`] splits).
pub(super) fn split_escaped(s: &str) -> Vec<String> {
    let (mut items, mut item, mut chars) = (Vec::new(), String::new(), s.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => item.push(chars.next().unwrap_or('\\')),
            ';' => items.push(std::mem::take(&mut item)),
            _ => item.push(c),
        }
    }
    items.push(item);
    items.into_iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

macro_rules! text_field {
    ($name:literal, $label:literal, $group:ident, [$($path:literal),+], $search:expr, $max:expr, $($member:ident).+) => {
        LeadField {
            info: LeadFieldInfo {
                name: $name,
                label: $label,
                kind: LeadFieldKind::Text,
                group: LeadFieldGroup::$group,
                path: &[$($path),+],
                csv: &[$name],
                search: $search,
                max_chars: $max,
                editable: true,
            },
            get: |l| l.$($member).+.clone(),
            read: |i| i.$($member).+.clone(),
            set: |i, v| i.$($member).+ = v.to_string(),
            column: Some($name),
        }
    };
}

const SHORT: u32 = 200;

macro_rules! deal_field {
    ($name:literal, $label:literal, $kind:ident, $member:ident, $max:expr) => {
        LeadField {
            info: LeadFieldInfo {
                name: $name,
                label: $label,
                kind: LeadFieldKind::$kind,
                group: LeadFieldGroup::Deal,
                path: &["deal", stringify!($member)],
                csv: &[$name],
                search: None,
                max_chars: $max,
                editable: true,
            },
            get: |l| l.deal.$member.clone(),
            read: |i| i.deal.$member.clone(),
            set: |i, v| i.deal.$member = v.to_string(),
            column: Some($name),
        }
    };
}

pub(crate) static FIELDS: [LeadField; 32] = [
    text_field!("first_name", "First name", Person, ["first_name"], Some(SearchTier::Name), SHORT, first_name),
    text_field!("last_name", "Last name", Person, ["last_name"], Some(SearchTier::Name), SHORT, last_name),
    text_field!("company", "Company", Person, ["company"], Some(SearchTier::Company), SHORT, company),
    text_field!("job_title", "Job title", Person, ["job_title"], None, SHORT, job_title),
    LeadField {
        info: LeadFieldInfo {
            name: "emails",
            label: "Emails",
            kind: LeadFieldKind::EmailList,
            group: LeadFieldGroup::Contact,
            path: &["emails"],
            csv: &["email", "other_emails"],
            search: Some(SearchTier::Contact),
            max_chars: 254,
            editable: true,
        },
        get: |l| l.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join(LIST_SEPARATOR),
        read: |i| i.emails.join(LIST_SEPARATOR),
        set: |i, v| i.emails = split_list(v),
        column: None,
    },
    LeadField {
        info: LeadFieldInfo {
            name: "phones",
            label: "Phones",
            kind: LeadFieldKind::PhoneList,
            group: LeadFieldGroup::Contact,
            path: &["phones"],
            csv: &["phone", "other_phones"],
            search: Some(SearchTier::Contact),
            max_chars: 64,
            editable: true,
        },
        get: |l| l.phones.iter().map(|p| p.e164.as_str()).collect::<Vec<_>>().join(LIST_SEPARATOR),
        read: |i| i.phones.join(LIST_SEPARATOR),
        set: |i, v| i.phones = split_list(v),
        column: None,
    },
    text_field!("street", "Street", Address, ["address", "street"], None, SHORT, address.street),
    text_field!("street2", "Address line 2", Address, ["address", "street2"], None, SHORT, address.street2),
    text_field!("city", "City", Address, ["address", "city"], None, SHORT, address.city),
    text_field!("postcode", "Postcode", Address, ["address", "postcode"], None, 40, address.postcode),
    text_field!("region", "Region", Address, ["address", "region"], None, SHORT, address.region),
    text_field!("country", "Country", Address, ["address", "country"], None, SHORT, address.country),
    LeadField {
        info: LeadFieldInfo {
            name: "source",
            label: "Source",
            kind: LeadFieldKind::Source,
            group: LeadFieldGroup::Pipeline,
            path: &["source"],
            csv: &["source"],
            search: None,
            max_chars: 0,
            editable: true,
        },
        get: |l| l.source.map(|s| s.as_str()).unwrap_or("").to_string(),
        read: |i| i.source.map(|s| s.as_str()).unwrap_or("").to_string(),
        set: |i, v| i.source = SourceChannel::parse(v),
        column: Some("source"),
    },
    text_field!("source_detail", "Source detail", Pipeline, ["source_detail"], None, SHORT, source_detail),
    text_field!("campaign", "Campaign", Pipeline, ["campaign"], None, SHORT, campaign),
    LeadField {
        info: LeadFieldInfo {
            name: "owner",
            label: "Owner",
            kind: LeadFieldKind::Owner,
            group: LeadFieldGroup::Pipeline,
            path: &["owner_id"],
            csv: &["owner"],
            search: None,
            max_chars: 0,
            editable: true,
        },
        get: |l| l.owner.as_ref().map(|o| o.id.to_string()).unwrap_or_default(),
        read: |i| i.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        set: |i, v| i.owner_id = v.trim().parse().ok(),
        column: Some("owner_id"),
    },
    LeadField {
        info: LeadFieldInfo {
            name: "stage",
            label: "Stage",
            kind: LeadFieldKind::Stage,
            group: LeadFieldGroup::Pipeline,
            path: &["stage"],
            csv: &["stage"],
            search: None,
            max_chars: 0,
            editable: true,
        },
        get: |l| l.stage.clone(),
        read: |i| i.stage.clone(),
        set: |i, v| i.stage = v.to_string(),
        column: Some("stage"),
    },
    deal_field!("deal_value", "Deal value", Amount, value, 40),
    deal_field!("currency", "Currency", Currency, currency, 3),
    // Longer than the date it is stored as: "31 December 2026" is read, not refused for its length.
    deal_field!("expected_close", "Expected close date", Date, expected_close, 40),
    deal_field!("budget", "Budget", Text, budget, SHORT),
    deal_field!("decision_maker", "Decision maker", Text, decision_maker, SHORT),
    deal_field!("need", "Need", Text, need, SHORT),
    deal_field!("timeline", "Timeline", Text, timeline, SHORT),
    deal_field!("lost_reason", "Lost reason", LostReason, lost_reason, 40),
    LeadField {
        info: LeadFieldInfo {
            name: "tags",
            label: "Tags",
            kind: LeadFieldKind::TagList,
            group: LeadFieldGroup::Other,
            path: &["tags"],
            csv: &["tags"],
            search: None,
            max_chars: 60,
            editable: true,
        },
        get: |l| l.tags.join(LIST_SEPARATOR),
        read: |i| i.tags.join(LIST_SEPARATOR),
        set: |i, v| i.tags = split_list(v),
        column: None,
    },
    LeadField {
        info: LeadFieldInfo {
            name: "notes",
            label: "Notes",
            kind: LeadFieldKind::LongText,
            group: LeadFieldGroup::Other,
            path: &["notes"],
            csv: &["notes"],
            search: Some(SearchTier::Notes),
            max_chars: 20_000,
            editable: true,
        },
        get: |l| l.notes.clone(),
        read: |i| i.notes.clone(),
        set: |i, v| i.notes = v.to_string(),
        column: Some("notes"),
    },
    text_field!(
        "external_ref",
        "External reference",
        Other,
        ["external_ref"],
        Some(SearchTier::Reference),
        SHORT,
        external_ref
    ),
    LeadField {
        info: LeadFieldInfo {
            name: "invalid",
            label: "Needs fixing",
            kind: LeadFieldKind::InvalidValues,
            group: LeadFieldGroup::Contact,
            path: &["invalid"],
            csv: &[],
            search: None,
            max_chars: 0,
            editable: true,
        },
        get: |l| invalid_to_text(&l.invalid),
        read: |i| invalid_to_text(&i.invalid),
        set: |i, v| i.invalid = invalid_from_text(v),
        column: None,
    },
    LeadField {
        info: LeadFieldInfo {
            name: "status",
            label: "Status",
            kind: LeadFieldKind::Status,
            group: LeadFieldGroup::Other,
            path: &["status"],
            csv: &["status"],
            search: None,
            max_chars: 0,
            editable: false,
        },
        get: |l| l.status.as_str().to_string(),
        read: |_| String::new(),
        set: |_, _| {},
        column: Some("status"),
    },
    LeadField {
        info: LeadFieldInfo {
            name: "phones_as_entered",
            label: "Phones (as entered)",
            kind: LeadFieldKind::PhoneOriginals,
            group: LeadFieldGroup::Contact,
            path: &["phones"],
            csv: &[],
            search: None,
            max_chars: 0,
            editable: false,
        },
        get: |l| join_escaped(l.phones.iter().map(|p| p.original.as_str())),
        read: |i| join_escaped(i.phones.iter().map(String::as_str)),
        // Undo writes the typed spellings back after `phones` (table order), so the numbers come back as typed.
        set: |i, v| i.phones = split_escaped(v),
        column: None,
    },
    LeadField {
        info: LeadFieldInfo {
            name: "emails_as_entered",
            label: "Emails (as entered)",
            kind: LeadFieldKind::EmailOriginals,
            group: LeadFieldGroup::Contact,
            path: &["emails"],
            csv: &[],
            search: None,
            max_chars: 0,
            editable: false,
        },
        get: |l| join_escaped(l.emails.iter().map(|e| e.original.as_str())),
        read: |i| join_escaped(i.emails.iter().map(|e| e.trim())),
        // After `emails` (table order): an undo gives the addresses back as they were typed.
        set: |i, v| i.emails = split_escaped(v),
        column: None,
    },
];

/// Flagged values in the log as JSON (empty when there are none), so undo restores their reasons too.
fn invalid_to_text(list: &[InvalidValue]) -> String {
    if list.is_empty() {
        String::new()
    } else {
        serde_json::to_string(list).unwrap_or_default()
    }
}

fn invalid_from_text(text: &str) -> Vec<InvalidValue> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The table as the UI and the bindings see it.
pub fn lead_fields() -> Vec<LeadFieldInfo> {
    FIELDS.iter().map(|f| f.info.clone()).collect()
}

pub(crate) fn field(name: &str) -> Option<&'static LeadField> {
    FIELDS.iter().find(|f| f.info.name == name)
}

/// Every field's value, in table order: what the change log compares and snapshots.
pub(crate) fn values(l: &Lead) -> Vec<(&'static str, String)> {
    FIELDS.iter().map(|f| (f.info.name, (f.get)(l))).collect()
}

/// The JSON snapshot of a creation: every non-empty field.
pub(crate) fn snapshot(l: &Lead) -> String {
    let map: serde_json::Map<String, serde_json::Value> = values(l)
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// A logged value as a person reads it: the numbers of `phones` (and of a creation's record, `*`) grouped as
/// the lead's page shows them, not in the E.164 the log keeps to compare and undo by.
pub(crate) fn readable_logged(field: &str, value: &mut Option<String>) {
    let numbers =
        |list: &str| list.split(LIST_SEPARATOR).map(super::phone::readable).collect::<Vec<_>>().join(LIST_SEPARATOR);
    let Some(v) = value.as_mut() else { return };
    match field {
        "phones" => *v = numbers(v),
        "*" => {
            if let Ok(serde_json::Value::Object(mut record)) = serde_json::from_str::<serde_json::Value>(v) {
                if let Some(serde_json::Value::String(list)) = record.get_mut("phones") {
                    *list = numbers(list);
                    *v = serde_json::Value::Object(record).to_string();
                }
            }
        }
        _ => {}
    }
}

/// The fields whose values differ between two states of a lead: (field, old, new), in table order.
pub(crate) fn diff(old: &Lead, new: &Lead) -> Vec<(&'static str, String, String)> {
    FIELDS
        .iter()
        .filter_map(|f| {
            let (a, b) = ((f.get)(old), (f.get)(new));
            (a != b && !same_text_composed(f.info.kind, &a, &b)).then_some((f.info.name, a, b))
        })
        .collect()
}

/// Two spellings of one text that differ only in how accents are written (a name an older version stored
/// decomposed, and the same name as text is kept now): no change (see `api::keep_stored_spelling`).
pub(crate) fn same_text_composed(kind: LeadFieldKind, a: &str, b: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    matches!(kind, LeadFieldKind::Text | LeadFieldKind::LongText) && a.nfc().eq(b.nfc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::model::{Address, EmailEntry, LeadStatus, PhoneEntry, UserRef};

    fn sample() -> Lead {
        Lead {
            id: 1,
            version: 1,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            company: "Acme".into(),
            job_title: "CTO".into(),
            emails: vec![
                EmailEntry { address: "a@x.com".into(), original: "a@X.com".into() },
                EmailEntry { address: "b@x.com".into(), original: "b@x.com".into() },
            ],
            phones: vec![PhoneEntry {
                e164: "+442079460018".into(),
                display: "+44 20 7946 0018".into(),
                original: "020 7946 0018".into(),
            }],
            address: Address {
                street: "1 High St".into(),
                street2: "Floor 2".into(),
                city: "London".into(),
                postcode: "N1".into(),
                region: "Greater London".into(),
                country: "GB".into(),
            },
            country_code: "GB".into(),
            source: Some(SourceChannel::Partner),
            source_detail: "fair".into(),
            campaign: "Spring".into(),
            owner: Some(UserRef { id: 7, name: "Sam".into() }),
            stage: "qualification".into(),
            tags: vec!["vip".into(), "fair".into()],
            notes: "met at the fair".into(),
            external_ref: "X-1".into(),
            deal: crate::leads::model::Deal {
                value: "12500.00".into(),
                currency: "EUR".into(),
                expected_close: "2026-12-31".into(),
                budget: "approved".into(),
                decision_maker: "the CFO".into(),
                need: "two sites".into(),
                timeline: "Q1".into(),
                lost_reason: "price".into(),
            },
            invalid: vec![InvalidValue { field: "emails".into(), value: "bob@".into(), reason: "no domain".into() }],
            status: LeadStatus::Active,
            missing: vec![],
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn typed_phones_with_separators_and_escapes_round_trip_through_the_log() {
        let typed = ["tel:+1-201-555-0123;ext=1234", "020 7946 0018", "a\\b;;c\\;"];
        let logged = join_escaped(typed.iter().copied());
        assert_eq!(split_escaped(&logged), typed);
        // A list logged before escaping reads as it always did.
        assert_eq!(split_escaped("020 7946 0018; +1 415 555 2671"), ["020 7946 0018", "+1 415 555 2671"]);
    }

    #[test]
    fn names_are_unique_and_every_editable_value_round_trips_through_an_input() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(FIELDS[..i].iter().all(|g| g.info.name != f.info.name), "{} twice", f.info.name);
        }
        let lead = sample();
        let mut input = LeadInput::default();
        for f in FIELDS.iter().filter(|f| f.info.editable) {
            (f.set)(&mut input, &(f.get)(&lead));
        }
        // The typed spellings of phones and emails are what an edit form starts from (the log keeps the numbers
        // and addresses); the rest equals the stored lead.
        let mut expected = lead.to_input();
        expected.phones = vec!["+442079460018".into()];
        expected.emails = lead.emails.iter().map(|e| e.address.clone()).collect();
        assert_eq!(input, expected);
        for f in FIELDS.iter().filter(|f| f.info.editable && f.info.kind != LeadFieldKind::PhoneList) {
            assert_eq!((f.read)(&input), (f.get)(&lead), "{} reads back what was set", f.info.name);
        }
    }

    #[test]
    fn diff_names_exactly_the_changed_fields() {
        let a = sample();
        let mut b = sample();
        b.company = "Globex".into();
        b.address.city = "Leeds".into();
        b.tags.push("new".into());
        let changed: Vec<&str> = diff(&a, &b).into_iter().map(|(f, _, _)| f).collect();
        assert_eq!(changed, vec!["company", "city", "tags"]);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn every_text_field_has_its_own_column_and_csv_name() {
        for f in FIELDS.iter().filter(|f| f.info.kind == LeadFieldKind::Text) {
            assert_eq!(f.column, Some(f.info.name));
            assert_eq!(f.info.csv, &[f.info.name]);
            assert!(f.info.max_chars > 0);
        }
    }
}
