import { describe, expect, it, vi } from 'vitest';
import { duplicatePair, lead } from '../../test/fixtures';
import {
  compareRows,
  fieldChoices,
  formatSeconds,
  formatWeight,
  initialPicks,
  paceText,
  progressCount,
  scanPace,
  scorePercent,
  sortPairs,
  summaryText,
  weightTone,
} from './compare';

const STAGES = [
  { key: 'new', label: 'New', closed: false },
  { key: 'qualified', label: 'Qualified', closed: false },
];

describe('compareRows', () => {
  it('lists the fields of the core table either lead has, in its order, and says which differ', () => {
    const rows = compareRows(duplicatePair(), STAGES);
    const names = rows.map((r) => r.field);
    // Fields neither lead has (street, postcode, ...) are left out; derived ones (status) never show.
    expect(names).toEqual([
      'first_name',
      'last_name',
      'company',
      'job_title',
      'emails',
      'phones',
      'city',
      'country',
      'source',
      'stage',
      'tags',
      'notes',
    ]);
    const row = (f: string) => rows.find((r) => r.field === f)!;
    expect(row('first_name')).toMatchObject({ label: 'First name', a: ['Grace'], b: ['Grace'], differs: false, choosable: false });
    expect(row('last_name')).toMatchObject({ a: ['Hopper'], b: ['Hoper'], differs: true, choosable: true, initial: 'a' });
    // B has no company: A's is kept unless the steward says otherwise.
    expect(row('company')).toMatchObject({ a: ['US Navy'], b: [], differs: true, choosable: true, initial: 'a' });
    // Lists are united, never chosen.
    expect(row('phones')).toMatchObject({ a: ['+44 20 7946 0018'], b: ['+1 202-555-0143'], differs: true, united: true, choosable: false });
    expect(row('emails')).toMatchObject({ differs: false, united: true });
    expect(row('stage')).toMatchObject({ a: ['New'], b: ['New'], differs: false });
    expect(row('source')).toMatchObject({ a: ['Direct entry'], differs: false });
    // Notes both leads have are joined by default, as the core does.
    expect(row('notes')).toMatchObject({ differs: true, choosable: true, joinable: true, initial: 'both' });
  });

  it("takes B's value by default when A has none, and compares emails and tags without regard to case", () => {
    const pair = duplicatePair({
      a: lead({ id: 1, job_title: '', tags: ['VIP'], emails: [{ address: 'g@x.org', original: 'G@x.org' }] }),
      b: lead({ id: 2, job_title: 'Admiral', tags: ['vip'], emails: [{ address: 'G@X.org', original: 'G@X.org' }] }),
    });
    const rows = compareRows(pair);
    expect(rows.find((r) => r.field === 'job_title')).toMatchObject({ a: [], b: ['Admiral'], initial: 'b' });
    expect(rows.find((r) => r.field === 'tags')?.differs).toBe(false);
    expect(rows.find((r) => r.field === 'emails')?.differs).toBe(false);
  });

  it('compares owners by who they are, and shows their names', () => {
    const pair = duplicatePair({
      a: lead({ id: 1, owner: { id: 3, name: 'Olga Owner' } }),
      b: lead({ id: 2, owner: null }),
    });
    expect(compareRows(pair).find((r) => r.field === 'owner')).toMatchObject({
      a: ['Olga Owner'],
      b: [],
      differs: true,
      initial: 'a',
    });
  });

  it("shows B's owner kept only when that user may own the merged lead, as the core merges", () => {
    const pair = (mayOwn: boolean) =>
      duplicatePair({
        a: lead({ id: 1, owner: null, campaign: 'Spring' }),
        b: lead({ id: 2, owner: { id: 4, name: 'Bo Left' }, campaign: 'Spring' }),
        b_owner_may_own: mayOwn,
      });
    const may = compareRows(pair(true)).find((r) => r.field === 'owner');
    expect(may).toMatchObject({ initial: 'b' });
    expect(may?.note).toBeUndefined();
    const rows = compareRows(pair(false));
    expect(rows.find((r) => r.field === 'owner')).toMatchObject({
      initial: 'a',
      note: 'Bo Left cannot own it (not active, or not working on Spring): it keeps no owner',
    });
    // Told nothing, the core keeps no owner: no choice is sent.
    expect(fieldChoices(pair(false), rows, initialPicks(rows))).toEqual([]);
    // A without a campaign takes B's: the note names the campaign the merged lead will have.
    const noCampaign = duplicatePair({
      a: lead({ id: 1, owner: null, campaign: '' }),
      b: lead({ id: 2, owner: { id: 4, name: 'Bo Left' }, campaign: 'Autumn' }),
      b_owner_may_own: false,
    });
    expect(compareRows(noCampaign).find((r) => r.field === 'owner')?.note).toBe(
      'Bo Left cannot own it (not active, or not working on Autumn): it keeps no owner',
    );
  });
});

