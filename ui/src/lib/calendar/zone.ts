// Wall times in IANA time zones. The backend speaks UTC; people read and type the wall time of a zone; the
// calendar widget only knows one fixed offset. These helpers convert between the three, DST included.

/** "2026-03-29 03:00:00": a wall time, in no zone by itself. */
export type Wall = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, f);
  }
  return f;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function fieldsAt(ms: number, zone: string): WallFields {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  // Some engines still write midnight as hour 24 in the 23-hour cycle.
  return {
    year: out.year,
    month: out.month,
    day: out.day,
    hour: out.hour % 24,
    minute: out.minute,
    second: out.second,
  };
}

function wallText(f: WallFields): Wall {
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
}

function parseWall(wall: Wall): WallFields {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(wall.trim());
  if (!m) throw new Error(`not a wall time: "${wall}"`);
  return {
    year: +m[1],
    month: +m[2],
    day: +m[3],
    hour: +(m[4] ?? 0),
    minute: +(m[5] ?? 0),
    second: +(m[6] ?? 0),
  };
}

/** The wall fields read as if they were UTC: a number to do arithmetic on. */
function asUtcMs(f: WallFields): number {
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
}

/** How far `zone` is ahead of UTC at instant `ms`, in ms. */
function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return asUtcMs(fieldsAt(whole, zone)) - whole;
}

/** RFC 3339 UTC without milliseconds: "2026-03-29T01:30:00Z". */
export function utcIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The wall time in `zone` of the instant `utcIso` (any RFC 3339 offset): "YYYY-MM-DD HH:MM:SS". */
export function zonedWall(iso: string, zone: string): Wall {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a date and time: "${iso}"`);
  return wallText(fieldsAt(ms, zone));
}

/**
 * The instant at which `zone` shows `wall`, as RFC 3339 UTC. A wall time the clocks skip (spring forward) is
 * taken as that long after the jump, as a clock would read it; one they show twice (fall back) is the first.
 */
export function zonedToUtc(wall: Wall, zone: string): string {
  const fields = parseWall(wall);
  const naive = asUtcMs(fields);
  const day = 86_400_000;
  // The offsets a day either side bracket any transition near this wall time.
  const before = offsetAt(naive - day, zone);
  const after = offsetAt(naive + day, zone);
  const candidates = [naive - before, naive - after].filter((t) => asUtcMs(fieldsAt(t, zone)) === naive);
  if (candidates.length > 0) return utcIso(Math.min(...candidates));
  return utcIso(naive - before);
}

/** Minutes `zone` is ahead of UTC at `iso` (e.g. 60 for Berlin in winter). */
export function offsetMinutes(iso: string, zone: string): number {
  return Math.round(offsetAt(Date.parse(iso), zone) / 60_000);
}

/** "+01:00": the offset of `zone` now, as event-calendar's `timeZone` option takes it. */
export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** The zone the computer is set to. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidZone(zone: string): boolean {
  try {
    partsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Every IANA zone the engine knows, for pickers (UTC first). */
export function allZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

/**
 * The wall time a Date from the calendar widget stands for. The widget hands out Dates whose local fields are
 * the wall time it drew, whatever the computer's zone.
 */
export function wallOfLocalDate(d: Date): Wall {
  return wallText({
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  });
}

/** "2026-03-29" of a wall time. */
export function wallDate(wall: Wall): string {
  return wall.slice(0, 10);
}

/** "10:30" of a wall time. */
export function wallClock(wall: Wall): string {
  return wall.slice(11, 16);
}

/** The wall date `days` after `date` ("YYYY-MM-DD"); calendar days, no zone involved. */
export function addDays(date: string, days: number): string {
  const f = parseWall(date);
  const d = new Date(Date.UTC(f.year, f.month - 1, f.day + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 0 = Monday … 6 = Sunday, of a wall date (as working hours count them). */
export function weekdayOf(date: string): number {
  const f = parseWall(date);
  return (new Date(Date.UTC(f.year, f.month - 1, f.day)).getUTCDay() + 6) % 7;
}

/** `iso` moved by `minutes`, as RFC 3339 UTC. */
export function addMinutes(iso: string, minutes: number): string {
  return utcIso(Date.parse(iso) + minutes * 60_000);
}

/** Today's date in `zone`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return wallDate(zonedWall(now.toISOString(), zone));
}
