// Turns change-log rows into what a person reads: one event per operation, human field names and values.
import { fieldLabel, REASON_LABELS, sourceLabel, STATUS_LABELS } from '../format';
import type { ChangeEntry, ChangeReason, LeadStatus, Stage, UserRef } from '../types';

export interface HistoryChange {
  id: number;
  field: string;
  label: string;
  old: string;
  new: string;
}

export interface HistoryEvent {
  batchId: number;
  at: string;
  actor: string;
  reason: ChangeReason;
  reasonLabel: string;
  sourceRef: string;
  /** Present for the creation entry: the initial values, in the order the backend recorded them. */
  created: { field: string; label: string; value: string }[] | null;
  changes: HistoryChange[];
}

export interface ValueContext {
  stages: Stage[];
  owners: UserRef[];
}

export const EMPTY_VALUE = '(empty)';

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
    default:
      return value;
  }
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

/** Groups rows (newest first) into events, one per batch, keeping the newest-first order. */
export function toEvents(entries: ChangeEntry[], ctx: ValueContext): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const byBatch = new Map<number, HistoryEvent>();
  for (const e of entries) {
    let ev = byBatch.get(e.batch_id);
    if (!ev) {
      ev = {
        batchId: e.batch_id,
        at: e.at,
        actor: e.actor_name,
        reason: e.reason,
        reasonLabel: REASON_LABELS[e.reason] ?? e.reason,
        sourceRef: e.source_ref,
        created: null,
        changes: [],
      };
      byBatch.set(e.batch_id, ev);
      events.push(ev);
    }
    if (e.field === '*') {
      const initial = parseCreation(e.new_value);
      ev.created = Object.entries(initial)
        .filter(([, v]) => v !== '')
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
  return events;
}
