// The import wizard's plan, kept apart from the markup: which files share a mapping, the mapping itself, the
// templates applied to it, and the plan each file is imported with. (No import of format.ts or the field table:
// the wizard store, which reads this, is loaded by the test setup before a test can mock the bindings.)
import type {
  ColumnMapping,
  FilePreview,
  ImportPlan,
  ImportTemplate,
  NaturalKey,
  OutcomeCounts,
  RowAction,
  SourceChannel,
  TargetInfo,
} from '../types';

/** Every outcome a row can have, in the order they are shown. */
export const ROW_ACTIONS: readonly RowAction[] = [
  'create_active',
  'create_draft',
  'update',
  'unchanged',
  'enrich',
  'review',
  'reject',
];

/** The column's values go nowhere. */
export const IGNORE = 'ignore';
/** The column's values are added to the lead's notes as "Header: value". */
export const NOTES = 'notes';

/**
 * Targets several columns may go to: lists, the notes, the street (a house number kept in a column of its
 * own is joined to it), the last name and the stage. Two columns sent to any other target is worth a warning (the core refuses it).
 */
const MULTI_VALUE_TARGETS = new Set([
  IGNORE,
  NOTES,
  'email',
  'phone',
  'other_emails',
  'other_phones',
  'tags',
  'street',
  'last_name',
  // A deal's stage and its status (Pipedrive's): a won or lost status is the stage, the other goes to the notes.
  'stage',
]);

export function emptyCounts(): OutcomeCounts {
  return { create_active: 0, create_draft: 0, update: 0, unchanged: 0, enrich: 0, review: 0, reject: 0 };
}

export function addCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const out = emptyCounts();
  for (const k of ROW_ACTIONS) out[k] = a[k] + b[k];
  return out;
}

export function countsTotal(c: OutcomeCounts): number {
  return ROW_ACTIONS.reduce((n, k) => n + c[k], 0);
}

/** A header as files are matched by: case, surrounding and repeated spaces do not count. */
export function normalizeHeader(h: string): string {
  return h.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function sameHeaders(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h, i) => normalizeHeader(h) === normalizeHeader(b[i]));
}

/**
 * The entry of `entries` for the column at `index` of `headers`: a header may repeat (two "E-Mail" columns, or
 * several without a name), and its n-th column takes the n-th entry of that name, as the backend reads a plan.
 */
function nthOfName<T extends { column: string }>(
  entries: readonly T[],
  headers: readonly string[],
  index: number,
  same: (a: string, b: string) => boolean,
): T | undefined {
  const header = headers[index];
  const nth = headers.slice(0, index).filter((h) => same(h, header)).length;
  return entries.filter((e) => same(e.column, header))[nth];
}

const exactly = (a: string, b: string) => a === b;
const byNormalized = (a: string, b: string) => normalizeHeader(a) === normalizeHeader(b);

/** Splits items into groups of the same headers, in the order each group first appears. */
export function groupByHeaders<T>(items: readonly T[], headers: (t: T) => readonly string[]): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const group = groups.find((g) => sameHeaders(headers(g[0]), headers(item)));
    if (group) group.push(item);
    else groups.push([item]);
  }
  return groups;
}

/** One entry per header, the backend's suggestion where it made one, else ignored. */
export function suggestedMapping(preview: FilePreview): ColumnMapping[] {
  return preview.headers.map((column, i) => ({
    column,
    target: nthOfName(preview.suggested, preview.headers, i, exactly)?.target ?? IGNORE,
  }));
}

/** A column as the wizard names it: its header, or its place in the file when it has none. */
export function columnLabel(column: string, index: number): string {
  return column.trim() === '' ? `Column ${index + 1}` : column;
}

/** The columns whose values go nowhere. */
export function ignoredColumns(mapping: readonly ColumnMapping[]): string[] {
  return mapping.flatMap((m, i) => (m.target === IGNORE ? [columnLabel(m.column, i)] : []));
}

/** Targets chosen for more than one column among those a single value fits in: target → columns. */
export function sharedTargets(mapping: readonly ColumnMapping[]): [string, string[]][] {
  const by = new Map<string, string[]>();
  mapping.forEach((m, i) => {
    if (MULTI_VALUE_TARGETS.has(m.target)) return;
    by.set(m.target, [...(by.get(m.target) ?? []), columnLabel(m.column, i)]);
  });
  return [...by.entries()].filter(([, columns]) => columns.length > 1);
}

/** The columns joined into the street (a house number kept apart), in the file's order; empty unless several. */
export function joinedStreet(mapping: readonly ColumnMapping[]): string[] {
  return joinedInto(mapping, 'street');
}

/** The columns joined into the last name (a Dutch particle, a second surname), in the file's order. */
export function joinedSurname(mapping: readonly ColumnMapping[]): string[] {
  return joinedInto(mapping, 'last_name');
}

function joinedInto(mapping: readonly ColumnMapping[], target: string): string[] {
  const columns = mapping.flatMap((m, i) => (m.target === target ? [columnLabel(m.column, i)] : []));
  return columns.length > 1 ? columns : [];
}

