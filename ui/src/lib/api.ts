// The one door to the backend. Components call `backend()`; tests swap the implementation with `setBackend()`.
import { Channel, invoke } from '@tauri-apps/api/core';
import { commands, type RunProgress_Deserialize } from './bindings';
import type {
  AgentCalendar,
  ApiError,
  Appointment,
  AppointmentInput,
  AppointmentStatus,
  AppStatus,
  BulkMergeReport,
  CaldavAccount,
  CaldavCalendar,
  CaldavConnect,
  CaptureSettings,
  CaptureSource,
  CaptureSourceInput,
  CaptureStatus,
  CaptureSubmission,
  HistoryPage,
  ColumnMapping,
  Confirmation,
  DryRunReport,
  DuplicateScanSummary,
  ErrorCode,
  FieldChoice,
  FieldError,
  FilePreview,
  IcsFileReport,
  ImportBatch,
  ImportPlan,
  ImportTemplate,
  ImportTemplateInput,
  Lead,
  LeadCount,
  LeadFacets,
  LeadInput,
  LeadPage,
  LeadQuery,
  MergeOutcome,
  SampleData,
  SampleDataRemoval,
  SavedExport,
  ExportProgress,
  MergeRecord,
  NewCaptureSource,
  Occurrence,
  PossibleDuplicate,
  QueueFacets,
  QueueFilter,
  QueuePage,
  RunProgress,
  SavedLead,
  ScanProgress,
  SeenVersion,
  SessionInfo,
  Settings,
  DuplicateTiers,
  SlotRequest,
  SlotSuggestion,
  Stage,
  StageStay,
  SyncReport,
  UndoReport,
  UnmergeOutcome,
  User,
  UserHoldings,
  UserInput,
  UserRef,
  Velocity,
  Activity,
  Board,
  BoardQuery,
  NewActivity,
  PipelineConfig,
  StageConfig,
  StageSettings,
  BusinessCalendar,
  StagnationPolicy,
  SweepReport,
  ApprovalRequest,
  ApprovalRule,
  LostReason,
  NewStage,
} from './types';

