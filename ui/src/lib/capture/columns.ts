// The lead columns a file column or a partner's field can go to, as the core's field table names them.
import { LEAD_FIELDS } from '../bindings';
import type { TargetInfo } from '../types';

/** List fields have a column for the first value and one for the others. */
const COLUMN_LABELS: Record<string, string> = {
  email: 'Email',
  other_emails: 'Other emails',
  phone: 'Phone',
  other_phones: 'Other phones',
};

export const LEAD_COLUMNS: TargetInfo[] = LEAD_FIELDS.filter((f) => f.editable).flatMap((f) =>
  (f.csv as readonly string[]).map((c) => ({ target: c, label: COLUMN_LABELS[c] ?? f.label })),
);

export function columnLabel(target: string): string {
  return LEAD_COLUMNS.find((c) => c.target === target)?.label ?? target;
}
