import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { deferred, duplicatePair, duplicatesMock, lead, mockBackend } from '../../test/fixtures';
import type { DuplicatePair } from '../types';
import { nav } from '../nav.svelte';
import DuplicatesPage from './DuplicatesPage.svelte';
import { filterPairs, noQueueFilter, queueFacets } from './queue';

/**
 * Grace (Same, 97%: Spring web form / direct entry), Alan (Review, 71%: Autumn partner / Autumn bulk import),
 * Ada (Same, 60%: no campaign, direct entry).
 */
function queue(): DuplicatePair[] {
  const base = duplicatePair();
  return [
    duplicatePair({
      id: 1,
      a: { ...base.a, campaign: 'Spring', source: 'web_form' },
      b: { ...base.b, campaign: '', source: 'direct_entry' },
    }),
    duplicatePair({
      id: 2,
      score: 0.71,
      tier: 'review',
      a: lead({ id: 13, first_name: 'Alan', last_name: 'Turing', campaign: 'Autumn', source: 'partner' }),
      b: lead({ id: 14, first_name: 'A.', last_name: 'Turing', campaign: 'Autumn', source: 'bulk_import' }),
    }),
    duplicatePair({
      id: 3,
      score: 0.6,
      tier: 'same',
      a: lead({ id: 31, first_name: 'Ada', last_name: 'Lovelace', campaign: '', source: 'direct_entry' }),
      b: lead({ id: 32, first_name: 'Ada', last_name: 'King', campaign: '', source: 'direct_entry' }),
    }),
  ];
}

async function open() {
  const be = mockBackend(duplicatesMock(queue()));
  render(DuplicatesPage);
  const u = userEvent.setup();
  await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(3));
  return { be, u };
}

/** The page over `pairs`, listing `limit` of them, whose reads of the queue after the first wait for `held`. */
async function openHeld(pairs = queue(), limit = 1) {
  const dup = duplicatesMock(pairs);
  const held = deferred<void>();
  let reads = 0;
  const be = mockBackend({
    ...dup,
    duplicateQueue: async (filter, n) => {
      if (++reads > 1) await held.promise;
      return dup.duplicateQueue(filter, n);
    },
  });
  render(DuplicatesPage, { limit });
  const u = userEvent.setup();
  await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(Math.min(limit, pairs.length)));
  return { be, u, held };
}

/** The A lead of each pair listed. */
const leadsA = () =>
  screen.queryAllByTestId('duplicate-pair').map((el) => el.querySelector('.queue-name')?.textContent?.trim());
const selectedPair = () =>
  screen.queryAllByTestId('duplicate-pair').find((el) => el.getAttribute('aria-current') === 'true');
const options = (testid: string) =>
  [...(screen.getByTestId(testid) as HTMLSelectElement).options].map((o) => [o.value, o.textContent?.trim()]);