export interface Backend {
  appStatus(): Promise<AppStatus>;
  createFirstAdmin(username: string, displayName: string, password: string): Promise<SessionInfo>;
  signIn(username: string, password: string): Promise<SessionInfo>;
  signOut(): Promise<void>;
  /**
   * `onRequest` is called when the user closes the window while `holdClose(true)` is in force: the window
   * stays open until `closeWindow`.
   */
  watchClose(onRequest: () => void): Promise<void>;
  holdClose(held: boolean): Promise<void>;
  closeWindow(): Promise<void>;
  /** Opens a web, email or phone link in the system's program for it (the webview opens none itself). */
  openLink(link: string): Promise<void>;
  listLeads(query: LeadQuery): Promise<LeadPage>;
  /** How many leads match `query` (paging fields ignored), counted up to 10,000 (`more`: "10,000+"). */
  countLeads(query: LeadQuery): Promise<LeadCount>;
  /** Distinct campaigns and tags in use among the leads the user may see. */
  leadFacets(): Promise<LeadFacets>;
  /** Every user, deactivated ones included: for naming people in the history. */
  userDirectory(): Promise<UserRef[]>;
  getLead(id: number): Promise<Lead>;
  /** The saved lead, with the change batch the save wrote (what its Undo names). */
  createLead(input: LeadInput): Promise<SavedLead>;
  updateLead(id: number, version: number, input: LeadInput): Promise<SavedLead>;
  /** Reverts what one earlier save (change-log batch `batchId`) changed, as a new change. */
  undoLeadChange(id: number, batchId: number): Promise<SavedLead>;
  /** Lead `id`'s latest `limit` history entries, newest first, saying whether older ones were left out. */
  leadHistory(id: number, limit: number): Promise<HistoryPage>;
  owners(): Promise<UserRef[]>;
  /** The active users who work on `campaign`, who a lead of it may be given to (a campaign of the reader's own). */
  ownersForCampaign(campaign: string): Promise<UserRef[]>;
  stages(): Promise<Stage[]>;
  listUsers(): Promise<User[]>;
  /** Adds a user, marked a data steward or not, in one save. */
  createUser(input: UserInput, password: string, steward: boolean): Promise<User>;
  /**
   * Saves the changes made to user `id` in a form opened on `seen`, with the data-steward mark, in one save;
   * changed since, it fails with `conflict`.
   */
  updateUser(id: number, seen: User, input: UserInput, steward: boolean): Promise<User>;
  /** What a user holds (open leads, meetings to come): said before they are deactivated or made a Viewer. */
  userHoldings(id: number): Promise<UserHoldings>;
  /** What a user holds in the campaigns `campaigns` (`allCampaigns`) would take from them. */
  userHoldingsOutside(id: number, campaigns: string[], allCampaigns: boolean): Promise<UserHoldings>;
  changePassword(userId: number, current: string | null, newPassword: string): Promise<void>;
  getSettings(): Promise<Settings>;
  updateSettings(settings: Settings): Promise<Settings>;
  /** How many of the first run's sample leads are still stored (Administrators). */
  sampleData(): Promise<SampleData>;
  /** Takes out the first run's sample leads nobody worked on (Administrators). */
  removeSampleData(): Promise<SampleDataRemoval>;
  /** Where the duplicate tiers start (probabilities 0..1). */
  getDuplicateTiers(): Promise<DuplicateTiers>;
  /**
   * Sets them (Administrators); the next scan and every later save use them. `seen`, the tiers as the form read
   * them: a tier left as read keeps what is stored now; one another Administrator changed too is a `conflict`.
   */
  updateDuplicateTiers(seen: DuplicateTiers, tiers: DuplicateTiers): Promise<DuplicateTiers>;
  /**
   * Scans every lead for duplicates, calling `onProgress` as it reads, matches and saves; the review queue is
   * replaced only if the scan runs to its end. A scan stopped by `cancelDuplicateScan` fails with `cancelled`.
   */
  scanDuplicates(onProgress: (p: ScanProgress) => void): Promise<DuplicateScanSummary>;
  /** Asks the running scan to stop (it then fails with `cancelled`, leaving the queue as it was). */
  cancelDuplicateScan(): Promise<void>;
  /**
   * The open pairs of the review queue that `filter` lets through, highest score first, at most `limit`; with
   * how many pairs the whole queue holds and how many of them the filter lets through.
   */
  duplicateQueue(filter: QueueFilter, limit: number): Promise<QueuePage>;
  /** The campaigns and sources the queue's filters offer: those of every pair the user may see. */
  duplicateQueueFacets(): Promise<QueueFacets>;
  /**
   * Sets a pair aside: it leaves the queue until a matched field of either lead changes. `seen` are the
   * versions the steward compared: a lead changed since fails with a `conflict`, nothing set aside.
   */
  markNotDuplicate(pairId: number, seen: SeenVersion[]): Promise<void>;
  /** Takes a "not a duplicate" back: the pair is in the queue again. */
  reopenDuplicatePair(pairId: number): Promise<void>;
  /**
   * Merges `otherIds` into `survivorId`, which keeps its id; a field named in `choices` takes the chosen lead's
   * value. `seen` are the versions the steward compared: a lead changed since fails with a `conflict` and
   * nothing merged. `merge_id` names the merge for `unmerge`. `pairId`, the review queue's pair the leads are:
   * refused as `not_found` once that pair is no longer open (another steward decided it meanwhile).
   */
  mergeLeads(
    survivorId: number,
    otherIds: number[],
    choices: FieldChoice[],
    seen: SeenVersion[],
    pairId?: number | null,
  ): Promise<MergeOutcome>;
  /**
   * Takes back merge `mergeId`: the merged leads come back as they were, the survivor loses what they gave. The
   * pair is set aside (two people), or with `toQueue` (the review queue's Undo of a decision just made) back in
   * the queue for a person to decide again.
   */
  unmerge(mergeId: number, toQueue?: boolean): Promise<UnmergeOutcome>;
  /**
   * Merges each pair's lead B into its lead A with the default survivorship, one merge (one `merge_id`) per
   * pair, calling `onProgress` with the number of pairs done. Pairs that cannot be merged come back as skipped,
   * with the reason; the others go on.
   */
  mergePairs(pairIds: number[], onProgress: (done: number) => void): Promise<BulkMergeReport>;
  /** The merges into lead `id` that can still be undone, newest first. */
  leadMerges(id: number): Promise<MergeRecord[]>;
  /** Read-only: the existing leads a save of `input` would be flagged with, best first. */
  possibleDuplicates(input: LeadInput): Promise<PossibleDuplicate[]>;

