// The booking form's model: what a person types (a wall date and time in a chosen zone, a duration) and the
// AppointmentInput the backend takes (UTC instants).
import type { AgentCalendar, Appointment, AppointmentInput, AppointmentStatus } from '../types';
import { outsideHoursNotice, shortNoticeNotice } from './workingHours';
import { addMinutes, isValidZone, wallClock, wallDate, zonedToUtc, zonedWall } from './zone';

export interface BookingDraft {
  leadId: number | null;
  leadName: string;
  agentId: number | null;
  title: string;
  /** "2026-12-03", in `zone`. */
  date: string;
  /** "10:00", in `zone`. */
  time: string;
  durationMinutes: number;
  zone: string;
  location: string;
  videoUrl: string;
  notes: string;
  status: AppointmentStatus;
  /** The agent's alone to read: colleagues see "Busy". */
  private: boolean;
}

/** What opens the dialog already knows: a lead (from its page), a time (from a selection in the calendar). */
export interface BookingPrefill {
  leadId?: number | null;
  leadName?: string;
  agentId?: number | null;
  /** RFC 3339. */
  start?: string;
  end?: string;
}

export const DEFAULT_MINUTES = 30;
export const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240];

/** The next full hour after `now`, as RFC 3339 UTC. */
export function nextFullHour(now: Date = new Date()): string {
  const t = new Date(now);
  t.setUTCMinutes(0, 0, 0);
  t.setUTCHours(t.getUTCHours() + 1);
  return t.toISOString();
}

/**
 * The first full hour from `from` on (two weeks ahead at most) at which a meeting of `minutes` fits the agent's
 * working hours, time off and notice, or null when none does: a dialog opened on a Sunday offered Sunday 09:00,
 * and said at once that the agent does not work on Sundays.
 */
export function firstWorkingStart(
  cal: AgentCalendar,
  from: string,
  minutes: number,
  zone: string,
  now: Date = new Date(),
): string | null {
  for (let hour = 0; hour < 14 * 24; hour++) {
    const start = addMinutes(from, hour * 60);
    const fits = !outsideHoursNotice(cal, start, addMinutes(start, minutes), zone) && !shortNoticeNotice(cal, start, now);
    if (fits) return start;
  }
  return null;
}

export function minutesBetween(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
}

export function newDraft(prefill: BookingPrefill, zone: string, now: Date = new Date()): BookingDraft {
  const start = prefill.start ?? nextFullHour(now);
  const wall = zonedWall(start, zone);
  const minutes = prefill.end ? minutesBetween(start, prefill.end) : DEFAULT_MINUTES;
  return {
    leadId: prefill.leadId ?? null,
    leadName: prefill.leadName ?? '',
    agentId: prefill.agentId ?? null,
    title: '',
    date: wallDate(wall),
    time: wallClock(wall),
    durationMinutes: minutes > 0 ? minutes : DEFAULT_MINUTES,
    zone,
    location: '',
    videoUrl: '',
    notes: '',
    status: 'proposed',
    private: false,
  };
}

/** An existing appointment as a draft, for changing it. */
export function draftOf(a: Appointment, zone: string): BookingDraft {
  // In the zone it was booked in: saving it unchanged must not move it into the zone of whoever opened it.
  zone = a.time_zone && isValidZone(a.time_zone) ? a.time_zone : zone;
  const wall = zonedWall(a.start, zone);
  return {
    leadId: a.lead_id,
    leadName: a.lead_name ?? '',
    agentId: a.agent_id,
    title: a.title,
    date: wallDate(wall),
    time: wallClock(wall),
    durationMinutes: minutesBetween(a.start, a.end),
    zone,
    location: a.location,
    videoUrl: a.video_url,
    notes: a.notes,
    status: a.status,
    private: a.private,
  };
}

/** When the draft starts, as RFC 3339 UTC (null while the date or time is incomplete). */
export function draftStart(d: BookingDraft): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date) || !/^\d{2}:\d{2}$/.test(d.time)) return null;
  return zonedToUtc(`${d.date} ${d.time}:00`, d.zone);
}

/**
 * The input to send. The zone is kept only when it differs from the agent's: "" lets the appointment follow
 * the agent's zone, which is what an agent booking in their own zone means.
 */
export function inputFromDraft(d: BookingDraft, agentZone: string): AppointmentInput {
  const start = draftStart(d) ?? '';
  const title = d.title.trim() || (d.leadName ? `Meeting with ${d.leadName}` : '');
  return {
    agent_id: d.agentId ?? 0,
    lead_id: d.leadId,
    title,
    start,
    end: start ? addMinutes(start, d.durationMinutes) : '',
    time_zone: d.zone === agentZone ? '' : d.zone,
    location: d.location.trim(),
    video_url: d.videoUrl.trim(),
    notes: d.notes,
    status: d.status,
    // A meeting with a lead is its team's to see; one that came private from the agent's calendar stays so.
    private: d.private,
  };
}

/** An appointment as the input that would save it unchanged. */
export function inputOf(a: Appointment): AppointmentInput {
  return {
    agent_id: a.agent_id,
    lead_id: a.lead_id,
    title: a.title,
    start: a.start,
    end: a.end,
    // A zone a calendar file named itself is none the core takes back: the agent's, as a move does.
    time_zone: a.time_zone && isValidZone(a.time_zone) ? a.time_zone : '',
    location: a.location,
    video_url: a.video_url,
    notes: a.notes,
    status: a.status,
    private: a.private,
  };
}
