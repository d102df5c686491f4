// Import and capture test doubles: sample files, and the mock backend's defaults, which behave like the core:
// files are staged and read (CSV with any delimiter, a fake Excel workbook), rows are planned against a few
// existing leads, a run reports its progress and can be cancelled, resumed and undone, and the capture API
// keeps its settings, sources, tokens and submissions.
import { BackendError, type Backend } from '../lib/api';
import { LEAD_COLUMNS } from '../lib/capture/columns';
import type {
  CaptureSettings,
  CaptureSource,
  CaptureStatus,
  CaptureSubmission,
  ColumnMapping,
  DryRunReport,
  EvidenceLine,
  FieldError,
  FilePreview,
  ImportBatch,
  ImportPlan,
  ImportTemplate,
  OutcomeCounts,
  RowPlan,
  RunProgress,
  TargetInfo,
  UndoReport,
} from '../lib/types';

/** A trade-fair export as German tools write it: semicolons, a title line above the header. */
export const GERMAN_CSV = [
  'Messe Hannover 2025 – Kontakte',
  'Vorname;Nachname;Firma;E-Mail;Telefon;PLZ;Ort;Kundennummer;Bemerkung;Interne Nr',
  'Anna;Schmidt;Müller GmbH;anna.schmidt@example.de;+49 30 1234567;10115;Berlin;K-1001;Messe Hannover;17',
  'Jonas;Weber;Weber AG;jonas.weber@example.de;;80331;München;K-1002;;18',
  'Petra;Klein;Klein KG;petra@klein.example;;;;K-1003;;19',
  'Max;Mustermann;;max@mustermann;;;;;Rückruf erwünscht;20',
  ';;Nordwind GmbH;;040 5550101;20095;Hamburg;;;21',
  'Lena;Fischer;Fischer & Co;lena.fischer@example.de;0171 2345678;50667;Köln;K-1006;;22',
  'Klaus;Becker;;;;;;;Nur Name;23',
  'Jonas;Webber;;j.webber@example.org;;;;;;24',
  '',
].join('\n');

/** A plain English CSV. */
export const ENGLISH_CSV = [
  'first_name,last_name,company,email,phone',
  'Ada,Lovelace,Analytical Engines,ada@example.com,+44 20 7946 0018',
  'Alan,Turing,Bletchley Park,alan@example.com,',
  '',
].join('\n');

export function csvFile(name = 'messe.csv', text = GERMAN_CSV): File {
  return new File([text], name, { type: 'text/csv' });
}

/** The lead columns a file's column can go to (as the core lists them). */
export const IMPORT_TARGETS: TargetInfo[] = LEAD_COLUMNS.map((c) => ({ ...c }));

const SYNONYMS: Record<string, string> = {
  vorname: 'first_name',
  firstname: 'first_name',
  first: 'first_name',
  givenname: 'first_name',
  nachname: 'last_name',
  lastname: 'last_name',
  surname: 'last_name',
  familienname: 'last_name',
  firma: 'company',
  company: 'company',
  unternehmen: 'company',
  organisation: 'company',
  position: 'job_title',
  jobtitle: 'job_title',
  titel: 'job_title',
  email: 'email',
  mail: 'email',
  emailadresse: 'email',
  telefon: 'phone',
  phone: 'phone',
  tel: 'phone',
  mobil: 'phone',
  strasse: 'street',
  street: 'street',
  plz: 'postcode',
  postleitzahl: 'postcode',
  postcode: 'postcode',
  zip: 'postcode',
  ort: 'city',
  stadt: 'city',
  city: 'city',
  land: 'country',
  country: 'country',
  bundesland: 'region',
  region: 'region',
  kundennummer: 'external_ref',
  externalref: 'external_ref',
  bemerkung: 'notes',
  notiz: 'notes',
  notes: 'notes',
  kampagne: 'campaign',
  campaign: 'campaign',
  tags: 'tags',
  stage: 'stage',
};

function suggest(header: string): string {
  const key = header.toLowerCase().replace(/ß/g, 'ss').replace(/[^a-z0-9]/g, '');
  return SYNONYMS[key] ?? 'ignore';
}

function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

interface Sheet {
  headerLine: number;
  headers: string[];
  /** [line, cells] */
  rows: [number, string[]][];
}

