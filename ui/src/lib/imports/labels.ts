// What the import screens say about outcomes, statuses, files and runs.
import { formatSeconds } from '../duplicates/compare';
import { formatCount, plural } from '../format';
import type {
  FilePreview,
  ImportBatch,
  ImportStatus,
  NaturalKey,
  OutcomeCounts,
  RowAction,
  RunProgress,
  UndoReport,
} from '../types';
import { ROW_ACTIONS } from './plan';

/** What the check says each row would do: the nouns of the report's labels (below), before the fact. */
export const ACTION_LABELS: Record<RowAction, string> = {
  create_active: 'New (Active)',
  create_draft: 'New (Draft)',
  update: 'Update',
  unchanged: 'Unchanged',
  enrich: 'Enrich',
  review: 'To review',
  reject: 'Reject',
};

export const ACTION_HINTS: Record<RowAction, string> = {
  create_active: 'New Active leads: a name and a valid email or phone.',
  create_draft: 'New leads saved as Drafts: a name or a contact point is missing, or invalid values are kept to fix.',
  update: 'Existing leads, found by the key, whose fields change.',
  unchanged: 'Existing leads the row adds nothing to.',
  enrich: 'The same person as an existing lead: its empty fields are filled in.',
  review: 'Created, and queued for review with the existing lead it may duplicate.',
  reject: 'Rows that cannot be imported as they are: download them, fix them and import them again.',
};

/** What the report and the history say of each outcome once written. */
export const DONE_LABELS: Record<RowAction, string> = {
  create_active: 'Created (Active)',
  create_draft: 'Created (Draft)',
  update: 'Updated',
  unchanged: 'Unchanged',
  enrich: 'Enriched',
  review: 'To review',
  reject: 'Rejected',
};

export const STATUS_LABELS: Record<ImportStatus, string> = {
  running: 'Running',
  interrupted: 'Interrupted',
  cancelled: 'Cancelled',
  completed: 'Completed',
  failed: 'Failed',
  undoing: 'Undoing',
  undone: 'Undone',
};

export const KEY_LABELS: Record<NaturalKey, string> = { email: 'Email', external_ref: 'External reference' };

/** Whether import `b` left leads to list: it created or changed some, and was not undone since. */
export function leftLeads(b: ImportBatch): boolean {
  const c = b.counts;
  return b.status !== 'undone' && c.create_active + c.create_draft + c.review + c.update + c.enrich > 0;
}

/** Whether import `b` queued leads for review as possible duplicates, and was not undone since. */
export function leftPairs(b: ImportBatch): boolean {
  return b.status !== 'undone' && b.counts.review > 0;
}

/** The outcomes with rows, in their order: "2 new · 1 updated · 1 rejected". */
export function countsText(c: OutcomeCounts, labels: Record<RowAction, string> = DONE_LABELS): string {
  const parts = ROW_ACTIONS.filter((a) => c[a] > 0).map((a) => `${formatCount(c[a])} ${labels[a].toLowerCase()}`);
  return parts.length ? parts.join(' · ') : 'No rows';
}

/** The kind of file as its name says it: a workbook read by the same reader may be Excel's or OpenDocument's. */
export function formatLabel(p: Pick<FilePreview, 'format' | 'file_name'>): string {
  if (p.format !== 'excel') return 'CSV';
  return /\.od[st]$/i.test(p.file_name) ? 'OpenDocument spreadsheet' : 'Excel';
}

const DELIMITERS: Record<string, string> = {
  ',': 'Comma (,)',
  ';': 'Semicolon (;)',
  '\t': 'Tab',
  '|': 'Pipe (|)',
  ' ': 'Space',
};

export function delimiterLabel(d: string | null): string {
  if (d === null) return '';
  return DELIMITERS[d] ?? `“${d}”`;
}

/** "1,200 of 5,000 rows" (or "1,200 rows" while the total is not known). */
export function progressText(p: Pick<RunProgress, 'rows_done' | 'rows_total'>, unit = 'row'): string {
  if (p.rows_total === null) return plural(p.rows_done, unit);
  return `${formatCount(p.rows_done)} of ${plural(p.rows_total, unit)}`;
}

/** "2,400 rows/s · about 3 s left". */
export function paceText(p: Pick<RunProgress, 'rows_per_second' | 'eta_seconds'>, unit = 'rows'): string {
  const rate = p.rows_per_second;
  const parts: string[] = [];
  if (rate !== null && Number.isFinite(rate) && rate > 0) parts.push(`${formatCount(rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10)} ${unit}/s`);
  if (p.eta_seconds !== null && Number.isFinite(p.eta_seconds) && p.eta_seconds > 0)
    parts.push(`about ${formatSeconds(Math.ceil(p.eta_seconds))} left`);
  return parts.join(' · ');
}

export function percent(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(100, Math.floor((done * 100) / total));
}

/** "3 leads removed, 2 set back, 1 kept". */
export function undoSummary(r: UndoReport): string {
  return `${plural(r.removed, 'lead')} removed, ${formatCount(r.reverted)} set back, ${formatCount(r.kept_count)} kept`;
}
