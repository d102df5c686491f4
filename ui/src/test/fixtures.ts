// Test doubles: a Backend whose every method is a vi.fn with a harmless default, and sample records.
import { vi, type Mock } from 'vitest';
import { BackendError, setBackend, type Backend } from '../lib/api';
import { LEAD_FIELDS } from '../lib/bindings';
import { leadName } from '../lib/format';
import { readPath, writePath } from '../lib/leads/fields';
import { calendarMock } from './calendarFixtures';
import { captureMock, importMock } from './importFixtures';
import type {
  Activity,
  ApprovalRequest,
  ApiError,
  BoardCard,
  BoardColumn,
  BulkMergeReport,
  ChangeEntry,
  HistoryPage,
  DuplicatePair,
  EvidenceLine,
  FieldChoice,
  Lead,
  LeadInput,
  LeadSummary,
  MergeRecord,
  PipelineConfig,
  PossibleDuplicate,
  SavedLead,
  SeenVersion,
  QueuePage,
  SessionInfo,
  SourceChannel,
  StageConfig,
  User,
} from '../lib/types';

export type MockBackend = { [K in keyof Backend]: Mock<Backend[K]> };

export function user(over: Partial<User> = {}): User {
  return {
    id: 1,
    username: 'ada',
    display_name: 'Ada Admin',
    role: 'administrator',
    active: true,
    campaigns: [],
    all_campaigns: true,
    created_at: '2025-01-01T09:00:00.000Z',
    data_steward: false,
    ...over,
  } as User;
}

export function sessionFor(role: User['role'], over: Partial<User> = {}): SessionInfo {
  const permissions: SessionInfo['permissions'] =
    role === 'administrator'
      ? ['read_leads', 'write_leads', 'read_history', 'manage_users', 'manage_settings', 'review_duplicates']
      : role === 'editor'
        ? ['read_leads', 'write_leads', 'read_history', 'review_duplicates']
        : ['read_leads', 'read_history'];
  return { user: user({ role, ...over }), permissions };
}

export function summary(id: number, over: Partial<LeadSummary> = {}): LeadSummary {
  return {
    id,
    first_name: `First${id}`,
    last_name: `Last${id}`,
    company: `Company ${id}`,
    primary_email: `lead${id}@example.com`,
    primary_phone: '+44 20 7946 0018',
    status: 'active',
    stage: 'new',
    campaign: '',
    source: 'direct_entry',
    owner_name: null,
    updated_at: new Date().toISOString(),
    ...over,
  };
}

export function lead(over: Partial<Lead> = {}): Lead {
  return {
    id: 7,
    version: 1,
    first_name: 'Grace',
    last_name: 'Hopper',
    company: 'Navy',
    job_title: 'Rear Admiral',
    emails: [{ address: 'grace@navy.mil', original: 'grace@NAVY.mil' }],
    phones: [{ e164: '+442079460018', display: '+44 20 7946 0018', original: '020 7946 0018' }],
    address: { street: '', street2: '', city: 'Arlington', postcode: '', region: '', country: 'US' },
    country_code: 'US',
    source: 'direct_entry',
    source_detail: '',
    campaign: '',
    owner: null,
    stage: 'new',
    tags: ['vip'],
    notes: '',
    external_ref: '',
    deal: {
      value: '',
      currency: '',
      expected_close: '',
      budget: '',
      decision_maker: '',
      need: '',
      timeline: '',
      lost_reason: '',
    },
    invalid: [],
    status: 'active',
    missing: [],
    created_at: '2025-01-01T09:00:00.000Z',
    updated_at: '2025-01-02T09:00:00.000Z',
    ...over,
  };
}