interface Staged {
  id: string;
  name: string;
  format: 'csv' | 'excel';
  encoding: string | null;
  delimiter: string | null;
  sheets: Map<string, Sheet>;
}

function readCsv(text: string): { delimiter: string; sheet: Sheet } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const candidates = [';', ',', '\t', '|'];
  // The header is the first line with the most common delimiter; lines above it are titles.
  let best = { delimiter: ',', count: 0 };
  for (const d of candidates) {
    const count = Math.max(0, ...lines.slice(0, 5).map((l) => l.split(d).length - 1));
    if (count > best.count) best = { delimiter: d, count };
  }
  const headerIndex = lines.findIndex((l) => l.split(best.delimiter).length - 1 === best.count && best.count > 0);
  if (headerIndex < 0) throw validation('the file has no header row (no line with a delimiter was found)');
  const headers = splitLine(lines[headerIndex], best.delimiter).map((h) => h.trim());
  const rows: [number, string[]][] = [];
  lines.slice(headerIndex + 1).forEach((l, i) => {
    if (l.trim() !== '') rows.push([headerIndex + 2 + i, splitLine(l, best.delimiter)]);
  });
  return { delimiter: best.delimiter, sheet: { headerLine: headerIndex + 1, headers, rows } };
}

/** The fake workbook every .xlsx/.xls/.ods file reads as: contacts, and a sheet of companies. */
function workbook(): Map<string, Sheet> {
  const contacts = readCsv(GERMAN_CSV).sheet;
  return new Map([
    ['Kontakte', contacts],
    [
      'Firmen',
      {
        headerLine: 1,
        headers: ['Firma', 'Ort', 'Website'],
        rows: [
          [2, ['Nordwind GmbH', 'Hamburg', 'https://nordwind.example']],
          [3, ['Weber AG', 'München', 'https://weber.example']],
        ],
      },
    ],
  ]);
}

function validation(message: string, fields: FieldError[] = []): BackendError {
  return new BackendError({ code: 'validation', message, field: fields[0]?.field ?? null, fields, merged_into: null });
}

function notFound(message: string): BackendError {
  return new BackendError({ code: 'not_found', message, field: null, fields: [], merged_into: null });
}

export function counts(over: Partial<OutcomeCounts> = {}): OutcomeCounts {
  return { create_active: 0, create_draft: 0, update: 0, unchanged: 0, enrich: 0, review: 0, reject: 0, ...over };
}

/** An import as the history lists it; by default a finished one of 8 rows. */
export function importBatch(over: Partial<ImportBatch> = {}): ImportBatch {
  return {
    id: 1,
    file_name: 'messe-2024.xlsx',
    format: 'excel',
    channel: 'bulk_import',
    source_detail: 'Messe 2024',
    template: null,
    key: null,
    actor_name: 'Ada Admin',
    started_at: '2025-03-01T09:00:00.000Z',
    finished_at: '2025-03-01T09:00:04.000Z',
    status: 'completed',
    rows_done: 8,
    rows_total: 8,
    counts: counts({ create_active: 5, create_draft: 1, update: 1, reject: 1 }),
    error: null,
    undo: null,
    ...over,
  };
}

export function runProgress(over: Partial<RunProgress> = {}): RunProgress {
  return {
    batch_id: 2,
    phase: 'importing',
    rows_done: 0,
    rows_total: 8,
    rows_per_second: 0,
    eta_seconds: null,
    counts: counts(),
    ...over,
  };
}

interface Existing {
  id: number;
  first_name: string;
  last_name: string;
  company: string;
  email: string;
  external_ref: string;
  postcode: string;
  city: string;
}