/** What the target select offers: the file's targets, then "Add to notes" and "Ignore" (each once). */
export function targetOptions(targets: readonly TargetInfo[]): TargetInfo[] {
  return [
    ...targets.filter((t) => t.target !== IGNORE && t.target !== NOTES),
    { target: NOTES, label: 'Add to notes' },
    { target: IGNORE, label: 'Ignore' },
  ];
}

/**
 * Applies a template by column header: each column the template names takes its target; the others keep
 * theirs. Answers the new mapping and the columns matched.
 */
export function applyTemplate(
  mapping: readonly ColumnMapping[],
  template: Pick<ImportTemplate, 'mapping'>,
): { mapping: ColumnMapping[]; matched: string[] } {
  const matched: string[] = [];
  const headers = mapping.map((m) => m.column);
  const out = mapping.map((m, i) => {
    const t = nthOfName(template.mapping, headers, i, byNormalized);
    if (!t) return { ...m };
    matched.push(m.column);
    return { column: m.column, target: t.target };
  });
  return { mapping: out, matched };
}

/** What stops the mapping from being checked: nothing mapped, two columns on a field that takes one (the core
 * refuses it), or a key without its column. */
export function mappingProblems(mapping: readonly ColumnMapping[], key: NaturalKey | null): string[] {
  const problems: string[] = [];
  if (mapping.every((m) => m.target === IGNORE)) problems.push('Choose a lead field for at least one column.');
  if (sharedTargets(mapping).length > 0)
    problems.push('A field takes one column: choose another field, or Add to notes, for all but one of the columns named above.');
  if (key === 'email' && !mapping.some((m) => m.target === 'email'))
    problems.push('To update leads by email, choose Email for the column that holds it.');
  if (key === 'external_ref' && !mapping.some((m) => m.target === 'external_ref'))
    problems.push('To update leads by external reference, choose External reference for the column that holds it.');
  return problems;
}

export interface PlanOptions {
  key: NaturalKey | null;
  /** With a key: the file's filled cells replace what a lead holds (else they only fill its gaps). */
  replace: boolean;
  channel: SourceChannel;
  /** What the user typed; used only if `sourceDetailEdited` (else each file is named by its own name). */
  sourceDetail: string;
  sourceDetailEdited: boolean;
  dedup: boolean;
  keepInvalid: boolean;
  template: string | null;
  /** What the user typed as the country of national phone numbers; used only if `phoneRegionEdited` (else each
   * file's own, read from its numbers, or the default region). */
  phoneRegion: string;
  phoneRegionEdited: boolean;
  /** The campaign of rows whose file gives none ('' for none). */
  campaign: string;
  /** An Administrator's reason to bring rows into stages whose entry criteria they cannot meet ('' for none). */
  overrideReason: string;
}

export function defaultPlanOptions(): PlanOptions {
  return {
    key: null,
    replace: false,
    channel: 'bulk_import',
    sourceDetail: '',
    sourceDetailEdited: false,
    dedup: true,
    keepInvalid: false,
    template: null,
    phoneRegion: '',
    phoneRegionEdited: false,
    campaign: '',
    overrideReason: '',
  };
}

/**
 * The plan one file of a group is imported with: the group's mapping laid over this file's own headers
 * (matched as the group was, by header), its own sheet, its own name as the source detail unless one was typed, and
 * the country its numbers show (`detectedRegion`, its preview's unless read again for this mapping) unless one was typed.
 */
export function planFor(
  preview: FilePreview,
  mapping: readonly ColumnMapping[],
  o: PlanOptions,
  detectedRegion: string | null = preview.phone_region ?? null,
): ImportPlan {
  // The group's files have the same columns in the same order (by header, as grouped): each file's column takes
  // the mapping of the column at its place, so a repeated header keeps each of its columns' own target.
  const target = (index: number) =>
    nthOfName(mapping, preview.headers, index, exactly)?.target ??
    nthOfName(mapping, preview.headers, index, byNormalized)?.target ??
    IGNORE;
  const detail = o.sourceDetailEdited ? o.sourceDetail.trim() : preview.file_name;
  return {
    sheet: preview.sheet,
    mapping: preview.headers.map((column, i) => ({ column, target: target(i) })),
    key: o.key,
    replace: o.key !== null && o.replace,
    source: o.channel,
    source_detail: detail === '' ? null : detail,
    template: o.template,
    dedup: o.dedup,
    keep_invalid: o.keepInvalid,
    phone_region: o.phoneRegionEdited ? o.phoneRegion.trim().toUpperCase() || null : detectedRegion,
    campaign: o.campaign.trim() || null,
    override_reason: o.overrideReason.trim() || null,
  };
}

/** The name of a two-letter region code in the user's language ("AU" is "Australia"); the code if unknown. */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** The file types the importer reads. */
/** A .zip is read when it holds one list (an export delivered zipped); the core says what else it holds. */
export const IMPORT_EXTENSIONS = ['.csv', '.tsv', '.txt', '.xlsx', '.xls', '.ods', '.zip'];
export const IMPORT_ACCEPT = IMPORT_EXTENSIONS.join(',');

export function isImportable(fileName: string): boolean {
  const name = fileName.toLowerCase();
  return IMPORT_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** Where the rejected rows of `fileName` are saved: beside it, as the command-line import names them. */
export function rejectsFileName(fileName: string): string {
  return `${fileName}.rejects.csv`;
}