/** The default pipeline as migration 009 seeds it (seed 4.1's criteria). */
export function pipelineConfig(): PipelineConfig {
  const stage = (
    key: string,
    label: string,
    position: number,
    over: Partial<StageConfig> = {},
  ): StageConfig => ({
    key,
    label,
    pipeline: 'sales',
    position,
    probability: 10,
    colour: '#64748b',
    outcome: 'open',
    closed: false,
    required_fields: [],
    required_activities: [],
    asked_when_skipped: false,
    stagnation: null,
    ...over,
  });
  return {
    pipelines: [{ key: 'sales', label: 'New business' }],
    stages: [
      stage('new', 'New lead', 0, { stagnation: { after_days: 10, target: 'nurture', lost_reason: null } }),
      stage('qualification', 'Qualification', 1, {
        required_fields: ['budget', 'decision_maker', 'need', 'timeline'],
        stagnation: { after_days: 20, target: 'nurture', lost_reason: null },
      }),
      stage('engagement', 'In discussion', 2, {
        required_fields: ['deal_value', 'currency', 'expected_close'],
        required_activities: ['proposal'],
        stagnation: { after_days: 30, target: 'lost', lost_reason: 'stagnant' },
      }),
      stage('won', 'Won', 3, { outcome: 'won', closed: true, required_fields: ['deal_value', 'currency'] }),
      stage('lost', 'Lost', 4, { outcome: 'lost', closed: true, required_fields: ['lost_reason'] }),
      stage('nurture', 'Nurture', 5),
    ],
    lost_reasons: [
      { key: 'price', label: 'Price' },
      { key: 'competitor', label: 'Chose a competitor' },
    ],
  };
}

export function approvalRequest(over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: 1,
    lead_id: 7,
    lead_name: 'Grace Hopper',
    value: '25000.00',
    currency: 'EUR',
    rule: 'Losing a deal of 10,000 or more',
    from_stage: 'engagement',
    to_stage: 'lost',
    lost_reason: 'competitor',
    note: 'They chose Globex',
    requested_by: 'Eve Editor',
    requested_by_id: 2,
    requested_at: '2026-11-23T09:00:00.000Z',
    status: 'pending',
    decided_by: null,
    decided_at: null,
    comment: '',
    withdrawn: false,
    ...over,
  };
}

export function activity(over: Partial<Activity> = {}): Activity {
  return {
    id: 1,
    lead_id: 7,
    kind: 'call',
    subject: 'Intro call',
    body: '',
    outcome: '',
    duration_minutes: null,
    due_at: null,
    remind_at: null,
    done_at: '2026-11-23T09:00:00.000Z',
    appointment_id: null,
    created_by: 'Ada Admin',
    created_by_id: 1,
    created_at: '2026-11-23T09:00:00.000Z',
    ...over,
  };
}

/** A card of the pipeline board: no deal, no owner, a day (and an hour, clear of the day's edge) in its stage. */
export function boardCard(id: number, over: Partial<BoardCard> = {}): BoardCard {
  return {
    id,
    version: 2,
    name: `Lead ${id}`,
    company: '',
    value: '',
    currency: '',
    owner_name: null,
    entered_at: new Date(Date.now() - 25 * 3600 * 1000).toISOString(),
    last_activity_at: null,
    awaiting_approval: false,
    idle_since: '',
    ...over,
  };
}

/** The board's column for stage `key` of the default pipeline. */
export function boardColumn(key: string, cards: BoardCard[], totals: BoardColumn['totals'] = []): BoardColumn {
  const stage = pipelineConfig().stages.find((s) => s.key === key);
  if (!stage) throw new Error(`no stage ${key} in the default pipeline`);
  return { stage, cards, totals };
}

/** What a save answers: the lead, and the change batch it wrote (null: nothing changed). */
export function savedLead(l: Lead = lead(), batch_id: number | null = 1): SavedLead {
  return { lead: l, batch_id };
}

/** A lead's history as the backend pages it: `entries`, newest first, and whether older ones were left out. */
export function historyPage(entries: ChangeEntry[], complete = true): HistoryPage {
  return { entries, complete };
}