const EXISTING: Existing[] = [
  {
    id: 501,
    first_name: 'Jonas',
    last_name: 'Weber',
    company: 'Weber & Söhne',
    email: 'jonas.weber@example.de',
    external_ref: 'K-1002',
    postcode: '',
    city: '',
  },
  {
    id: 502,
    first_name: 'Petra',
    last_name: 'Klein',
    company: 'Klein KG',
    email: 'petra@klein.example',
    external_ref: 'K-1003',
    postcode: '',
    city: '',
  },
];

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Letters apart, for "a similar name". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** What one row would do under `plan`, as the core decides it (a rough stand-in). */
export function planRow(line: number, headers: string[], cells: string[], plan: ImportPlan): RowPlan {
  const v: Record<string, string> = {};
  headers.forEach((h, i) => {
    const target = plan.mapping.find((m) => m.column === h)?.target ?? 'ignore';
    const value = (cells[i] ?? '').trim();
    if (target === 'ignore' || value === '') return;
    v[target] = v[target] ? `${v[target]}\n${value}` : value;
  });
  const name = `${v.first_name ?? ''} ${v.last_name ?? ''}`.trim() || v.company || '';
  const row = (over: Partial<RowPlan>): RowPlan => ({
    line,
    action: 'create_active',
    lead_id: null,
    name,
    detail: '',
    errors: [],
    evidence: [],
    cells: [],
    ...over,
  });
  const errors: FieldError[] = [];
  if (v.email && !EMAIL.test(v.email)) errors.push({ field: 'emails.0', message: `"${v.email}" is not a valid email address` });
  if (v.phone && v.phone.replace(/\D/g, '').length < 5)
    errors.push({ field: 'phones.0', message: `"${v.phone}" is not a valid phone number` });
  if (!name && !v.email && !v.phone)
    return row({ action: 'reject', detail: 'nothing to import', errors: [{ field: 'name', message: 'the row has no name, company, email or phone' }], cells });
  if (errors.length > 0 && !plan.keep_invalid) return row({ action: 'reject', detail: 'invalid values', errors, cells });
  // "In discussion" asks for a "Proposal sent" activity, which no file holds: only an override lets the row in.
  if (v.stage === 'engagement' && !plan.override_reason) {
    const message = 'a “Proposal sent” activity is needed to enter In discussion';
    return row({ action: 'reject', detail: 'stage criteria', errors: [{ field: 'activity.proposal', message }], cells });
  }

  const email = errors.length === 0 ? v.email?.toLowerCase() : undefined;
  const keyed =
    plan.key === 'email' && email
      ? EXISTING.find((l) => l.email === email)
      : plan.key === 'external_ref' && v.external_ref
        ? EXISTING.find((l) => l.external_ref === v.external_ref)
        : undefined;
  const changes = (l: Existing) =>
    (['company', 'postcode', 'city'] as const).filter((f) => v[f] !== undefined && v[f] !== l[f]);
  if (keyed) {
    const changed = changes(keyed);
    return changed.length === 0
      ? row({ action: 'unchanged', lead_id: keyed.id, detail: `${keyed.first_name} ${keyed.last_name}: nothing new` })
      : row({ action: 'update', lead_id: keyed.id, detail: `changes ${changed.join(', ')}` });
  }
  if (plan.dedup) {
    const same = email ? EXISTING.find((l) => l.email === email) : undefined;
    if (same) {
      const adds = changes(same).filter((f) => same[f] === '');
      return adds.length === 0
        ? row({ action: 'unchanged', lead_id: same.id, detail: `the same as ${same.first_name} ${same.last_name}` })
        : row({ action: 'enrich', lead_id: same.id, detail: `adds ${adds.join(', ')} to ${same.first_name} ${same.last_name}` });
    }
    const similar = EXISTING.find(
      (l) =>
        (v.first_name ?? '').toLowerCase() === l.first_name.toLowerCase() &&
        distance((v.last_name ?? '').toLowerCase(), l.last_name.toLowerCase()) <= 2,
    );
    if (similar) {
      const evidence: EvidenceLine[] = [
        { field: 'first name', level: 'exact', weight: 3.1, text: `first name: the same (${similar.first_name})` },
        { field: 'last name', level: 'close', weight: 2.2, text: `last name: similar (${v.last_name} / ${similar.last_name})` },
        { field: 'email', level: 'different', weight: -1.2, text: 'email: different addresses' },
      ];
      return row({
        action: 'review',
        lead_id: similar.id,
        detail: `may be ${similar.first_name} ${similar.last_name}: goes to the review queue`,
        evidence,
      });
    }
  }
  const contact = (v.email && errors.every((e) => !e.field.startsWith('emails'))) || (v.phone && errors.every((e) => !e.field.startsWith('phones')));
  if (errors.length > 0) return row({ action: 'create_draft', detail: 'Draft: invalid values kept to fix', errors });
  if (!`${v.first_name ?? ''}${v.last_name ?? ''}`.trim()) return row({ action: 'create_draft', detail: 'Draft: no name' });
  if (!contact) return row({ action: 'create_draft', detail: 'Draft: no email or phone' });
  return row({ action: 'create_active', detail: 'new lead' });
}

