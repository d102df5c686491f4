// What the import dialog says about a file and its report, kept apart from the markup.
import { fieldLabel } from '../format';
import type { ImportMode, RowError } from '../types';

export const IMPORT_MODES: { value: ImportMode; label: string; hint: string }[] = [
  {
    value: 'all_or_nothing',
    label: 'All or nothing',
    hint: 'Import only if every row is valid; if any row has a problem, nothing is imported.',
  },
  {
    value: 'skip_invalid',
    label: 'Skip invalid rows',
    hint: 'Import the valid rows now; the others are listed so you can fix them and import them later.',
  },
  {
    value: 'keep_invalid',
    label: 'Keep invalid emails and phones as Drafts to fix later',
    hint: 'Rows whose only problems are emails or phones are saved as Drafts marked “Needs fixing”; any other problem still stops the import.',
  },
];

export function modeLabel(mode: ImportMode): string {
  return IMPORT_MODES.find((m) => m.value === mode)?.label ?? mode;
}

/** The file types the importer reads: comma- or tab-separated text. */
export const IMPORT_EXTENSIONS = ['.csv', '.tsv', '.txt'];
export const IMPORT_ACCEPT = [...IMPORT_EXTENSIONS, 'text/csv', 'text/tab-separated-values', 'text/plain'].join(',');

export function isImportable(fileName: string): boolean {
  const name = fileName.toLowerCase();
  return IMPORT_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** Where the rejected rows of `fileName` are saved: beside it, as the command-line import names them. */
export function rejectsFileName(fileName: string): string {
  return `${fileName}.rejects.csv`;
}

/** "Email 1: "bob@" is not a valid email address; First name: is longer than 200 characters". */
export function rowReasons(row: RowError): string {
  return row.errors.map((e) => `${fieldLabel(e.field)}: ${e.message}`).join('; ');
}

/** True when every problem of every row is an email or a phone: what "keep invalid" can keep. */
export function onlyContactFaults(rows: RowError[]): boolean {
  return (
    rows.length > 0 &&
    rows.every((r) => r.errors.length > 0 && r.errors.every((e) => /^(emails|phones)(\.\d+)?$/.test(e.field)))
  );
}
