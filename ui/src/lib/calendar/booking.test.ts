import { describe, expect, it } from 'vitest';
import { appointment } from '../../test/calendarFixtures';
import { draftOf } from './booking';

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
    const now = new Date('2026-11-01T12:00:00Z');
    expect(formatSpan('2026-12-03', '2026-12-06', 'America/New_York', true, now)).toBe(
      'Thu, Dec 3 – Sat, Dec 5 (all day)',
    );
    expect(formatSpan('2026-12-03', '2026-12-04', 'Europe/Berlin', true, now)).toBe('Thu, Dec 3 (all day)');
  });
});