export function change(over: Partial<ChangeEntry> = {}): ChangeEntry {
  return {
    id: 1,
    batch_id: 1,
    at: '2025-01-02T09:00:00.000Z',
    actor_name: 'Ada Admin',
    actor_id: 1,
    actor_renamed_to: null,
    reason: 'manual_edit',
    source_ref: '',
    entity: 'lead',
    entity_id: 7,
    field: 'first_name',
    old_value: 'Ada',
    new_value: 'Grace',
    ...over,
  };
}

export function apiErr(over: Partial<ApiError> & Pick<ApiError, 'code' | 'message'>): BackendError {
  const fields = over.fields ?? [];
  return new BackendError({ field: fields[0]?.field ?? null, fields, merged_into: null, ...over });
}

export function mockBackend(over: Partial<Backend> = {}): MockBackend {
  const defaults: Backend = {
    appStatus: async () => ({ startup_error: null, initialized: true, session: null, database_path: '/tmp/r.db' }),
    createFirstAdmin: async () => sessionFor('administrator'),
    signIn: async () => sessionFor('administrator'),
    signOut: async () => {},
    watchClose: async () => {},
    holdClose: async () => {},
    closeWindow: async () => {},
    openLink: async () => {},
    saveDownload: async (fileName) => `/home/ada/Downloads/${fileName}`,
    exportLeads: async (_query, fileName) => ({ path: `/home/ada/Downloads/${fileName}`, count: 0 }),
    cancelLeadExport: async () => {},
    listLeads: async () => ({ items: [], next_cursor: null }),
    // By default the count agrees with the first page the (possibly replaced) listLeads answers.
    countLeads: async (q) => ({ count: (await all.listLeads({ ...q, after: null })).items.length, more: false }),
    leadFacets: async () => ({ campaigns: [], tags: [] }),
    userDirectory: async () => [{ id: 1, name: 'Ada Admin' }],
    getLead: async () => lead(),
    createLead: async () => savedLead(lead(), 1),
    updateLead: async () => savedLead(lead(), 2),
    undoLeadChange: async (id) => savedLead(lead({ id }), 3),
    leadHistory: async () => historyPage([]),
    stageHistory: async () => [],
    pipelineVelocity: async () => ({ stages: [], to_close: [], bottlenecks: [] }),
    pipelineConfig: async () => pipelineConfig(),
    updateStage: async () => pipelineConfig(),
    pipelineBoard: async () => ({ pipeline: 'sales', columns: [] }),
    moveLead: async (leadId, version, stage) => savedLead(lead({ id: leadId, version: version + 1, stage }), 4),
    logActivity: async (leadId, a) => activity({ lead_id: leadId, kind: a.kind ?? 'note', subject: a.subject }),
    completeActivity: async (id) => activity({ id, done_at: '2026-11-23T10:00:00.000Z' }),
    removeActivity: async () => {},
    restoreActivity: async (id) => activity({ id }),
    leadActivities: async () => [],
    pipelineSweep: async (dryRun) => ({ dry_run: dryRun, moves: [], moved: 0, refused: 0 }),
    businessCalendar: async () => ({ working_days: [1, 2, 3, 4, 5], holidays: [], time_zone: 'UTC' }),
    setBusinessCalendar: async (_seen, c) => c,
    requestMove: async (leadId, _version, stage, lostReason, note) =>
      approvalRequest({ lead_id: leadId, to_stage: stage, lost_reason: lostReason, note }),
    approvalQueue: async () => [],
    decideApproval: async (id, approve, comment) =>
      approvalRequest({ id, status: approve ? 'approved' : 'rejected', comment, decided_by: 'Ada Admin' }),
    withdrawApproval: async (id) =>
      approvalRequest({ id, status: 'rejected', withdrawn: true, comment: 'withdrawn by who asked', decided_by: 'Eve Editor' }),
    leadApprovalRequests: async () => [],
    approvalRules: async () => [
      { id: 1, from_stage: null, to_stage: 'lost', min_value: 10000, min_currency: '', label: 'Losing a deal of 10,000 or more' },
      { id: 2, from_stage: 'won', to_stage: null, min_value: null, min_currency: '', label: 'Reopening a won deal' },
    ],
    setApprovalRules: async (_seen, rules) => rules,
    createPipeline: async () => pipelineConfig(),
    createStage: async () => pipelineConfig(),
    reorderStages: async (pipeline, _seen, order) => {
      const c = pipelineConfig();
      const positions = c.stages.filter((s) => s.pipeline === pipeline).map((s) => s.position).sort((a, b) => a - b);
      return {
        ...c,
        stages: c.stages.map((s) => (s.pipeline === pipeline ? { ...s, position: positions[order.indexOf(s.key)] } : s)),
      };
    },
    setLostReasons: async (_seen, reasons) => ({ ...pipelineConfig(), lost_reasons: reasons }),
    owners: async () => [{ id: 1, name: 'Ada Admin' }],
    ownersForCampaign: async () => [{ id: 1, name: 'Ada Admin' }],
    stages: async () => [
      { key: 'new', label: 'New', closed: false },
      { key: 'qualified', label: 'Qualified', closed: false },
    ],
    listUsers: async () => [user()],
    createUser: async (input, _password, steward) => user({ ...input, id: 2, data_steward: steward }),
    updateUser: async (id, _seen, input, steward) => user({ ...input, id, data_steward: steward }),
    userHoldings: async () => ({ open_leads: 0, upcoming_appointments: 0 }),
    userHoldingsOutside: async () => ({ open_leads: 0, upcoming_appointments: 0 }),
    changePassword: async () => {},
    getSettings: async () => ({ default_region: 'US', default_currency: '' }),
    updateSettings: async (s) => s,
    sampleData: async () => ({ leads: 0, worked_on: 0 }),
    removeSampleData: async () => ({ removed: 0, kept: 0 }),
    getDuplicateTiers: async () => ({ same: 0.999, review: 0.5 }),
    updateDuplicateTiers: async (_seen, t) => t,
    ...duplicatesMock(),
    ...calendarMock(),
    ...importMock(),
    ...captureMock(),
  };
  const all = { ...defaults, ...over };
  const mock = Object.fromEntries(
    Object.entries(all).map(([k, f]) => [k, vi.fn(f as (...a: unknown[]) => unknown)]),
  ) as unknown as MockBackend;
  setBackend(mock as unknown as Backend);
  return mock;
}

