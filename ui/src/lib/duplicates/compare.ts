// What the duplicates screen shows, as plain functions: the side-by-side rows (from the core's field table),
// the steward's choices as the core takes them, and the numbers of a scan in words.
import { LEAD_FIELDS } from '../bindings';
import { defaultLocale, formatCount, plural, sourceLabel, stageLabel } from '../format';
import { readPath, type LeadField } from '../leads/fields';
import type { DuplicatePair, DuplicateScanSummary, FieldChoice, Lead, ScanPhase, ScanProgress, Stage } from '../types';
import type { Pace } from './pace';

export { scanPace, type Pace } from './pace';

export type Side = 'a' | 'b';
/** Which value of a field survives: one lead's, or (long texts) both, joined as the core joins notes. */
export type Pick = Side | 'both';

/** Kinds the core merges as one value (duplicates/merge.rs `merges_as_text`): the steward may pick one. */
const SINGLE_KINDS: ReadonlySet<string> = new Set([
  'text',
  'long_text',
  'amount',
  'currency',
  'date',
  'lost_reason',
  'source',
  'owner',
  'stage',
]);
/** Kinds the core unites: every value of both leads is kept. */
const LIST_KINDS: ReadonlySet<string> = new Set(['email_list', 'phone_list', 'tag_list']);

export interface CompareRow {
  field: string;
  label: string;
  kind: LeadField['kind'];
  /** Each lead's value as shown: one item for a single value, the items of a list; empty when it has none. */
  a: string[];
  b: string[];
  differs: boolean;
  /** A list the merge unites (emails, phones, tags). */
  united: boolean;
  /** The steward picks which value survives (a single value that differs between the leads). */
  choosable: boolean;
  /** "Keep both" is offered: long text the core joins when both leads have some. */
  joinable: boolean;
  /** What is picked before the steward picks: A's value, B's when A has none, both for long texts. */
  initial: Pick | null;
  /** What the steward should know of the row's first pick (B's owner, who cannot own the merged lead). */
  note?: string;
}

interface Shown {
  /** What decides whether the two differ (ids, keys, normalized values). */
  keys: string[];
  items: string[];
}

function single(key: string, shown: string = key): Shown {
  return key.trim() === '' ? { keys: [], items: [] } : { keys: [key.trim()], items: [shown] };
}

function shownValue(l: Lead, f: LeadField, stages: Stage[]): Shown {
  switch (f.kind) {
    case 'text':
    case 'long_text':
    case 'amount':
    case 'currency':
    case 'date':
    case 'lost_reason':
      return single(String(readPath(l, f.path) ?? ''));
    case 'source':
      return single(l.source ?? '', sourceLabel(l.source));
    case 'owner':
      return l.owner ? { keys: [String(l.owner.id)], items: [l.owner.name] } : { keys: [], items: [] };
    case 'stage':
      return single(l.stage, stageLabel(stages, l.stage));
    case 'email_list':
      return { keys: l.emails.map((e) => e.address.toLowerCase()), items: l.emails.map((e) => e.address) };
    case 'phone_list':
      return { keys: l.phones.map((p) => p.e164), items: l.phones.map((p) => p.display || p.original) };
    case 'tag_list':
      return { keys: l.tags.map((t) => t.toLowerCase()), items: l.tags };
    default:
      return { keys: [], items: [] };
  }
}

function sameKeys(x: string[], y: string[]): boolean {
  const sx = new Set(x);
  const sy = new Set(y);
  return sx.size === sy.size && [...sx].every((k) => sy.has(k));
}

/** The fields the comparison lists, in the core's order: those a person edits and a merge carries over. */
export const COMPARED_FIELDS: readonly LeadField[] = LEAD_FIELDS.filter(
  (f) => f.editable && (SINGLE_KINDS.has(f.kind) || LIST_KINDS.has(f.kind)),
);

/**
 * Values that go with another (the core merges them so): a currency comes from the lead its amount comes from,
 * a source detail from the lead its channel comes from, why a deal was lost from the lead its stage comes from,
 * even when that lead left it empty.
 */
export const FOLLOWS: Record<string, string> = { currency: 'deal_value', source_detail: 'source', lost_reason: 'stage' };