describe('values that go with another', () => {
  it('shows the currency kept with the amount, and the source detail with the channel, as the core merges them', () => {
    // A: 5,000 of no stated currency, typed by hand; B: no amount but a currency, from a partner with a detail.
    const a = lead({ id: 1, source: 'direct_entry', source_detail: '' });
    a.deal = { ...a.deal, value: '5000', currency: '' };
    const b = lead({ id: 2, source: 'partner', source_detail: 'Acme Leads' });
    b.deal = { ...b.deal, value: '', currency: 'EUR' };
    const pair = duplicatePair({ a, b });
    const rows = compareRows(pair);
    const picks = initialPicks(rows);
    expect(picks.currency).toBe('a');
    expect(picks.source_detail).toBe('a');
    // Left as shown, nothing is sent: the core's own rule is what the screen showed.
    expect(fieldChoices(pair, rows, {})).toEqual([]);
  });

  it("shows why a deal was lost kept with its stage: an open survivor does not take a Lost twin's reason", () => {
    const a = lead({ id: 1, stage: 'engagement' });
    a.deal = { ...a.deal, lost_reason: '' };
    const b = lead({ id: 2, stage: 'lost' });
    b.deal = { ...b.deal, lost_reason: 'price' };
    const pair = duplicatePair({ a, b });
    const rows = compareRows(pair);
    expect(initialPicks(rows).lost_reason).toBe('a');
    expect(fieldChoices(pair, rows, {})).toEqual([]);
    // Lost in one stage, the survivor without a reason: the other's fills the gap, as the core merges it.
    const c = lead({ id: 3, stage: 'lost' });
    c.deal = { ...c.deal, lost_reason: '' };
    const both = duplicatePair({ a: c, b });
    expect(initialPicks(compareRows(both)).lost_reason).toBe('b');
    // B's stage picked takes its reason with it (the panel picks both).
    expect(fieldChoices(pair, rows, { stage: 'b', lost_reason: 'b' })).toEqual([
      { field: 'stage', lead_id: 2 },
      { field: 'lost_reason', lead_id: 2 },
    ]);
  });

  it("sends a detail picked back to its own lead once its channel comes from the other: the core would follow the channel", () => {
    const base = duplicatePair();
    const pair = duplicatePair({
      a: { ...base.a, source: 'direct_entry', source_detail: 'Phone call' },
      b: { ...base.b, source: 'partner', source_detail: 'Acme Leads' },
    });
    const rows = compareRows(pair);
    // The channel picked from B takes B's detail with it (the panel picks both); the detail put back on A's.
    expect(fieldChoices(pair, rows, { source: 'b', source_detail: 'a' })).toEqual([
      { field: 'source', lead_id: 12 },
      { field: 'source_detail', lead_id: 11 },
    ]);
    expect(fieldChoices(pair, rows, { source: 'b', source_detail: 'b' })).toEqual([
      { field: 'source', lead_id: 12 },
      { field: 'source_detail', lead_id: 12 },
    ]);
    expect(fieldChoices(pair, rows, {})).toEqual([]);
  });
});

describe('fieldChoices', () => {
  it('sends one choice per field changed from the shown pick, naming the lead whose value stays; "both" sends none', () => {
    const pair = duplicatePair();
    const rows = compareRows(pair);
    expect(initialPicks(rows)).toEqual({ last_name: 'a', company: 'a', job_title: 'a', notes: 'both' });
    // Only what the steward changed: a field left as shown is the core's to keep, with its rules.
    const choices = fieldChoices(pair, rows, { last_name: 'b', company: 'a' });
    expect(choices).toEqual([{ field: 'last_name', lead_id: 12 }]);
    expect(fieldChoices(pair, rows, { notes: 'b' })).toEqual([{ field: 'notes', lead_id: 12 }]);
    expect(fieldChoices(pair, rows, {})).toEqual([]);
  });
});