/** A promise with its resolve handle, to answer calls out of order. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// ---------- Duplicates ----------

export function evidence(
  field: string,
  level: EvidenceLine['level'],
  weight: number | null,
  text: string,
): EvidenceLine {
  return { field, level, weight, text };
}

/** A pair of the review queue; by default Grace Hopper (lead 11) and Grace Hoper (lead 12). */
export function duplicatePair(over: Partial<DuplicatePair> = {}): DuplicatePair {
  return {
    id: 1,
    score: 0.97,
    tier: 'same',
    a: lead({
      id: 11,
      first_name: 'Grace',
      last_name: 'Hopper',
      company: 'US Navy',
      job_title: 'Rear Admiral',
      tags: ['vip'],
      notes: 'Met at the COBOL meeting.',
    }),
    b: lead({
      id: 12,
      first_name: 'Grace',
      last_name: 'Hoper',
      company: '',
      job_title: 'Commodore',
      phones: [{ e164: '+12025550143', display: '+1 202-555-0143', original: '(202) 555-0143' }],
      tags: ['conference'],
      notes: 'Asked for the compiler talk.',
    }),
    evidence: [
      evidence('email', 'exact', 8.4, 'email: the same address (grace@navy.mil)'),
      evidence('first name', 'exact', 3.1, 'first name: the same (Grace)'),
      evidence('last name', 'close', 2.2, 'last name: similar (97% alike in spelling)'),
      evidence('phone', 'different', -1.9, 'phone: different numbers'),
    ],
    found_at: '2025-03-01T09:00:00.000Z',
    conflicts: [],
    b_owner_may_own: true,
    ...over,
  };
}

