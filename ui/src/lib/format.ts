// Human words for the backend's codes, and small formatting helpers shared by the screens.
import { LEAD_FIELDS } from './bindings';
import type { ChangeReason, LeadCount, LeadStatus, MissingField, Role, SourceChannel, Stage } from './types';

export const SOURCE_CHANNELS: { value: SourceChannel; label: string }[] = [
  { value: 'direct_entry', label: 'Direct entry' },
  { value: 'web_form', label: 'Web form' },
  { value: 'bulk_import', label: 'Bulk import' },
  { value: 'partner', label: 'Partner' },
];

export function sourceLabel(s: SourceChannel | null | undefined): string {
  return SOURCE_CHANNELS.find((c) => c.value === s)?.label ?? '';
}

export const STATUS_LABELS: Record<LeadStatus, string> = { draft: 'Draft', active: 'Active' };

export const ROLES: { value: Role; label: string }[] = [
  { value: 'viewer', label: 'Viewer' },
  { value: 'editor', label: 'Editor' },
  { value: 'administrator', label: 'Administrator' },
];

export function roleLabel(r: Role): string {
  return ROLES.find((x) => x.value === r)?.label ?? r;
}

export const MISSING_LABELS: Record<MissingField, string> = {
  name: 'a first or last name',
  contact_point: 'a valid email or phone number',
  source: 'a source channel',
  fix_invalid: 'a fix for the values kept as invalid',
};

export function describeMissing(missing: MissingField[]): string {
  return joinList(missing.map((m) => MISSING_LABELS[m]));
}

export const REASON_LABELS: Record<ChangeReason, string> = {
  manual_edit: 'Manual edit',
  import: 'Import',
  capture: 'Capture',
  merge: 'Merge',
  automation: 'Automation',
  policy: 'Policy',
  demo_data: 'Demo data',
};

/** Field names as people read them: the lead fields as the core's table labels them, then users and settings. */
export const FIELD_LABELS: Record<string, string> = {
  ...Object.fromEntries(LEAD_FIELDS.map((f) => [f.name, f.label])),
  // History rows written before the owner field was named `owner`.
  owner_id: 'Owner',
  username: 'Username',
  display_name: 'Display name',
  role: 'Role',
  active: 'Active',
  campaigns: 'Campaigns',
  password: 'Password',
  current_password: 'Current password',
  default_region: 'Default phone region',
};

/** "emails.1" → "Email 2", "first_name" → "First name". */
export function fieldLabel(field: string): string {
  const m = /^(emails|phones)\.(\d+)$/.exec(field);
  if (m) return `${m[1] === 'emails' ? 'Email' : 'Phone'} ${Number(m[2]) + 1}`;
  // A value kept as invalid, or its reason: named as the form lists them.
  const kept = /^invalid\.(\d+)(\.reason)?$/.exec(field);
  if (kept) return `Needs fixing ${Number(kept[1]) + 1}${kept[2] ? ' (reason)' : ''}`;
  return FIELD_LABELS[field] ?? field.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * A field's problem as a sentence: "Email 1: … is not a valid email address". An activity a stage asks for
 * ("activity.proposal") is no field the user could fill: its message names it ("a “Proposal sent” activity is
 * needed to enter In discussion") and stands alone.
 */
export function fieldProblem(fe: { field: string; message: string }): string {
  return fe.field.startsWith('activity.') ? fe.message : `${fieldLabel(fe.field)}: ${fe.message}`;
}

export function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function leadName(l: { first_name: string; last_name: string; company?: string }): string {
  const name = `${l.first_name} ${l.last_name}`.trim();
  if (name) return name;
  return l.company?.trim() || '(unnamed lead)';
}

export function stageLabel(stages: Stage[], key: string): string {
  return stages.find((s) => s.key === key)?.label ?? key;
}

/** Numbers, dates and money are written the American way when the WebView's language cannot be used. */
export const FALLBACK_LOCALE = 'en-US';

/**
 * The locale numbers, dates and money are written in: the WebView's language. Not the runtime's default, and
 * the same for all of them (a count beside an amount must not be grouped another way):
 * a WebView started without a locale (LANG unset) reports '', 'C' or 'POSIX', and Intl's default there groups
 * no digits ("$ 48000").
 */
export function defaultLocale(language: string | undefined = globalThis.navigator?.language): string {
  if (!language || /^(c|posix)$/i.test(language)) return FALLBACK_LOCALE;
  try {
    return Intl.NumberFormat.supportedLocalesOf(language).length > 0 ? language : FALLBACK_LOCALE;
  } catch {
    // RangeError: not a BCP 47 tag (e.g. "en_US.UTF-8").
    return FALLBACK_LOCALE;
  }
}

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  // From about eleven months, in years: 350 days is "last year", not "12 months ago".
  ['year', 335 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * "5 minutes ago", "yesterday", "just now"; `short` for a table's column: "5 min. ago", "yesterday", "1 wk. ago"
 * (at most eleven characters, where the long words run to fourteen: "59 minutes ago").
 */
export function relativeTime(iso: string, now: Date = new Date(), style: 'long' | 'short' = 'long'): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const seconds = (t.getTime() - now.getTime()) / 1000;
  if (Math.abs(seconds) < 45) return 'just now';
  // Words inside the app's English sentences ("Created 3 days ago"): in English, as "just now" is, whatever
  // the computer's language (which numbers and dates follow).
  const rtf = (unit: Intl.RelativeTimeFormatUnit) =>
    new Intl.RelativeTimeFormat(FALLBACK_LOCALE, {
      style,
      // Short, "last wk." and "last mo." read as clipped words: "1 wk. ago". "Yesterday" stays.
      numeric: style === 'short' && unit !== 'day' ? 'always' : 'auto',
    });
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size || unit === 'minute') {
      const n = Math.round(seconds / (unit === 'year' ? 365 * 24 * 3600 : size));
      return rtf(unit).format(unit === 'year' && n === 0 ? Math.sign(seconds) : n, unit);
    }
  }
  return rtf('minute').format(Math.round(seconds / 60), 'minute');
}

