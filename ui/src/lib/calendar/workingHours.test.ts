import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentCalendar, agentCalendars, OFFICE_HOURS } from '../../test/calendarFixtures';
import { hoursFit, outsideHoursNotice, shortNoticeNotice, timeOffNotice, workingHoursText } from './workingHours';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** The text with every space as a plain one: ICU writes a narrow no-break space before "PM". */
const plain = (s: string | null) => s?.replace(/\s/g, ' ') ?? null;

// Ada works Mon–Fri 9:00–17:00 in Berlin (UTC+1 in December), Dana the same hours in New York (UTC−5).
const [ada, dana] = agentCalendars();

beforeEach(() => vi.stubGlobal('navigator', { ...navigator, language: 'en-US', languages: ['en-US'] }));
afterEach(() => vi.unstubAllGlobals());

describe('hoursFit', () => {
  it('is within only when the whole meeting lies inside the hours, their ends included', () => {
    // Thu 3 Dec 2026.
    expect(hoursFit(ada, '2026-12-03T09:00:00Z', '2026-12-03T10:00:00Z')).toBe('within'); // 10–11 Berlin
    expect(hoursFit(ada, '2026-12-03T08:00:00Z', '2026-12-03T08:30:00Z')).toBe('within'); // from 9:00
    expect(hoursFit(ada, '2026-12-03T15:00:00Z', '2026-12-03T16:00:00Z')).toBe('within'); // until 17:00
    expect(hoursFit(ada, '2026-12-03T21:00:00Z', '2026-12-03T22:00:00Z')).toBe('outside'); // 22–23
    expect(hoursFit(ada, '2026-12-03T07:30:00Z', '2026-12-03T08:30:00Z')).toBe('outside'); // 8:30, partly before
    expect(hoursFit(ada, '2026-12-03T15:30:00Z', '2026-12-03T16:30:00Z')).toBe('outside'); // until 17:30, partly after
  });

  it("compares in the agent's own zone: the same instant is inside for one agent and outside for another", () => {
    // 21:00–22:00 in Berlin is 15:00–16:00 in New York.
    expect(hoursFit(ada, '2026-12-03T20:00:00Z', '2026-12-03T21:00:00Z')).toBe('outside');
    expect(hoursFit(dana, '2026-12-03T20:00:00Z', '2026-12-03T21:00:00Z')).toBe('within');
    // 10:00 in Berlin is 4:00 in New York.
    expect(hoursFit(ada, '2026-12-03T09:00:00Z', '2026-12-03T10:00:00Z')).toBe('within');
    expect(hoursFit(dana, '2026-12-03T09:00:00Z', '2026-12-03T10:00:00Z')).toBe('outside');
  });

  it('follows daylight saving time: 9:00 in Berlin is 08:00Z before 29 March 2026 and 07:00Z after', () => {
    expect(hoursFit(ada, '2026-03-27T07:00:00Z', '2026-03-27T08:00:00Z')).toBe('outside'); // Fri, 8:00 CET
    expect(hoursFit(ada, '2026-03-27T08:00:00Z', '2026-03-27T09:00:00Z')).toBe('within');
    expect(hoursFit(ada, '2026-03-30T07:00:00Z', '2026-03-30T08:00:00Z')).toBe('within'); // Mon, 9:00 CEST
  });

  it('tells a day the agent does not work from hours they do not work', () => {
    // Sat 5 Dec, 11:00 Berlin.
    expect(hoursFit(ada, '2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z')).toBe('day-off');
    // Fri 4 Dec 23:30 Berlin (already Saturday further east): a working day for Ada, outside its hours.
    expect(hoursFit(ada, '2026-12-04T22:30:00Z', '2026-12-04T23:00:00Z')).toBe('outside');
  });

  it('counts hours running past midnight, and hours split by a break', () => {
    const night = agentCalendar({ working_hours: [{ weekday: 4, start: '22:00', end: '02:00' }] });
    // Fri 23:00 – Sat 01:30 Berlin: inside the Friday night shift, though Saturday has no hours of its own.
    expect(hoursFit(night, '2026-12-04T22:00:00Z', '2026-12-05T00:30:00Z')).toBe('within');
    expect(hoursFit(night, '2026-12-05T02:00:00Z', '2026-12-05T03:00:00Z')).toBe('day-off'); // Sat 3:00
    const lunch = agentCalendar({
      working_hours: [
        { weekday: 0, start: '09:00', end: '12:00' },
        { weekday: 0, start: '13:00', end: '17:00' },
        { weekday: 1, start: '09:00', end: '12:00' },
        { weekday: 1, start: '12:00', end: '17:00' },
      ],
    });
    // Mon 30 Nov 11:30–13:30 spans the lunch break; Tue 1 Dec 11:00–13:00 spans two hours that meet.
    expect(hoursFit(lunch, '2026-11-30T10:30:00Z', '2026-11-30T12:30:00Z')).toBe('outside');
    expect(hoursFit(lunch, '2026-12-01T10:00:00Z', '2026-12-01T12:00:00Z')).toBe('within');
  });

  it('knows nothing about an agent without working hours, or about a time that is not one', () => {
    const unset = agentCalendar({ working_hours: [] });
    expect(hoursFit(unset, '2026-12-05T21:00:00Z', '2026-12-05T22:00:00Z')).toBe('unknown');
    expect(hoursFit(ada, '', '')).toBe('unknown');
  });
});

