// Test doubles: a Backend whose every method is a vi.fn with a harmless default, and sample records.
import { vi, type Mock } from 'vitest';
import { BackendError, setBackend, type Backend } from '../lib/api';
import type {
  ApiError,
  ChangeEntry,
  CsvImportReport,
  ImportOutcome,
  Lead,
  LeadSummary,
  SavedLead,
  SessionInfo,
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
    created_at: '2025-01-01T09:00:00.000Z',
    ...over,
  };
}

export function sessionFor(role: User['role'], over: Partial<User> = {}): SessionInfo {
  const permissions: SessionInfo['permissions'] =
    role === 'administrator'
      ? ['read_leads', 'write_leads', 'read_history', 'manage_users', 'manage_settings']
      : role === 'editor'
        ? ['read_leads', 'write_leads', 'read_history']
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
    source: 'direct_entry',
    source_detail: '',
    campaign: '',
    owner: null,
    stage: 'new',
    tags: ['vip'],
    notes: '',
    external_ref: '',
    invalid: [],
    status: 'active',
    missing: [],
    created_at: '2025-01-01T09:00:00.000Z',
    updated_at: '2025-01-02T09:00:00.000Z',
    ...over,
  };
}

/** What a save answers: the lead, and the change batch it wrote (null: nothing changed). */
export function savedLead(l: Lead = lead(), batch_id: number | null = 1): SavedLead {
  return { lead: l, batch_id };
}

export function change(over: Partial<ChangeEntry> = {}): ChangeEntry {
  return {
    id: 1,
    batch_id: 1,
    at: '2025-01-02T09:00:00.000Z',
    actor_name: 'Ada Admin',
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

/** What an import answers; by default two rows, both created, in change batch 9. */
export function importReport(
  over: Partial<Omit<CsvImportReport, 'outcome'>> & { outcome?: Partial<ImportOutcome> } = {},
): CsvImportReport {
  const { outcome, ...rest } = over;
  const rejected = rest.rejected ?? [];
  return {
    file_name: 'leads.csv',
    rows: 2,
    rejected,
    rejects_csv: null,
    ...rest,
    outcome: { created: [101, 102], drafts: 0, kept_invalid: 0, rejected, batch_id: 9, ...outcome },
  };
}

export function apiErr(over: Partial<ApiError> & Pick<ApiError, 'code' | 'message'>): BackendError {
  const fields = over.fields ?? [];
  return new BackendError({ field: fields[0]?.field ?? null, fields, ...over });
}

export function mockBackend(over: Partial<Backend> = {}): MockBackend {
  const defaults: Backend = {
    appStatus: async () => ({ startup_error: null, initialized: true, session: null, database_path: '/tmp/r.db' }),
    createFirstAdmin: async () => sessionFor('administrator'),
    signIn: async () => sessionFor('administrator'),
    signOut: async () => {},
    listLeads: async () => ({ items: [], next_cursor: null }),
    // By default the count agrees with the first page the (possibly replaced) listLeads answers.
    countLeads: async (q) => ({ count: (await all.listLeads({ ...q, after: null })).items.length, more: false }),
    leadFacets: async () => ({ campaigns: [], tags: [] }),
    userDirectory: async () => [{ id: 1, name: 'Ada Admin' }],
    getLead: async () => lead(),
    createLead: async () => savedLead(lead(), 1),
    updateLead: async () => savedLead(lead(), 2),
    undoLeadChange: async (id) => savedLead(lead({ id }), 3),
    leadHistory: async () => [],
    importCsv: async (fileName, _bytes, _mode, onProgress) => {
      onProgress({ phase: 'validating', done: 2, total: 2 });
      onProgress({ phase: 'writing', done: 2, total: 2 });
      return importReport({ file_name: fileName });
    },
    owners: async () => [{ id: 1, name: 'Ada Admin' }],
    stages: async () => [
      { key: 'new', label: 'New', closed: false },
      { key: 'qualified', label: 'Qualified', closed: false },
    ],
    listUsers: async () => [user()],
    createUser: async (input) => user({ ...input, id: 2 }),
    updateUser: async (id, input) => user({ ...input, id }),
    changePassword: async () => {},
    getSettings: async () => ({ default_region: 'US' }),
    updateSettings: async (s) => s,
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