/** One row per compared field. Rows where neither lead has a value are left out. */
export function compareRows(pair: DuplicatePair, stages: Stage[] = []): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const f of COMPARED_FIELDS) {
    const a = shownValue(pair.a, f, stages);
    const b = shownValue(pair.b, f, stages);
    if (a.keys.length === 0 && b.keys.length === 0) continue;
    const united = LIST_KINDS.has(f.kind);
    const differs = !sameKeys(a.keys, b.keys);
    const choosable = !united && differs;
    const joinable = choosable && f.kind === 'long_text' && a.keys.length > 0 && b.keys.length > 0;
    rows.push({
      field: f.name,
      label: f.label,
      kind: f.kind,
      a: a.items,
      b: b.items,
      differs,
      united,
      choosable,
      joinable,
      initial: !choosable ? null : joinable ? 'both' : a.keys.length > 0 ? 'a' : 'b',
    });
  }
  // A follower's first pick is its leader's side: the side whose leader value the core keeps when told nothing.
  for (const row of rows) {
    const leader = FOLLOWS[row.field];
    const field = leader ? COMPARED_FIELDS.find((f) => f.name === leader) : undefined;
    if (!row.choosable || !field) continue;
    // Lost in one stage, either's reason is for that loss: the survivor's gap is filled, as any.
    if (row.field === 'lost_reason' && pair.a.stage === pair.b.stage) continue;
    const side = shownValue(pair.a, field, stages).keys.length > 0 ? 'a' : shownValue(pair.b, field, stages).keys.length > 0 ? 'b' : null;
    if (side) row.initial = side;
  }
  // A's gap is filled with B's owner only when that user may own the merged lead: else it keeps none, as the
  // core does. Choosing B's owner then is refused, with why.
  const owner = rows.find((r) => r.field === 'owner');
  if (owner?.choosable && owner.initial === 'b' && !pair.b_owner_may_own && pair.b.owner) {
    owner.initial = 'a';
    // The merged lead's campaign, as the core reads it: A's, or B's when A has none.
    const campaign = pair.a.campaign.trim() || pair.b.campaign.trim();
    owner.note = `${pair.b.owner.name} cannot own it (not active, or not working on ${campaign || 'leads without a campaign'}): it keeps no owner`;
  }
  return rows;
}

/** The picks before the steward changes any: what the core keeps when told nothing. */
export function initialPicks(rows: CompareRow[]): Record<string, Pick> {
  return Object.fromEntries(rows.filter((r) => r.initial !== null).map((r) => [r.field, r.initial as Pick]));
}

/**
 * The choices for `mergeLeads(pair.a.id, [pair.b.id], choices)`: one per field whose value the steward changed
 * from the one shown first, which is the core's own choice. A field left as shown sends none, so the core's
 * rules hold for it (a currency follows the amount it goes with; a deactivated owner is not handed over).
 * "both" is the core's own joining, so it sends none.
 */
export function fieldChoices(pair: DuplicatePair, rows: CompareRow[], picks: Record<string, Pick>): FieldChoice[] {
  const out: FieldChoice[] = [];
  const moved = (field: string) => {
    const r = rows.find((x) => x.field === field && x.choosable);
    return !!r && (picks[field] ?? r.initial) !== r.initial;
  };
  for (const r of rows) {
    if (!r.choosable) continue;
    const pick = picks[r.field] ?? r.initial;
    // A detail left as shown follows its value in the core: once the value comes from the other lead, the detail
    // shown (picked back, or the one that came with it) is said, or the core would take the other's.
    const leader = FOLLOWS[r.field];
    if (pick === r.initial && !(leader && moved(leader))) continue;
    if (pick === 'a') out.push({ field: r.field, lead_id: pair.a.id });
    else if (pick === 'b') out.push({ field: r.field, lead_id: pair.b.id });
  }
  return out;
}

/** Highest score first; pairs without a score last; then the older pair first. */
export function sortPairs(pairs: readonly DuplicatePair[]): DuplicatePair[] {
  return [...pairs].sort((x, y) => (y.score ?? -1) - (x.score ?? -1) || x.id - y.id);
}

/**
 * A probability as a percentage: "97%"; near certainty with a decimal ("99.6%", ">99.9%"), since the tiers
 * start there; never "100%" short of certainty, nor "0%" above nothing.
 */
