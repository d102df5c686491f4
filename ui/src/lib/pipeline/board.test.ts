import { describe, expect, it, vi } from 'vitest';
import { boardCard, boardColumn, lead, pipelineConfig } from '../../test/fixtures';
import { formatCount } from '../format';
import type { Board } from '../types';
import {
  ageText,
  ageTitle,
  boardQuery,
  cardFromLead,
  cardValue,
  daysSince,
  defaultBoardFilters,
  defaultLocale,
  FALLBACK_LOCALE,
  findCard,
  formatMoney,
  gateField,
  gateProblems,
  idleDays,
  narrowed,
  pipelineStages,
  placeCard,
  STALE_AMBER_DAYS,
  STALE_RED_DAYS,
  staleness,
  totalsText,
} from './board';

const NOW = new Date('2026-03-31T12:00:00Z');
const daysAgo = (d: number, hours = 0) => new Date(NOW.getTime() - (d * 24 + hours) * 3600 * 1000).toISOString();

const stages = pipelineConfig().stages;

describe('card ages', () => {
  it('counts whole days since a time, never below zero', () => {
    expect(daysSince(daysAgo(0, 23), NOW)).toBe(0);
    expect(daysSince(daysAgo(3, 1), NOW)).toBe(3);
    expect(daysSince(new Date(NOW.getTime() + 3600_000).toISOString(), NOW)).toBe(0);
    expect(daysSince('not a date', NOW)).toBe(0);
  });

  it('says the days in the stage as the badge shows them', () => {
    expect(ageText(boardCard(1, { entered_at: daysAgo(3) }), NOW)).toBe('3d');
    expect(ageText(boardCard(1, { entered_at: daysAgo(0, 2) }), NOW)).toBe('0d');
  });

  it('measures idleness from the later of entering the stage and the last activity', () => {
    expect(idleDays(boardCard(1, { entered_at: daysAgo(40), last_activity_at: null }), NOW)).toBe(40);
    expect(idleDays(boardCard(1, { entered_at: daysAgo(40), last_activity_at: daysAgo(2) }), NOW)).toBe(2);
    // An activity from before the move does not make the card look older than its stay.
    expect(idleDays(boardCard(1, { entered_at: daysAgo(5), last_activity_at: daysAgo(50) }), NOW)).toBe(5);
    // A database upgraded three days ago from before activities were recorded: counted from then, as the sweep does.
    expect(idleDays(boardCard(1, { entered_at: daysAgo(200), idle_since: daysAgo(3) }), NOW)).toBe(3);
  });

  it('turns amber at the amber threshold and red at the red one', () => {
    expect([STALE_AMBER_DAYS, STALE_RED_DAYS]).toEqual([14, 30]);
    expect(staleness(0)).toBe('fresh');
    expect(staleness(STALE_AMBER_DAYS - 1)).toBe('fresh');
    expect(staleness(STALE_AMBER_DAYS)).toBe('amber');
    expect(staleness(STALE_RED_DAYS - 1)).toBe('amber');
    expect(staleness(STALE_RED_DAYS)).toBe('red');
  });

  it("counts toward the stage's stagnation limit when it has one", () => {
    // 10 business days are 14 calendar days: amber from 9 (70%), red at 14.
    const policy = { after_days: 10, target: 'nurture', lost_reason: null };
    expect(staleness(8, policy)).toBe('fresh');
    expect(staleness(9, policy)).toBe('amber');
    expect(staleness(13, policy)).toBe('amber');
    expect(staleness(14, policy)).toBe('red');
  });

  it('explains the badge in its tooltip', () => {
    expect(ageTitle(boardCard(1, { entered_at: daysAgo(1) }), 'Qualification', NOW)).toBe(
      '1 day in Qualification; no activity yet',
    );
    expect(ageTitle(boardCard(1, { entered_at: daysAgo(9), last_activity_at: daysAgo(4) }), 'New lead', NOW)).toBe(
      '9 days in New lead; last activity 4 days ago',
    );
    // An activity stamped a moment after the board's clock is today's, never "-1 days ago".
    const ahead = boardCard(1, { entered_at: daysAgo(40), last_activity_at: daysAgo(-0.5) });
    expect(ageTitle(ahead, 'Qualification', NOW)).toBe('40 days in Qualification; last activity today');
    expect(idleDays(ahead, NOW)).toBe(0);
  });
});

