//! What the import wizard, the CLI and the history speak in: a file's preview, the plan a user settles on,
//! what each row will do or did, and a recorded batch.
use serde::{Deserialize, Serialize};

use crate::duplicates::EvidenceLine;
use crate::error::FieldError;
use crate::leads::SourceChannel;

/// The column a rejects file adds; an import of that file ignores it.
pub const ERROR_COLUMN: &str = "import_error";

/// Where a column goes: a canonical lead column (`first_name`, `email`, `other_phones`, ...), [`FULL_NAME`],
/// [`TO_NOTES`] (appended to the lead's notes as "Header: value") or [`IGNORE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnMapping {
    pub column: String,
    pub target: String,
}

pub const TO_NOTES: &str = "notes";
pub const IGNORE: &str = "ignore";
/// A column holding whole names ("Dr. Anna van der Berg", "Smith, John"): split into the first and last name
/// when no other column gives them.
pub const FULL_NAME: &str = "full_name";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TargetInfo {
    pub target: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Excel,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Excel => "excel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FilePreview {
    /// The staged file, named in every later call.
    pub file_id: String,
    pub file_name: String,
    pub format: FileFormat,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// Line (CSV) or row (sheet) of the header, counting from 1; 0 when the file has no header row (its first
    /// row holds values, and `headers` name its columns by what they hold: "Email", "Phone", "Column 3").
    pub header_line: u32,
    pub headers: Vec<String>,
    /// The first data rows, as read.
    pub sample: Vec<Vec<String>>,
    /// One per header, in order.
    pub suggested: Vec<ColumnMapping>,
    pub targets: Vec<TargetInfo>,
    /// The country the file's phone numbers without a country code are written for, read from them when it is
    /// not the default region of Settings (an Australian list where Settings say US); none when it is, or when
    /// they do not tell.
    pub phone_region: Option<String>,
}

/// Updates find the existing lead by this value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum NaturalKey {
    Email,
    ExternalRef,
}

impl NaturalKey {
    pub fn as_str(self) -> &'static str {
        match self {
            NaturalKey::Email => "email",
            NaturalKey::ExternalRef => "external_ref",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(NaturalKey::Email),
            "external_ref" => Some(NaturalKey::ExternalRef),
            _ => None,
        }
    }
}

/// What the user settled on in the wizard (or on the command line): a run and its resume use exactly this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportPlan {
    pub sheet: Option<String>,
    /// One per header, in the file's order.
    pub mapping: Vec<ColumnMapping>,
    pub key: Option<NaturalKey>,
    /// With a key: the file's filled cells replace the stored values. Without it (the default) a keyed row only
    /// fills what the lead lacks and adds contacts; a row with a value that differs from the lead's writes
    /// nothing and is rejected with both values, for a person to settle (seed 2.3: new information augments, it
    /// does not blindly overwrite). Plans stored before the choice existed replaced, and resume so.
    #[serde(default = "replaced_before")]
    pub replace: bool,
    /// The channel of rows whose file does not say; bulk import when absent.
    pub source: Option<SourceChannel>,
    /// The source's detail of rows whose file does not say; the file's name when absent.
    pub source_detail: Option<String>,
    pub template: Option<String>,
    pub dedup: bool,
    /// Rows whose only faults are invalid emails or phones become Drafts with the values kept as typed.
    pub keep_invalid: bool,
    /// The country phone numbers without a country code are read in, in rows that name no country: Settings'
    /// default region when absent.
    #[serde(default)]
    pub phone_region: Option<String>,
    /// The campaign of rows whose file does not say (seed 3.2): a user who works on some campaigns imports a list
    /// into one of them. None: rows without a campaign have none.
    #[serde(default)]
    pub campaign: Option<String>,
    /// An Administrator's reason to create and move leads into stages whose entry criteria the file cannot meet
    /// (a move from another CRM: its deals "In discussion" come without the "Proposal sent" activity Rapport
    /// asks for). Logged on every lead it lets through, as an override on the board is; refused to other roles.
    /// None: every row meets its stage's criteria or is rejected, saying what it lacks.
    #[serde(default)]
    pub override_reason: Option<String>,
}

fn replaced_before() -> bool {
    true
}

