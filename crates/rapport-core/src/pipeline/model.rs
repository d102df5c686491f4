use serde::Serialize;

/// A lead's time in one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageStay {
    pub stage: String,
    pub label: String,
    pub entered_at: String,
    /// None while the lead is still there.
    pub exited_at: Option<String>,
    /// Calendar days, to now for the stage it is in.
    pub days: f64,
}

/// How long leads stay in one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageVelocity {
    pub stage: String,
    pub label: String,
    /// The stage's pipeline, key and name ("" for a stage no longer configured): two pipelines may each have a
    /// "Won", told apart by it.
    pub pipeline: String,
    pub pipeline_label: String,
    /// Stays that ended (the lead moved on): what the mean and median are of.
    pub stays: u32,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
    /// Leads in the stage now, and how long they have been there on average.
    pub in_stage_now: u32,
    pub mean_age_days: Option<f64>,
    /// A stage quiet leads are parked in (a stagnation policy's target no likelier to win than where its
    /// pipeline starts: Nurture): no step of the sales process, so never its bottleneck.
    pub parking: bool,
}

/// From a lead's creation to its close, for the leads closed now (a reopened deal counts to its last close).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimeToClose {
    pub stage: String,
    pub label: String,
    pub pipeline: String,
    pub pipeline_label: String,
    pub leads: u32,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BottleneckGroup {
    Owner,
    Source,
}

/// The open stage whose ended stays last longest, for one owner or one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Bottleneck {
    pub by: BottleneckGroup,
    /// The owner's name ("(no owner)") or the source channel ("(unknown)").
    pub group: String,
    pub stage: String,
    pub label: String,
    /// The pipeline the stage is in: a group's bottleneck is found in each pipeline it has leads in (a stay in
    /// renewals is no step of the sales process to compare with).
    pub pipeline: String,
    pub pipeline_label: String,
    pub mean_days: f64,
    pub stays: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Velocity {
    /// In pipeline order; stages no longer configured but found in the history come last.
    pub stages: Vec<StageVelocity>,
    pub to_close: Vec<TimeToClose>,
    pub bottlenecks: Vec<Bottleneck>,
}