type ImportMethods = Pick<
  Backend,
  | 'importStageFile'
  | 'importPreview'
  | 'importDryRun'
  | 'importDryRunCancel'
  | 'importPhoneRegion'
  | 'importStart'
  | 'importCancel'
  | 'importResume'
  | 'importUndo'
  | 'importHistory'
  | 'importBatch'
  | 'importSaveRejects'
  | 'importTemplates'
  | 'saveImportTemplate'
  | 'deleteImportTemplate'
>;

export interface ImportMockOptions {
  /** Imports in the history before any run (newest first). */
  history?: ImportBatch[];
  templates?: ImportTemplate[];
  /** The country the core reads from a file's phone numbers, by file name (none by default), when a column is
   * mapped to the phone. */
  phoneRegions?: Record<string, string>;
}

/** The template a team saved for the fair's export. */
export function fairTemplate(): ImportTemplate {
  return {
    name: 'Messe export',
    mapping: [
      { column: 'Vorname', target: 'first_name' },
      { column: 'Nachname', target: 'last_name' },
      { column: 'Firma', target: 'company' },
      { column: 'E-Mail', target: 'email' },
      { column: 'Telefon', target: 'phone' },
      { column: 'PLZ', target: 'postcode' },
      { column: 'Ort', target: 'city' },
      { column: 'Kundennummer', target: 'external_ref' },
      { column: 'Bemerkung', target: 'notes' },
      { column: 'Interne Nr', target: 'notes' },
    ],
    key: 'external_ref',
    updated_at: '2025-02-20T10:00:00.000Z',
  };
}

/** A paused tick: progress reports arrive one by one, as from the core. */
const pause = () => new Promise<void>((r) => setTimeout(r, 0));

