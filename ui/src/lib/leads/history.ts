// Turns change-log rows into what a person reads: one event per operation, human field names and values.
import { LEAD_FIELDS } from '../bindings';
import {
  APPOINTMENT_ENTITY,
  appointmentFieldLabel,
  appointmentSummary,
  appointmentValue,
} from '../calendar/appointmentHistory';
import { browserZone } from '../calendar/zone';
import { fieldLabel, localTime, REASON_LABELS, sourceLabel, STATUS_LABELS } from '../format';
import { formatMoney } from '../pipeline/board';
import { dayText } from '../settings/pipelineText';
import type { ChangeEntry, ChangeReason, InvalidValue, LeadStatus, LostReason, Stage, UserRef } from '../types';
import { dialled } from './entered';

export interface HistoryChange {
  id: number;
  field: string;
  label: string;
  old: string;
  new: string;
}

export interface HistoryEvent {
  /** Unique per event: a batch can hold a lead's change and an appointment's. */
  key: string;
  batchId: number;
  /** What changed: the lead (or a lead merged into it), or one of its appointments. */
  entity: 'lead' | 'appointment';
  /** An appointment booked: "Demo with Acme, Thu, Dec 3, 10:00 with Ada Admin". */
  booked: string | null;
  at: string;
  actor: string;
  reason: ChangeReason;
  reasonLabel: string;
  sourceRef: string;
  /** Present for the creation entry: the initial values, in the order of the core's field table. */
  created: { field: string; label: string; value: string }[] | null;
  changes: HistoryChange[];
  /** The merged lead this event was written for, when it is not the lead whose history this is. */
  fromLead: number | null;
}

export interface ValueContext {
  stages: Stage[];
  owners: UserRef[];
  /** To name a lost reason as the settings label it. */
  lostReasons?: LostReason[];
  /** The zone appointment times are shown in; the computer's by default. */
  zone?: string;
}

export const EMPTY_VALUE = '—';

/** "email", "phone": what a value kept as invalid was meant to be. */
export function invalidKind(field: string): string {
  if (field === 'emails') return 'email';
  if (field === 'phones') return 'phone';
  return fieldLabel(field).toLowerCase();
}

/**
 * The reason a value was kept as invalid, without the quoted copy of the value the core starts it with:
 * `"bea@" needs exactly one @ …` → `needs exactly one @ …`.
 */
export function invalidReason(v: InvalidValue): string {
  const reason = v.reason.trim();
  for (const [open, close] of [
    ['"', '"'],
    ['“', '”'],
  ]) {
    const quoted = `${open}${v.value}${close}`;
    if (reason.startsWith(quoted)) {
      const rest = reason.slice(quoted.length).replace(/^\s*[:—–-]?\s*/, '');
      if (rest) return rest;
    }
  }
  return reason;
}

/** One value kept as invalid, as a line of text: `bea@ (email) — needs exactly one @ …`. */
export function describeInvalid(v: InvalidValue): string {
  const reason = invalidReason(v);
  return `${v.value} (${invalidKind(v.field)})${reason ? ` — ${reason}` : ''}`;
}

/** The logged JSON of the values kept as invalid; null when it is not that. */
export function parseInvalid(value: unknown): InvalidValue[] | null {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(v)) return null;
  const items = v.filter(
    (x): x is InvalidValue => !!x && typeof x === 'object' && typeof (x as InvalidValue).value === 'string',
  );
  return items.length === v.length
    ? items.map((x) => ({ field: String(x.field ?? ''), value: x.value, reason: String(x.reason ?? '') }))
    : null;
}