describe('DuplicatesPage: filtering the queue', () => {
  it('offers the tiers, and the campaigns and sources of the pairs present', async () => {
    await open();
    const filters = screen.getByRole('group', { name: 'Filter the queue' });
    expect(within(filters).getByLabelText('Tier')).toBe(screen.getByTestId('queue-filter-tier'));
    expect(within(filters).getByLabelText('Campaign')).toBe(screen.getByTestId('queue-filter-campaign'));
    expect(within(filters).getByLabelText('Source')).toBe(screen.getByTestId('queue-filter-source'));
    expect(options('queue-filter-tier')).toEqual([
      ['', 'All'],
      ['same', 'Same'],
      ['review', 'Review'],
    ]);
    expect(options('queue-filter-campaign')).toEqual([
      ['', 'Any'],
      ['Autumn', 'Autumn'],
      ['Spring', 'Spring'],
    ]);
    // Only the sources some lead has, in the usual order; Partner and Bulk import come from one lead each.
    expect(options('queue-filter-source')).toEqual([
      ['', 'Any'],
      ['direct_entry', 'Direct entry'],
      ['web_form', 'Web form'],
      ['bulk_import', 'Bulk import'],
      ['partner', 'Partner'],
    ]);
  });

  it('narrows the list by tier, by campaign and by source of either lead, and the review follows', async () => {
    const { u } = await open();
    expect(screen.getByTestId('queue-count')).toHaveTextContent(/^3$/);

    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'review');
    expect(leadsA()).toEqual(['Alan Turing']);
    expect(screen.getByTestId('queue-count')).toHaveTextContent('1 of 3');
    // The selected pair was hidden: the first one shown is up for review.
    expect(selectedPair()).toBe(screen.getAllByTestId('duplicate-pair')[0]);
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Alan Turing and A. Turing');
    // No Same pair is listed: none to merge in bulk.
    expect(screen.queryByTestId('bulk-merge')).toBeNull();

    await u.selectOptions(screen.getByTestId('queue-filter-tier'), '');
    await u.selectOptions(screen.getByTestId('queue-filter-campaign'), 'Spring');
    // Only lead A of the pair is in the campaign.
    expect(leadsA()).toEqual(['Grace Hopper']);
    expect(screen.getByTestId('bulk-merge')).toHaveTextContent('Merge all Same pairs (1)');

    await u.selectOptions(screen.getByTestId('queue-filter-campaign'), '');
    // Only lead B of the pair came from a bulk import.
    await u.selectOptions(screen.getByTestId('queue-filter-source'), 'bulk_import');
    expect(leadsA()).toEqual(['Alan Turing']);
    await u.selectOptions(screen.getByTestId('queue-filter-source'), 'direct_entry');
    expect(leadsA()).toEqual(['Grace Hopper', 'Ada Lovelace']);
    expect(screen.getByTestId('bulk-merge')).toHaveTextContent('Merge all Same pairs (2)');
    expect(screen.queryByTestId('queue-no-match')).toBeNull();
  });

  it('says when the filters hide every pair, and clears them', async () => {
    const { u } = await open();
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'same');
    await u.selectOptions(screen.getByTestId('queue-filter-campaign'), 'Autumn');

    const none = screen.getByTestId('queue-no-match');
    expect(none).toHaveTextContent('No pairs match these filters');
    expect(screen.queryAllByTestId('duplicate-pair')).toHaveLength(0);
    expect(screen.queryByTestId('pair-compare')).toBeNull();
    expect(screen.getByTestId('queue-count')).toHaveTextContent('0 of 3');
    // Not the empty queue: the queue still has pairs.
    expect(screen.queryByTestId('duplicates-empty')).toBeNull();

    await u.click(within(none).getByRole('button', { name: 'Clear filters' }));
    expect(leadsA()).toEqual(['Grace Hopper', 'Alan Turing', 'Ada Lovelace']);
    expect(screen.queryByTestId('queue-no-match')).toBeNull();
    expect((screen.getByTestId('queue-filter-tier') as HTMLSelectElement).value).toBe('');
    expect((screen.getByTestId('queue-filter-campaign') as HTMLSelectElement).value).toBe('');
    // The focus, on a button now gone, goes to the selected pair.
    await waitFor(() => expect(selectedPair()).toHaveFocus());
  });

  it('moves with J/K within the pairs shown only, and decides on the shown pair', async () => {
    const { be, u } = await open();
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'same');
    expect(leadsA()).toEqual(['Grace Hopper', 'Ada Lovelace']);
    (document.activeElement as HTMLElement).blur();

    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Grace Hopper and Grace Hoper');
    await u.keyboard('j');
    // Alan, between the two by score, is hidden: J goes to Ada.
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Ada Lovelace and Ada King');
    await u.keyboard('j');
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Ada Lovelace and Ada King');
    await u.keyboard('k');
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Grace Hopper and Grace Hoper');
    await u.keyboard('j');

    await u.keyboard('n');
    const third = queue().find((p) => p.id === 3)!;
    await waitFor(() =>
      expect(be.markNotDuplicate).toHaveBeenCalledWith(3, [
        { lead_id: third.a.id, version: third.a.version },
        { lead_id: third.b.id, version: third.b.version },
      ]),
    );
    await waitFor(() => expect(leadsA()).toEqual(['Grace Hopper']));
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Grace Hopper and Grace Hoper');
  });
});

