// The lead fields as the core describes them (LEAD_FIELDS in the generated bindings), and the few views of that
// table the UI needs. A field added to the core's table reaches the form, the labels and the history from here.
import { LEAD_FIELDS, type LeadFieldGroup, type LeadFieldInfo } from '../bindings';

/** One entry of the table, with its literal name and kind (so a text field's name is a known key). */
export type LeadField = (typeof LEAD_FIELDS)[number];
/**
 * Kinds whose value is one string at `path`, in Lead as in LeadInput: the form keeps them as typed and the
 * backend gives each its one spelling (an amount "12.500,00" comes back as "12500.00").
 */
const TEXT_VALUED_KINDS = ['text', 'long_text', 'amount', 'currency', 'date', 'lost_reason'] as const;
type TextValuedKind = (typeof TEXT_VALUED_KINDS)[number];

export type TextField = Extract<LeadField, { kind: TextValuedKind }>;
export type TextFieldName = TextField['name'];

// The constant must keep the shape the bindings declare for it; `as const` makes its lists read-only.
LEAD_FIELDS satisfies readonly (Omit<LeadFieldInfo, 'path' | 'csv'> & { path: readonly string[]; csv: readonly string[] })[];

export function isTextField(f: LeadField): f is TextField {
  return (TEXT_VALUED_KINDS as readonly string[]).includes(f.kind);
}

/** Fields held as one string, each at `path` inside both LeadInput and Lead. */
export const TEXT_FIELDS: readonly TextField[] = LEAD_FIELDS.filter(isTextField);

/** What a person edits in a group, in the core's order (status and the phones as entered are derived). */
export function editableFields(group: LeadFieldGroup): LeadField[] {
  return LEAD_FIELDS.filter((f) => f.group === group && f.editable);
}

export function readPath(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** Sets `value` at `path`, creating the objects on the way (`address` for its parts). */
export function writePath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let obj = target;
  for (const key of path.slice(0, -1)) {
    const next = obj[key];
    if (next === null || typeof next !== 'object') obj[key] = {};
    obj = obj[key] as Record<string, unknown>;
  }
  obj[path[path.length - 1]] = value;
}