/*
 * Dates and times are written one way on every screen, through the helpers below, in the user's locale:
 * - a moment: `localTime`, "Dec 3, 2026, 6:58 PM";
 * - a day: `localDate`, "Dec 3, 2026" (a moment's day, or a calendar day such as "2026-12-25");
 * - a time of day: `localClock`, "6:58 PM" (the end of a span on the same day);
 * - how long ago, in lists: `relativeTime`, "3 minutes ago", with `localTime` as the tooltip.
 */

/** The options of the one absolute date-time format: "Dec 3, 2026, 6:58 PM". */
export const DATE_TIME_OPTIONS: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
/** The options of the one date format: "Dec 3, 2026". */
export const DATE_OPTIONS: Intl.DateTimeFormatOptions = { dateStyle: 'medium' };
/** The options of the one time-of-day format: "6:58 PM" (what `DATE_TIME_OPTIONS` writes after the date). */
export const TIME_OPTIONS: Intl.DateTimeFormatOptions = { timeStyle: 'short' };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter in the user's locale (cached: a long list formats a date per row). */
function dateFormatter(options: Intl.DateTimeFormatOptions, timeZone: string | undefined): Intl.DateTimeFormat {
  const locale = defaultLocale();
  const key = `${locale}|${JSON.stringify(options)}|${timeZone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, ...(timeZone ? { timeZone } : {}) });
    formatters.set(key, f);
  }
  return f;
}

function format(iso: string, options: Intl.DateTimeFormatOptions, timeZone?: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  try {
    return dateFormatter(options, timeZone).format(t);
  } catch {
    // RangeError: a time zone the runtime does not know; the computer's own then.
    return dateFormatter(options, undefined).format(t);
  }
}

/** A moment as a date and time, e.g. "Dec 3, 2026, 6:58 PM": in the computer's zone, or in `timeZone`. */
export function localTime(iso: string, timeZone?: string): string {
  return format(iso, DATE_TIME_OPTIONS, timeZone);
}

const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A date, e.g. "Dec 3, 2026": a moment's day (in the computer's zone, or in `timeZone`), or a calendar day
 * ("2026-12-25") as the day it names, wherever the reader is (read as UTC midnight it would be the 24th west of
 * Greenwich).
 */
export function localDate(iso: string, timeZone?: string): string {
  const day = CALENDAR_DAY.exec(iso);
  if (day) {
    const t = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12));
    // Not a day ("2026-02-30" would roll over into March).
    if (t.getUTCDate() !== Number(day[3]) || t.getUTCMonth() !== Number(day[2]) - 1) return iso;
    return dateFormatter(DATE_OPTIONS, 'UTC').format(t);
  }
  return format(iso, DATE_OPTIONS, timeZone);
}

/** A moment's time of day, e.g. "6:58 PM": in the computer's zone, or in `timeZone`. */
export function localClock(iso: string, timeZone?: string): string {
  return format(iso, TIME_OPTIONS, timeZone);
}

/** "a, b, , c" → ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * A comma-separated list of names where a name may hold a comma itself ("Trade Fair, Berlin"): pieces that
 * together make a `known` name (any case, any spacing after the commas) stay one name; the longest wins.
 */
export function splitKnownList(text: string, known: readonly string[]): string[] {
  const norm = (s: string) => s.toLowerCase().split(',').map((p) => p.trim()).join(',');
  const names = new Map(known.filter((k) => k.includes(',')).map((k) => [norm(k), k]));
  const pieces = text.split(',').map((s) => s.trim());
  const out: string[] = [];
  for (let i = 0; i < pieces.length; ) {
    let taken = 1;
    let name = pieces[i];
    for (let j = pieces.length; j > i + 1; j--) {
      const whole = names.get(norm(pieces.slice(i, j).join(',')));
      if (whole !== undefined) {
        taken = j - i;
        name = whole;
        break;
      }
    }
    if (name.length > 0) out.push(name);
    i += taken;
  }
  return out;
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');
export const MOD = isMac ? '⌘' : 'Ctrl';

/** Backend messages are sentence fragments ("wrong username or password"): start them with a capital. */
export function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** A backend message as a whole sentence: capitalised, with its full stop. */
export function fullSentence(message: string): string {
  const s = sentence(message.trim());
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}

/**
 * A backend field message as a sentence under its field: "is required" under Username becomes
 * "Username is required"; others just get a capital.
 */
export function fieldMessage(field: string, message: string): string {
  if (/^(is|are|contains|does|must|cannot|has|was) /.test(message)) return `${fieldLabel(field)} ${message}`;
  return sentence(message);
}

/** A whole number in the user's locale: 1234 → "1,234". */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(defaultLocale()).format(n);
}

/** "1 lead", "1,234 leads", "10,000+ leads" (the backend stops counting at its cap). */
export function leadCountText(c: LeadCount): string {
  const n = formatCount(c.count);
  if (c.more) return `${n}+ leads`;
  return `${n} ${c.count === 1 ? 'lead' : 'leads'}`;
}

/** A file size as people read it: "512 bytes", "1.5 KB", "12 MB" (1 KB = 1,024 bytes). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(defaultLocale(), { maximumFractionDigits: v < 10 ? 1 : 0 }).format(v)} ${units[i]}`;
}

/** "1 row", "3 rows": a count and its noun, in the singular for one. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
