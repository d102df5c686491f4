// The agent settings form's model: working hours by weekday, lists typed as text.
import type { WorkingHours } from '../types';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface Span {
  start: string;
  end: string;
}

/** One row per weekday (0 = Monday), each with its spans; a day off has none. */
export type WeekHours = Span[][];

export const DEFAULT_SPAN: Span = { start: '09:00', end: '17:00' };

export function toWeek(hours: WorkingHours[]): WeekHours {
  const week: WeekHours = WEEKDAYS.map(() => []);
  // A time input cannot show "24:00": midnight at the end of the day shows as 00:00.
  for (const h of hours) {
    if (h.weekday >= 0 && h.weekday < 7) week[h.weekday].push({ start: h.start, end: h.end === '24:00' ? '00:00' : h.end });
  }
  for (const day of week) day.sort((a, b) => a.start.localeCompare(b.start));
  return week;
}

/** A span ending at 00:00 ends at midnight, at the end of its day: "24:00" to the backend. */
export function fromWeek(week: WeekHours): WorkingHours[] {
  return week.flatMap((spans, weekday) =>
    spans.map((s) => ({ weekday, start: s.start, end: s.end === '00:00' && s.start !== '00:00' ? '24:00' : s.end })),
  );
}

/** "1440, 30" → [1440, 30]; anything that is not a whole number of minutes is named in `bad`. */
export function parseMinutesList(text: string): { minutes: number[]; bad: string[] } {
  const minutes: number[] = [];
  const bad: string[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (/^\d+$/.test(part)) minutes.push(Number(part));
    else bad.push(part);
  }
  return { minutes: [...new Set(minutes)].sort((a, b) => b - a), bad };
}
