// The domain types as the UI sees them. The generated bindings distinguish what the backend sends
// (`*_Serialize`) from what it accepts (`*_Deserialize`); the UI always receives the former and always sends
// complete values, so it names the precise variants once here and everywhere else imports from this file.
import type {
  ApiError_Serialize,
  AppStatus_Serialize,
  BulkMergeReport_Serialize,
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
  PossibleDuplicate_Serialize,
  SavedLead_Serialize,
  UnmergeOutcome_Serialize,
} from './bindings';

export type {
  Address,
  ChangeReason,
  DuplicateScanSummary,
  DuplicateTiers,
  EmailEntry,
  ErrorCode,
  EvidenceLine,
  FieldChoice,
  FieldError,
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
  SourceChannel,
  Stage,
  Tier,
  User,
  UserInput,
  UserRef,
} from './bindings';

export type ApiError = ApiError_Serialize;
export type AppStatus = AppStatus_Serialize;
export type BulkMergeReport = BulkMergeReport_Serialize;
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
export type PossibleDuplicate = PossibleDuplicate_Serialize;
export type SavedLead = SavedLead_Serialize;
export type UnmergeOutcome = UnmergeOutcome_Serialize;