  // ---------- Calendar ----------
  /** Every agent's calendar settings (the agents the calendar shows and books). */
  agentCalendars(): Promise<AgentCalendar[]>;
  agentCalendar(userId: number): Promise<AgentCalendar>;
  /** `seen`: the settings as the form read them; only what differs from them is written. */
  updateAgentCalendar(seen: AgentCalendar, calendar: AgentCalendar): Promise<AgentCalendar>;
  /** Adds time off (RFC 3339 `start`..`end`) to a calendar; answers the calendar as it is now. */
  addTimeOff(userId: number, start: string, end: string, note: string): Promise<AgentCalendar>;
  removeTimeOff(userId: number, id: number): Promise<AgentCalendar>;
  /** The occurrences of the agents' appointments in the UTC window [from, to). */
  occurrences(agentIds: number[], from: string, to: string): Promise<Occurrence[]>;
  appointment(id: number): Promise<Appointment>;
  leadAppointments(leadId: number): Promise<Appointment[]>;
  /** The lead's stays in each stage, oldest first, with their durations (the last one up to now). */
  stageHistory(leadId: number): Promise<StageStay[]>;
  /** Time in each stage, time to close and bottlenecks, over the leads the user may see. */
  pipelineVelocity(): Promise<Velocity>;
  /** The pipelines, their stages with entry criteria, and the lost reasons. */
  pipelineConfig(): Promise<PipelineConfig>;
  /**
   * Changes a stage's label, probability, colour, entry criteria and stagnation policy (null: none), together
   * or not at all (Administrators).
   */
  /** `seen`: the stage as the dialog read it; saved by another Administrator since, the save is refused. */
  updateStage(key: string, settings: StageSettings, policy: StagnationPolicy | null, seen: StageConfig): Promise<PipelineConfig>;
  /** A pipeline's open stages (and closed ones when asked) as columns of the leads the user may see. */
  pipelineBoard(query: BoardQuery): Promise<Board>;
  /** Moves a lead through the stage gate; refused with `stage_gate` and the missing fields/activities. */
  /** `lostReason`: the reason of a loss, saved with the move into Lost (never ahead of it). */
  moveLead(
    leadId: number,
    version: number,
    stage: string,
    overrideReason: string | null,
    lostReason?: string | null,
  ): Promise<SavedLead>;
  logActivity(leadId: number, activity: NewActivity): Promise<Activity>;
  completeActivity(id: number): Promise<Activity>;
  /** Removes an activity logged by mistake (its author or an Administrator). */
  removeActivity(id: number): Promise<void>;
  /** Puts back an activity removed by mistake, as it was: the Undo of a removal. */
  restoreActivity(id: number): Promise<Activity>;
  /** The lead's activities (and those of leads merged into it), newest first. */
  leadActivities(leadId: number): Promise<Activity[]>;
  /** The stagnation sweep; `dryRun`: what would move, nothing written. */
  pipelineSweep(dryRun: boolean): Promise<SweepReport>;
  businessCalendar(): Promise<BusinessCalendar>;
  /** `seen`: the calendar as the editor read it; the core refuses a save over another one since. */
  setBusinessCalendar(seen: BusinessCalendar, calendar: BusinessCalendar): Promise<BusinessCalendar>;
  /** Asks an Administrator to approve a move a rule covers (after `approval_required`). */
  requestMove(leadId: number, version: number, stage: string, lostReason: string, note: string): Promise<ApprovalRequest>;
  /** The moves waiting for a decision, oldest first (Administrators). */
  approvalQueue(): Promise<ApprovalRequest[]>;
  /** Approves (the move is made) or rejects (a comment is required) a waiting move. */
  decideApproval(id: number, approve: boolean, comment: string): Promise<ApprovalRequest>;
  /** Takes back a request the signed-in user made; only they may. */
  withdrawApproval(id: number): Promise<ApprovalRequest>;
  leadApprovalRequests(leadId: number): Promise<ApprovalRequest[]>;
  approvalRules(): Promise<ApprovalRule[]>;
  /** Adds a pipeline (Administrators). */
  createPipeline(key: string, label: string): Promise<PipelineConfig>;
  /** Adds a stage at the end of a pipeline (Administrators). */
  createStage(stage: NewStage): Promise<PipelineConfig>;
  /**
   * Puts `pipeline`'s stages in the order `order` names each of them (Administrators). `seen`, the order as the
   * screen shows it: another Administrator's reorder since is a `conflict`.
   */
  reorderStages(pipeline: string, seen: string[], order: string[]): Promise<PipelineConfig>;
  /** Replaces the lost reasons; one a lead holds cannot be removed. */
  /** `seen`: the reasons as the editor read them; the core refuses a save over another one since. */
  setLostReasons(seen: LostReason[], reasons: LostReason[]): Promise<PipelineConfig>;
  /** `seen`: the rules as the editor read them; saved by another Administrator since, the save is refused. */
  setApprovalRules(seen: ApprovalRule[], rules: ApprovalRule[]): Promise<ApprovalRule[]>;
  /** Books an appointment; an overlap with another of the agent's is refused with `double_booked`. */
  bookAppointment(input: AppointmentInput): Promise<Appointment>;
  updateAppointment(id: number, version: number, input: AppointmentInput): Promise<Appointment>;
  moveAppointment(id: number, version: number, start: string, end: string): Promise<Appointment>;
  setAppointmentStatus(id: number, status: AppointmentStatus): Promise<Appointment>;
  setConfirmation(id: number, confirmation: Confirmation): Promise<Appointment>;
  /** Free times for a meeting, best first, each with why it was chosen. */
  findSlots(request: SlotRequest): Promise<SlotSuggestion[]>;
  /** Imports .ics files into `agentId`'s calendar (null: matched by organizer); one report per file. */
  importIcs(files: { name: string; bytes: Uint8Array }[], agentId: number | null): Promise<IcsFileReport[]>;
  /** Makes a Draft lead of an attendee no lead knows; answers the new lead's id. */
  /** `campaign`: the new lead's; unset, the meeting's lead's or the user's only one (else refused on `campaign`). */
  createLeadFromAttendee(appointmentId: number, email: string, campaign?: string | null): Promise<number>;
  /** The appointment as an .ics invite. */
  exportInvite(id: number): Promise<string>;
  /** The agent's whole calendar as .ics text. */
  exportAgentCalendar(agentId: number): Promise<string>;
  /** The signed-in user's CalDAV account, if connected. */
  caldavAccount(): Promise<CaldavAccount | null>;
  /** The calendars a CalDAV address leads to (the server's is enough); nothing is stored. */
  caldavCalendars(input: CaldavConnect): Promise<CaldavCalendar[]>;
  /** Connects a CalDAV calendar; the password goes to the OS keychain (`keychain` if there is none). */
  connectCaldav(input: CaldavConnect): Promise<CaldavAccount>;
  disconnectCaldav(): Promise<void>;
  /** Pulls and pushes changes now (`remote` when the server cannot be reached or refuses the password). */
  syncCaldav(): Promise<SyncReport>;