export function importMock({
  history = [importBatch()],
  templates = [fairTemplate()],
  phoneRegions = {},
}: ImportMockOptions = {}): ImportMethods {
  const staged = new Map<string, Staged>();
  const batches: ImportBatch[] = history.map((b) => ({ ...b }));
  const plans = new Map<number, { file: Staged; sheet: Sheet; plan: ImportPlan; rows: RowPlan[] }>();
  const cancelled = new Set<number>();
  /** Dry runs under way, by staged file: whether a cancel was asked for. */
  const checks = new Map<string, boolean>();
  const saved = templates.map((t) => ({ ...t }));
  let nextFile = 1;
  let nextBatch = Math.max(0, ...batches.map((b) => b.id)) + 1;

  const preview = (f: Staged, sheetName: string | null): FilePreview => {
    const name = sheetName ?? [...f.sheets.keys()][0];
    const sheet = f.sheets.get(name);
    if (!sheet) throw notFound(`the workbook has no sheet "${sheetName}"`);
    return {
      file_id: f.id,
      file_name: f.name,
      format: f.format,
      encoding: f.encoding,
      delimiter: f.delimiter,
      sheets: f.format === 'excel' ? [...f.sheets.keys()] : [],
      sheet: f.format === 'excel' ? name : null,
      header_line: sheet.headerLine,
      headers: sheet.headers,
      sample: sheet.rows.slice(0, 5).map(([, cells]) => cells),
      suggested: sheet.headers.map((column) => ({ column, target: suggest(column) })),
      targets: IMPORT_TARGETS,
      phone_region: regionOf(f, sheet.headers.map((column) => ({ column, target: suggest(column) }))),
    };
  };

  const regionOf = (f: Staged, mapping: readonly ColumnMapping[]): string | null =>
    mapping.some((m) => m.target === 'phone' || m.target === 'other_phones') ? (phoneRegions[f.name] ?? null) : null;

  const stagedFile = (fileId: string): Staged => {
    const f = staged.get(fileId);
    if (!f) throw notFound(`staged file ${fileId} was not found; choose the file again`);
    return f;
  };

  const sheetOf = (f: Staged, plan: ImportPlan): Sheet => {
    const s = f.sheets.get(plan.sheet ?? [...f.sheets.keys()][0]);
    if (!s) throw notFound(`the workbook has no sheet "${plan.sheet}"`);
    return s;
  };

  const check = (plan: ImportPlan) => {
    const fields: FieldError[] = [];
    if (plan.key === 'email' && !plan.mapping.some((m) => m.target === 'email'))
      fields.push({ field: 'key', message: 'no column is mapped to email' });
    if (plan.key === 'external_ref' && !plan.mapping.some((m) => m.target === 'external_ref'))
      fields.push({ field: 'key', message: 'no column is mapped to external_ref' });
    if (fields.length) throw validation(fields[0].message, fields);
  };

  const tally = (rows: RowPlan[]): OutcomeCounts => {
    const c = counts();
    for (const r of rows) c[r.action]++;
    return c;
  };

  const dryRun = (fileId: string, plan: ImportPlan): DryRunReport => {
    check(plan);
    const f = stagedFile(fileId);
    const sheet = sheetOf(f, plan);
    const rows = sheet.rows.map(([line, cells]) => planRow(line, sheet.headers, cells, plan));
    return {
      rows: rows.length,
      counts: tally(rows),
      unmapped: plan.mapping.filter((m) => m.target === 'ignore').map((m) => m.column),
      rows_shown: [...rows.filter((r) => r.action === 'reject'), ...rows.filter((r) => r.action !== 'reject')].slice(0, 1000),
      checked_apart_from: null,
      // The stand-in rejects a row for its email or phone alone with this detail.
      keepable: rows.filter((r) => r.action === 'reject' && r.detail === 'invalid values').length,
      gated: rows.filter((r) => r.action === 'reject' && r.detail === 'stage criteria').length,
    };
  };

  /** Runs batch `id` from where it stands, in steps of three rows. */
  const run = async (id: number, phase: 'importing', onProgress: (p: RunProgress) => void): Promise<ImportBatch> => {
    const b = batches.find((x) => x.id === id)!;
    const { rows } = plans.get(id)!;
    b.status = 'running';
    cancelled.delete(id);
    const report = () =>
      onProgress({
        batch_id: id,
        phase,
        rows_done: b.rows_done,
        rows_total: rows.length,
        rows_per_second: 1200,
        eta_seconds: (rows.length - b.rows_done) / 1200,
        counts: { ...b.counts },
      });
    report();
    while (b.rows_done < rows.length) {
      await pause();
      if (cancelled.has(id)) {
        b.status = 'cancelled';
        b.finished_at = new Date().toISOString();
        return { ...b };
      }
      for (const r of rows.slice(b.rows_done, b.rows_done + 3)) b.counts[r.action]++;
      b.rows_done = Math.min(rows.length, b.rows_done + 3);
      report();
    }
    b.status = 'completed';
    b.finished_at = new Date().toISOString();
    return { ...b };
  };

  return {
    importStageFile: async (fileName, bytes) => {
      const lower = fileName.toLowerCase();
      if (bytes.length === 0) throw validation(`${fileName} is empty`);
      const id = `f${nextFile++}`;
      if (/\.(xlsx|xls|ods)$/.test(lower)) {
        const f: Staged = { id, name: fileName, format: 'excel', encoding: null, delimiter: null, sheets: workbook() };
        staged.set(id, f);
        return preview(f, null);
      }
      if (!/\.(csv|tsv|txt)$/.test(lower)) throw validation(`${fileName} is not a CSV or Excel file`);
      let text: string;
      let encoding = 'UTF-8';
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = new TextDecoder('windows-1252').decode(bytes);
        encoding = 'Windows-1252';
      }
      const { delimiter, sheet } = readCsv(text);
      const f: Staged = { id, name: fileName, format: 'csv', encoding, delimiter, sheets: new Map([['', sheet]]) };
      staged.set(id, f);
      return preview(f, '');
    },
    importPreview: async (fileId, sheet) => {
      const f = stagedFile(fileId);
      return preview(f, f.format === 'excel' ? sheet : '');
    },
    importDryRun: async (fileId, plan, onProgress) => {
      const report = dryRun(fileId, plan);
      const total = report.rows;
      const progress = (done: number, c: OutcomeCounts) =>
        onProgress({ batch_id: 0, phase: 'checking', rows_done: done, rows_total: total, rows_per_second: done ? 1500 : 0, eta_seconds: done ? (total - done) / 1500 : null, counts: c });
      checks.set(fileId, false);
      try {
        progress(0, counts());
        // Rehearsals of three rows, as the run's steps: a cancel lands between two.
        const sheet = sheetOf(stagedFile(fileId), plan);
        const rows = sheet.rows.map(([line, cells]) => planRow(line, sheet.headers, cells, plan));
        for (let done = 0; done < rows.length; ) {
          await pause();
          if (checks.get(fileId))
            throw new BackendError({ code: 'cancelled', message: 'cancelled; nothing was saved', field: null, fields: [], merged_into: null });
          done = Math.min(rows.length, done + 3);
          progress(done, tally(rows.slice(0, done)));
        }
        return report;
      } finally {
        checks.delete(fileId);
      }
    },
    importDryRunCancel: async (fileId) => {
      stagedFile(fileId);
      if (!checks.has(fileId)) return false;
      checks.set(fileId, true);
      return true;
    },
    importPhoneRegion: async (fileId, _sheet, mapping) => regionOf(stagedFile(fileId), mapping),
    importStart: async (fileId, plan, onProgress) => {
      check(plan);
      const f = stagedFile(fileId);
      const sheet = sheetOf(f, plan);
      const rows = sheet.rows.map(([line, cells]) => planRow(line, sheet.headers, cells, plan));
      const id = nextBatch++;
      batches.unshift({
        id,
        file_name: f.name,
        format: f.format,
        channel: plan.source ?? 'bulk_import',
        source_detail: plan.source_detail ?? '',
        template: plan.template,
        key: plan.key,
        actor_name: 'Ada Admin',
        started_at: new Date().toISOString(),
        finished_at: null,
        status: 'running',
        rows_done: 0,
        rows_total: rows.length,
        counts: counts(),
        error: null,
        undo: null,
      });
      plans.set(id, { file: f, sheet, plan, rows });
      return run(id, 'importing', onProgress);
    },
    importCancel: async (batchId) => {
      const b = batches.find((x) => x.id === batchId);
      if (!b) throw notFound(`import ${batchId} was not found`);
      if (b.status !== 'running') return false;
      cancelled.add(batchId);
      return true;
    },
    importResume: async (batchId, onProgress) => {
      const b = batches.find((x) => x.id === batchId);
      if (!b) throw notFound(`import ${batchId} was not found`);
      if (b.status !== 'cancelled' && b.status !== 'interrupted')
        throw validation('only an interrupted or cancelled import can be resumed');
      if (!plans.has(batchId)) {
        // An import from before this session: its rows as the history counted them.
        const rows = Array.from({ length: b.rows_total ?? b.rows_done }, (_, i): RowPlan => ({
          line: i + 2,
          action: 'create_active',
          lead_id: null,
          name: '',
          detail: '',
          errors: [],
          evidence: [],
          cells: [],
        }));
        plans.set(batchId, { file: null as unknown as Staged, sheet: null as unknown as Sheet, plan: null as unknown as ImportPlan, rows });
      }
      return run(batchId, 'importing', onProgress);
    },
    importUndo: async (batchId, onProgress) => {
      const b = batches.find((x) => x.id === batchId);
      if (!b) throw notFound(`import ${batchId} was not found`);
      if (b.status === 'undone') throw validation('this import was undone already');
      if (b.status === 'running') throw validation('the import is still running; cancel it first');
      const c = b.counts;
      const created = c.create_active + c.create_draft + c.review;
      const changed = c.update + c.enrich;
      const total = created + changed;
      b.status = 'undoing';
      const progress = (done: number) =>
        onProgress({ batch_id: batchId, phase: 'undoing', rows_done: done, rows_total: total, rows_per_second: 800, eta_seconds: (total - done) / 800, counts: { ...c } });
      progress(0);
      await pause();
      progress(Math.ceil(total / 2));
      await pause();
      progress(total);
      // A lead the import changed was edited since: that one is kept.
      const kept = changed > 0 ? [{ lead_id: 501, name: 'Ada Lovelace', reason: 'edited by Eve Editor after the import (company)' }] : [];
      const report: UndoReport = { removed: created, reverted: changed - kept.length, kept, kept_count: kept.length };
      b.status = 'undone';
      b.undo = report;
      return report;
    },
    // As the backend: the history leaves out the leads an undo kept; one batch has them.
    importHistory: async () =>
      batches.map((b) => ({ ...b, counts: { ...b.counts }, undo: b.undo ? { ...b.undo, kept: [] } : null })),
    importBatch: async (batchId) => {
      const b = batches.find((x) => x.id === batchId);
      if (!b) throw notFound(`import ${batchId} was not found`);
      return { ...b, counts: { ...b.counts }, undo: b.undo ? { ...b.undo, kept: [...b.undo.kept] } : null };
    },
    // As the backend: the batch must be one the user may see, and the file lands in the Downloads folder.
    importSaveRejects: async (batchId, fileName) => {
      if (!batches.some((x) => x.id === batchId)) throw notFound(`import ${batchId} was not found`);
      return `/home/ada/Downloads/${fileName}`;
    },
    importTemplates: async () => saved.map((t) => ({ ...t })).sort((a, b) => a.name.localeCompare(b.name)),
    saveImportTemplate: async (t) => {
      if (!t.name.trim()) throw validation('name: is required', [{ field: 'name', message: 'is required' }]);
      const out: ImportTemplate = { ...t, mapping: t.mapping.map((m: ColumnMapping) => ({ ...m })), updated_at: new Date().toISOString() };
      // As the backend: one template per name whatever its case, written as last typed.
      const i = saved.findIndex((x) => x.name.toLowerCase() === t.name.toLowerCase());
      if (i >= 0) saved[i] = out;
      else saved.push(out);
      return { ...out };
    },
    deleteImportTemplate: async (name) => {
      const i = saved.findIndex((x) => x.name === name);
      if (i < 0) throw notFound(`template "${name}" was not found`);
      saved.splice(i, 1);
    },
  };
}

