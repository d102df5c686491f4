//! The lead as users and files see it: what comes in ([`LeadInput`]) and what is stored ([`Lead`]).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SourceChannel {
    /// Walk-ins, phone inquiries, networking: typed in by a user.
    DirectEntry,
    /// Web forms, landing pages, social media: the capture API.
    WebForm,
    /// Prospect lists loaded from files.
    BulkImport,
    /// Affiliate partners and third-party platforms.
    Partner,
}

impl SourceChannel {
    pub const ALL: [SourceChannel; 4] =
        [SourceChannel::DirectEntry, SourceChannel::WebForm, SourceChannel::BulkImport, SourceChannel::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceChannel::DirectEntry => "direct_entry",
            SourceChannel::WebForm => "web_form",
            SourceChannel::BulkImport => "bulk_import",
            SourceChannel::Partner => "partner",
        }
    }

    /// Accepts the canonical names and the spellings people write in spreadsheets ("Web form", "import",
    /// "webform"): case, spaces, hyphens and underscores aside.
    pub fn parse(text: &str) -> Option<Self> {
        let key = Self::folded(text);
        Self::SPELLINGS.iter().find(|(spelling, _)| Self::folded(spelling) == key).map(|(_, c)| *c)
    }

    /// Each channel's names: the canonical one first, then what people write for it.
    pub const SPELLINGS: [(&'static str, SourceChannel); 19] = [
        ("direct_entry", SourceChannel::DirectEntry),
        ("direct", SourceChannel::DirectEntry),
        ("manual", SourceChannel::DirectEntry),
        ("walk_in", SourceChannel::DirectEntry),
        ("phone", SourceChannel::DirectEntry),
        ("web_form", SourceChannel::WebForm),
        ("web", SourceChannel::WebForm),
        ("form", SourceChannel::WebForm),
        ("website", SourceChannel::WebForm),
        ("landing_page", SourceChannel::WebForm),
        ("digital_capture", SourceChannel::WebForm),
        ("bulk_import", SourceChannel::BulkImport),
        ("import", SourceChannel::BulkImport),
        ("bulk", SourceChannel::BulkImport),
        ("list", SourceChannel::BulkImport),
        ("partner", SourceChannel::Partner),
        ("partner_integration", SourceChannel::Partner),
        ("affiliate", SourceChannel::Partner),
        ("partners", SourceChannel::Partner),
    ];

    /// `text` lower-cased without spaces, hyphens and underscores: the form names are compared in.
    pub fn folded(text: &str) -> String {
        text.trim().to_lowercase().chars().filter(|c| !matches!(c, ' ' | '-' | '_')).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Saved, but missing a minimum data point; see [`Lead::missing`].
    Draft,
    Active,
}

impl LeadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Draft => "draft",
            LeadStatus::Active => "active",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(LeadStatus::Draft),
            "active" => Some(LeadStatus::Active),
            _ => None,
        }
    }
}

/// A minimum data point (seed 2.2) that keeps a lead in Draft while absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MissingField {
    Name,
    ContactPoint,
    Source,
    /// Values kept as typed although invalid (an import with "keep invalid values") wait to be fixed.
    FixInvalid,
}

impl MissingField {
    pub fn describe(self) -> &'static str {
        match self {
            MissingField::Name => "a first or last name",
            MissingField::ContactPoint => "a valid email or phone number",
            MissingField::Source => "a source channel",
            MissingField::FixInvalid => "a fix for the values flagged as invalid",
        }
    }
}

/// A value that failed validation but was kept as typed, with the reason, so nothing the user had is lost:
/// the lead stays a Draft and appears under "needs fixing" until it is corrected or dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InvalidValue {
    /// The field it was meant for (`emails`, `phones`).
    pub field: String,
    /// Exactly as typed.
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Address {
    pub street: String,
    pub street2: String,
    pub city: String,
    pub postcode: String,
    pub region: String,
    pub country: String,
}

/// What a deal is worth and where it stands: the pipeline's entry criteria read these (seed 4.1: interest,
/// budget and authority before Qualification; a value, a currency and a close date before Engagement).
/// Text, like every lead field; validation gives each its one spelling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Deal {
    /// A plain decimal with two places ("12500.00"); empty while unknown.
    pub value: String,
    /// ISO 4217 code ("EUR").
    pub currency: String,
    /// YYYY-MM-DD.
    pub expected_close: String,
    pub budget: String,
    /// Who decides (authority).
    pub decision_maker: String,
    /// What they need (interest).
    pub need: String,
    /// When they mean to buy.
    pub timeline: String,
    /// Key of a configured lost reason.
    pub lost_reason: String,
}