/** A page of the review queue holding every pair of `pairs`, as the core answers when no more wait. */
export function queuePage(pairs: DuplicatePair[]): QueuePage {
  return { pairs, open: pairs.length, matching: pairs.length };
}

/** The mock's queue: a sure pair and one to review, in a database of eight leads. */
export function duplicatePairs(): DuplicatePair[] {
  return [
    duplicatePair(),
    duplicatePair({
      id: 2,
      score: 0.71,
      tier: 'review',
      a: lead({
        id: 13,
        first_name: 'Alan',
        last_name: 'Turing',
        company: 'Bletchley Park',
        job_title: '',
        emails: [{ address: 'alan@bletchley.org', original: 'alan@bletchley.org' }],
        phones: [{ e164: '+441908640404', display: '+44 1908 640404', original: '01908 640404' }],
        address: { street: '', street2: '', city: 'Milton Keynes', postcode: '', region: '', country: 'GB' },
        tags: [],
      }),
      b: lead({
        id: 14,
        first_name: 'A.',
        last_name: 'Turing',
        company: 'Bletchley Park Trust',
        job_title: 'Mathematician',
        emails: [{ address: 'aturing@example.com', original: 'ATuring@example.com' }],
        phones: [{ e164: '+441908640404', display: '+44 1908 640404', original: '+44 1908 640404' }],
        address: { street: '', street2: '', city: 'Milton Keynes', postcode: '', region: '', country: 'GB' },
        tags: [],
      }),
      evidence: [
        evidence('phone', 'exact', 6.2, 'phone: the same number (+44 1908 640404)'),
        evidence('last name', 'exact', 4.0, 'last name: the same (Turing)'),
        evidence('first name', 'weak', 0.8, 'first name: an initial that fits (A.)'),
        evidence('company', 'close', 1.1, 'company: similar (91% alike in spelling)'),
        evidence('email', 'different', -2.6, 'email: different addresses'),
      ],
    }),
  ];
}

/** Leads no scan pairs with anything. */
function loneLeads(): Lead[] {
  const names = [
    ['Ada', 'Lovelace'],
    ['Katherine', 'Johnson'],
    ['Margaret', 'Hamilton'],
    ['Edsger', 'Dijkstra'],
  ];
  return names.map(([first_name, last_name], i) =>
    lead({
      id: 21 + i,
      first_name,
      last_name,
      company: '',
      emails: [{ address: `${first_name.toLowerCase()}@example.com`, original: `${first_name.toLowerCase()}@example.com` }],
      phones: [],
      tags: [],
    }),
  );
}

const MERGED_AS_TEXT = new Set(['text', 'long_text', 'source', 'owner', 'stage']);

/** A field's value as the core's merge reads it (owner by id). */
function mergeValue(l: Lead, f: (typeof LEAD_FIELDS)[number]): unknown {
  if (f.kind === 'owner') return l.owner;
  return readPath(l, f.path);
}

function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** The core's survivorship (duplicates/merge.rs), for the mock: chosen values win, else the survivor's. */
export function mergedLead(survivor: Lead, others: Lead[], choices: FieldChoice[]): Lead {
  const out = plain(survivor);
  const all = [survivor, ...others];
  for (const f of LEAD_FIELDS) {
    if (!f.editable || !MERGED_AS_TEXT.has(f.kind)) continue;
    const choice = choices.find((c) => c.field === f.name);
    const chosen = choice ? all.find((l) => l.id === choice.lead_id) : undefined;
    let value: unknown;
    if (chosen) value = mergeValue(chosen, f);
    else if (f.kind === 'long_text') {
      const parts: string[] = [];
      for (const l of all) {
        const v = String(mergeValue(l, f) ?? '');
        if (v.trim() && !parts.includes(v)) parts.push(v);
      }
      value = parts.join('\n\n');
    } else {
      value = mergeValue(survivor, f);
      if (isEmptyValue(value)) value = others.map((l) => mergeValue(l, f)).find((v) => !isEmptyValue(v)) ?? value;
    }
    if (f.kind === 'owner') out.owner = value as Lead['owner'];
    else writePath(out as unknown as Record<string, unknown>, f.path, value);
  }
  for (const o of others) {
    for (const e of o.emails) if (!out.emails.some((x) => x.address === e.address)) out.emails.push(e);
    for (const p of o.phones) if (!out.phones.some((x) => x.e164 === p.e164)) out.phones.push(p);
    for (const t of o.tags) if (!out.tags.some((x) => x.toLowerCase() === t.toLowerCase())) out.tags.push(t);
  }
  out.version = survivor.version + 1;
  return out;
}

