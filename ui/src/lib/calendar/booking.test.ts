import { describe, expect, it } from 'vitest';
import { agentCalendar, appointment } from '../../test/calendarFixtures';
import { draftOf, firstWorkingStart } from './booking';

describe('draftOf', () => {
  it('opens an appointment in the zone it was booked in, not the viewer’s', () => {
    const a = appointment({ start: '2026-12-03T15:00:00Z', end: '2026-12-03T16:00:00Z', time_zone: 'America/New_York' });
    const d = draftOf(a, 'Europe/Berlin');
    expect([d.zone, d.date, d.time, d.durationMinutes]).toEqual(['America/New_York', '2026-12-03', '10:00', 60]);
    // Without a zone of its own (or one that is not known), the viewer's.
    const floating = draftOf({ ...a, time_zone: '' }, 'Europe/Berlin');
    expect([floating.zone, floating.time]).toEqual(['Europe/Berlin', '16:00']);
    expect(draftOf({ ...a, time_zone: 'Mars/Olympus' }, 'Europe/Berlin').zone).toBe('Europe/Berlin');
  });
});

describe('formatSpan', () => {
  it('names every day of an all-day event over several days, and one day alone', async () => {
    const { formatSpan } = await import('./labels');
    expect(formatSpan('2026-12-03', '2026-12-06', 'America/New_York', true)).toBe(
      'Dec 3, 2026 – Dec 5, 2026 (all day)',
    );
    expect(formatSpan('2026-12-03', '2026-12-04', 'Europe/Berlin', true)).toBe('Dec 3, 2026 (all day)');
  });

  it('writes a timed span in the zone as every date and time in the app is written', async () => {
    const { formatSpan, formatWhen } = await import('./labels');
    const { localClock, localTime } = await import('../format');
    // 15:00Z is 10:00 in New York: the end's day is not written again on the same day.
    expect(formatSpan('2026-12-03T15:00:00Z', '2026-12-03T16:30:00Z', 'America/New_York')).toBe(
      `${localTime('2026-12-03T15:00:00Z', 'America/New_York')} – ${localClock('2026-12-03T16:30:00Z', 'America/New_York')}`,
    );
    expect(formatSpan('2026-12-03T15:00:00Z', '2026-12-03T16:30:00Z', 'America/New_York')).toMatch(
      /^Dec 3, 2026, 10:00\sAM – 11:30\sAM$/,
    );
    // Across days, both ends in full.
    expect(formatSpan('2026-12-03T22:00:00Z', '2026-12-04T01:00:00Z', 'UTC')).toMatch(
      /^Dec 3, 2026, 10:00\sPM – Dec 4, 2026, 1:00\sAM$/,
    );
    expect(formatWhen('2026-12-03T15:00:00Z', 'Europe/Berlin')).toMatch(/^Dec 3, 2026, 4:00\sPM$/);
  });
});

describe('firstWorkingStart', () => {
  it('takes the first full hour that fits the agent’s hours and notice, not a Sunday’s', () => {
    const ada = agentCalendar(); // Berlin, office hours on weekdays, an hour's notice
    const sunday = new Date('2026-12-06T07:41:00Z');
    // Sunday 09:00 Berlin, asked at 08:41: Monday is the first working day, at its first hour.
    const first = firstWorkingStart(ada, '2026-12-06T08:00:00Z', 30, 'Europe/Berlin', sunday);
    expect(first).not.toBeNull();
    expect(new Date(first!).getUTCDay()).toBe(1);
    expect(outsideOrNot(first!)).toBe(true);
    // A working hour far enough ahead is itself the first.
    const monday = new Date('2026-12-07T06:00:00Z');
    expect(firstWorkingStart(ada, '2026-12-07T10:00:00Z', 30, 'Europe/Berlin', monday)).toBe('2026-12-07T10:00:00Z');
    // No working hours set: any hour past the notice (08:00 is 19 minutes after 07:41, inside the hour's notice).
    expect(firstWorkingStart({ ...ada, working_hours: [] }, '2026-12-06T08:00:00Z', 30, 'Europe/Berlin', sunday)).toBe(
      '2026-12-06T09:00:00Z',
    );

    function outsideOrNot(start: string): boolean {
      const before = new Date(Date.parse(start) - 3_600_000).toISOString();
      return firstWorkingStart(ada, before, 30, 'Europe/Berlin', sunday) === start;
    }
  });
});