export function scorePercent(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return '—';
  const p = score * 100;
  if (p >= 100) return '100%';
  if (p > 0 && p < 1) return '<1%';
  if (p >= 99.95) return `>${formatDecimal(99.9)}%`;
  if (p >= 99) return `${formatDecimal(Math.floor(p * 10) / 10)}%`;
  return `${Math.round(p)}%`;
}

export const TIER_LABELS: Record<DuplicatePair['tier'], string> = { same: 'Same', review: 'Review' };
export const TIER_HINTS: Record<DuplicatePair['tier'], string> = {
  same: 'Almost surely one person',
  review: 'Possibly one person: you decide',
};

/** An evidence weight in bits, signed: "+6.2", "−2.6" (a true minus sign), "0.0". */
export function formatWeight(weight: number | null): string {
  if (weight === null || !Number.isFinite(weight)) return '—';
  const text = formatDecimal(Math.abs(weight));
  if (text === formatDecimal(0)) return text;
  return weight > 0 ? `+${text}` : `\u2212${text}`;
}

export function weightTone(weight: number | null): 'for' | 'against' | 'neutral' {
  if (weight === null || !Number.isFinite(weight) || Math.abs(weight) < 0.05) return 'neutral';
  return weight > 0 ? 'for' : 'against';
}

export const PHASE_LABELS: Record<ScanPhase, string> = {
  reading: 'Reading leads…',
  matching: 'Comparing leads…',
  saving: 'Saving the pairs found…',
  enriching: 'Merging the pairs without a conflict…',
};

const PHASE_UNITS: Record<ScanPhase, [string, string]> = {
  reading: ['lead', 'leads'],
  matching: ['lead', 'leads'],
  saving: ['pair', 'pairs'],
  enriching: ['pair', 'pairs'],
};

/** "1,200 of 5,000 leads"; "45%" for a steward limited to some campaigns, who is told no count of the store's. */
export function progressCount(p: ScanProgress): string {
  if (p.thousandths) return `${Math.floor(p.done / 10)}%`;
  const [one, many] = PHASE_UNITS[p.phase];
  return `${formatCount(p.done)} of ${formatCount(p.total)} ${p.total === 1 ? one : many}`;
}

/** "2,400 leads/s · about 3 s left" (the time left in whole seconds, rounded up); the time left alone when the
 * progress is in thousandths. */
export function paceText(p: ScanProgress, pace: Pace): string {
  const left = Math.ceil(pace.eta);
  if (p.thousandths) return left > 0 ? `about ${formatSeconds(left)} left` : '';
  const [, many] = PHASE_UNITS[p.phase];
  const rate = pace.rate >= 10 ? formatCount(Math.round(pace.rate)) : formatDecimal(pace.rate);
  return left > 0 ? `${rate} ${many}/s · about ${formatSeconds(left)} left` : `${rate} ${many}/s`;
}

/** One decimal, as the WebView's language writes it ("2.5", "2,5"). */
function formatDecimal(n: number): string {
  return new Intl.NumberFormat(defaultLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n);
}

/** A duration: "0.1 s", "3 s", "42 s", "3 min 5 s", "1 h 20 min". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s < 10) return `${Number.isInteger(s) ? s : formatDecimal(s)} s`;
  const whole = Math.round(s);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    const m = Math.floor(whole / 60);
    const sec = whole % 60;
    return sec === 0 ? `${m} min` : `${m} min ${sec} s`;
  }
  // Rounded to the minute first, so 1 h 59 min 30 s reads "2 h", not "1 h 60 min".
  const minutes = Math.round(whole / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "8 leads scanned · 1 pair to review · 0 kept apart · 0.1 s". */
export function summaryText(s: DuplicateScanSummary): string {
  const parts = [
    `${plural(s.leads, 'lead')} scanned`,
    `${plural(s.open, 'pair')} to review`,
    `${formatCount(s.kept_apart)} kept apart`,
  ];
  if (s.enriched > 0) parts.splice(2, 0, `${plural(s.enriched, 'pair')} merged automatically (no conflict)`);
  if (s.enrichment_stopped) parts.splice(s.enriched > 0 ? 3 : 2, 0, 'merging stopped when cancelled');
  if (s.seconds !== null && Number.isFinite(s.seconds)) parts.push(formatSeconds(s.seconds));
  return parts.join(' · ');
}