describe('numbers in words', () => {
  it('sorts pairs by score, highest first, unscored last', () => {
    const p = (id: number, score: number | null) => duplicatePair({ id, score });
    expect(sortPairs([p(1, 0.5), p(2, null), p(3, 0.99), p(4, 0.5)]).map((x) => x.id)).toEqual([3, 1, 4, 2]);
  });

  it('gives scores as percentages that never overstate', () => {
    expect(scorePercent(0.97)).toBe('97%');
    expect(scorePercent(0.996)).toBe('99.6%');
    expect(scorePercent(0.9949)).toBe('99.4%');
    expect(scorePercent(0.99999)).toBe('>99.9%');
    expect(scorePercent(0.989)).toBe('99%');
    expect(scorePercent(1)).toBe('100%');
    expect(scorePercent(0.004)).toBe('<1%');
    expect(scorePercent(null)).toBe('—');
  });

  it('signs weights with a true minus and says which way they point', () => {
    expect(formatWeight(6.2)).toBe('+6.2');
    expect(formatWeight(-2.6)).toBe('\u22122.6');
    expect(formatWeight(0)).toBe('0.0');
    expect(formatWeight(null)).toBe('—');
    expect([weightTone(6.2), weightTone(-2.6), weightTone(0)]).toEqual(['for', 'against', 'neutral']);
  });

  it('says a scan summary as the steward reads it', () => {
    expect(summaryText({ leads: 8, open: 1, kept_apart: 0, enriched: 0, enrichment_stopped: false, enrichment_error: null, seconds: 0.1 })).toBe(
      '8 leads scanned · 1 pair to review · 0 kept apart · 0.1 s',
    );
    expect(summaryText({ leads: 12000, open: 35, kept_apart: 2, enriched: 0, enrichment_stopped: false, enrichment_error: null, seconds: 75 })).toBe(
      '12,000 leads scanned · 35 pairs to review · 2 kept apart · 1 min 15 s',
    );
    expect(summaryText({ leads: 1, open: 0, kept_apart: 0, enriched: 0, enrichment_stopped: false, enrichment_error: null, seconds: null })).toBe(
      '1 lead scanned · 0 pairs to review · 0 kept apart',
    );
  });

  it('says when merging the sure pairs was stopped by a cancel', () => {
    const s = { leads: 8, open: 3, kept_apart: 0, enriched: 2, enrichment_stopped: true, enrichment_error: null, seconds: null };
    expect(summaryText(s)).toBe(
      '8 leads scanned · 3 pairs to review · 2 pairs merged automatically (no conflict) · merging stopped when cancelled · 0 kept apart',
    );
  });

  it('formats durations', () => {
    expect(formatSeconds(0.1)).toBe('0.1 s');
    expect(formatSeconds(3)).toBe('3 s');
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(180)).toBe('3 min');
    expect(formatSeconds(4800)).toBe('1 h 20 min');
    expect(formatSeconds(7170)).toBe('2 h'); // never "1 h 60 min"
    expect(formatSeconds(7229)).toBe('2 h');
    expect(formatSeconds(7231)).toBe('2 h 1 min');
  });

  it('measures the pace of a phase from where it was first seen, once the total is known', () => {
    const since = { at: 1000, done: 0 };
    expect(scanPace({ phase: 'reading', done: 0, total: 0, thousandths: false }, since, 2000)).toBeNull();
    expect(scanPace({ phase: 'matching', done: 0, total: 800, thousandths: false }, since, 2000)).toBeNull();
    const pace = scanPace({ phase: 'matching', done: 200, total: 800, thousandths: false }, since, 3000);
    expect(pace).toEqual({ rate: 100, eta: 6 });
    const p = { phase: 'matching' as const, done: 200, total: 800, thousandths: false };
    expect(progressCount(p)).toBe('200 of 800 leads');
    expect(paceText(p, pace!)).toBe('100 leads/s · about 6 s left');
    expect(progressCount({ phase: 'saving', done: 1, total: 1, thousandths: false })).toBe('1 of 1 pair');
    // A steward limited to some campaigns is told how far, not how many.
    const share = { phase: 'saving' as const, done: 457, total: 1000, thousandths: true };
    expect(progressCount(share)).toBe('45%');
    expect(paceText(share, pace!)).toBe('about 6 s left');
  });
});

describe('numbers in the reader’s language', () => {
  it('writes a score’s and a weight’s decimals as the WebView’s language does', () => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('de-DE');
    try {
      expect(scorePercent(0.996)).toBe('99,6%');
      expect(scorePercent(0.9999)).toBe('>99,9%');
      expect(formatWeight(6.2)).toBe('+6,2');
      expect(formatWeight(-2.64)).toBe('\u22122,6');
      expect(formatWeight(0.01)).toBe('0,0');
    } finally {
      vi.restoreAllMocks();
    }
    expect(scorePercent(0.996)).toBe('99.6%');
    expect(formatWeight(6.2)).toBe('+6.2');
  });
});
