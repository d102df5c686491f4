// Human words and times for appointments: statuses, confirmations, and when something happens in a zone.
import { localClock, localDate, localTime, sentence } from '../format';
import type { AppointmentStatus, Confirmation, FieldError } from '../types';
import { addDays } from './zone';

export const APPOINTMENT_STATUSES: { value: AppointmentStatus; label: string }[] = [
  { value: 'proposed', label: 'Proposed' },
  { value: 'confirmed', label: 'Confirmed' },
  { value: 'completed', label: 'Completed' },
  { value: 'no_show', label: 'No-show' },
  { value: 'cancelled', label: 'Cancelled' },
];

export function statusLabel(s: string): string {
  return APPOINTMENT_STATUSES.find((x) => x.value === s)?.label ?? s;
}

export const CONFIRMATIONS: { value: Confirmation; label: string }[] = [
  { value: 'to_send', label: 'To send' },
  { value: 'sent', label: 'Sent, waiting for a reply' },
  { value: 'confirmed', label: 'Confirmed by the lead' },
];

export function confirmationLabel(c: string): string {
  return CONFIRMATIONS.find((x) => x.value === c)?.label ?? c;
}

function isDateOnly(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s);
}

/**
 * When something happens, written as every date and time in the app is: "Dec 3, 2026, 10:00 AM" in `zone`; an
 * all-day date as the day it names, "Dec 3, 2026".
 */
export function formatWhen(iso: string, zone: string): string {
  return isDateOnly(iso) ? localDate(iso) : localTime(iso, zone);
}

/** "10:00 AM" in `zone`. */
export function formatClock(iso: string, zone: string): string {
  return localClock(iso, zone);
}

/**
 * "Dec 3, 2026, 10:00 AM – 11:00 AM" (or across days: both ends in full); all-day: "Dec 3, 2026 (all day)",
 * and over several days "Dec 3, 2026 – Dec 5, 2026 (all day)" (an all-day end is the day after the last).
 */
export function formatSpan(start: string, end: string, zone: string, allDay = false): string {
  if (allDay || isDateOnly(start)) {
    const first = start.slice(0, 10);
    const last = isDateOnly(end) ? addDays(end.slice(0, 10), -1) : first;
    const to = last > first ? ` – ${localDate(last)}` : '';
    return `${localDate(first)}${to} (all day)`;
  }
  const sameDay =
    new Date(start).toLocaleDateString('en-CA', { timeZone: zone }) ===
    new Date(end).toLocaleDateString('en-CA', { timeZone: zone });
  return sameDay
    ? `${formatWhen(start, zone)} – ${formatClock(end, zone)}`
    : `${formatWhen(start, zone)} – ${formatWhen(end, zone)}`;
}

/** "Europe/Berlin (GMT+1)": a zone with its offset at `at`. */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    return name ? `${zone} (${name})` : zone;
  } catch {
    return zone;
  }
}

/** Minutes as people say them: "15 min", "1 h", "1 h 30 min", "2 days". */
export function formatMinutes(m: number): string {
  if (m % 1440 === 0 && m >= 1440) return `${m / 1440} ${m === 1440 ? 'day' : 'days'}`;
  const h = Math.floor(m / 60);
  const r = m % 60;
  if (h === 0) return `${r} min`;
  return r === 0 ? `${h} h` : `${h} h ${r} min`;
}

/** The appointment's fields as the booking form labels them. */
const FIELD_LABELS: Record<string, string> = {
  agent_id: 'Agent',
  lead_id: 'Lead',
  title: 'Title',
  start: 'Start',
  end: 'End',
  time_zone: 'Time zone',
  location: 'Location',
  video_url: 'Video link',
  notes: 'Notes',
  status: 'Status',
};

/** Validation messages by field, each as a sentence under its field: "Video link is not a web address". */
export function appointmentFieldErrors(fields: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const label = FIELD_LABELS[f.field];
    const m =
      label && /^(is|are|must|cannot|has|was|does) /.test(f.message) ? `${label} ${f.message}` : sentence(f.message);
    out[f.field] = out[f.field] ? `${out[f.field]}; ${m}` : m;
  }
  return out;
}
