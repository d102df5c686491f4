import { describe, expect, it } from 'vitest';
import { agentCalendar, occurrence } from '../../test/calendarFixtures';
import { appointmentEvent, isMovable, offHoursEvents, timeOffEvents, workingSpans } from './events';

const BERLIN = 'Europe/Berlin';

describe('appointmentEvent', () => {
  it('draws an occurrence at its wall time in the display zone, with its id and agent', () => {
    const ev = appointmentEvent(occurrence(), BERLIN, true);
    expect(ev.start).toBe('2026-12-03T10:00:00');
    expect(ev.end).toBe('2026-12-03T11:00:00');
    expect(ev.title).toBe('Demo with Acme');
    expect(ev.resourceIds).toEqual([1]);
    expect(ev.editable).toBe(true);
    expect(ev.classNames).toEqual(['appt', 'appt-confirmed']);
    const ny = appointmentEvent(occurrence(), 'America/New_York', true);
    expect(ny.start).toBe('2026-12-03T04:00:00');
  });

  it("says the agent's own private event is private, as colleagues see only Busy there", () => {
    const own = appointmentEvent(occurrence({ private: true, summary: 'Dentist' }), BERLIN, true);
    expect(own.title).toBe('Dentist (private)');
    expect(own.classNames).toContain('appt-private');
    expect(appointmentEvent(occurrence({ summary: 'Dentist' }), BERLIN, true).title).toBe('Dentist');
  });

  it('shows a hidden appointment as Busy, and marks cancelled, clashing and repeating ones', () => {
    const hidden = appointmentEvent(occurrence({ hidden: true, summary: 'Busy' }), BERLIN, true);
    expect(hidden.title).toBe('Busy');
    expect(hidden.classNames).toContain('appt-hidden');
    expect(hidden.editable).toBe(false);
    expect(appointmentEvent(occurrence({ status: 'cancelled' }), BERLIN, true).classNames).toContain('appt-cancelled');
    expect(appointmentEvent(occurrence({ clash: 'Call with Bob' }), BERLIN, true).classNames).toContain('appt-clash');
    const rep = appointmentEvent(occurrence({ repeats: true }), BERLIN, true);
    expect(rep.classNames).toContain('appt-repeats');
    expect(rep.editable).toBe(false);
  });

  it('keeps all-day occurrences as dates, and nothing is movable for those who may not write', () => {
    const ev = appointmentEvent(occurrence({ all_day: true, start: '2026-12-03', end: '2026-12-04' }), BERLIN, true);
    expect([ev.start, ev.end, ev.allDay, ev.editable]).toEqual(['2026-12-03', '2026-12-04', true, false]);
    expect(appointmentEvent(occurrence(), BERLIN, false).editable).toBe(false);
    expect(isMovable(occurrence())).toBe(true);
    // A colleague's own event: theirs to move.
    expect(isMovable(occurrence({ may_change: false }))).toBe(false);
  });
});

describe('free and busy shading', () => {
  it('shades time off in the display zone', () => {
    const cal = agentCalendar({
      time_off: [{ id: 5, start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', note: 'Holidays' }],
    });
    const [off] = timeOffEvents(cal, BERLIN);
    expect(off).toMatchObject({
      start: '2026-12-24T01:00:00',
      end: '2026-12-27T01:00:00',
      display: 'background',
      title: 'Time off: Holidays',
      classNames: ['time-off'],
      resourceIds: [1],
    });
  });

  it('shades the hours outside working hours, in the agent zone even when shown in another', () => {
    // Monday 2026-11-30, shown in Berlin: Ada (Berlin) works 09–17, Dana (New York) 09–17 = 15–23 Berlin.
    const from = '2026-11-29T23:00:00Z'; // Monday 00:00 Berlin
    const to = '2026-11-30T23:00:00Z'; // Tuesday 00:00 Berlin
    const ada = offHoursEvents(agentCalendar(), BERLIN, from, to);
    expect(ada.map((e) => [e.start, e.end])).toEqual([
      ['2026-11-30T00:00:00', '2026-11-30T09:00:00'],
      ['2026-11-30T17:00:00', '2026-12-01T00:00:00'],
    ]);
    const dana = offHoursEvents(agentCalendar({ user_id: 2, time_zone: 'America/New_York' }), BERLIN, from, to);
    expect(dana.map((e) => [e.start, e.end])).toEqual([
      ['2026-11-30T00:00:00', '2026-11-30T15:00:00'],
      ['2026-11-30T23:00:00', '2026-12-01T00:00:00'],
    ]);
    expect(dana.every((e) => e.display === 'background' && e.resourceIds[0] === 2)).toBe(true);
  });

  it('keeps working hours on the wall clock across the DST change, and shades a weekend whole', () => {
    // Sat 28 Mar to Tue 31 Mar 2026 in Berlin; the clocks change on Sunday the 29th.
    const spans = workingSpans(agentCalendar(), '2026-03-27T23:00:00Z', '2026-03-30T22:00:00Z').map(([s, e]) => [
      new Date(s).toISOString(),
      new Date(e).toISOString(),
    ]);
    // Friday 27th (CET) and Monday 30th (CEST) 09:00 Berlin.
    expect(spans).toContainEqual(['2026-03-27T08:00:00.000Z', '2026-03-27T16:00:00.000Z']);
    expect(spans).toContainEqual(['2026-03-30T07:00:00.000Z', '2026-03-30T15:00:00.000Z']);
    const weekend = offHoursEvents(agentCalendar(), BERLIN, '2026-03-27T23:00:00Z', '2026-03-29T22:00:00Z');
    expect(weekend.map((e) => [e.start, e.end])).toEqual([['2026-03-28T00:00:00', '2026-03-30T00:00:00']]);
  });

  it('shades nothing for an agent without working hours, and joins spans that run past midnight', () => {
    expect(
      offHoursEvents(agentCalendar({ working_hours: [] }), BERLIN, '2026-11-29T23:00:00Z', '2026-11-30T23:00:00Z'),
    ).toEqual([]);
    const night = agentCalendar({ working_hours: [{ weekday: 0, start: '22:00', end: '02:00' }] });
    const off = offHoursEvents(night, BERLIN, '2026-11-29T23:00:00Z', '2026-12-01T23:00:00Z');
    expect(off.map((e) => [e.start, e.end])).toEqual([
      ['2026-11-30T00:00:00', '2026-11-30T22:00:00'],
      ['2026-12-01T02:00:00', '2026-12-02T00:00:00'],
    ]);
  });
});
