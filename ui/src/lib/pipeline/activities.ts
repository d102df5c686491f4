// Activities as people log and read them: the kinds in the order the form offers them, what a logged entry
// sends, and the order the lead's timeline shows them in.
import type { Activity, ActivityKind, FieldError, NewActivity } from '../types';

/** The kinds in the order the form offers them, each as people call it. */
export const ACTIVITY_KINDS: readonly { kind: ActivityKind; label: string }[] = [
  { kind: 'call', label: 'Call' },
  { kind: 'email', label: 'Email' },
  { kind: 'meeting', label: 'Meeting' },
  { kind: 'note', label: 'Note' },
  // What the stage gate asks for is a proposal that went out, not a document.
  { kind: 'proposal', label: 'Proposal sent' },
  { kind: 'task', label: 'Task' },
];

export function activityLabel(kind: ActivityKind): string {
  return ACTIVITY_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

export function isActivityKind(k: string): k is ActivityKind {
  return ACTIVITY_KINDS.some((x) => x.kind === k);
}

/** Only calls and meetings take long enough for their length to matter later. */
export function hasDuration(kind: ActivityKind): boolean {
  return kind === 'call' || kind === 'meeting';
}

/** What the log form holds, as typed. */
export interface ActivityDraft {
  kind: ActivityKind;
  subject: string;
  outcome: string;
  /** Minutes, as a number input gives them; null for none. */
  duration: number | null;
  /** A task's due time as a `datetime-local` value (the user's local time); '' for none. */
  due: string;
  /** When what is logged happened (a call made yesterday), as a `datetime-local` value; '' for now. */
  when: string;
  /** A task's reminder: minutes before its due time (0: at it), or 'none'. */
  remind: Reminder;
}

export type Reminder = number | 'none';

/** The reminders a task offers, the due time itself first: a task with a due time reminds its author. */
export const REMINDERS: readonly { value: Reminder; label: string }[] = [
  { value: 0, label: 'At the due time' },
  { value: 15, label: '15 minutes before' },
  { value: 60, label: '1 hour before' },
  { value: 1440, label: '1 day before' },
  { value: 'none', label: 'No reminder' },
];

export function emptyActivityDraft(kind: ActivityKind = 'call', subject = ''): ActivityDraft {
  return { kind, subject, outcome: '', duration: null, due: '', when: '', remind: 0 };
}

/** A `datetime-local` value ("2026-12-01T09:30", local time) as RFC 3339 UTC; null when empty or unreadable. */
export function localToUtc(local: string): string | null {
  if (local.trim() === '') return null;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/**
 * The activity to log. Only what fits the kind is sent (a due time only for a task, a length only where it
 * matters), so a field typed before the kind was switched does not linger. `done_at` is when it happened, as
 * typed; null (nothing typed, or a task, which stays open) and the backend dates it now.
 */
export function toNewActivity(d: ActivityDraft): NewActivity {
  const task = d.kind === 'task';
  const due = task ? localToUtc(d.due) : null;
  return {
    kind: d.kind,
    subject: d.subject.trim(),
    body: '',
    outcome: task ? '' : d.outcome.trim(),
    duration_minutes: hasDuration(d.kind) ? d.duration : null,
    due_at: due,
    remind_at: due !== null && d.remind !== 'none' ? new Date(Date.parse(due) - d.remind * 60_000).toISOString() : null,
    done_at: task ? null : localToUtc(d.when),
    appointment_id: null,
  };
}

export const isOpenTask = (a: Activity) => a.kind === 'task' && a.done_at === null;

export function isOverdue(a: Activity, now: Date = new Date()): boolean {
  return isOpenTask(a) && a.due_at !== null && Date.parse(a.due_at) < now.getTime();
}

/** When an entry happened: a done task when it was done, anything else when it was logged for. */
export function happenedAt(a: Activity): string {
  return a.done_at ?? a.created_at;
}

/**
 * The timeline's order: open tasks on top, soonest due first (undated ones after), since they are what is
 * still to do; then everything else newest first.
 */
export function timelineOrder(list: readonly Activity[]): Activity[] {
  const due = (a: Activity) => (a.due_at ? Date.parse(a.due_at) : Number.POSITIVE_INFINITY);
  const open = list.filter(isOpenTask).sort((a, b) => due(a) - due(b) || b.id - a.id);
  const done = list
    .filter((a) => !isOpenTask(a))
    .sort((a, b) => Date.parse(happenedAt(b)) - Date.parse(happenedAt(a)) || b.id - a.id);
  return [...open, ...done];
}

/** "45 min", "1 h", "1 h 30 min". */
export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const ACTIVITY_FIELD = 'activity.';

/**
 * A `stage_gate` refusal split in two: the lead fields it names (`deal_value`), which go beside their inputs,
 * and the activities it asks for (`activity.proposal`), which are logged rather than typed.
 */
export function splitGateErrors(fields: readonly FieldError[]): { fields: FieldError[]; activities: ActivityKind[] } {
  const out: FieldError[] = [];
  const activities: ActivityKind[] = [];
  for (const f of fields) {
    if (!f.field.startsWith(ACTIVITY_FIELD)) {
      out.push(f);
      continue;
    }
    const kind = f.field.slice(ACTIVITY_FIELD.length);
    if (isActivityKind(kind) && !activities.includes(kind)) activities.push(kind);
  }
  return { fields: out, activities };
}

/** How a task's reminder stands to its due time: "reminder at the due time", "reminder 1 hour before". */
export function remindText(dueAt: string, remindAt: string): string {
  const minutes = Math.round((Date.parse(dueAt) - Date.parse(remindAt)) / 60_000);
  const known = REMINDERS.find((r) => r.value === minutes);
  if (minutes === 0) return 'reminder at the due time';
  if (known) return `reminder ${known.label.toLowerCase()}`;
  return `reminder ${minutes > 0 ? `${minutes} min before` : `${-minutes} min after`}`;
}