impl ImportPlan {
    /// The plan the wizard starts from: the preview's sheet and suggested mapping, duplicates checked, nothing
    /// else chosen.
    pub fn suggested(preview: &FilePreview) -> Self {
        Self {
            sheet: preview.sheet.clone(),
            mapping: preview.suggested.clone(),
            key: None,
            replace: false,
            source: None,
            source_detail: None,
            campaign: None,
            override_reason: None,
            template: None,
            dedup: true,
            keep_invalid: false,
            phone_region: preview.phone_region.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    CreateActive,
    CreateDraft,
    Update,
    Unchanged,
    /// A lead already stored is the same person: its empty fields are filled from the row.
    Enrich,
    /// Created, and queued with the lead it may duplicate for a data steward.
    Review,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowPlan {
    pub line: u32,
    pub action: RowAction,
    #[cfg_attr(feature = "specta", specta(type = Option<specta_typescript::Number>))]
    pub lead_id: Option<i64>,
    pub name: String,
    /// What is missing (Draft), which fields change (update, enrich), which lead it may duplicate (review).
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub evidence: Vec<EvidenceLine>,
    /// A rejected row's cells as the file has them (what a rejects file gives back); empty otherwise.
    pub cells: Vec<String>,
    /// Rejected only for emails or phones no check accepts, where keeping invalid values would have saved it
    /// as a Draft (counted by [`DryRunReport::keepable`]).
    #[serde(skip)]
    pub keepable: bool,
    /// Rejected only for what its stage asks and the file cannot give (an activity, a field the stage needs),
    /// where an Administrator's override would bring it in that stage (counted by [`DryRunReport::gated`]).
    #[serde(skip)]
    pub gated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutcomeCounts {
    pub create_active: u32,
    pub create_draft: u32,
    pub update: u32,
    pub unchanged: u32,
    pub enrich: u32,
    pub review: u32,
    pub reject: u32,
}

impl OutcomeCounts {
    pub fn add(&mut self, action: RowAction) {
        let slot = match action {
            RowAction::CreateActive => &mut self.create_active,
            RowAction::CreateDraft => &mut self.create_draft,
            RowAction::Update => &mut self.update,
            RowAction::Unchanged => &mut self.unchanged,
            RowAction::Enrich => &mut self.enrich,
            RowAction::Review => &mut self.review,
            RowAction::Reject => &mut self.reject,
        };
        *slot += 1;
    }
    pub fn total(&self) -> u32 {
        self.create_active + self.create_draft + self.update + self.unchanged + self.enrich + self.review + self.reject
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DryRunReport {
    pub rows: u32,
    pub counts: OutcomeCounts,
    /// Columns whose values go nowhere.
    pub unmapped: Vec<String>,
    /// Up to [`DRY_RUN_ROWS_SHOWN`] rows, every rejected one first.
    pub rows_shown: Vec<RowPlan>,
    /// On a file too large to hold its leads in memory: the line from which rows are checked against the
    /// database and the rows before it, but not against one another (the run checks them all).
    pub checked_apart_from: Option<u32>,
    /// Of the rejected rows, those whose only faults are emails or phones: keeping invalid values
    /// ([`ImportPlan::keep_invalid`]) imports them as Drafts with those values kept as typed, to fix.
    pub keepable: u32,
    /// Of the rejected rows, those refused only by their stage's entry criteria: an Administrator's override
    /// ([`ImportPlan::override_reason`]) brings them in that stage, the reason logged on each.
    pub gated: u32,
}

pub const DRY_RUN_ROWS_SHOWN: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    /// The process stopped mid-way (a crash, a kill): resume or undo it.
    Interrupted,
    Cancelled,
    Completed,
    Failed,
    Undoing,
    Undone,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Interrupted => "interrupted",
            ImportStatus::Cancelled => "cancelled",
            ImportStatus::Completed => "completed",
            ImportStatus::Failed => "failed",
            ImportStatus::Undoing => "undoing",
            ImportStatus::Undone => "undone",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "running" => ImportStatus::Running,
            "cancelled" => ImportStatus::Cancelled,
            "completed" => ImportStatus::Completed,
            "failed" => ImportStatus::Failed,
            "undoing" => ImportStatus::Undoing,
            "undone" => ImportStatus::Undone,
            _ => ImportStatus::Interrupted,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UndoKept {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub lead_id: i64,
    /// The lead's name as it is now; None once it is deleted, or outside the reader's campaigns.
    pub name: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UndoReport {
    pub removed: u32,
    pub reverted: u32,
    /// The first [`UNDO_KEPT_SHOWN`] leads the undo left (partly) as they are, with why.
    pub kept: Vec<UndoKept>,
    pub kept_count: u32,
}

pub const UNDO_KEPT_SHOWN: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportBatch {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub id: i64,
    pub file_name: String,
    pub format: FileFormat,
    pub channel: SourceChannel,
    pub source_detail: String,
    pub template: Option<String>,
    pub key: Option<NaturalKey>,
    pub actor_name: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: ImportStatus,
    pub rows_done: u32,
    pub rows_total: Option<u32>,
    pub counts: OutcomeCounts,
    pub error: Option<String>,
    pub undo: Option<UndoReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RunPhase {
    Importing,
    Undoing,
    /// A dry run: nothing is written, and `batch_id` is 0 (a dry run records no batch).
    Checking,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunProgress {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub batch_id: i64,
    pub phase: RunPhase,
    pub rows_done: u32,
    pub rows_total: Option<u32>,
    pub rows_per_second: f64,
    pub eta_seconds: Option<f64>,
    pub counts: OutcomeCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportTemplate {
    pub name: String,
    pub mapping: Vec<ColumnMapping>,
    pub key: Option<NaturalKey>,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportTemplateInput {
    pub name: String,
    pub mapping: Vec<ColumnMapping>,
    pub key: Option<NaturalKey>,
}