describe('workingHoursText', () => {
  it('writes a working week as a range of days with its hours in the locale’s time of day', () => {
    expect(plain(workingHoursText(OFFICE_HOURS))).toBe('Mon–Fri 9:00 AM – 5:00 PM');
  });

  it('groups the days with the same hours, in the order of the week', () => {
    const hours = [
      ...[0, 1, 2, 3].flatMap((weekday) => [
        { weekday, start: '13:00', end: '17:00' },
        { weekday, start: '09:00', end: '12:00' },
      ]),
      { weekday: 4, start: '09:00', end: '13:00' },
      { weekday: 5, start: '10:00', end: '24:00' },
    ];
    expect(plain(workingHoursText(hours))).toBe(
      'Mon–Thu 9:00 AM – 12:00 PM, 1:00 PM – 5:00 PM; Fri 9:00 AM – 1:00 PM; Sat 10:00 AM – 12:00 AM',
    );
    const scattered = [0, 2, 4, 5, 6].map((weekday) => ({ weekday, start: '08:30', end: '16:30' }));
    expect(plain(workingHoursText(scattered))).toBe('Mon, Wed, Fri–Sun 8:30 AM – 4:30 PM');
    const weekend = [5, 6].map((weekday) => ({ weekday, start: '10:00', end: '14:00' }));
    expect(plain(workingHoursText(weekend))).toBe('Sat, Sun 10:00 AM – 2:00 PM');
    expect(workingHoursText([])).toBe('');
  });

  it('writes the times as the user’s locale does', () => {
    vi.stubGlobal('navigator', { ...navigator, language: 'de-DE', languages: ['de-DE'] });
    expect(plain(workingHoursText(OFFICE_HOURS))).toBe('Mon–Fri 09:00 – 17:00');
  });
});

