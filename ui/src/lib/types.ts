// The domain types as the UI sees them. The generated bindings distinguish what the backend sends
// (`*_Serialize`) from what it accepts (`*_Deserialize`); the UI always receives the former and always sends
// complete values, so it names the precise variants once here and everywhere else imports from this file.
import type {
  Activity_Serialize,
  ApprovalRequest_Serialize,
  ApprovalRule_Serialize,
  ApiError_Serialize,
  Board_Serialize,
  BoardCard_Serialize,
  BoardColumn_Serialize,
  BoardQuery_Serialize,
  Deal_Serialize,
  NewActivity_Serialize,
  PipelineConfig_Serialize,
  StageConfig_Serialize,
  StagnationPolicy_Serialize,
  SweepMove_Serialize,
  SweepReport_Serialize,
  Appointment_Serialize,
  AppointmentInput_Serialize,
  AppStatus_Serialize,
  Attendee_Serialize,
  BulkMergeReport_Serialize,
  CaldavAccount_Serialize,
  CaptureSource_Serialize,
  CaptureStatus_Serialize,
  CaptureSubmission_Serialize,
  ChangeEntry_Serialize,
  HistoryPage_Serialize,
  DryRunReport_Serialize,
  DuplicatePair_Serialize,
  QueueFilter_Serialize,
  QueuePage_Serialize,
  FilePreview_Serialize,
  ImportBatch_Serialize,
  ImportPlan_Serialize,
  ImportTemplate_Serialize,
  ImportTemplateInput_Serialize,
  Lead_Serialize,
  LeadInput_Serialize,
  LeadPage_Serialize,
  LeadQuery_Serialize,
  LeadSummary_Serialize,
  MergeOutcome_Serialize,
  NewCaptureSource_Serialize,
  Occurrence_Serialize,
  PossibleDuplicate_Serialize,
  RowPlan_Serialize,
  RunProgress_Serialize,
  SavedLead_Serialize,
  SlotRequest_Serialize,
  StageStay_Serialize,
  StageVelocity_Serialize,
  TimeToClose_Serialize,
  UndoKept_Serialize,
  UndoReport_Serialize,
  UnmergeOutcome_Serialize,
  Velocity_Serialize,
} from './bindings';

export type {
  ActivityKind,
  ApprovalStatus,
  CurrencyTotal,
  LostReason,
  NewStage,
  BusinessCalendar,
  Holiday,
  PipelineInfo,
  StageOutcome,
  StageSettings,
  Address,
  Bottleneck,
  BottleneckGroup,
  AgentCalendar,
  AppointmentSource,
  AppointmentStatus,
  CaldavCalendar,
  CaldavConnect,
  CaptureSettings,
  CaptureSourceInput,
  CaptureSourceKind,
  ChangeReason,
  ColumnMapping,
  Confirmation,
  DuplicateScanSummary,
  DuplicateTiers,
  EmailEntry,
  ErrorCode,
  EvidenceLine,
  FieldChoice,
  FieldError,
  FileFormat,
  IcsFileReport,
  IcsProblem,
  ImportStatus,
  InvalidValue,
  LeadCount,
  LeadFacets,
  LeadSort,
  LeadStatus,
  MergedLead,
  MergeRecord,
  MissingField,
  NaturalKey,
  OutcomeCounts,
  Permission,
  PhoneEntry,
  QueueFacets,
  Role,
  RowAction,
  RunPhase,
  SampleData,
  SampleDataRemoval,
  SavedExport,
  ExportProgress,
  ScanPhase,
  ScanProgress,
  SeenVersion,
  SessionInfo,
  Settings,
  SkippedPair,
  SlotSuggestion,
  SourceChannel,
  Stage,
  SyncReport,
  TargetInfo,
  Tier,
  TimeOff,
  UnknownAttendee,
  User,
  UserHoldings,
  UserInput,
  UserRef,
  WorkingHours,
} from './bindings';

export type Activity = Activity_Serialize;
export type ApprovalRequest = ApprovalRequest_Serialize;
export type ApprovalRule = ApprovalRule_Serialize;
export type NewActivity = NewActivity_Serialize;
export type Board = Board_Serialize;
export type BoardCard = BoardCard_Serialize;
export type BoardColumn = BoardColumn_Serialize;
export type BoardQuery = BoardQuery_Serialize;
export type Deal = Deal_Serialize;
export type PipelineConfig = PipelineConfig_Serialize;
export type StageConfig = StageConfig_Serialize;
export type StagnationPolicy = StagnationPolicy_Serialize;
export type SweepMove = SweepMove_Serialize;
export type SweepReport = SweepReport_Serialize;
export type ApiError = ApiError_Serialize;
export type Appointment = Appointment_Serialize;
export type AppointmentInput = AppointmentInput_Serialize;
export type AppStatus = AppStatus_Serialize;
export type Attendee = Attendee_Serialize;
export type BulkMergeReport = BulkMergeReport_Serialize;
export type CaldavAccount = CaldavAccount_Serialize;
export type CaptureSource = CaptureSource_Serialize;
export type CaptureStatus = CaptureStatus_Serialize;
export type CaptureSubmission = CaptureSubmission_Serialize;
export type ChangeEntry = ChangeEntry_Serialize;
export type HistoryPage = HistoryPage_Serialize;
export type DryRunReport = DryRunReport_Serialize;
export type DuplicatePair = DuplicatePair_Serialize;
export type QueueFilter = QueueFilter_Serialize;
export type QueuePage = QueuePage_Serialize;
export type FilePreview = FilePreview_Serialize;
export type ImportBatch = ImportBatch_Serialize;
export type ImportPlan = ImportPlan_Serialize;
export type ImportTemplate = ImportTemplate_Serialize;
export type ImportTemplateInput = ImportTemplateInput_Serialize;
export type Lead = Lead_Serialize;
export type LeadInput = LeadInput_Serialize;
export type LeadPage = LeadPage_Serialize;
export type LeadQuery = LeadQuery_Serialize;
export type LeadSummary = LeadSummary_Serialize;
export type MergeOutcome = MergeOutcome_Serialize;
export type NewCaptureSource = NewCaptureSource_Serialize;
export type Occurrence = Occurrence_Serialize;
export type PossibleDuplicate = PossibleDuplicate_Serialize;
export type RowPlan = RowPlan_Serialize;
export type RunProgress = RunProgress_Serialize;
export type SavedLead = SavedLead_Serialize;
export type SlotRequest = SlotRequest_Serialize;
export type UnmergeOutcome = UnmergeOutcome_Serialize;
export type StageStay = StageStay_Serialize;
export type StageVelocity = StageVelocity_Serialize;
export type TimeToClose = TimeToClose_Serialize;
export type Velocity = Velocity_Serialize;
export type UndoKept = UndoKept_Serialize;
export type UndoReport = UndoReport_Serialize;