describe('money', () => {
  it('formats amounts in their currency, whole amounts without decimals', () => {
    expect(formatMoney(12500, 'EUR', 'en-US')).toBe('€12,500');
    expect(formatMoney(99.5, 'usd', 'en-US')).toBe('$99.50');
    expect(formatMoney(12500, 'EUR', 'de-DE')).toBe('12.500\u00a0€');
  });

  it('falls back to a plain number when the currency is missing or unknown', () => {
    expect(formatMoney(1234, '', 'en-US')).toBe('1,234');
    expect(formatMoney(1234, 'E1', 'en-US')).toBe('1,234 E1');
  });

  it("writes money in the WebView's language unless told otherwise", () => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('de-DE');
    expect(defaultLocale()).toBe('de-DE');
    expect(formatMoney(48000, 'USD')).toBe('48.000\u00a0$');
    expect(formatMoney(48000, 'USD', 'en-US')).toBe('$48,000');
    // Counts beside it are grouped the same way, whatever the runtime's own default.
    expect(formatCount(1234)).toBe('1.234');
  });

  it('falls back to en-US when the WebView has no usable language', () => {
    expect(FALLBACK_LOCALE).toBe('en-US');
    // A WebView started with LANG unset: digits must still be grouped, not "$ 48000".
    for (const language of ['', 'C', 'POSIX', 'c', 'en_US.UTF-8', 'C.UTF-8', 'zz-ZZ']) {
      expect(defaultLocale(language), language).toBe('en-US');
    }
    expect(defaultLocale(undefined)).toBe('en-US');
    expect(defaultLocale('fr-CA')).toBe('fr-CA');
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('C');
    expect(formatMoney(48000, 'USD')).toBe('$48,000');
    expect(cardValue({ value: '48000.00', currency: 'USD' })).toBe('$48,000');
    expect(totalsText([{ currency: 'USD', total: 48000 }])).toEqual(['$48,000']);
  });

  it("shows a card's value, or nothing while the deal has none", () => {
    expect(cardValue({ value: '12500.00', currency: 'EUR' }, 'en-US')).toBe('€12,500');
    expect(cardValue({ value: '', currency: 'EUR' }, 'en-US')).toBe('');
  });

  it('lists one sum per currency, skipping sums the backend could not make', () => {
    expect(
      totalsText(
        [
          { currency: 'EUR', total: 12500 },
          { currency: 'USD', total: 300.25 },
          { currency: 'GBP', total: null },
        ],
        'en-US',
      ),
    ).toEqual(['€12,500', '$300.25']);
  });
});

describe('filters', () => {
  it('become the board query, empty choices meaning any', () => {
    expect(boardQuery(defaultBoardFilters())).toEqual({
      pipeline: '',
      owner_id: null,
      campaign: null,
      source: null,
      include_closed: false,
    });
    expect(
      boardQuery({ pipeline: 'sales', owner: '3', campaign: 'Spring', source: 'web_form', includeClosed: true }),
    ).toEqual({ pipeline: 'sales', owner_id: 3, campaign: 'Spring', source: 'web_form', include_closed: true });
  });

  it('narrow the leads only by owner, campaign or source', () => {
    expect(narrowed({ ...defaultBoardFilters(), includeClosed: true, pipeline: 'x' })).toBe(false);
    expect(narrowed({ ...defaultBoardFilters(), campaign: 'Spring' })).toBe(true);
  });
});