/// What a form, a file row or the API hands in. Text fields are taken as typed and trimmed on validation;
/// the first email and the first phone are the primary ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LeadInput {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub address: Address,
    pub source: Option<SourceChannel>,
    pub source_detail: String,
    pub campaign: String,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub owner_id: Option<i64>,
    /// Stage key; empty means the first stage of the pipeline.
    pub stage: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub external_ref: String,
    pub deal: Deal,
    /// Values flagged as invalid and kept as typed; an edit keeps them until it drops them.
    pub invalid: Vec<InvalidValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmailEntry {
    /// Normalized form (domain lower-cased), used for matching.
    pub address: String,
    /// Exactly as it was entered.
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PhoneEntry {
    pub e164: String,
    /// Human-readable international form, e.g. `+44 20 7946 0018`.
    pub display: String,
    /// Exactly as it was entered.
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UserRef {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Lead {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    /// Bumped by every change; an edit made on an older version is refused rather than silently overwriting.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub version: i64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub emails: Vec<EmailEntry>,
    pub phones: Vec<PhoneEntry>,
    pub address: Address,
    /// ISO 3166 code of the address's country as typed ("Deutschland", "UK", "CA"); empty when it names none
    /// known. Read from `address.country`, never stored: the app writes the address's lines as that country does.
    pub country_code: String,
    pub source: Option<SourceChannel>,
    pub source_detail: String,
    pub campaign: String,
    pub owner: Option<UserRef>,
    pub stage: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub external_ref: String,
    #[serde(default)]
    pub deal: Deal,
    pub invalid: Vec<InvalidValue>,
    pub status: LeadStatus,
    pub missing: Vec<MissingField>,
    pub created_at: String,
    pub updated_at: String,
}

impl Lead {
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, &self.company)
    }

    /// Whether the lead names someone or a way to reach someone: a name, a company, another system's reference,
    /// an email or a phone (one kept as invalid, to fix, counts). A lead of none is an "(unnamed lead)" of
    /// nothing, which no one could work or ever recognise.
    pub fn names_someone(&self) -> bool {
        [&self.first_name, &self.last_name, &self.company, &self.external_ref].iter().any(|v| !v.is_empty())
            || !self.emails.is_empty()
            || !self.phones.is_empty()
            || self.invalid.iter().any(|v| matches!(v.field.as_str(), "emails" | "phones"))
    }

    /// The input that would recreate this lead: what an edit form starts from.
    pub fn to_input(&self) -> LeadInput {
        LeadInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            job_title: self.job_title.clone(),
            // As typed, like phones: a save starting from here keeps the spelling the lead page shows.
            emails: self.emails.iter().map(|e| e.original.clone()).collect(),
            phones: self.phones.iter().map(|p| p.original.clone()).collect(),
            address: self.address.clone(),
            source: self.source,
            source_detail: self.source_detail.clone(),
            campaign: self.campaign.clone(),
            owner_id: self.owner.as_ref().map(|o| o.id),
            stage: self.stage.clone(),
            tags: self.tags.clone(),
            notes: self.notes.clone(),
            external_ref: self.external_ref.clone(),
            deal: self.deal.clone(),
            invalid: self.invalid.clone(),
        }
    }
}

pub fn display_name(first: &str, last: &str, company: &str) -> String {
    let name = format!("{first} {last}");
    let name = name.trim();
    if name.is_empty() {
        if company.is_empty() {
            "(unnamed lead)".to_string()
        } else {
            company.to_string()
        }
    } else {
        name.to_string()
    }
}

/// One row of the leads list: enough to scan and pick, cheap to read at scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeadSummary {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub primary_email: String,
    pub primary_phone: String,
    pub status: LeadStatus,
    pub stage: String,
    pub campaign: String,
    pub source: Option<SourceChannel>,
    pub owner_name: Option<String>,
    pub updated_at: String,
}

#[cfg(test)]
mod tests {
    use super::SourceChannel;

    #[test]
    fn a_channel_is_known_by_its_names_whatever_the_case_and_separators() {
        for (text, channel) in [
            ("web_form", SourceChannel::WebForm),
            ("Web form", SourceChannel::WebForm),
            ("webform", SourceChannel::WebForm),
            ("Landing-Page", SourceChannel::WebForm),
            ("BULK IMPORT", SourceChannel::BulkImport),
            ("walkin", SourceChannel::DirectEntry),
            (" Partner Integration ", SourceChannel::Partner),
        ] {
            assert_eq!(SourceChannel::parse(text), Some(channel), "{text}");
        }
        for other in ["LinkedIn", "Trade show", "", "web formular"] {
            assert_eq!(SourceChannel::parse(other), None, "{other}");
        }
        for c in SourceChannel::ALL {
            assert_eq!(SourceChannel::parse(c.as_str()), Some(c), "the canonical name");
        }
    }
}