export function formatValue(field: string, value: string | null | undefined, ctx: ValueContext): string {
  if (value === null || value === undefined || value === '') return EMPTY_VALUE;
  switch (field) {
    case 'source':
      return sourceLabel(value as never) || value;
    case 'status':
      return STATUS_LABELS[value as LeadStatus] ?? value;
    case 'stage':
      return ctx.stages.find((s) => s.key === value)?.label ?? value;
    // `owner_id`: rows logged before the field was named `owner`.
    case 'owner':
    case 'owner_id': {
      const o = ctx.owners.find((x) => String(x.id) === value);
      return o ? o.name : `user #${value}`;
    }
    // A merge's mark on the lead that went into another: which one, as the app numbers leads.
    case 'merged_into':
      return /^\d+$/.test(value) ? `lead #${value}` : value;
    case 'invalid': {
      const items = parseInvalid(value);
      if (!items) return value;
      return items.length ? items.map(describeInvalid).join('; ') : EMPTY_VALUE;
    }
    // The deal as the Deal panel shows it: a reason by its label, an amount grouped, a day in words.
    case 'lost_reason':
      return ctx.lostReasons?.find((r) => r.key === value)?.label ?? value;
    case 'deal_value':
      return Number.isFinite(Number(value)) ? formatMoney(Number(value), '') : value;
    case 'expected_close':
      return dayText(value);
    // The log escapes a ';' inside a typed phone (`tel:…;ext=12`) and the escape itself: shown as typed.
    case 'phones_as_entered':
    case 'emails_as_entered':
      return value.replace(/\\(.)/g, '$1');
    default:
      return value;
  }
}

/** Fields the log once named differently. */
const FIELD_ALIASES: Record<string, string> = { owner_id: 'owner' };

/** A field's place in the core's table; fields it does not know (older logs) come after, as logged. */
function tableIndex(field: string): number {
  const name = FIELD_ALIASES[field] ?? field;
  const i = LEAD_FIELDS.findIndex((f) => f.name === name);
  return i < 0 ? LEAD_FIELDS.length : i;
}

function parseCreation(json: string | null): Record<string, string> {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
    }
  } catch {
    // A creation entry that is not JSON is shown as it is.
    return { value: json };
  }
  return {};
}

/** A list of numbers as its digits (and plus signs) only: "+44 20 7946 0018" and "+442079460018" are one. */
/**
 * The phones as typed say nothing the phones do not when they were typed as the number reads: that row is
 * left out ("+442079460018" beside "+44 20 7946 0018"). A number typed otherwise ("020 7946 0018") stays.
 */
function dropPhonesTypedAsShown(ev: HistoryEvent): void {
  const phones = ev.changes.find((c) => c.field === 'phones');
  const typed = ev.changes.find((c) => c.field === 'phones_as_entered');
  if (phones && typed && dialled(phones.old) === dialled(typed.old) && dialled(phones.new) === dialled(typed.new)) {
    ev.changes = ev.changes.filter((c) => c !== typed);
  }
  const created = ev.created;
  const shown = created?.find((c) => c.field === 'phones');
  const asTyped = created?.find((c) => c.field === 'phones_as_entered');
  if (created && shown && asTyped && dialled(shown.value) === dialled(asTyped.value)) {
    ev.created = created.filter((c) => c !== asTyped);
  }
}

/** The addresses as typed say nothing the addresses do not when they differ only as matching folds them: that
 * row is left out. A respelling alone (the only row of its save) stays. */
function dropEmailsTypedAsShown(ev: HistoryEvent): void {
  const same = (a: string | null | undefined, b: string | null | undefined) =>
    (a ?? '').replace(/\\(.)/g, '$1').toLowerCase() === (b ?? '').toLowerCase();
  const emails = ev.changes.find((c) => c.field === 'emails');
  const typed = ev.changes.find((c) => c.field === 'emails_as_entered');
  if (emails && typed && same(typed.old, emails.old) && same(typed.new, emails.new)) {
    ev.changes = ev.changes.filter((c) => c !== typed);
  }
  const created = ev.created;
  const shown = created?.find((c) => c.field === 'emails');
  const asTyped = created?.find((c) => c.field === 'emails_as_entered');
  if (created && shown && asTyped && same(asTyped.value, shown.value)) {
    ev.created = created.filter((c) => c !== asTyped);
  }
}

/** Groups rows (newest first) into events, one per batch and record, keeping the newest-first order. */
/**
 * A booking's invitees belong to its summary ("…, invited: ann@acme.example"), not to a list of changes from
 * nothing; the link of each invitation to its lead, logged for a merge to move, is this very lead: left out.
 */
