import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMinutes,
  offsetMinutes,
  offsetText,
  todayIn,
  wallOfLocalDate,
  weekdayOf,
  zonedToUtc,
  zonedWall,
} from './zone';

const BERLIN = 'Europe/Berlin';

describe('zonedWall', () => {
  it('gives the wall time of a UTC instant in the zone', () => {
    expect(zonedWall('2026-12-03T09:00:00Z', BERLIN)).toBe('2026-12-03 10:00:00');
    expect(zonedWall('2026-07-03T09:00:00Z', BERLIN)).toBe('2026-07-03 11:00:00');
    expect(zonedWall('2026-07-03T09:00:00Z', 'America/New_York')).toBe('2026-07-03 05:00:00');
    expect(zonedWall('2026-07-03T09:00:00Z', 'UTC')).toBe('2026-07-03 09:00:00');
    // Any offset in the input is honoured.
    expect(zonedWall('2026-07-03T11:00:00+02:00', 'UTC')).toBe('2026-07-03 09:00:00');
  });

  it('crosses midnight and the date line', () => {
    expect(zonedWall('2026-12-31T23:30:00Z', BERLIN)).toBe('2027-01-01 00:30:00');
    expect(zonedWall('2026-01-01T05:00:00Z', 'Pacific/Honolulu')).toBe('2025-12-31 19:00:00');
  });

  it('jumps from 01:59 to 03:00 when Berlin springs forward on 2026-03-29', () => {
    expect(zonedWall('2026-03-29T00:59:00Z', BERLIN)).toBe('2026-03-29 01:59:00');
    expect(zonedWall('2026-03-29T01:00:00Z', BERLIN)).toBe('2026-03-29 03:00:00');
  });

  it('shows 02:30 twice when Berlin falls back on 2026-10-25', () => {
    expect(zonedWall('2026-10-25T00:30:00Z', BERLIN)).toBe('2026-10-25 02:30:00');
    expect(zonedWall('2026-10-25T01:30:00Z', BERLIN)).toBe('2026-10-25 02:30:00');
    expect(zonedWall('2026-10-25T02:30:00Z', BERLIN)).toBe('2026-10-25 03:30:00');
  });

  it('refuses what is not a date', () => {
    expect(() => zonedWall('soon', BERLIN)).toThrow(/not a date/);
  });
});

describe('zonedToUtc', () => {
  it('is the inverse of zonedWall on ordinary days, either side of both DST changes', () => {
    expect(zonedToUtc('2026-03-28 10:00:00', BERLIN)).toBe('2026-03-28T09:00:00Z');
    expect(zonedToUtc('2026-03-29 10:00:00', BERLIN)).toBe('2026-03-29T08:00:00Z');
    expect(zonedToUtc('2026-10-24 10:00:00', BERLIN)).toBe('2026-10-24T08:00:00Z');
    expect(zonedToUtc('2026-10-25 10:00:00', BERLIN)).toBe('2026-10-25T09:00:00Z');
    expect(zonedToUtc('2026-07-03 05:00', 'America/New_York')).toBe('2026-07-03T09:00:00Z');
    expect(zonedToUtc('2026-07-03', 'UTC')).toBe('2026-07-03T00:00:00Z');
  });

  it('takes the hour the clocks skip on 2026-03-29 as after the jump', () => {
    expect(zonedToUtc('2026-03-29 01:59:00', BERLIN)).toBe('2026-03-29T00:59:00Z');
    expect(zonedToUtc('2026-03-29 02:30:00', BERLIN)).toBe('2026-03-29T01:30:00Z');
    expect(zonedWall(zonedToUtc('2026-03-29 02:30:00', BERLIN), BERLIN)).toBe('2026-03-29 03:30:00');
    expect(zonedToUtc('2026-03-29 03:00:00', BERLIN)).toBe('2026-03-29T01:00:00Z');
  });

  it('takes the hour shown twice on 2026-10-25 as its first time', () => {
    expect(zonedToUtc('2026-10-25 02:30:00', BERLIN)).toBe('2026-10-25T00:30:00Z');
    expect(zonedToUtc('2026-10-25 01:59:00', BERLIN)).toBe('2026-10-24T23:59:00Z');
    expect(zonedToUtc('2026-10-25 03:00:00', BERLIN)).toBe('2026-10-25T02:00:00Z');
  });

  it('round-trips every quarter hour across both Berlin changes', () => {
    for (const start of ['2026-03-28T12:00:00Z', '2026-10-24T12:00:00Z']) {
      for (let q = 0; q < 4 * 36; q++) {
        const iso = addMinutes(start, q * 15);
        const wall = zonedWall(iso, BERLIN);
        // The repeated hour maps back to its first instant; every other wall time maps back exactly.
        const back = zonedToUtc(wall, BERLIN);
        if (back !== iso) expect(Date.parse(iso) - Date.parse(back)).toBe(3_600_000);
        expect(zonedWall(back, BERLIN)).toBe(wall);
      }
    }
  });

  it('refuses what is not a wall time', () => {
    expect(() => zonedToUtc('3 Dec 10:00', BERLIN)).toThrow(/not a wall time/);
  });
});

describe('small helpers', () => {
  it('knows the offset of a zone at an instant', () => {
    expect(offsetMinutes('2026-03-29T00:59:00Z', BERLIN)).toBe(60);
    expect(offsetMinutes('2026-03-29T01:00:00Z', BERLIN)).toBe(120);
    expect(offsetText(120)).toBe('+02:00');
    expect(offsetText(-300)).toBe('-05:00');
    expect(offsetText(330)).toBe('+05:30');
  });

  it('counts calendar days and weekdays from Monday', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-03-30')).toBe(0); // a Monday
    expect(weekdayOf('2026-03-29')).toBe(6); // a Sunday
  });

  it("reads today's date in a zone", () => {
    const now = new Date('2026-12-31T23:30:00Z');
    expect(todayIn(BERLIN, now)).toBe('2027-01-01');
    expect(todayIn('America/New_York', now)).toBe('2026-12-31');
  });

  it('reads the wall time of a calendar Date from its local fields', () => {
    expect(wallOfLocalDate(new Date(2026, 2, 29, 10, 15, 0))).toBe('2026-03-29 10:15:00');
  });
});