// ---------- Capture API ----------

export function captureSource(over: Partial<CaptureSource> = {}): CaptureSource {
  return {
    id: 1,
    name: 'Website contact form',
    kind: 'web_form',
    token_hint: 'rpt_7f3a',
    field_map: [],
    rate_per_minute: 30,
    campaign: '',
    created_at: '2025-02-01T10:00:00.000Z',
    revoked_at: null,
    last_used_at: '2025-03-03T08:15:00.000Z',
    submissions: 2,
    ...over,
  };
}

/** A submission; its lead is where it was made unless `lead_now` says otherwise. */
export function captureSubmission(over: Partial<CaptureSubmission> = {}): CaptureSubmission {
  const leadId = over.lead_id === undefined ? 7 : over.lead_id;
  return {
    lead_now: leadId,
    lead_name: leadId === null ? '' : 'Ann Lee',
    id: 2,
    source_id: 1,
    source_name: 'Website contact form',
    at: '2025-03-03T08:15:00.000Z',
    status: 201,
    // What the core stores: the row's outcome as the import names it, or "rejected" for a refused request.
    outcome: 'create_active',
    lead_id: 7,
    message: 'lead created (Grace Hopper)',
    receipt: '9f86d081884c7d659a2feaa0c55ad015',
    ...over,
  };
}