/** A deep copy (of a value that may be a Svelte proxy, which structuredClone refuses). */
function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export interface DuplicatesMockOptions {
  /** The pairs are in the queue already (a scan ran before); otherwise the queue is empty until a scan. */
  queued?: boolean;
  /** Leads besides those of the pairs. */
  others?: Lead[];
}

/** Digits of a phone number, the last nine: "020 7946 0018" and "+44 20 7946 0018" agree. */
function phoneKey(phone: string): string {
  return phone.replace(/\D/g, '').slice(-9);
}

/**
 * How much `input` looks like lead `l`, as the core's check before a save answers it (a rough stand-in for
 * its model): null below the review tier.
 */
function possibleMatch(input: LeadInput, l: Lead): PossibleDuplicate | null {
  const lower = (s: string) => s.trim().toLowerCase();
  const evidenceLines: EvidenceLine[] = [];
  let score = 0;
  const emails = input.emails.map(lower).filter(Boolean);
  const email = l.emails.find((e) => emails.includes(e.address.toLowerCase()));
  if (email) {
    score += 0.6;
    evidenceLines.push(evidence('email', 'exact', 8.4, `email: the same address (${email.address})`));
  }
  const phones = input.phones.map(phoneKey).filter((k) => k.length >= 5);
  const phone = l.phones.find((p) => phones.includes(phoneKey(p.e164)));
  if (phone) {
    score += 0.3;
    evidenceLines.push(evidence('phone', 'exact', 6.2, `phone: the same number (${phone.display})`));
  }
  if (!email && !phone) return null;
  if (lower(input.last_name) !== '' && lower(input.last_name) === lower(l.last_name)) {
    score += lower(input.first_name) === lower(l.first_name) ? 0.3 : 0.1;
    evidenceLines.push(evidence('last name', 'exact', 4.0, `last name: the same (${l.last_name})`));
  }
  if (lower(input.company) !== '' && lower(input.company) === lower(l.company)) score += 0.05;
  score = Math.min(0.995, score);
  if (score < 0.5) return null;
  return { lead: plain(l), score, tier: score >= 0.9 ? 'same' : 'review', evidence: evidenceLines };
}

/**
 * The duplicate operations over an in-memory database: a scan finds `candidates` whose leads both still
 * exist (except those kept apart), a merge removes the other lead and every pair it was in, and unmerge puts
 * the leads back as they were (their pairs return with the next scan, as in the core). A bulk merge merges
 * each open pair's B into its A, skipping pairs gone (with the core's reason); the merges into a lead are
 * listed newest first until undone; the check before a save matches on email and phone.
 */
export function duplicatesMock(
  candidates: DuplicatePair[] = duplicatePairs(),
  { queued = true, others = loneLeads() }: DuplicatesMockOptions = {},
): Pick<
  Backend,
  | 'scanDuplicates'
  | 'cancelDuplicateScan'
  | 'duplicateQueue'
  | 'duplicateQueueFacets'
  | 'markNotDuplicate'
  | 'reopenDuplicatePair'
  | 'mergeLeads'
  | 'unmerge'
  | 'mergePairs'
  | 'leadMerges'
  | 'possibleDuplicates'
