// How an appointment's change-log rows read in a lead's history: "Appointment booked: Demo with Acme, Thu,
// Dec 3, 10:00", "Appointment start: … → …", instead of field names and raw JSON.
import type { UserRef } from '../types';
import { confirmationLabel, formatWhen, statusLabel } from './labels';

/** The change log's entity name for appointments. */
export const APPOINTMENT_ENTITY = 'appointment';

const LABELS: Record<string, string> = {
  title: 'Appointment title',
  start: 'Appointment start',
  end: 'Appointment end',
  status: 'Appointment status',
  agent: 'Appointment agent',
  lead: 'Appointment lead',
  confirmation: 'Appointment confirmation',
  location: 'Appointment location',
  video_url: 'Appointment video link',
  notes: 'Appointment notes',
  time_zone: 'Appointment time zone',
  clash: 'Appointment overlap',
  repeats: 'Appointment repetition',
  busy: 'Appointment shows as',
  invitees: 'Appointment invitees',
};

/** The change log's field for an invitation's link to a lead (a merge moves it): `attendee:` and the address. */
const ATTENDEE = 'attendee:';

export function appointmentFieldLabel(field: string): string {
  if (field.startsWith(ATTENDEE)) return `Invitation of ${field.slice(ATTENDEE.length)}`;
  return LABELS[field] ?? `Appointment ${field.replace(/_/g, ' ')}`;
}

function isInstant(v: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v))
  );
}

/** The agent the log names by user id, by name (deactivated users included, from the directory). */
function agentName(id: string, users: UserRef[]): string {
  return users.find((u) => String(u.id) === id)?.name ?? `user #${id}`;
}

/** A logged value as people read it, times in `zone`. */
export function appointmentValue(field: string, value: string, zone: string, users: UserRef[] = []): string {
  if ((field === 'start' || field === 'end') && isInstant(value)) return formatWhen(value, zone);
  if (field === 'status') return statusLabel(value);
  if (field === 'busy' && (value === 'true' || value === 'false')) return value === 'true' ? 'Busy' : 'Free';
  if (field === 'confirmation') return confirmationLabel(value);
  if (field === 'agent' && /^\d+$/.test(value)) return agentName(value, users);
  if ((field === 'lead' || field.startsWith(ATTENDEE)) && /^\d+$/.test(value)) return `lead #${value}`;
  return value;
}

/** "Demo with Acme, Thu, Dec 3, 10:00 with Ada Admin", from the JSON snapshot logged at booking. */
export function appointmentSummary(snapshot: string | null, zone: string, users: UserRef[] = []): string {
  if (!snapshot) return '';
  let v: unknown;
  try {
    v = JSON.parse(snapshot);
  } catch {
    return snapshot;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return snapshot;
  const o = v as Record<string, unknown>;
  const text = (k: string) => (typeof o[k] === 'string' ? (o[k] as string).trim() : '');
  const title = text('title') || 'Untitled appointment';
  const start = text('start');
  const when = start && isInstant(start) ? formatWhen(start, zone) : start;
  const agentId = text('agent');
  const agent = text('agent_name') || (agentId ? appointmentValue('agent', agentId, zone, users) : '');
  return `${title}${when ? `, ${when}` : ''}${agent ? ` with ${agent}` : ''}`;
}
