//! The sales pipeline (seed section 4): pipelines and stages with entry criteria (`config`), the one gate every
//! move passes (`gate`), activities (`activities`), the stage history (every entry into and exit from a stage,
//! appended beside the change log in the transaction that moves the lead) and the velocity read from it (time
//! in each stage, time to close, and the stage that holds each owner's and each source's leads longest).
pub(crate) mod activities;
mod api;
pub(crate) mod approvals;
mod approvals_api;
mod board;
pub(crate) mod config;
mod demo_story;
pub(crate) mod gate;
pub(crate) mod history;
mod model;
mod operations;
pub(crate) mod stagnation;
mod sweep;
mod velocity;

pub use activities::{Activity, ActivityKind, NewActivity};
pub use approvals::{ApprovalRequest, ApprovalRule, ApprovalStatus};
pub(crate) use approvals_api::{close_for_merged, close_for_moved, reopen_for_unmerged};
pub use board::{Board, BoardCard, BoardColumn, BoardQuery, CurrencyTotal};
pub use config::{LostReason, NewStage, PipelineConfig, PipelineInfo, StageConfig, StageOutcome, StageSettings};
pub(crate) use gate::Passage;
pub use gate::{ApprovalNeeded, GateRefusal, PassedStage, Passing};
pub use model::*;
pub use stagnation::{BusinessCalendar, Holiday, StagnationPolicy};
pub use sweep::{SweepMove, SweepReport, POLICY_ACTOR};