  // ---------- Import (CSV, Excel) ----------
  /**
   * Stages the file `bytes` (named `fileName`) in the app and answers what was read of it; from then on the
   * backend reads it by `file_id`. A file that cannot be read at all is an error.
   */
  importStageFile(fileName: string, bytes: Uint8Array): Promise<FilePreview>;
  /** The staged file read again with another Excel sheet. */
  importPreview(fileId: string, sheet: string | null): Promise<FilePreview>;
  /** The country the staged file's national phone numbers show when read with `mapping`; null: the default region. */
  importPhoneRegion(fileId: string, sheet: string | null, mapping: ColumnMapping[]): Promise<string | null>;
  /** What every row would do under `plan`, writing nothing (`rows_shown`: up to 1,000 rows, rejects first). */
  importDryRun(fileId: string, plan: ImportPlan, onProgress: (p: RunProgress) => void): Promise<DryRunReport>;
  /** Stops the dry run of the staged file at its next rehearsal (it then fails with code `cancelled`); false when
   * none runs yet or any more. */
  importDryRunCancel(fileId: string): Promise<boolean>;
  /**
   * Imports the staged file, calling `onProgress` as rows are written (each report names the batch, for
   * `importCancel`); resolves when the run ends: completed, cancelled or failed.
   */
  importStart(fileId: string, plan: ImportPlan, onProgress: (p: RunProgress) => void): Promise<ImportBatch>;
  /** Asks the running import of batch `batchId` to stop at its next row (the rows done so far stay); false when
   * nothing runs under that batch now (ended, or a resume still checking its file). */
  importCancel(batchId: number): Promise<boolean>;
  /** Goes on with an interrupted or cancelled import from where it stopped. */
  importResume(batchId: number, onProgress: (p: RunProgress) => void): Promise<ImportBatch>;
  /**
   * Takes back an import: leads it created are removed and fields it changed set back, except on leads
   * edited since (those are kept, with the reason).
   */
  importUndo(batchId: number, onProgress: (p: RunProgress) => void): Promise<UndoReport>;
  /** Every import, newest first (an undo's report without the leads it kept: see `importBatch`). */
  importHistory(): Promise<ImportBatch[]>;
  /** One import, with the leads its undo kept and why. */
  importBatch(batchId: number): Promise<ImportBatch>;
  /**
   * Saves the rejected rows of an import (each original row and an "error" column, as CSV) as a new file named
   * `fileName` in the Downloads folder (numbered when taken); answers its path. The backend writes them as it
   * reads them: they never cross to the page, however many there are.
   */
  importSaveRejects(batchId: number, fileName: string): Promise<string>;
  /** Saves `text` as a new file named `fileName` in the Downloads folder (numbered when taken); answers its path. */
  saveDownload(fileName: string, text: string): Promise<string>;
  /**
   * Saves the leads `query` matches (its search and filters, in its order; paging ignored) as CSV named `fileName`
   * in the Downloads folder; `onProgress` hears how many there are, then how many are written every thousand.
   * Refused as cancelled after `cancelLeadExport`, leaving no file.
   */
  exportLeads(query: LeadQuery, fileName: string, onProgress: (p: ExportProgress) => void): Promise<SavedExport>;
  cancelLeadExport(): Promise<void>;
  importTemplates(): Promise<ImportTemplate[]>;
  /** Saves (or replaces, by name) a mapping template. */
  saveImportTemplate(template: ImportTemplateInput): Promise<ImportTemplate>;
  deleteImportTemplate(name: string): Promise<void>;