> {
  const leads = new Map<number, Lead>();
  for (const l of [...candidates.flatMap((p) => [p.a, p.b]), ...others]) leads.set(l.id, plain(l));
  const open = new Set<number>(queued ? candidates.map((p) => p.id) : []);
  const keptApart = new Set<number>();
  const merges = new Map<number, { before: Lead; merged: Lead[]; at: string }>();
  let nextMerge = 100;

  const current = (p: DuplicatePair): DuplicatePair | null => {
    const a = leads.get(p.a.id);
    const b = leads.get(p.b.id);
    return a && b ? { ...p, a: plain(a), b: plain(b) } : null;
  };
  const notFound = (what: string, id: number) =>
    new BackendError({ code: 'not_found', message: `${what} ${id} was not found`, field: null, fields: [], merged_into: null });

  // The core's check of the versions a steward compared: a lead changed since is a conflict.
  const stillAsSeen = (compared: { id: number; version: number }[], seen: SeenVersion[]) => {
    for (const v of seen) {
      const l = compared.find((x) => x.id === v.lead_id);
      if (l && l.version !== v.version)
        throw new BackendError({
          code: 'conflict',
          message: 'this lead was changed by someone else since you opened it; reload it and apply your change again',
          field: null,
          fields: [],
          merged_into: null,
        });
    }
  };

  const merge = (survivorId: number, otherIds: number[], choices: FieldChoice[], seen: SeenVersion[] = []) => {
    const survivor = leads.get(survivorId);
    if (!survivor) throw notFound('lead', survivorId);
    const merged = otherIds.map((id) => {
      const l = leads.get(id);
      if (!l) throw notFound('lead', id);
      return l;
    });
    stillAsSeen([survivor, ...merged], seen);
    const lead = mergedLead(survivor, merged, choices);
    leads.set(survivorId, lead);
    for (const o of merged) leads.delete(o.id);
    // The others' pairs go with them (ON DELETE CASCADE).
    for (const p of candidates) if (!current(p)) open.delete(p.id);
    const merge_id = nextMerge++;
    // A minute apart, from a fixed morning: dates a test can name.
    const at = new Date(Date.UTC(2025, 2, 2, 10, merge_id - 100)).toISOString();
    merges.set(merge_id, { before: survivor, merged, at });
    return { lead: plain(lead), merge_id };
  };

  return {
    scanDuplicates: async (onProgress) => {
      const total = leads.size;
      onProgress({ phase: 'reading', done: 0, total: 0, thousandths: false });
      onProgress({ phase: 'matching', done: 0, total, thousandths: false });
      const found = candidates.filter((p) => current(p) !== null);
      onProgress({ phase: 'saving', done: 0, total: found.length, thousandths: false });
      open.clear();
      for (const p of found) if (!keptApart.has(p.id)) open.add(p.id);
      onProgress({ phase: 'saving', done: found.length, total: found.length, thousandths: false });
      return { leads: total, open: open.size, kept_apart: found.length - open.size, enriched: 0, enrichment_stopped: false, enrichment_error: null, seconds: 0.1 };
    },
    cancelDuplicateScan: async () => {},
    duplicateQueue: async (filter, limit) => {
      const queue = candidates
        .filter((p) => open.has(p.id))
        .map(current)
        .filter((p): p is DuplicatePair => p !== null)
        .sort((x, y) => (y.score ?? 0) - (x.score ?? 0) || x.id - y.id);
      // As the core narrows it: a pair passes when either lead is in the campaign (ASCII case aside, trimmed)
      // or came from the source.
      const fold = (c: string) => c.trim().replace(/[A-Z]/g, (x) => x.toLowerCase());
      const campaign = fold(filter.campaign);
      const matching = queue.filter(
        (p) =>
          (filter.tier === null || p.tier === filter.tier) &&
          (campaign === '' || [p.a, p.b].some((l) => fold(l.campaign) === campaign)) &&
          (filter.source === null || p.a.source === filter.source || p.b.source === filter.source),
      );
      return { pairs: matching.slice(0, limit), open: queue.length, matching: matching.length };
    },
    duplicateQueueFacets: async () => {
      const campaigns = new Set<string>();
      const sources = new Set<SourceChannel>();
      for (const p of candidates.filter((c) => open.has(c.id)).map(current)) {
        for (const l of p ? [p.a, p.b] : []) {
          if (l.campaign.trim() !== '') campaigns.add(l.campaign);
          if (l.source) sources.add(l.source);
        }
      }
      const order: SourceChannel[] = ['direct_entry', 'web_form', 'bulk_import', 'partner'];
      return { campaigns: [...campaigns].sort((x, y) => x.localeCompare(y)), sources: order.filter((s) => sources.has(s)) };
    },
    markNotDuplicate: async (pairId, seen) => {
      const p = candidates.find((c) => c.id === pairId);
      const now = p && current(p);
      if (!p || !open.has(pairId) || !now) throw notFound('duplicate pair', pairId);
      stillAsSeen([now.a, now.b], seen);
      open.delete(pairId);
      keptApart.add(pairId);
    },
    reopenDuplicatePair: async (pairId) => {
      if (!candidates.some((c) => c.id === pairId)) throw notFound('duplicate pair', pairId);
      if (keptApart.delete(pairId)) open.add(pairId);
    },
    mergeLeads: async (survivorId, otherIds, choices, seen) => merge(survivorId, otherIds, choices, seen),
    unmerge: async (mergeId, toQueue) => {
      const m = merges.get(mergeId);
      if (!m) throw notFound('merge', mergeId);
      merges.delete(mergeId);
      // As the core: the pair is set aside, or with `toQueue` back in the queue.
      for (const c of candidates) {
        const ids = [c.a.id, c.b.id];
        if (ids.includes(m.before.id) && m.merged.some((l) => ids.includes(l.id))) {
          if (toQueue) {
            keptApart.delete(c.id);
            open.add(c.id);
          } else {
            open.delete(c.id);
            keptApart.add(c.id);
          }
        }
      }
      const survivor = { ...m.before, version: (leads.get(m.before.id)?.version ?? m.before.version) + 1 };
      leads.set(survivor.id, survivor);
      for (const l of m.merged) leads.set(l.id, l);
      return { survivor: plain(survivor), restored: m.merged.map(plain) };
    },
    mergePairs: async (pairIds, onProgress) => {
      const report: BulkMergeReport = { merged: [], skipped: [] };
      for (const [i, pairId] of pairIds.entries()) {
        onProgress(i);
        // As the core: a pair is read when its turn comes, so a merge before it may have taken it away.
        const p = candidates.find((c) => c.id === pairId);
        if (!p || !current(p)) report.skipped.push({ pair_id: pairId, reason: `duplicate pair ${pairId} was not found` });
        else if (!open.has(pairId))
          report.skipped.push({ pair_id: pairId, reason: `open duplicate pair ${pairId} was not found` });
        else report.merged.push(merge(p.a.id, [p.b.id], []));
      }
      onProgress(pairIds.length);
      return report;
    },
    leadMerges: async (id) =>
      [...merges.entries()]
        .filter(([, m]) => m.before.id === id)
        .sort(([x], [y]) => y - x)
        .map(
          ([merge_id, m]): MergeRecord => ({
            merge_id,
            at: m.at,
            actor_name: 'Ada Admin',
            merged: m.merged.map((l) => ({ id: l.id, name: leadName(l) })),
          }),
        ),
    possibleDuplicates: async (input) =>
      [...leads.values()]
        .map((l) => possibleMatch(input, l))
        .filter((d): d is PossibleDuplicate => d !== null)
        .sort((x, y) => (y.score ?? 0) - (x.score ?? 0) || x.lead.id - y.lead.id)
        .slice(0, 5),
  };
}
