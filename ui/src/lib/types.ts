// The domain types as the UI sees them. The generated bindings distinguish what the backend sends
// (`*_Serialize`) from what it accepts (`*_Deserialize`); the UI always receives the former and always sends
// complete values, so it names the precise variants once here and everywhere else imports from this file.
import type {
  ApiError_Serialize,
  AppointmentInput_Serialize,
  Appointment_Serialize,
  AppStatus_Serialize,
  Attendee_Serialize,
  BulkMergeReport_Serialize,
  CaldavAccount_Serialize,
  ChangeEntry_Serialize,
  CsvImportReport_Serialize,
  DuplicatePair_Serialize,
  ImportOutcome_Serialize,
  LeadInput_Serialize,
  LeadPage_Serialize,
  LeadQuery_Serialize,
  LeadSummary_Serialize,
  Lead_Serialize,
  MergeOutcome_Serialize,
  Occurrence_Serialize,
  PossibleDuplicate_Serialize,
  SavedLead_Serialize,
  SlotRequest_Serialize,
  UnmergeOutcome_Serialize,
} from './bindings';

export type {
  Address,
  AgentCalendar,
  AppointmentSource,
  AppointmentStatus,
  CaldavConnect,
  Confirmation,
  ChangeReason,
  DuplicateScanSummary,
  DuplicateTiers,
  EmailEntry,
  ErrorCode,
  EvidenceLine,
  FieldChoice,
  FieldError,
  IcsFile,
  IcsFileReport,
  IcsProblem,
  ImportMode,
  ImportPhase,
  ImportProgress,
  InvalidValue,
  LeadCount,
  LeadFacets,
  LeadSort,
  LeadStatus,
  MergedLead,
  MergeRecord,
  MissingField,
  Permission,
  PhoneEntry,
  Role,
  RowError,
  ScanPhase,
  ScanProgress,
  SessionInfo,
  Settings,
  SkippedPair,
  SlotSuggestion,
  SourceChannel,
  Stage,
  SyncReport,
  Tier,
  TimeOff,
  UnknownAttendee,
  User,
  UserInput,
  UserRef,
  WorkingHours,
} from './bindings';

export type ApiError = ApiError_Serialize;
export type Appointment = Appointment_Serialize;
export type AppointmentInput = AppointmentInput_Serialize;
export type AppStatus = AppStatus_Serialize;
export type Attendee = Attendee_Serialize;
export type BulkMergeReport = BulkMergeReport_Serialize;
export type CaldavAccount = CaldavAccount_Serialize;
export type ChangeEntry = ChangeEntry_Serialize;
export type CsvImportReport = CsvImportReport_Serialize;
export type DuplicatePair = DuplicatePair_Serialize;
export type ImportOutcome = ImportOutcome_Serialize;
export type Lead = Lead_Serialize;
export type LeadInput = LeadInput_Serialize;
export type LeadPage = LeadPage_Serialize;
export type LeadQuery = LeadQuery_Serialize;
export type LeadSummary = LeadSummary_Serialize;
export type MergeOutcome = MergeOutcome_Serialize;
export type Occurrence = Occurrence_Serialize;
export type PossibleDuplicate = PossibleDuplicate_Serialize;
export type SavedLead = SavedLead_Serialize;
export type SlotRequest = SlotRequest_Serialize;
export type UnmergeOutcome = UnmergeOutcome_Serialize;
