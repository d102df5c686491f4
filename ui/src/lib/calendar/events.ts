// What the calendar widget draws: appointments, time off and the hours outside working hours, all as wall
// times of the display zone (the widget has no notion of IANA zones; see zone.ts).
import type { AgentCalendar, Occurrence } from '../types';
import { addDays, wallDate, weekdayOf, zonedToUtc, zonedWall, type Wall } from './zone';

export type EventMeta =
  | { kind: 'appointment'; occurrence: Occurrence; movable: boolean }
  | { kind: 'time-off'; agentId: number; note: string }
  | { kind: 'off-hours'; agentId: number };

/** The days a calendar view shows, in the display zone, and its title. */
export interface ShownRange {
  /** First shown day, 00:00. */
  start: Wall;
  /** The day after the last one shown, 00:00. */
  end: Wall;
  /**
   * The period itself (a month view's month), without the days of the months around it the grid also shows:
   * where the calendar opens again, and whether it holds today.
   */
  current?: { start: Wall; end: Wall };
  title: string;
}

/** Empty time picked in the calendar (a click or a dragged selection), to book. */
export interface Picked {
  start: Wall;
  end: Wall | null;
  allDay: boolean;
  /** The agent column, in the team view. */
  agentId: number | null;
}

/** A plain event as event-calendar parses it. */
export interface CalendarEvent {
  id: string;
  start: string;
  end: string;
  allDay: boolean;
  title: string;
  display: 'auto' | 'background';
  resourceIds: number[];
  classNames: string[];
  editable: boolean;
  extendedProps: EventMeta;
}

/** Whether an occurrence may be dragged or resized: a plain, visible, timed one that still holds time. */
export function isMovable(o: Occurrence): boolean {
  return o.may_change && !o.hidden && !o.repeats && !o.all_day && o.status !== 'cancelled';
}

/** Floating ISO ("2026-12-03T10:00:00") from a wall time: the widget shows it as it is. */
function floating(wall: Wall): string {
  return wall.replace(' ', 'T');
}

export function appointmentEvent(o: Occurrence, zone: string, canWrite: boolean): CalendarEvent {
  const movable = canWrite && isMovable(o);
  const classes = ['appt', `appt-${o.status}`];
  if (o.hidden) classes.push('appt-hidden');
  if (o.clash) classes.push('appt-clash');
  if (o.repeats) classes.push('appt-repeats');
  if (o.private) classes.push('appt-private');
  return {
    id: `a${o.appointment_id}@${o.start}`,
    start: o.all_day ? o.start : floating(zonedWall(o.start, zone)),
    end: o.all_day ? o.end : floating(zonedWall(o.end, zone)),
    allDay: o.all_day,
    // The agent's own private event: said, as colleagues see only "Busy" there.
    title: o.hidden ? 'Busy' : o.private ? `${o.summary} (private)` : o.summary,
    display: 'auto',
    resourceIds: [o.agent_id],
    classNames: classes,
    editable: movable,
    extendedProps: { kind: 'appointment', occurrence: o, movable },
  };
}

export function timeOffEvents(cal: AgentCalendar, zone: string): CalendarEvent[] {
  return cal.time_off.map((t) => ({
    id: `off${t.id}`,
    start: floating(zonedWall(t.start, zone)),
    end: floating(zonedWall(t.end, zone)),
    allDay: false,
    title: t.note ? `Time off: ${t.note}` : 'Time off',
    display: 'background',
    resourceIds: [cal.user_id],
    classNames: ['time-off'],
    editable: false,
    extendedProps: { kind: 'time-off', agentId: cal.user_id, note: t.note },
  }));
}

type Span = [number, number];

/** The agent's working spans (UTC ms) that touch [from, to). Hours are the agent's wall time, DST included. */
export function workingSpans(cal: AgentCalendar, fromIso: string, toIso: string): Span[] {
  const zone = cal.time_zone;
  const first = addDays(wallDate(zonedWall(fromIso, zone)), -1);
  const last = addDays(wallDate(zonedWall(toIso, zone)), 1);
  const spans: Span[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const weekday = weekdayOf(day);
    for (const wh of cal.working_hours) {
      if (wh.weekday !== weekday) continue;
      const start = Date.parse(zonedToUtc(`${day} ${wh.start}`, zone));
      // An end at or before the start runs past midnight ("22:00"–"02:00", or "24:00" written "00:00").
      const endDay = wh.end <= wh.start ? addDays(day, 1) : day;
      const end = Date.parse(zonedToUtc(`${endDay} ${wh.end}`, zone));
      if (end > start) spans.push([start, end]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const s of spans) {
    const prev = merged[merged.length - 1];
    if (prev && s[0] <= prev[1]) prev[1] = Math.max(prev[1], s[1]);
    else merged.push([...s]);
  }
  return merged;
}

/**
 * The hours outside the agent's working hours in [from, to), shaded in the background. An agent with no
 * working hours set gets no shading: nothing is known about them, which is not the same as never working.
 */
export function offHoursEvents(cal: AgentCalendar, zone: string, fromIso: string, toIso: string): CalendarEvent[] {
  if (cal.working_hours.length === 0) return [];
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const free: Span[] = [];
  let at = from;
  for (const [s, e] of workingSpans(cal, fromIso, toIso)) {
    if (e <= at || s >= to) continue;
    if (s > at) free.push([at, s]);
    at = Math.max(at, e);
  }
  if (at < to) free.push([at, to]);
  return free.map(([s, e], i) => ({
    id: `offhours${cal.user_id}-${i}`,
    start: floating(zonedWall(new Date(s).toISOString(), zone)),
    end: floating(zonedWall(new Date(e).toISOString(), zone)),
    allDay: false,
    title: '',
    display: 'background',
    resourceIds: [cal.user_id],
    classNames: ['off-hours'],
    editable: false,
    extendedProps: { kind: 'off-hours', agentId: cal.user_id },
  }));
}

/** The UTC window [from, to) of the wall dates the view shows in `zone`. */
export function utcWindow(startWall: Wall, endWall: Wall, zone: string): { from: string; to: string } {
  return { from: zonedToUtc(startWall, zone), to: zonedToUtc(endWall, zone) };
}
