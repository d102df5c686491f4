// The lead form's model: what the user types, how it becomes a LeadInput, and what the form can tell before
// the backend answers (the backend stays the authority on validity and completeness).
import { LEAD_FIELDS } from '../bindings';
import { describeMissing, fieldMessage, joinList, leadName, MISSING_LABELS, splitKnownList } from '../format';
import type { FieldError, InvalidValue, Lead, LeadInput, MissingField, SourceChannel } from '../types';
import {
  isTextField,
  readPath,
  TEXT_FIELDS,
  writePath,
  type LeadField,
  type TextField,
  type TextFieldName,
} from './fields';

/** What the form holds: every text-valued field of the core's table by name, and the fields that need a widget. */
export interface LeadDraft extends Record<TextFieldName, string> {
  /** Rows as shown, empty ones included: index N is the backend's `emails.N`. */
  emails: string[];
  phones: string[];
  source: SourceChannel | '';
  /** Owner id as a select value; '' for nobody. */
  owner: string;
  stage: string;
  /** As typed, commas and all. */
  tags: string;
  /** Emails and phones kept as typed although invalid (an import did so): sent back until the user fixes them. */
  invalid: InvalidValue[];
}

function textDraft(value: (f: TextField) => string): Record<TextFieldName, string> {
  return Object.fromEntries(TEXT_FIELDS.map((f) => [f.name, value(f)])) as Record<TextFieldName, string>;
}

export function emptyDraft(): LeadDraft {
  return {
    ...textDraft(() => ''),
    emails: [''],
    phones: [''],
    source: 'direct_entry',
    owner: '',
    stage: '',
    tags: '',
    invalid: [],
  };
}

export function draftFromLead(l: Lead): LeadDraft {
  return {
    ...textDraft((f) => {
      const v = readPath(l, f.path);
      return typeof v === 'string' ? v : '';
    }),
    emails: l.emails.length ? l.emails.map((e) => e.original) : [''],
    // The phone as it was typed: editing shows what the user wrote, not our reformatting.
    phones: l.phones.length ? l.phones.map((p) => p.original) : [''],
    source: l.source ?? '',
    owner: l.owner ? String(l.owner.id) : '',
    stage: l.stage,
    tags: l.tags.join(', '),
    invalid: l.invalid.map((v) => ({ ...v })),
  };
}

/**
 * Lists merged three ways: `theirs` (saved meanwhile) with what this form added to `base` and without what it
 * removed, in their order then ours. Items compare as `key` says (an address in any case, a number by its digits).
 */
export function rebaseList(
  base: readonly string[],
  mine: readonly string[],
  theirs: readonly string[],
  key: (s: string) => string,
): string[] {
  const keys = (l: readonly string[]) => new Set(l.map(key).filter((k) => k !== ''));
  const [b, m] = [keys(base), keys(mine)];
  const removed = new Set([...b].filter((k) => !m.has(k)));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of [...theirs, ...mine.filter((x) => !b.has(key(x)))]) {
    const k = key(item);
    if (k === '' || removed.has(k) || seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

/**
 * The form laid over the lead as saved meanwhile (`theirs`), after a save refused as a conflict: each field this
 * form changed from `base` keeps its change; emails, phones and tags take this form's additions and removals on
 * their list, so what was added meanwhile (an import's phone, a merge's email) stays. `both` names the fields
 * changed on both sides, where this form's value is the one kept.
 */
export function rebaseDraft(
  base: LeadDraft,
  mine: LeadDraft,
  theirs: LeadDraft,
  knownTags: readonly string[],
): { draft: LeadDraft; kept: string[]; both: string[] } {
  const out = { ...theirs } as LeadDraft;
  const kept: string[] = [];
  const both: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const lists: Record<string, (s: string) => string> = {
    emails: (s) => s.trim().toLowerCase(),
    phones: (s) => s.replace(/[^0-9+]/g, ''),
  };
  for (const key of Object.keys(mine) as (keyof LeadDraft)[]) {
    if (same(mine[key], base[key])) continue;
    kept.push(key);
    if (key === 'emails' || key === 'phones') {
      const merged = rebaseList(base[key], mine[key], theirs[key], lists[key]);
      out[key] = merged.length ? merged : [''];
    } else if (key === 'invalid') {
      // Values kept as invalid (an import's): this form's fixes and removals, and what was kept there since.
      const id = (v: InvalidValue) => `${v.field}\u0000${v.value}`;
      const byId = new Map([...theirs.invalid, ...mine.invalid].map((v) => [id(v), v]));
      const merged = rebaseList(base.invalid.map(id), mine.invalid.map(id), theirs.invalid.map(id), (k) => k);
      out.invalid = merged.map((k) => byId.get(k)!).filter(Boolean);
    } else if (key === 'tags') {
      const split = (d: LeadDraft) => splitKnownList(d.tags, knownTags);
      out.tags = rebaseList(split(base), split(mine), split(theirs), (t) => t.trim().toLowerCase()).join(', ');
    } else {
      (out as unknown as Record<string, unknown>)[key] = mine[key];
      if (!same(theirs[key], base[key])) both.push(key);
    }
  }
  return { draft: out, kept, both };
}

/**
 * The tags typed, split at commas except inside `known` tags/**
 * The tags typed, split at commas except inside `known` tags: a tag may hold a comma ("Trade Fair, Berlin", as
 * imports and the CLI keep it), and saving the form for another field must not cut it in two.
 */
export function draftTags(d: LeadDraft, known: readonly string[] = []): string[] {
  return splitKnownList(d.tags, known);
}

/** The value the backend expects for one editable field; undefined for the derived ones it does not accept. */
function inputValue(f: LeadField, d: LeadDraft, knownTags: readonly string[]): unknown {
  // Sent as typed: the backend normalizes amounts, currencies and dates, and says what it cannot read.
  if (isTextField(f)) return d[f.name];
  switch (f.kind) {
    case 'email_list':
    case 'phone_list':
      return [...d[f.name]];
    case 'source':
      return d.source === '' ? null : d.source;
    case 'owner':
      return d.owner === '' ? null : Number(d.owner);
    case 'stage':
      return d.stage;
    case 'tag_list':
      return draftTags(d, knownTags);
    case 'invalid_values':
      return d.invalid.map((v) => ({ ...v }));
    default:
      return undefined;
  }
}

/**
 * The input sent to the backend, each field written at its `path` in the core's table. Email and phone rows
 * are sent as they are, empty ones included (the backend skips empty rows), so `emails.N` / `phones.N` in its
 * answer is row N of the form.
 */
export function toInput(d: LeadDraft, knownTags: readonly string[] = []): LeadInput {
  const input: Record<string, unknown> = {};
  for (const f of LEAD_FIELDS) {
    if (f.editable) writePath(input, f.path, inputValue(f, d, knownTags));
  }
  return input as unknown as LeadInput;
}

/** A plausible email: something@something.something, no spaces. A hint only; the backend decides. */
export function looksLikeEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());
}

