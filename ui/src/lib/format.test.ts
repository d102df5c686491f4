import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATE_TIME_OPTIONS, fieldProblem, localClock, localDate, localTime, relativeTime, splitKnownList } from './format';

describe('relativeTime', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  afterEach(() => vi.unstubAllGlobals());

  it('says how long ago in the words of the sentences around it, whatever the computer\u2019s language', () => {
    vi.stubGlobal('navigator', { ...navigator, language: 'de-DE', languages: ['de-DE'] });
    expect(relativeTime(ago(10), now)).toBe('just now');
    expect(relativeTime(ago(3 * 86400), now)).toBe('3 days ago');
    expect(relativeTime(ago(86400), now)).toBe('yesterday');
  });

  it('counts in years from about eleven months: 350 days is last year, not twelve months', () => {
    expect(relativeTime(ago(350 * 86400), now)).toBe('last year');
    expect(relativeTime(ago(300 * 86400), now)).toBe('10 months ago');
    expect(relativeTime(ago(800 * 86400), now)).toBe('2 years ago');
  });

  it("writes a table's column short: at most eleven characters, and no clipped \"last wk.\"", () => {
    const short = (seconds: number) => relativeTime(ago(seconds), now, 'short');
    expect(short(10)).toBe('just now');
    expect(short(59 * 60)).toBe('59 min. ago');
    expect(short(23 * 3600)).toBe('23 hr. ago');
    expect(short(86400)).toBe('yesterday');
    expect(short(6 * 86400)).toBe('6 days ago');
    expect(short(8 * 86400)).toBe('1 wk. ago');
    expect(short(31 * 86400)).toBe('1 mo. ago');
    expect(short(300 * 86400)).toBe('10 mo. ago');
    expect(short(350 * 86400)).toBe('1 yr. ago');
    expect(relativeTime(new Date(now.getTime() + 5 * 60_000).toISOString(), now, 'short')).toBe('in 5 min.');
    // Every short form, minute by minute over two years, fits the column's eleven characters.
    for (let s = 45; s < 2 * 365 * 86400; s += s < 86400 ? 60 : 3600) {
      expect(short(s).length, short(s)).toBeLessThanOrEqual(11);
    }
  });
});

/** The text with every space as a plain one: ICU writes a narrow no-break space before "PM". */
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('dates and times, written one way', () => {
  const at = '2026-12-03T18:58:00Z';

  afterEach(() => vi.unstubAllGlobals());

  it('writes a moment as date and time, a day as a date, and a time of day, in the user\u2019s locale', () => {
    vi.stubGlobal('navigator', { ...navigator, language: 'en-US', languages: ['en-US'] });
    expect(plain(localTime(at, 'UTC'))).toBe('Dec 3, 2026, 6:58 PM');
    expect(localDate(at, 'UTC')).toBe('Dec 3, 2026');
    expect(plain(localClock(at, 'UTC'))).toBe('6:58 PM');
    // In another zone, its own day and hour.
    expect(plain(localTime(at, 'Asia/Tokyo'))).toBe('Dec 4, 2026, 3:58 AM');
    expect(localDate(at, 'Asia/Tokyo')).toBe('Dec 4, 2026');
    // Without a zone, the computer's: as the browser writes it with the same options.
    expect(localTime(at)).toBe(new Date(at).toLocaleString('en-US', DATE_TIME_OPTIONS));

    vi.stubGlobal('navigator', { ...navigator, language: 'de-DE', languages: ['de-DE'] });
    expect(localTime(at, 'UTC')).toBe('03.12.2026, 18:58');
    expect(localDate(at, 'UTC')).toBe('03.12.2026');
    expect(localClock(at, 'UTC')).toBe('18:58');
  });

  it('writes a calendar day as the day it names, wherever the reader is', () => {
    vi.stubGlobal('navigator', { ...navigator, language: 'en-US', languages: ['en-US'] });
    // Read as UTC midnight, it would be the 24th west of Greenwich.
    expect(localDate('2026-12-25')).toBe('Dec 25, 2026');
    expect(localDate('2026-01-01')).toBe('Jan 1, 2026');
    // A zone does not move a day: it has no time to move.
    expect(localDate('2026-12-25', 'Pacific/Honolulu')).toBe('Dec 25, 2026');
  });

  it('leaves what is not a date as it is, and a zone it does not know for the computer\u2019s', () => {
    expect(localTime('soon')).toBe('soon');
    expect(localDate('2026-02-30')).toBe('2026-02-30');
    expect(localClock('')).toBe('');
    expect(localTime(at, 'Mars/Olympus')).toBe(localTime(at));
  });

  it('is the only place dates and times are written: no screen formats one its own way', () => {
    const sources = import.meta.glob(['./**/*.ts', './**/*.svelte', '!./**/*.test.ts', '!./format.ts'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>;
    const own: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      text.split('\n').forEach((line) => {
        if (/\.toLocale(Date|Time)?String\(|Intl\.DateTimeFormat\(/.test(line)) own.push(`${file}: ${line.trim()}`);
      });
    }
    // What is left computes with dates (a zone's wall clock, whether two moments share a day, a zone's name),
    // and writes none for the user to read.
    expect(own.sort()).toEqual([
      "./calendar/labels.ts: new Date(start).toLocaleDateString('en-CA', { timeZone: zone }) ===",
      "./calendar/labels.ts: new Date(end).toLocaleDateString('en-CA', { timeZone: zone });",
      "./calendar/labels.ts: const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' })",
      "./calendar/zone.ts: f = new Intl.DateTimeFormat('en-US', {",
      "./calendar/zone.ts: return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';",
    ].sort());
  });
});

describe('splitKnownList', () => {
  it('keeps a known name with a comma whole, whatever its spacing and case, and splits the rest at commas', () => {
    const known = ['Trade Fair, Berlin', 'Spring'];
    expect(splitKnownList('Trade Fair, Berlin', known)).toEqual(['Trade Fair, Berlin']);
    expect(splitKnownList('spring, trade fair ,berlin,  , Webinar', known)).toEqual(['spring', 'Trade Fair, Berlin', 'Webinar']);
    expect(splitKnownList('Trade Fair, Munich', known)).toEqual(['Trade Fair', 'Munich']);
    expect(splitKnownList('', known)).toEqual([]);
  });
});

describe('fullSentence', () => {
  it('capitalises a backend message and ends it with one full stop', async () => {
    const { fullSentence } = await import('./format');
    expect(fullSentence('the keychain no longer holds this token')).toBe('The keychain no longer holds this token.');
    expect(fullSentence('already said.')).toBe('Already said.');
    expect(fullSentence(' asked? ')).toBe('Asked?');
  });
});

describe('fieldProblem', () => {
  it('names the field a user can fill, and lets an activity a stage asks for speak for itself', () => {
    expect(fieldProblem({ field: 'emails.0', message: 'is not a valid email address' })).toBe('Email 1: is not a valid email address');
    const activity = 'a “Proposal sent” activity is needed to enter In discussion';
    expect(fieldProblem({ field: 'activity.proposal', message: activity })).toBe(activity);
  });
});
