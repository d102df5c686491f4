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

/** Not a lead field: a whole name the core splits into first and last name (after the last name, as the core lists it). */
const FULL_NAME: TargetInfo = { target: 'full_name', label: 'Full name (split into first and last)' };

export const LEAD_COLUMNS: TargetInfo[] = LEAD_FIELDS.filter((f) => f.editable).flatMap((f) =>
  (f.csv as readonly string[]).flatMap((c) => {
    const column = { target: c, label: COLUMN_LABELS[c] ?? f.label };
    return c === 'last_name' ? [column, FULL_NAME] : [column];
  }),
);

export function columnLabel(target: string): string {
  return LEAD_COLUMNS.find((c) => c.target === target)?.label ?? target;
}