function foldInviteesIntoBooking(ev: HistoryEvent): void {
  if (ev.entity !== 'appointment' || ev.booked === null) return;
  const invitees = ev.changes.find((c) => c.field === 'invitees' && c.new !== EMPTY_VALUE);
  if (invitees) ev.booked = `${ev.booked}; invited: ${invitees.new}`;
  ev.changes = ev.changes.filter((c) => c.field !== 'invitees' && !c.field.startsWith('attendee:'));
}

export function toEvents(entries: ChangeEntry[], ctx: ValueContext, leadId: number | null = null): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const byKey = new Map<string, HistoryEvent>();
  const zone = ctx.zone ?? browserZone();
  for (const e of entries) {
    const isAppointment = e.entity === APPOINTMENT_ENTITY;
    // One event per batch and record: an import chunk or a merge writes several leads in one batch, and the
    // history of a lead also shows the rows of the leads merged into it.
    const key = `${isAppointment ? 'appointment' : 'lead'}:${e.batch_id}:${e.entity_id}`;
    let ev = byKey.get(key);
    if (!ev) {
      ev = {
        key,
        batchId: e.batch_id,
        entity: isAppointment ? 'appointment' : 'lead',
        booked: null,
        at: e.at,
        // Named as the rest of the app names them (their display name, "Alex Admin"), from the directory; else by
        // the log's username, a renamed user as they were and as they are now (the old name may be someone else's).
        actor:
          ctx.owners.find((u) => u.id === e.actor_id)?.name ??
          (e.actor_renamed_to ? `${e.actor_name} (now ${e.actor_renamed_to})` : e.actor_name),
        reason: e.reason,
        reasonLabel: REASON_LABELS[e.reason] ?? e.reason,
        sourceRef: e.source_ref,
        created: null,
        changes: [],
        fromLead: !isAppointment && leadId !== null && e.entity_id !== leadId ? e.entity_id : null,
      };
      byKey.set(key, ev);
      events.push(ev);
    }
    if (isAppointment) {
      if (e.field === '*') ev.booked = appointmentSummary(e.new_value, zone, ctx.owners);
      else
        ev.changes.push({
          id: e.id,
          field: e.field,
          label: appointmentFieldLabel(e.field),
          old: e.old_value ? appointmentValue(e.field, e.old_value, zone, ctx.owners) : EMPTY_VALUE,
          new: e.new_value ? appointmentValue(e.field, e.new_value, zone, ctx.owners) : EMPTY_VALUE,
        });
    } else if (e.field === '*') {
      const initial = parseCreation(e.new_value);
      // The log keeps the keys in alphabetical order; a person reads them in the form's order.
      ev.created = Object.entries(initial)
        .filter(([, v]) => v !== '')
        .sort(([a], [b]) => tableIndex(a) - tableIndex(b))
        .map(([field, v]) => ({ field, label: fieldLabel(field), value: formatValue(field, v, ctx) }));
    } else {
      ev.changes.push({
        id: e.id,
        field: e.field,
        label: fieldLabel(e.field),
        old: formatValue(e.field, e.old_value, ctx),
        new: formatValue(e.field, e.new_value, ctx),
      });
    }
  }
  for (const ev of events) {
    dropPhonesTypedAsShown(ev);
    dropEmailsTypedAsShown(ev);
    foldInviteesIntoBooking(ev);
  }
  // A merge's note names both leads by their number: this one is "this lead".
  for (const ev of events.filter((x) => /^(un)?merge\b/.test(x.sourceRef))) {
    ev.sourceRef = ev.sourceRef.replace(/\blead (\d+)\b/g, (_, id: string) =>
      leadId !== null && Number(id) === leadId ? 'this lead' : `lead #${id}`,
    );
  }
  // An undo names the change it took back by its batch number, which a reader never sees: named by its time
  // instead, when that change is in this history.
  for (const ev of events) {
    const undone = /^undo of change (\d+)$/.exec(ev.sourceRef);
    if (!undone) continue;
    const target = events.find((x) => x.batchId === Number(undone[1]));
    ev.sourceRef = target ? `undo of the change of ${localTime(target.at)}` : 'undo of an earlier change';
  }
  return events;
}