describe('DuplicatesPage: a queue longer than the pairs listed', () => {
  /** The page lists one pair at a time (the highest score) of the three. */
  async function openOne() {
    const be = mockBackend(duplicatesMock(queue()));
    render(DuplicatesPage, { limit: 1 });
    const u = userEvent.setup();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    return { be, u };
  }

  it('counts every pair, and says how many wait beyond those listed', async () => {
    await openOne();
    expect(leadsA()).toEqual(['Grace Hopper']);
    expect(screen.getByTestId('queue-count')).toHaveTextContent(/^3$/);
    expect(screen.getByTestId('queue-more')).toHaveTextContent(
      'The highest score is listed, and 2 more wait: decide on these to see the next.',
    );
    // The bulk merge takes the Same pairs listed, and says so: Ada's pair is not among them.
    expect(screen.getByTestId('bulk-merge')).toHaveTextContent('Merge the Same pairs listed (1)');
  });

  it('offers the campaigns and sources of pairs not listed, and reads the pairs a filter lets through', async () => {
    const { be, u } = await openOne();
    // Autumn and the partner are only in Alan's pair, which is not listed.
    expect(options('queue-filter-campaign')).toContainEqual(['Autumn', 'Autumn']);
    expect(options('queue-filter-source')).toContainEqual(['partner', 'Partner']);

    await u.selectOptions(screen.getByTestId('queue-filter-campaign'), 'Autumn');
    await waitFor(() => expect(leadsA()).toEqual(['Alan Turing']));
    expect(be.duplicateQueue).toHaveBeenLastCalledWith({ tier: null, campaign: 'Autumn', source: null, import_id: null }, 1);
    expect(screen.getByTestId('queue-count')).toHaveTextContent('1 of 3');
    expect(screen.queryByTestId('queue-more')).toBeNull();
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Alan Turing and A. Turing');

    await u.selectOptions(screen.getByTestId('queue-filter-campaign'), '');
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'same');
    await waitFor(() => expect(screen.getByTestId('queue-count')).toHaveTextContent('2 of 3'));
    expect(be.duplicateQueue).toHaveBeenLastCalledWith({ tier: 'same', campaign: '', source: null, import_id: null }, 1);
    expect(leadsA()).toEqual(['Grace Hopper']);
    expect(screen.getByTestId('queue-more')).toHaveTextContent('and 1 pair waits');
  });

  it("does not show another filter's counts while the pairs a filter lets through are read", async () => {
    const { be, u, held: slow } = await openHeld();
    await waitFor(() => expect(screen.getByTestId('queue-count')).toHaveTextContent(/^3$/));
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'same');
    // The list is narrowed at once; the counts and the bulk merge wait for the read.
    expect(screen.getByTestId('queue-count')).toHaveTextContent('…');
    expect(screen.getByTestId('bulk-merge')).toBeDisabled();
    expect(screen.queryByTestId('queue-more')).toBeNull();
    slow.resolve();
    await waitFor(() => expect(screen.getByTestId('queue-count')).toHaveTextContent('2 of 3'));
    expect(screen.getByTestId('bulk-merge')).toBeEnabled();
    expect(be.duplicateQueue).toHaveBeenCalledTimes(2);
  });

  it('keeps the filters on screen, and the focus in them, while a filter that showed nothing is changed', async () => {
    const { u } = await openOne();
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'review');
    await u.selectOptions(screen.getByTestId('queue-filter-source'), 'web_form');
    await waitFor(() => expect(screen.getByTestId('queue-no-match')).toBeInTheDocument());
    const tier = screen.getByTestId('queue-filter-tier');
    tier.focus();
    await u.selectOptions(tier, 'same');
    expect(screen.getByTestId('queue-filter-tier')).toBe(tier);
    expect(tier).toHaveFocus();
    await waitFor(() => expect(leadsA()).toEqual(['Grace Hopper']));
    expect(tier).toHaveFocus();
  });

  it('takes a decided pair out of the count at once, and lists the next', async () => {
    const { be, u, held } = await openHeld();
    expect(screen.getByTestId('queue-count')).toHaveTextContent(/^3$/);
    await u.click(await screen.findByTestId('not-duplicate'));
    await waitFor(() => expect(be.markNotDuplicate).toHaveBeenCalledOnce());
    // Before the queue is read again.
    await waitFor(() => expect(screen.getByTestId('queue-count')).toHaveTextContent(/^2$/));
    expect(be.duplicateQueue).toHaveBeenCalledTimes(2);
    held.resolve();
    await waitFor(() => expect(leadsA()).toEqual(['Alan Turing']));
    expect(screen.getByTestId('queue-count')).toHaveTextContent(/^2$/);
  });

  it('waits for the read to count again when a merge took other listed pairs with it', async () => {
    // Grace's B lead is also in a second pair, listed: merging Grace's pair takes that one off the list too.
    const pairs = queue();
    const second = duplicatePair({ id: 4, score: 0.5, tier: 'review', a: pairs[0].b, b: pairs[2].b });
    const { u, held } = await openHeld([...pairs, second], 500);
    expect(screen.getByTestId('queue-count')).toHaveTextContent(/^4$/);
    await u.click(await screen.findByTestId('merge-pair'));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    expect(screen.getByTestId('queue-count')).toHaveTextContent('…');
    held.resolve();
    await waitFor(() => expect(screen.getByTestId('queue-count')).toHaveTextContent(/^2$/));
  });
});