  // ---------- Capture API (Administrators) ----------
  captureStatus(): Promise<CaptureStatus>;
  /** Saves the settings and starts, restarts or stops the listener accordingly. */
  updateCaptureSettings(seen: CaptureSettings, settings: CaptureSettings): Promise<CaptureStatus>;
  captureSources(): Promise<CaptureSource[]>;
  /** A new source and its token, which is answered this once (the OS keychain keeps it). */
  addCaptureSource(input: CaptureSourceInput): Promise<NewCaptureSource>;
  /** Changes a source's name, field map, rate and campaign (its kind and token stay); `conflict` when changed since `seen`. */
  updateCaptureSource(id: number, seen: CaptureSource, input: CaptureSourceInput): Promise<CaptureSource>;
  revokeCaptureSource(id: number): Promise<CaptureSource>;
  /** A source's token again, from the OS keychain (`keychain` when it cannot be reached). */
  captureToken(id: number): Promise<string>;
  /** The latest requests, newest first, of one source or (null) of all. */
  captureSubmissions(sourceId: number | null, limit: number): Promise<CaptureSubmission[]>;
  /** A ready-to-paste HTML form posting to the source. */
  captureFormHtml(sourceId: number): Promise<string>;
}

/** A refusal from the backend, carrying its `{code, message, field, fields}`. */
export class BackendError extends Error {
  readonly error: ApiError;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'BackendError';
    this.error = { ...error, field: error.field ?? null, fields: error.fields ?? [], merged_into: error.merged_into ?? null };
  }

  get code(): ErrorCode {
    return this.error.code;
  }

  get fields(): FieldError[] {
    return this.error.fields;
  }
}

export function apiError(code: ErrorCode, message: string, fields: FieldError[] = []): ApiError {
  return { code, message, field: fields[0]?.field ?? null, fields, merged_into: null };
}

/** Any thrown value as an ApiError: backend refusals as they are, anything else as `internal`. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof BackendError) return e.error;
  if (e instanceof Error) return apiError('internal', e.message);
  if (isApiError(e)) return { ...e, field: e.field ?? null, fields: e.fields ?? [], merged_into: e.merged_into ?? null };
  return apiError('internal', String(e));
}

function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  return toApiError(e).message;
}

/**
 * The error as a person reads it where no form shows its field: a refusal about one field by that field's
 * message alone ("the keychain no longer holds this token…", not "source: the keychain…").
 */
export function plainMessage(e: unknown): string {
  const api = toApiError(e);
  return api.fields.length === 1 ? api.fields[0].message : api.message;
}

type Outcome<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };

const sessionEndedListeners = new Set<(error: ApiError) => void>();

/**
 * Calls `listener` whenever the backend says the session is over (the account was deactivated, or nobody is
 * signed in): whatever screen asked, the app goes back to the sign-in. Returns its remover.
 */