/** A plausible phone: at least 5 digits, only phone punctuation. A hint only; the backend decides. */
export function looksLikePhone(s: string): boolean {
  const t = s.trim();
  return /^[+()\d\s./-]+(\s*(x|ext\.?)\s*\d+)?$/i.test(t) && (t.match(/\d/g)?.length ?? 0) >= 5;
}

export function emailHint(s: string): string | null {
  const t = s.trim();
  if (!t) return null;
  if (!t.includes('@')) return 'An email address needs an "@", e.g. name@example.com.';
  if (!looksLikeEmail(t)) return 'This does not look like a complete email address.';
  return null;
}

export function phoneHint(s: string): string | null {
  const t = s.trim();
  if (!t) return null;
  if (/[a-wyz]/i.test(t.replace(/ext\.?/i, ''))) return 'A phone number should contain digits only (and + ( ) - .).';
  if ((t.match(/\d/g)?.length ?? 0) < 5) return 'This phone number looks too short.';
  return null;
}

/** What the lead would miss to be Active, judged from what is typed now. */
export function missingFor(d: LeadDraft): MissingField[] {
  const missing: MissingField[] = [];
  if (!d.first_name.trim() && !d.last_name.trim()) missing.push('name');
  const contact = d.emails.some(looksLikeEmail) || d.phones.some(looksLikePhone);
  if (!contact) missing.push('contact_point');
  if (d.source === '') missing.push('source');
  if (d.invalid.length > 0) missing.push('fix_invalid');
  return missing;
}

export function completenessText(missing: MissingField[]): string {
  if (missing.length === 0) return 'Complete: will be saved as Active.';
  return `Will be saved as Draft — missing ${describeMissing(missing)}.`;
}

/** Named: an undo toast stays on while the user goes elsewhere, and "Lead saved" there said not which. */
export function savedMessage(lead: Lead): string {
  if (lead.status === 'active') return `${leadName(lead)} saved`;
  return `${leadName(lead)} saved as Draft — missing: ${joinList(lead.missing.map((m) => MISSING_LABELS[m]))}`;
}

/** Backend field errors by field name; several messages for one field are joined. */
export function errorsByField(fields: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const m = fieldMessage(f.field, f.message);
    out[f.field] = out[f.field] ? `${out[f.field]}; ${m}` : m;
  }
  return out;
}

/**
 * Removes row `index` from a list of rows and renumbers the row-indexed errors (`emails.3` → `emails.2`) so
 * each message stays beside the value it was about.
 */
export function shiftRowErrors<T>(
  errors: Record<string, T>,
  list: 'emails' | 'phones' | 'invalid',
  index: number,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(errors)) {
    // A value kept as invalid has errors of its own and of its reason (`invalid.2.reason`).
    const m = new RegExp(`^${list}\\.(\\d+)(\\.reason)?$`).exec(k);
    if (!m) {
      out[k] = v;
      continue;
    }
    const i = Number(m[1]);
    const rest = m[2] ?? '';
    if (i < index) out[k] = v;
    else if (i > index) out[`${list}.${i - 1}${rest}`] = v;
  }
  return out;
}
