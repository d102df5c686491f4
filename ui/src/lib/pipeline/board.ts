// The pipeline board's model: card ages and staleness, money as people read it, and the board edits a move
// makes before the backend answers (so a card moves at once, and can go back where it was).
import { LEAD_FIELDS } from '../bindings';
import { defaultLocale, fieldLabel, leadName } from '../format';
import type {
  ActivityKind,
  Board,
  BoardCard,
  BoardColumn,
  BoardQuery,
  CurrencyTotal,
  FieldError,
  Lead,
  SourceChannel,
  StageConfig,
  StagnationPolicy,
} from '../types';
import { splitGateErrors } from './activities';

/**
 * Days without news after which a card's age badge turns amber, then red, in a stage without a stagnation
 * policy. A stage with one colours by its own limit (see `staleness`).
 */
export const STALE_AMBER_DAYS = 14;
export const STALE_RED_DAYS = 30;
/** The share of a policy's limit at which the badge warns: the rep still has time to act. */
export const STALE_WARN_SHARE = 0.7;

export type Staleness = 'fresh' | 'amber' | 'red';

export type BoardLayout = 'board' | 'list';

/** What each layout of the board (columns or list) is given: the same, so the page can swap one for the other. */
export interface BoardViewProps {
  board: Board;
  /**
   * Every stage of the pipeline, not only the board's columns: a hidden Won or Lost still takes moves (in a bar
   * of drop zones shown while dragging, in a list row's stage picker).
   */
  stages: StageConfig[];
  canMove: boolean;
  now: Date;
  onopen: (id: number) => void;
  onmove: (card: BoardCard, stage: string) => void;
}

/** The toolbar's choices, as its controls hold them ('' for "any"). */
export interface BoardFilters {
  /** '' for the first pipeline. */
  pipeline: string;
  /** An owner's id as a select value. */
  owner: string;
  campaign: string;
  source: SourceChannel | '';
  /** Won and Lost hold every deal ever closed: shown only when asked. */
  includeClosed: boolean;
}

export function defaultBoardFilters(): BoardFilters {
  return { pipeline: '', owner: '', campaign: '', source: '', includeClosed: false };
}

export function boardQuery(f: BoardFilters): BoardQuery {
  return {
    pipeline: f.pipeline,
    owner_id: f.owner === '' ? null : Number(f.owner),
    campaign: f.campaign === '' ? null : f.campaign,
    source: f.source === '' ? null : f.source,
    include_closed: f.includeClosed,
  };
}

/** Whether some filter narrows the leads shown (the pipeline and the closed toggle choose columns, not leads). */
export function narrowed(f: BoardFilters): boolean {
  return f.owner !== '' || f.campaign !== '' || f.source !== '';
}

const DAY_MS = 24 * 3600 * 1000;

/** Whole days from `iso` to `now` (0 for a time in the future or one that cannot be read). */
export function daysSince(iso: string, now: Date = new Date()): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

/** How long the card has been in its stage, as its badge says it: "0d", "3d". */
export function ageText(card: Pick<BoardCard, 'entered_at'>, now: Date = new Date()): string {
  return `${daysSince(card.entered_at, now)}d`;
}

/**
 * Days since anything happened to the lead: its move into the stage or its last activity, the later; no more
 * than the core counts (`idle_since`: on a database made before activities were recorded, not before the upgrade).
 */
export function idleDays(
  card: Pick<BoardCard, 'entered_at' | 'last_activity_at' | 'idle_since'>,
  now: Date = new Date(),
): number {
  const entered = daysSince(card.entered_at, now);
  const idle = card.last_activity_at ? Math.min(entered, daysSince(card.last_activity_at, now)) : entered;
  return card.idle_since ? Math.min(idle, daysSince(card.idle_since, now)) : idle;
}

/**
 * How stale a card looks after `idle` calendar days. With the stage's stagnation policy, red once the limit
 * (business days, read as calendar days at five in seven) is reached and amber from 70% of it; the sweep
 * itself counts exactly, with holidays.
 */
export function staleness(idle: number, policy: StagnationPolicy | null = null): Staleness {
  const red = policy ? Math.ceil((policy.after_days * 7) / 5) : STALE_RED_DAYS;
  const amber = policy ? Math.floor(red * STALE_WARN_SHARE) : STALE_AMBER_DAYS;
  if (idle >= red) return 'red';
  if (idle >= amber) return 'amber';
  return 'fresh';
}

/** The badge's tooltip: the age in words, and why it is coloured. */
export function ageTitle(card: BoardCard, stage: string, now: Date = new Date()): string {
  const days = daysSince(card.entered_at, now);
  const parts = [`${days} ${days === 1 ? 'day' : 'days'} in ${stage}`];
  if (card.last_activity_at) {
    const d = daysSince(card.last_activity_at, now);
    // A meeting still to come counts when it was booked, so the core never sends a time ahead; one a moment
    // ahead (an activity logged after the clock the board was drawn with) reads as today.
    parts.push(d <= 0 ? 'last activity today' : `last activity ${d} ${d === 1 ? 'day' : 'days'} ago`);
  } else {
    parts.push('no activity yet');
  }
  return parts.join('; ');
}

export { defaultLocale, FALLBACK_LOCALE } from '../format';

/**
 * An amount in its currency, whole amounts without decimals: "€12,500", "€99.50". An amount without a
 * currency, or with a code the browser does not know, is shown as a plain number with the code after it.
 */
export function formatMoney(amount: number, currency: string, locale: string = defaultLocale()): string {
  const whole = Number.isInteger(amount);
  const digits = whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : { minimumFractionDigits: 2 };
  const code = currency.trim().toUpperCase();
  if (code) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: code, ...digits }).format(amount);
    } catch {
      // RangeError: not an ISO 4217 code this runtime knows; fall through to the plain form.
    }
  }
  const n = new Intl.NumberFormat(locale, digits).format(amount);
  return code ? `${n} ${code}` : n;
}