describe('moving cards on the board', () => {
  function board(): Board {
    return {
      pipeline: 'sales',
      columns: [
        boardColumn(
          'new',
          [
            boardCard(1, { entered_at: daysAgo(9), value: '100.00', currency: 'EUR' }),
            boardCard(2, { entered_at: daysAgo(5), value: '50.50', currency: 'USD' }),
            boardCard(3, { entered_at: daysAgo(2) }),
          ],
          [
            { currency: 'EUR', total: 100 },
            { currency: 'USD', total: 50.5 },
          ],
        ),
        boardColumn(
          'qualification',
          [boardCard(4, { entered_at: daysAgo(7), value: '0.10', currency: 'EUR' })],
          [{ currency: 'EUR', total: 0.1 }],
        ),
      ],
    };
  }

  it('takes a card out of its column and its value out of the sums', () => {
    const b = board();
    const moved = placeCard(b, { ...findCard(b, 1)!.card, entered_at: NOW.toISOString() }, 'qualification');
    expect(moved.columns[0].cards.map((c) => c.id)).toEqual([2, 3]);
    expect(moved.columns[0].totals).toEqual([{ currency: 'USD', total: 50.5 }]);
    // Newest in the stage last; the sum exact to the cent.
    expect(moved.columns[1].cards.map((c) => c.id)).toEqual([4, 1]);
    expect(moved.columns[1].totals).toEqual([{ currency: 'EUR', total: 100.1 }]);
  });

  it('puts a card back where it was by its time of entry', () => {
    const b = board();
    const original = findCard(b, 2)!.card;
    const there = placeCard(b, { ...original, entered_at: NOW.toISOString() }, 'qualification');
    const back = placeCard(there, original, 'new');
    expect(back.columns.map((c) => c.cards.map((x) => x.id))).toEqual([[1, 2, 3], [4]]);
    expect(back.columns[0].totals).toEqual(b.columns[0].totals);
    expect(back.columns[1].totals).toEqual(b.columns[1].totals);
  });

  it('takes a card off the board for a stage it does not show, and leaves other columns untouched', () => {
    const b = board();
    const gone = placeCard(b, findCard(b, 3)!.card, 'won');
    expect(findCard(gone, 3)).toBeNull();
    expect(gone.columns[1]).toBe(b.columns[1]);
  });

  it('updates a card from the saved lead, its sums following its new value', () => {
    const b = board();
    const saved = lead({
      id: 3,
      version: 5,
      first_name: 'Ann',
      last_name: 'Lee',
      company: 'Acme',
      owner: { id: 2, name: 'Bo Rep' },
      deal: { ...lead().deal, value: '900.00', currency: 'EUR' },
    });
    const c = cardFromLead(findCard(b, 3)!.card, saved, daysAgo(2));
    expect(c).toMatchObject({ id: 3, version: 5, name: 'Ann Lee', company: 'Acme', owner_name: 'Bo Rep' });
    expect(c.value).toBe('900.00');
    const after = placeCard(b, c, 'new');
    expect(after.columns[0].totals).toEqual([
      { currency: 'EUR', total: 1000 },
      { currency: 'USD', total: 50.5 },
    ]);
  });

  it("orders a pipeline's stages by position", () => {
    const shuffled = [...stages].reverse();
    expect(pipelineStages(shuffled, 'sales').map((s) => s.key)).toEqual([
      'new',
      'qualification',
      'engagement',
      'won',
      'lost',
      'nurture',
    ]);
    expect(pipelineStages(shuffled, 'other')).toEqual([]);
  });
});

describe('the stage gate', () => {
  it('splits what is missing into lead fields and activities', () => {
    expect(
      gateProblems([
        { field: 'deal_value', message: 'is required' },
        { field: 'currency', message: 'is required' },
        { field: 'activity.proposal', message: 'a “Proposal sent” activity' },
        { field: 'activity.bogus', message: '?' },
      ]),
    ).toEqual({ fields: ['deal_value', 'currency'], activities: ['proposal'] });
  });

  it('asks for each field with the input its kind needs', () => {
    expect(gateField('deal_value')).toMatchObject({ label: 'Deal value', input: 'amount', path: ['deal', 'value'] });
    expect(gateField('currency').input).toBe('currency');
    expect(gateField('expected_close').input).toBe('date');
    expect(gateField('lost_reason').input).toBe('lost_reason');
    expect(gateField('budget')).toMatchObject({ input: 'text', path: ['deal', 'budget'] });
    // Lists and people are edited on the lead's page.
    expect(gateField('emails').input).toBe('elsewhere');
    expect(gateField('owner').input).toBe('elsewhere');
    expect(gateField('no_such_field')).toMatchObject({ label: 'No such field', input: 'elsewhere' });
  });
});