describe('time off', () => {
  const away = agentCalendar({
    ...dana,
    time_off: [{ id: 5, start: '2026-12-24T05:00:00Z', end: '2026-12-27T05:00:00Z', note: 'Holidays' }],
  });

  it('is said first, with its span and note, for a meeting that overlaps it even partly, inside working hours too', () => {
    // Thu 24 Dec, 10:00–11:00 New York: within Dana's hours, but she is away.
    const notice = plain(outsideHoursNotice(away, '2026-12-24T15:00:00Z', '2026-12-24T16:00:00Z', 'America/New_York'));
    expect(notice).toBe('Dana Editor is off Dec 24, 2026, 12:00 AM – Dec 27, 2026, 12:00 AM (Holidays): pick another time or agent.');
    expect(timeOffNotice(away, '2026-12-23T20:00:00Z', '2026-12-24T06:00:00Z', 'America/New_York')).not.toBeNull();
  });

  it('says nothing of time off a meeting only touches, or of time off without a note beyond that it is off', () => {
    expect(timeOffNotice(away, '2026-12-27T05:00:00Z', '2026-12-27T06:00:00Z', 'America/New_York')).toBeNull();
    expect(timeOffNotice(away, '2026-12-24T04:00:00Z', '2026-12-24T05:00:00Z', 'America/New_York')).toBeNull();
    const unnoted = agentCalendar({ ...dana, time_off: [{ id: 6, start: '2026-12-24T05:00:00Z', end: '2026-12-24T22:00:00Z', note: ' ' }] });
    expect(plain(timeOffNotice(unnoted, '2026-12-24T15:00:00Z', '2026-12-24T16:00:00Z', 'America/New_York'))).toBe(
      'Dana Editor is off Dec 24, 2026, 12:00 AM – 5:00 PM: pick another time or agent.',
    );
  });
});

describe('outsideHoursNotice', () => {
  it("names the agent, their hours and zone, and the time as they live it when the zone is not theirs", () => {
    // Booked at 10:00 Berlin with Dana in New York: 4:00 AM for her.
    expect(plain(outsideHoursNotice(dana, '2026-12-03T09:00:00Z', '2026-12-03T10:00:00Z', BERLIN))).toBe(
      "Outside Dana Editor's working hours (Mon–Fri 9:00 AM – 5:00 PM, America/New_York). " +
        'That is Dec 3, 2026, 4:00 AM – 5:00 AM for them.',
    );
    expect(plain(outsideHoursNotice(ada, '2026-12-03T21:00:00Z', '2026-12-03T22:00:00Z', BERLIN))).toBe(
      "Outside Ada Admin's working hours (Mon–Fri 9:00 AM – 5:00 PM, Europe/Berlin).",
    );
  });

  it('says which day the agent does not work', () => {
    expect(plain(outsideHoursNotice(ada, '2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z', BERLIN))).toBe(
      "Outside Ada Admin's working hours (Mon–Fri 9:00 AM – 5:00 PM, Europe/Berlin). They do not work on Saturdays.",
    );
    // Sat 5 Dec 1:00 in Berlin is still Friday evening in New York: for Dana it is hours, not a day off.
    expect(plain(outsideHoursNotice(dana, '2026-12-05T00:00:00Z', '2026-12-05T01:00:00Z', NEW_YORK))).toBe(
      "Outside Dana Editor's working hours (Mon–Fri 9:00 AM – 5:00 PM, America/New_York).",
    );
  });

  it('says nothing within the hours, nor for an agent whose hours are not set', () => {
    expect(outsideHoursNotice(ada, '2026-12-03T09:00:00Z', '2026-12-03T10:00:00Z', NEW_YORK)).toBeNull();
    expect(
      outsideHoursNotice(agentCalendar({ working_hours: [] }), '2026-12-05T21:00:00Z', '2026-12-05T22:00:00Z', BERLIN),
    ).toBeNull();
  });
});

describe('short notice', () => {
  const now = new Date('2026-12-03T09:00:00Z');
  it('says when a meeting starts sooner than the agent asks to be booked ahead, and nothing of one held already', () => {
    const cal = agentCalendar({ display_name: 'Dana', min_notice_minutes: 1440 });
    expect(shortNoticeNotice(cal, '2026-12-03T09:30:00Z', now)).toBe('Sooner than Dana asks to be booked (24 h ahead).');
    expect(shortNoticeNotice(cal, '2026-12-04T09:30:00Z', now)).toBeNull();
    expect(shortNoticeNotice(cal, '2026-12-03T08:30:00Z', now)).toBeNull();
    expect(shortNoticeNotice(agentCalendar({ min_notice_minutes: 0 }), '2026-12-03T09:01:00Z', now)).toBeNull();
  });
});