export function whenSessionEnds(listener: (error: ApiError) => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** Tells every listener of [`whenSessionEnds`] that the backend ended the session with `error`. */
export function sessionEnded(error: ApiError) {
  for (const listener of sessionEndedListeners) listener(error);
}

async function unwrap<T>(call: () => Promise<Outcome<T, ApiError>>): Promise<T> {
  let outcome: Outcome<T, ApiError>;
  try {
    outcome = await call();
  } catch (e) {
    // The bindings rethrow JavaScript errors (e.g. IPC unavailable); give them the same shape.
    throw new BackendError(toApiError(e));
  }
  if (outcome.status === 'error') {
    const error = toApiError(outcome.error);
    if (error.code === 'session_ended') sessionEnded(error);
    throw new BackendError(error);
  }
  return outcome.data;
}

/**
 * Sends a file to `command` as the request's raw body, its name in a header: as a JSON array of numbers, Tauri
 * parsed it on the window's thread, some 40 bytes a byte, and a large list froze the window. Such commands are
 * not in the generated bindings (`src-tauri/src/file_body.rs`).
 */
export function sendFile<T>(
  command: string,
  fileName: string,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): Promise<T> {
  return unwrap(async (): Promise<Outcome<T, ApiError>> => {
    try {
      const data = await invoke<T>(command, bytes, {
        headers: { ...headers, 'x-rapport-file-name': encodeURIComponent(fileName) },
      });
      return { status: 'ok', data };
    } catch (e) {
      if (e instanceof Error) throw e;
      return { status: 'error', error: e as ApiError };
    }
  });
}

/** A channel that hands each progress report of a run to `onProgress`, with every field present. */
function progressChannel(onProgress: (p: RunProgress) => void): Channel<RunProgress_Deserialize> {
  const channel = new Channel<RunProgress_Deserialize>();
  channel.onmessage = (p) =>
    onProgress({ ...p, rows_total: p.rows_total ?? null, rows_per_second: p.rows_per_second ?? null, eta_seconds: p.eta_seconds ?? null });
  return channel;
}

export const tauriBackend: Backend = {
  appStatus: () => unwrap(() => commands.appStatus()),
  createFirstAdmin: (username, displayName, password) =>
    unwrap(() => commands.createFirstAdmin(username, displayName, password)),
  signIn: (username, password) => unwrap(() => commands.signIn(username, password)),
  signOut: async () => {
    await unwrap(() => commands.signOut());
  },
  watchClose: async (onRequest) => {
    const channel = new Channel<null>();
    channel.onmessage = () => onRequest();
    await commands.watchClose(channel);
  },
  holdClose: (held) => commands.holdClose(held),
  closeWindow: async () => {
    await unwrap(() => commands.closeWindow());
  },
  openLink: async (link) => {
    await unwrap(() => commands.openLink(link));
  },
  listLeads: (query) => unwrap(() => commands.listLeads(query)),
  countLeads: (query) => unwrap(() => commands.countLeads(query)),
  leadFacets: () => unwrap(() => commands.leadFacets()),
  userDirectory: () => unwrap(() => commands.userDirectory()),
  getLead: (id) => unwrap(() => commands.getLead(id)),
  createLead: (input) => unwrap(() => commands.createLead(input)),
  updateLead: (id, version, input) => unwrap(() => commands.updateLead(id, version, input)),
  undoLeadChange: (id, batchId) => unwrap(() => commands.undoLeadChange(id, batchId)),
  leadHistory: (id, limit) => unwrap(() => commands.leadHistory(id, limit)),
  owners: () => unwrap(() => commands.owners()),
  ownersForCampaign: (campaign) => unwrap(() => commands.ownersForCampaign(campaign)),
  stages: () => unwrap(() => commands.stages()),
  listUsers: () => unwrap(() => commands.listUsers()),
  createUser: (input, password, steward) => unwrap(() => commands.createUser(input, password, steward)),
  updateUser: (id, seen, input, steward) => unwrap(() => commands.updateUser(id, seen, input, steward)),
  userHoldings: (id) => unwrap(() => commands.userHoldings(id)),
  userHoldingsOutside: (id, campaigns, allCampaigns) =>
    unwrap(() => commands.userHoldingsOutside(id, campaigns, allCampaigns)),
  changePassword: async (userId, current, newPassword) => {
    await unwrap(() => commands.changePassword(userId, current, newPassword));
  },
  getSettings: () => unwrap(() => commands.getSettings()),
  updateSettings: (settings) => unwrap(() => commands.updateSettings(settings)),
  sampleData: () => unwrap(() => commands.sampleData()),
  removeSampleData: () => unwrap(() => commands.removeSampleData()),
  getDuplicateTiers: () => unwrap(() => commands.duplicateTiers()),
  updateDuplicateTiers: (seen, tiers) => unwrap(() => commands.updateDuplicateTiers(seen, tiers)),
  scanDuplicates: (onProgress) =>
    unwrap(() => {
      const channel = new Channel<ScanProgress>();
      channel.onmessage = onProgress;
      return commands.scanDuplicates(channel);
    }),
  cancelDuplicateScan: async () => {
    await unwrap(() => commands.cancelDuplicateScan());
  },
  duplicateQueue: (filter, limit) => unwrap(() => commands.duplicateQueue(filter, limit)),
  duplicateQueueFacets: () => unwrap(() => commands.duplicateQueueFacets()),
  markNotDuplicate: async (pairId, seen) => {
    await unwrap(() => commands.markNotDuplicate(pairId, seen));
  },
  reopenDuplicatePair: async (pairId) => {
    await unwrap(() => commands.reopenDuplicatePair(pairId));
  },
  mergeLeads: (survivorId, otherIds, choices, seen, pairId = null) =>
    unwrap(() => commands.mergeLeads(survivorId, otherIds, choices, seen, pairId)),
  unmerge: (mergeId, toQueue = false) => unwrap(() => commands.unmerge(mergeId, toQueue)),
  mergePairs: (pairIds, onProgress) =>
    unwrap(() => {
      const channel = new Channel<number>();
      channel.onmessage = onProgress;
      return commands.mergePairs(pairIds, channel);
    }),
  leadMerges: (id) => unwrap(() => commands.leadMerges(id)),
  possibleDuplicates: (input) => unwrap(() => commands.possibleDuplicates(input)),
  agentCalendars: () => unwrap(() => commands.agentCalendars()),
  agentCalendar: (userId) => unwrap(() => commands.agentCalendar(userId)),
  updateAgentCalendar: (seen, calendar) => unwrap(() => commands.updateAgentCalendar(seen, calendar)),
  addTimeOff: (userId, start, end, note) => unwrap(() => commands.addTimeOff(userId, start, end, note)),
  removeTimeOff: (userId, id) => unwrap(() => commands.removeTimeOff(userId, id)),
  occurrences: (agentIds, from, to) => unwrap(() => commands.occurrences(agentIds, from, to)),
  appointment: (id) => unwrap(() => commands.appointment(id)),
  leadAppointments: (leadId) => unwrap(() => commands.leadAppointments(leadId)),
  stageHistory: (leadId) => unwrap(() => commands.stageHistory(leadId)),
  pipelineVelocity: () => unwrap(() => commands.pipelineVelocity()),
  pipelineConfig: () => unwrap(() => commands.pipelineConfig()),
  updateStage: (key, settings, policy, seen) => unwrap(() => commands.updateStage(key, seen, settings, policy)),
  pipelineBoard: (query) => unwrap(() => commands.pipelineBoard(query)),
  moveLead: (leadId, version, stage, overrideReason, lostReason) =>
    unwrap(() => commands.moveLead(leadId, version, stage, overrideReason, lostReason ?? null)),
  logActivity: (leadId, activity) => unwrap(() => commands.logActivity(leadId, activity)),
  completeActivity: (id) => unwrap(() => commands.completeActivity(id)),
  removeActivity: (id) => unwrap(() => commands.removeActivity(id)).then(() => undefined),
  restoreActivity: (id) => unwrap(() => commands.restoreActivity(id)),
  leadActivities: (leadId) => unwrap(() => commands.leadActivities(leadId)),
  pipelineSweep: (dryRun) => unwrap(() => commands.pipelineSweep(dryRun)),
  businessCalendar: () => unwrap(() => commands.businessCalendar()),
  setBusinessCalendar: (seen, calendar) => unwrap(() => commands.setBusinessCalendar(seen, calendar)),
  requestMove: (leadId, version, stage, lostReason, note) =>
    unwrap(() => commands.requestMove(leadId, version, stage, lostReason, note)),
  approvalQueue: () => unwrap(() => commands.approvalQueue()),
  decideApproval: (id, approve, comment) => unwrap(() => commands.decideApproval(id, approve, comment)),
  withdrawApproval: (id) => unwrap(() => commands.withdrawApproval(id)),
  leadApprovalRequests: (leadId) => unwrap(() => commands.leadApprovalRequests(leadId)),
  approvalRules: () => unwrap(() => commands.approvalRules()),
  createPipeline: (key, label) => unwrap(() => commands.createPipeline(key, label)),
  createStage: (stage) => unwrap(() => commands.createStage(stage)),
  reorderStages: (pipeline, seen, order) => unwrap(() => commands.reorderStages(pipeline, seen, order)),
  setLostReasons: (seen, reasons) => unwrap(() => commands.setLostReasons(seen, reasons)),
  setApprovalRules: (seen, rules) => unwrap(() => commands.setApprovalRules(seen, rules)),
  bookAppointment: (input) => unwrap(() => commands.bookAppointment(input)),
  updateAppointment: (id, version, input) => unwrap(() => commands.updateAppointment(id, version, input)),
  moveAppointment: (id, version, start, end) => unwrap(() => commands.moveAppointment(id, version, start, end)),
  setAppointmentStatus: (id, status) => unwrap(() => commands.setAppointmentStatus(id, status)),
  setConfirmation: (id, confirmation) => unwrap(() => commands.setConfirmation(id, confirmation)),
  findSlots: (request) => unwrap(() => commands.findSlots(request)),
  // One file at a time, each as the request's raw body (see `sendFile`).
  importIcs: async (files, agentId) => {
    const reports: IcsFileReport[] = [];
    for (const f of files) {
      const agent: Record<string, string> = agentId === null ? {} : { 'x-rapport-agent-id': String(agentId) };
      reports.push(await sendFile<IcsFileReport>('import_ics_file', f.name, f.bytes, agent));
    }
    return reports;
  },
  createLeadFromAttendee: (appointmentId, email, campaign) =>
    unwrap(() => commands.createLeadFromAttendee(appointmentId, email, campaign ?? null)),
  exportInvite: (id) => unwrap(() => commands.exportInvite(id)),
  exportAgentCalendar: (agentId) => unwrap(() => commands.exportAgentCalendar(agentId)),
  caldavAccount: () => unwrap(() => commands.caldavAccount()),
  caldavCalendars: (input) => unwrap(() => commands.caldavCalendars(input)),
  connectCaldav: (input) => unwrap(() => commands.connectCaldav(input)),
  disconnectCaldav: async () => {
    await unwrap(() => commands.disconnectCaldav());
  },
  syncCaldav: () => unwrap(() => commands.syncCaldav()),
  importStageFile: (fileName, bytes) => sendFile<FilePreview>('import_stage_file', fileName, bytes),
  importPreview: (fileId, sheet) => unwrap(() => commands.importPreview(fileId, sheet)),
  importPhoneRegion: (fileId, sheet, mapping) => unwrap(() => commands.importPhoneRegion(fileId, sheet, mapping)),
  importDryRun: (fileId, plan, onProgress) =>
    unwrap(() => commands.importDryRun(fileId, plan, progressChannel(onProgress))),
  importDryRunCancel: (fileId) => unwrap(() => commands.importDryRunCancel(fileId)),
  importStart: (fileId, plan, onProgress) =>
    unwrap(() => commands.importStart(fileId, plan, progressChannel(onProgress))),
  importCancel: (batchId) => unwrap(() => commands.importCancel(batchId)),
  importResume: (batchId, onProgress) => unwrap(() => commands.importResume(batchId, progressChannel(onProgress))),
  importUndo: (batchId, onProgress) => unwrap(() => commands.importUndo(batchId, progressChannel(onProgress))),
  importHistory: () => unwrap(() => commands.importHistory()),
  importBatch: (batchId) => unwrap(() => commands.importBatch(batchId)),
  importSaveRejects: (batchId, fileName) => unwrap(() => commands.importSaveRejects(batchId, fileName)),
  saveDownload: (fileName, text) => unwrap(() => commands.saveDownload(fileName, text)),
  exportLeads: (query, fileName, onProgress) =>
    unwrap(() => {
      const channel = new Channel<ExportProgress>();
      channel.onmessage = onProgress;
      return commands.exportLeads(query, fileName, channel);
    }),
  cancelLeadExport: () => commands.cancelLeadExport(),
  importTemplates: () => unwrap(() => commands.importTemplates()),
  saveImportTemplate: (template) => unwrap(() => commands.saveImportTemplate(template)),
  deleteImportTemplate: async (name) => {
    await unwrap(() => commands.deleteImportTemplate(name));
  },
  captureStatus: () => unwrap(() => commands.captureStatus()),
  updateCaptureSettings: (seen, settings) => unwrap(() => commands.updateCaptureSettings(seen, settings)),
  captureSources: () => unwrap(() => commands.captureSources()),
  addCaptureSource: (input) => unwrap(() => commands.addCaptureSource(input)),
  updateCaptureSource: (id, seen, input) => unwrap(() => commands.updateCaptureSource(id, seen, input)),
  revokeCaptureSource: (id) => unwrap(() => commands.revokeCaptureSource(id)),
  captureToken: (id) => unwrap(() => commands.captureToken(id)),
  captureSubmissions: (sourceId, limit) => unwrap(() => commands.captureSubmissions(sourceId, limit)),
  captureFormHtml: (sourceId) => unwrap(() => commands.captureFormHtml(sourceId)),
};

let current: Backend = tauriBackend;

export function backend(): Backend {
  return current;
}

/** Replaces the backend (component tests pass a mock). */
export function setBackend(b: Backend): void {
  current = b;
}
