// Whether a meeting falls inside its agent's working hours, and those hours as people read them. Booking outside
// them stays possible (an evening call can be meant): this only says so.
import { localClock } from '../format';
import { durationText } from '../pipeline/activities';
import type { AgentCalendar, WorkingHours } from '../types';
import { workingSpans } from './events';
import { formatSpan } from './labels';
import { WEEKDAYS } from './settings';
import { isValidZone, wallDate, weekdayOf, zonedWall } from './zone';

/**
 * Where [start, end) falls for the agent: all `within` their working hours; `outside` them (even partly); on a
 * `day-off` (a weekday they have no hours on, and no hours reaching into); or `unknown` (no working hours set,
 * which says nothing about when they work, or no usable times).
 */
export type HoursFit = 'within' | 'outside' | 'day-off' | 'unknown';

/** Compares in the agent's own zone, DST included (9–17 in Berlin is 9–17 Berlin time, wherever one looks from). */
export function hoursFit(cal: AgentCalendar, start: string, end: string): HoursFit {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (cal.working_hours.length === 0 || !isValidZone(cal.time_zone) || Number.isNaN(s) || Number.isNaN(e)) {
    return 'unknown';
  }
  // A span without length is a moment: inside when some working span holds it.
  const until = Math.max(e, s + 1);
  const spans = workingSpans(cal, start, new Date(until).toISOString());
  // Adjacent working spans are merged: one of them holds the whole meeting or it is not within.
  if (spans.some(([a, b]) => a <= s && until <= b)) return 'within';
  const touches = spans.some(([a, b]) => a < until && b > s);
  const weekday = weekdayOf(wallDate(zonedWall(start, cal.time_zone)));
  return !touches && !cal.working_hours.some((h) => h.weekday === weekday) ? 'day-off' : 'outside';
}

const SHORT_DAYS = WEEKDAYS.map((d) => d.slice(0, 3));

/** "09:00" as the user's locale writes a time of day ("9:00 AM"); "24:00", the end of the day, as midnight. */
function clock(hhmm: string): string {
  const t = hhmm === '24:00' ? '00:00' : hhmm;
  if (!/^\d{2}:\d{2}$/.test(t)) return hhmm;
  return localClock(`2000-01-03T${t}:00Z`, 'UTC');
}

/** "Mon–Fri", "Sat, Sun", "Mon, Wed, Fri": weekdays (0 = Monday), runs of three or more as a range. */
function dayList(days: number[]): string {
  const runs: number[][] = [];
  for (const d of [...days].sort((a, b) => a - b)) {
    const run = runs[runs.length - 1];
    if (run && d === run[run.length - 1] + 1) run.push(d);
    else runs.push([d]);
  }
  return runs
    .flatMap((r) =>
      r.length >= 3 ? [`${SHORT_DAYS[r[0]]}–${SHORT_DAYS[r[r.length - 1]]}`] : r.map((d) => SHORT_DAYS[d]),
    )
    .join(', ');
}

/**
 * The week's working hours in a line, days with the same hours together: "Mon–Fri 9:00 AM – 5:00 PM",
 * "Mon–Thu 9:00 AM – 12:00 PM, 1:00 PM – 5:00 PM; Fri 9:00 AM – 1:00 PM". Empty when none are set.
 */
export function workingHoursText(hours: WorkingHours[]): string {
  const byDay = SHORT_DAYS.map((_, day) =>
    hours
      .filter((h) => h.weekday === day)
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((h) => `${clock(h.start)} – ${clock(h.end)}`)
      .join(', '),
  );
  // Groups in the order of their first day.
  const groups = new Map<string, number[]>();
  byDay.forEach((text, day) => {
    if (text) groups.set(text, [...(groups.get(text) ?? []), day]);
  });
  return [...groups].map(([text, days]) => `${dayList(days)} ${text}`).join('; ');
}

/**
 * When [start, end) overlaps the agent's time off, what to say before the booking is sent, which the core refuses
 * then: "Dana Editor is off Dec 24, 2026, 1:00 AM – Dec 27, 2026, 1:00 AM (Holidays): pick another time or
 * agent." Else null.
 */
export function timeOffNotice(cal: AgentCalendar, start: string, end: string, zone: string): string | null {
  const s = Date.parse(start);
  const e = Math.max(Date.parse(end), s + 1);
  if (Number.isNaN(s) || Number.isNaN(e)) return null;
  const off = cal.time_off.find((t) => Date.parse(t.start) < e && Date.parse(t.end) > s);
  if (!off) return null;
  const why = off.note.trim() ? ` (${off.note.trim()})` : '';
  return `${cal.display_name} is off ${formatSpan(off.start, off.end, zone)}${why}: pick another time or agent.`;
}

/**
 * What to tell whoever books [start, end) with the agent when it is not within their working hours, else null:
 * "Outside Dana Editor's working hours (Mon–Fri 9:00 AM – 5:00 PM, America/New_York)." — then, on a day they do
 * not work, "They do not work on Saturdays.", and, when `zone` (the one the time was chosen in) is not theirs,
 * the time as they live it: "That is Dec 3, 2026, 4:00 AM – 5:00 AM for them." Time off they take then is
 * said first, and alone ([`timeOffNotice`]).
 */
export function outsideHoursNotice(cal: AgentCalendar, start: string, end: string, zone: string): string | null {
  const off = timeOffNotice(cal, start, end, zone);
  if (off) return off;
  const fit = hoursFit(cal, start, end);
  if (fit === 'within' || fit === 'unknown') return null;
  const lines = [
    `Outside ${cal.display_name}'s working hours (${workingHoursText(cal.working_hours)}, ${cal.time_zone}).`,
  ];
  if (fit === 'day-off') {
    lines.push(`They do not work on ${WEEKDAYS[weekdayOf(wallDate(zonedWall(start, cal.time_zone)))]}s.`);
  }
  if (zone !== cal.time_zone) lines.push(`That is ${formatSpan(start, end, cal.time_zone)} for them.`);
  return lines.join(' ');
}

/**
 * Said when a meeting starts sooner than the agent asks to be booked ahead (`min_notice_minutes`): a call now can
 * be meant, so it is said, not refused (Find a slot never offers such a time). A time past is a meeting recorded
 * after it was held, and needs no word.
 */
export function shortNoticeNotice(cal: AgentCalendar, start: string, now: Date = new Date()): string | null {
  const ahead = (Date.parse(start) - now.getTime()) / 60_000;
  if (Number.isNaN(ahead) || ahead < 0) return null;
  if (cal.min_notice_minutes > 0 && ahead < cal.min_notice_minutes) {
    return `Sooner than ${cal.display_name} asks to be booked (${durationText(cal.min_notice_minutes)} ahead).`;
  }
  return null;
}
