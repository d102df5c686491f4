// Settings › Pipeline: the words and small rules the stage, calendar, approval and sweep editors share.
import { LEAD_FIELDS, type LeadFieldGroup } from '../bindings';
import { fieldLabel, joinList, localDate } from '../format';
import { activityLabel } from '../pipeline/activities';
import type { LostReason, StageConfig } from '../types';

export interface RequirableField {
  name: string;
  label: string;
  group: LeadFieldGroup;
}

/**
 * The lead fields a stage may require before a lead enters. The backend takes any editable field; the stage
 * itself (always set) and the values kept as invalid (something to fix, not data) would make a criterion no lead
 * can fail or none can meet, so they are not offered.
 */
export const REQUIRABLE_FIELDS: readonly RequirableField[] = LEAD_FIELDS.filter(
  (f) => f.editable && f.kind !== 'stage' && f.kind !== 'invalid_values',
).map((f) => ({ name: f.name, label: f.label, group: f.group }));

export const FIELD_GROUPS: readonly { group: LeadFieldGroup; title: string }[] = [
  { group: 'deal', title: 'Deal' },
  { group: 'person', title: 'Person' },
  { group: 'contact', title: 'Contact' },
  { group: 'address', title: 'Address' },
  { group: 'pipeline', title: 'Pipeline' },
  { group: 'other', title: 'Other' },
];

export const WEEKDAYS: readonly { day: number; short: string; long: string }[] = [
  { day: 1, short: 'Mon', long: 'Monday' },
  { day: 2, short: 'Tue', long: 'Tuesday' },
  { day: 3, short: 'Wed', long: 'Wednesday' },
  { day: 4, short: 'Thu', long: 'Thursday' },
  { day: 5, short: 'Fri', long: 'Friday' },
  { day: 6, short: 'Sat', long: 'Saturday' },
  { day: 7, short: 'Sun', long: 'Sunday' },
];

export function stageName(stages: readonly StageConfig[], key: string | null): string {
  if (key === null) return 'Any stage';
  return stages.find((s) => s.key === key)?.label ?? key;
}

export function lostReasonName(reasons: readonly LostReason[], key: string | null): string {
  if (!key) return '';
  return reasons.find((r) => r.key === key)?.label ?? key;
}

/** "Budget, Need and Proposal sent", or "" when the stage lets any lead in. */
export function criteriaSummary(stage: StageConfig): string {
  return joinList([...stage.required_fields.map(fieldLabel), ...stage.required_activities.map(activityLabel)]);
}

/** "After 30 business days → Lost (Price)", or "" without a policy. */
export function staleSummary(stage: StageConfig, stages: readonly StageConfig[], reasons: readonly LostReason[]): string {
  const p = stage.stagnation;
  if (!p) return '';
  const why = p.lost_reason ? ` (${lostReasonName(reasons, p.lost_reason)})` : '';
  return `After ${p.after_days} business ${p.after_days === 1 ? 'day' : 'days'} → ${stageName(stages, p.target)}${why}`;
}

/**
 * The selection to send, keeping what was already chosen in its saved order and adding new picks in `order`.
 * The backend logs any difference in the list as a change, so re-saving an untouched list must not reorder it.
 */
export function keepOrder<T extends string>(saved: readonly T[], picked: readonly T[], order: readonly T[]): T[] {
  const kept = saved.filter((x) => picked.includes(x));
  const added = order.filter((x) => picked.includes(x) && !kept.includes(x));
  // A pick outside `order` (a field the form no longer offers) still goes back as it came.
  const rest = picked.filter((x) => !kept.includes(x) && !added.includes(x));
  return [...kept, ...added, ...rest];
}

/**
 * A colour an `<input type="color">` can show (#rrggbb), or null. Stages may hold any CSS colour; the picker
 * only knows this form, and showing another colour as black would save black.
 */
export function pickerColour(colour: string): string | null {
  const c = colour.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(c)) return c;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(c);
  return short ? `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}` : null;
}

/** A day ("2026-12-25") as every date in the app is written, "Dec 25, 2026": the day it names, wherever the reader is. */
export function dayText(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? localDate(day) : day;
}

/** A day ("2026-12-25") or an instant (RFC 3339) as a date the user reads. */
export function dateText(value: string): string {
  return localDate(value);
}

/**
 * The key a new lost reason (or stage, or pipeline) is stored under, from its label: lower-case letters, digits
 * and _ (what the backend takes), accents folded ("Décision reportée" → "decision_reportee"), unlike every key in
 * `taken`. A label with no Latin letter gets `fallback`, numbered.
 */
export function reasonKey(label: string, taken: readonly string[], fallback = 'reason'): string {
  const base =
    label
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 32)
      .replace(/_+$/, '') || fallback;
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) {
    const key = `${base}_${n}`;
    if (!taken.includes(key)) return key;
  }
}