type CaptureMethods = Pick<
  Backend,
  | 'captureStatus'
  | 'updateCaptureSettings'
  | 'captureSources'
  | 'addCaptureSource'
  | 'updateCaptureSource'
  | 'revokeCaptureSource'
  | 'captureToken'
  | 'captureSubmissions'
  | 'captureFormHtml'
>;

export interface CaptureMockOptions {
  settings?: Partial<CaptureSettings>;
  sources?: CaptureSource[];
  submissions?: CaptureSubmission[];
}

export function captureMock({
  settings: over = {},
  sources: initial = [captureSource()],
  submissions: log = [
    captureSubmission(),
    captureSubmission({
      id: 1,
      at: '2025-03-03T08:14:00.000Z',
      status: 422,
      outcome: 'rejected',
      lead_id: null,
      message: 'email: "grace@" is not a valid email address',
    }),
  ],
}: CaptureMockOptions = {}): CaptureMethods {
  let settings: CaptureSettings = {
    enabled: false,
    port: 8787,
    open_to_network: false,
    allowed_origins: [],
    public_url: '',
    ...over,
  };
  const sources = initial.map((s) => ({ ...s }));
  const tokens = new Map<number, string>(sources.map((s) => [s.id, `${s.token_hint}${'x'.repeat(28)}`]));
  let nextId = Math.max(0, ...sources.map((s) => s.id)) + 1;

  const status = (): CaptureStatus => ({
    settings: { ...settings, allowed_origins: [...settings.allowed_origins] },
    running: settings.enabled,
    address: settings.enabled ? `http://${settings.open_to_network ? '0.0.0.0' : '127.0.0.1'}:${settings.port}` : null,
    error: null,
  });
  const source = (id: number) => {
    const s = sources.find((x) => x.id === id);
    if (!s) throw notFound(`capture source ${id} was not found`);
    return s;
  };

  return {
    captureStatus: async () => status(),
    updateCaptureSettings: async (seen, s) => {
      if (JSON.stringify(seen) !== JSON.stringify(settings))
        throw new BackendError({
          code: 'conflict',
          message: 'this capture settings was changed by someone else since you opened it',
          field: null,
          fields: [],
          merged_into: null,
        });
      if (!Number.isInteger(s.port) || s.port < 1024 || s.port > 65535)
        throw validation('port: use a port from 1024 to 65535', [{ field: 'port', message: 'use a port from 1024 to 65535' }]);
      const bad = s.allowed_origins.findIndex((o) => !/^https?:\/\/[^\s/]+$/.test(o));
      if (bad >= 0)
        throw validation('allowed_origins: not an origin', [
          { field: `allowed_origins.${bad}`, message: `"${s.allowed_origins[bad]}" is not an origin (scheme://host[:port])` },
        ]);
      settings = { ...s, allowed_origins: [...s.allowed_origins] };
      return status();
    },
    captureSources: async () => sources.map((s) => ({ ...s })),
    addCaptureSource: async (input) => {
      if (!input.name.trim()) throw validation('name: is required', [{ field: 'name', message: 'is required' }]);
      if (sources.some((s) => s.name === input.name.trim()))
        throw validation('name: is taken', [{ field: 'name', message: 'another source has this name' }]);
      const id = nextId++;
      const token = `rpt_${String(1000 + id)}${'k'.repeat(28)}`;
      const s: CaptureSource = {
        id,
        name: input.name.trim(),
        kind: input.kind,
        token_hint: token.slice(0, 8),
        field_map: input.field_map.map((m) => ({ ...m })),
        rate_per_minute: input.rate_per_minute,
        campaign: (input.campaign ?? '').trim(),
        created_at: new Date().toISOString(),
        revoked_at: null,
        last_used_at: null,
        submissions: 0,
      };
      sources.push(s);
      tokens.set(id, token);
      return { source: { ...s }, token };
    },
    updateCaptureSource: async (id, seen, input) => {
      const s = source(id);
      if (s.name !== seen.name || s.rate_per_minute !== seen.rate_per_minute || s.campaign !== seen.campaign)
        throw new BackendError({ code: 'conflict', message: 'this capture source was changed by someone else since you opened it', field: null, fields: [], merged_into: null });
      if (!input.name.trim()) throw validation('name: is required', [{ field: 'name', message: 'is required' }]);
      Object.assign(s, {
        name: input.name.trim(),
        field_map: input.field_map.map((m) => ({ ...m })),
        rate_per_minute: input.rate_per_minute,
        campaign: (input.campaign ?? '').trim(),
      });
      return { ...s };
    },
    revokeCaptureSource: async (id) => {
      const s = source(id);
      s.revoked_at ??= new Date().toISOString();
      tokens.delete(id);
      return { ...s };
    },
    captureToken: async (id) => {
      const s = source(id);
      const t = tokens.get(id);
      if (s.revoked_at || !t) throw notFound(`the token of "${s.name}" is no longer kept (the source is revoked)`);
      return t;
    },
    captureSubmissions: async (sourceId, limit) =>
      log.filter((x) => sourceId === null || x.source_id === sourceId).slice(0, limit).map((x) => ({ ...x })),
    captureFormHtml: async (sourceId) => {
      const s = source(sourceId);
      return [
        `<form method="post" action="http://127.0.0.1:${settings.port}/v1/leads">`,
        `  <input type="hidden" name="source_key" value="${tokens.get(sourceId) ?? ''}">`,
        '  <label>First name <input name="first_name"></label>',
        '  <label>Last name <input name="last_name"></label>',
        '  <label>Email <input name="email" type="email" required></label>',
        '  <label>Phone <input name="phone" type="tel"></label>',
        '  <button type="submit">Send</button>',
        `</form><!-- ${s.name} -->`,
      ].join('\n');
    },
  };
}
