import { describe, expect, it } from 'vitest';
import { fromWeek, toWeek } from './settings';

describe('working hours', () => {
  it('send a span ending at 00:00 as one to midnight, and show midnight as 00:00 again', () => {
    const week = toWeek([
      { weekday: 4, start: '16:00', end: '24:00' },
      { weekday: 0, start: '09:00', end: '17:00' },
    ]);
    expect(week[4]).toEqual([{ start: '16:00', end: '00:00' }]);
    expect(fromWeek(week)).toEqual([
      { weekday: 0, start: '09:00', end: '17:00' },
      { weekday: 4, start: '16:00', end: '24:00' },
    ]);
    // 00:00 to 00:00 is no span: left for the backend to refuse, not made a whole day.
    expect(fromWeek([[{ start: '00:00', end: '00:00' }]])).toEqual([{ weekday: 0, start: '00:00', end: '00:00' }]);
  });
});