/** A card's deal value ("12500.00"), or '' when the deal has no value yet. */
export function cardValue(card: Pick<BoardCard, 'value' | 'currency'>, locale?: string): string {
  const n = parseAmount(card.value);
  return n === null ? '' : formatMoney(n, card.currency, locale);
}

/** The column's sums, one per currency: amounts in different currencies are never added together. */
export function totalsText(totals: CurrencyTotal[], locale?: string): string[] {
  return totals.filter((t) => t.total !== null).map((t) => formatMoney(t.total as number, t.currency, locale));
}

function parseAmount(value: string): number | null {
  if (value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function totalCards(board: Board): number {
  return board.columns.reduce((n, c) => n + c.cards.length, 0);
}

export interface CardPlace {
  column: BoardColumn;
  card: BoardCard;
}

export function findCard(board: Board, id: number): CardPlace | null {
  for (const column of board.columns) {
    const card = column.cards.find((c) => c.id === id);
    if (card) return { column, card };
  }
  return null;
}

/** Cents, so that sums of two-place decimals stay exact. */
const cents = (n: number) => Math.round(n * 100);

/** `totals` with `card`'s value added (sign 1) or taken away (sign -1); a currency left at nothing goes. */
function adjustTotals(totals: CurrencyTotal[], card: BoardCard, sign: 1 | -1, cards: BoardCard[]): CurrencyTotal[] {
  const amount = parseAmount(card.value);
  if (amount === null) return totals;
  const currency = card.currency;
  const out = totals.map((t) => ({ ...t }));
  const entry = out.find((t) => t.currency === currency);
  if (entry) {
    // A null total is one the backend could not sum: it stays unknown.
    if (entry.total !== null) entry.total = (cents(entry.total) + sign * cents(amount)) / 100;
  } else if (sign === 1) {
    out.push({ currency, total: amount });
  }
  const stillUsed = (cur: string) => cards.some((c) => c.currency === cur && parseAmount(c.value) !== null);
  return out.filter((t) => stillUsed(t.currency));
}

/** Oldest in the stage first, as the backend sends them. */
function insertByEntry(cards: BoardCard[], card: BoardCard): BoardCard[] {
  const t = Date.parse(card.entered_at);
  const i = cards.findIndex((c) => Date.parse(c.entered_at) > t);
  return i < 0 ? [...cards, card] : [...cards.slice(0, i), card, ...cards.slice(i)];
}

/**
 * The board with `card` in stage `stage`: taken out of wherever it is (its old value leaving that column's
 * sums) and put in by its time of entry (its value joining the sums). A stage the board does not show (Won and
 * Lost while closed deals are hidden) just takes the card off the board. Columns left alone keep their
 * identity, so their lists do not re-render.
 */
export function placeCard(board: Board, card: BoardCard, stage: string): Board {
  const columns = board.columns.map((col) => {
    const old = col.cards.find((c) => c.id === card.id);
    const here = col.stage.key === stage;
    if (!old && !here) return col;
    let cards = old ? col.cards.filter((c) => c.id !== card.id) : col.cards;
    let totals = old ? adjustTotals(col.totals, old, -1, cards) : col.totals;
    if (here) {
      cards = insertByEntry(cards, card);
      totals = adjustTotals(totals, card, 1, cards);
    }
    return { ...col, cards, totals };
  });
  return { ...board, columns };
}

/** The card as it stands after a save: the lead's new version and deal, the stage entered `enteredAt`. */
export function cardFromLead(card: BoardCard, lead: Lead, enteredAt: string): BoardCard {
  return {
    ...card,
    version: lead.version,
    name: leadName({ first_name: lead.first_name, last_name: lead.last_name, company: lead.company }),
    company: lead.company,
    value: lead.deal.value,
    currency: lead.deal.currency,
    owner_name: lead.owner?.name ?? null,
    entered_at: enteredAt,
  };
}

/** The pipeline's stages in board order. */
export function pipelineStages(stages: StageConfig[], pipeline: string): StageConfig[] {
  return stages.filter((s) => s.pipeline === pipeline).sort((a, b) => a.position - b.position);
}

// ---------- The stage gate ----------

export interface GateProblems {
  /** Lead fields (the field table's names) that need a value, in the order the backend named them. */
  fields: string[];
  activities: ActivityKind[];
}

/** What a `stage_gate` refusal says is missing: lead fields, and `activity.<kind>` for activities. */
export function gateProblems(errors: FieldError[]): GateProblems {
  const { fields, activities } = splitGateErrors(errors);
  return { fields: [...new Set(fields.map((f) => f.field))], activities };
}

/** How the gate dialog asks for a field: the kinds it can edit inline; anything else is done on the lead page. */
export type GateInput = 'amount' | 'currency' | 'date' | 'lost_reason' | 'source' | 'text' | 'long_text' | 'elsewhere';

const INLINE: Record<string, GateInput> = {
  amount: 'amount',
  currency: 'currency',
  date: 'date',
  lost_reason: 'lost_reason',
  source: 'source',
  text: 'text',
  long_text: 'long_text',
};

export interface GateField {
  name: string;
  label: string;
  input: GateInput;
  /** Where the value goes in a LeadInput. */
  path: readonly string[];
}

export function gateField(name: string): GateField {
  const f = LEAD_FIELDS.find((x) => x.name === name && x.editable);
  if (!f) return { name, label: fieldLabel(name), input: 'elsewhere', path: [] };
  return { name, label: f.label, input: INLINE[f.kind] ?? 'elsewhere', path: f.path };
}