describe("DuplicatesPage: opened on an import's pairs", () => {
  it('reads only its pairs from the first read, names the import, and widens to the whole queue in one click', async () => {
    const dup = duplicatesMock(queue());
    const be = mockBackend({
      ...dup,
      // Import 7 created or changed Alan's leads: the core's narrowing, which the page cannot do itself.
      duplicateQueue: async (filter, n) => {
        const page = await dup.duplicateQueue({ ...filter, import_id: null }, n);
        if (filter.import_id !== 7) return page;
        const pairs = page.pairs.filter((p) => p.id === 2);
        return { ...page, pairs, matching: pairs.length };
      },
    });
    nav.go({ name: 'duplicates', importId: 7, importFile: 'messe.csv' });
    render(DuplicatesPage);
    const u = userEvent.setup();
    await waitFor(() => expect(leadsA()).toEqual(['Alan Turing']));
    expect(be.duplicateQueue).toHaveBeenCalledTimes(1);
    expect(be.duplicateQueue.mock.calls[0][0]).toMatchObject({ import_id: 7 });
    const chip = screen.getByTestId('queue-filter-import');
    expect(chip).toHaveTextContent('Import: messe.csv');
    expect(screen.getByTestId('queue-count')).toHaveTextContent('1 of 3');

    // The other filters narrow within the import's pairs, and every read keeps to the import.
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), 'same');
    expect(await screen.findByTestId('queue-no-match')).toBeInTheDocument();
    expect(be.duplicateQueue.mock.calls.at(-1)?.[0]).toMatchObject({ tier: 'same', import_id: 7 });
    await u.selectOptions(screen.getByTestId('queue-filter-tier'), '');
    await waitFor(() => expect(leadsA()).toEqual(['Alan Turing']));

    await u.click(within(chip).getByRole('button', { name: 'Show the pairs of every import' }));
    await waitFor(() => expect(leadsA()).toHaveLength(3));
    expect(be.duplicateQueue.mock.calls.at(-1)?.[0]).toMatchObject({ import_id: null });
    expect(screen.queryByTestId('queue-filter-import')).toBeNull();
    expect(screen.getByTestId('queue-count')).toHaveTextContent(/^3$/);
  });

  it('opens on the whole queue from anywhere else', async () => {
    nav.go({ name: 'duplicates' });
    const { be } = await open();
    expect(be.duplicateQueue.mock.calls[0][0]).toMatchObject({ import_id: null });
    expect(screen.queryByTestId('queue-filter-import')).toBeNull();
  });
});

describe('queue filters', () => {
  it('lets a pair through when either lead matches, and every filter must', () => {
    const pairs = queue();
    const ids = (f: Partial<ReturnType<typeof noQueueFilter>>) =>
      filterPairs(pairs, { ...noQueueFilter(), ...f }).map((p) => p.id);
    expect(ids({})).toEqual([1, 2, 3]);
    expect(ids({ tier: 'same' })).toEqual([1, 3]);
    expect(ids({ campaign: 'Autumn' })).toEqual([2]);
    expect(ids({ source: 'direct_entry' })).toEqual([1, 3]);
    expect(ids({ source: 'web_form', tier: 'same' })).toEqual([1]);
    expect(ids({ source: 'web_form', tier: 'review' })).toEqual([]);
  });

  it('offers what the core read beside the pairs listed, each campaign once whatever its case', () => {
    const facets = queueFacets(queue().slice(0, 1), noQueueFilter(), {
      campaigns: ['autumn', 'spring'],
      sources: ['partner'],
    });
    expect(facets.campaigns).toEqual(['autumn', 'spring']);
    expect(facets.sources).toEqual(['direct_entry', 'web_form', 'partner']);
    expect(filterPairs(queue(), { ...noQueueFilter(), campaign: 'AUTUMN ' }).map((p) => p.id)).toEqual([2]);
  });

  it('offers a chosen campaign as chosen, whatever spelling of it is read later', () => {
    const facets = queueFacets([], { ...noQueueFilter(), campaign: 'Spring' }, { campaigns: ['spring'], sources: [] });
    expect(facets.campaigns).toEqual(['Spring']);
  });

  it('keeps offering a chosen value once its pairs have left the queue', () => {
    const facets = queueFacets(queue().slice(2), { ...noQueueFilter(), campaign: 'Spring', source: 'partner' });
    expect(facets.campaigns).toEqual(['Spring']);
    expect(facets.sources).toEqual(['direct_entry', 'partner']);
  });
});
