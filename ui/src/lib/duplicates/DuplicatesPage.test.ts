import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nav } from '../nav.svelte';
import { TOAST_PAGE_GRACE_MS } from '../toast.svelte';
import { session } from '../session.svelte';
import { sessionFor } from '../../test/fixtures';
import { liveRegionsSaying } from '../../test/a11y';
import {
  apiErr,
  deferred,
  duplicatePair,
  duplicatePairs,
  duplicatesMock,
  lead,
  mockBackend,
  queuePage,
} from '../../test/fixtures';
import type { Backend } from '../api';
import type { DuplicateScanSummary, ScanProgress } from '../types';
import Toasts from '../ui/Toasts.svelte';
import DuplicatesPage from './DuplicatesPage.svelte';
import { duplicateScan } from './scan.svelte';
import { importRuns } from '../imports/runs.svelte';
import { importBatch } from '../../test/importFixtures';

/** The duplicates screen with the toasts region the app shell gives it. */
async function open(over: Partial<Backend> = {}) {
  const be = mockBackend(over);
  render(DuplicatesPage);
  render(Toasts);
  const u = userEvent.setup();
  await waitFor(() => expect(be.duplicateQueue).toHaveBeenCalled());
  return { be, u };
}

/** The versions of pair `id`'s leads as the queue shows them: what a decision on it sends as seen. */
function seenOf(id: number) {
  const pair = duplicatePairs().find((p) => p.id === id);
  if (!pair) throw new Error(`no pair ${id}`);
  return [pair.a, pair.b].map((l) => ({ lead_id: l.id, version: l.version }));
}

/** Each listed pair's two names, "A / B". */
const names = () =>
  screen
    .queryAllByTestId('duplicate-pair')
    .map((el) => [...el.querySelectorAll('.queue-name')].map((n) => n.textContent?.trim()).join(' / '));
const selectedPair = () => screen.getAllByTestId('duplicate-pair').find((el) => el.getAttribute('aria-current') === 'true');


// Scans are run by Administrators and data stewards: these tests sign in as an Administrator.
beforeEach(() => {
  session.current = sessionFor('administrator');
});

describe('DuplicatesPage: the queue', () => {
  it('says clearly when there is nothing to review, and fills the queue with a scan', async () => {
    const { be, u } = await open(duplicatesMock(duplicatePairs(), { queued: false }));
    const empty = await screen.findByTestId('duplicates-empty');
    expect(empty).toHaveTextContent('No duplicates to review');
    expect(empty).toHaveTextContent('Scan to look for them.');
    expect(screen.queryByTestId('pair-compare')).toBeNull();

    await u.click(screen.getByTestId('scan-duplicates'));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    expect(screen.getByTestId('scan-summary')).toHaveTextContent('8 leads scanned · 2 pairs to review · 0 kept apart · 0.1 s');
    // Said once, by one live region.
    expect(liveRegionsSaying('2 pairs to review')).toHaveLength(1);
    expect(screen.queryByTestId('duplicates-empty')).toBeNull();
    expect(be.duplicateQueue).toHaveBeenCalledTimes(2);
  });

  it('stays empty after a scan that finds nothing, and says the scan found none', async () => {
    const { u } = await open(duplicatesMock([]));
    await screen.findByTestId('duplicates-empty');
    await u.click(screen.getByTestId('scan-duplicates'));
    await waitFor(() => expect(screen.getByTestId('scan-summary')).toHaveTextContent('4 leads scanned · 0 pairs to review'));
    expect(screen.getByTestId('duplicates-empty')).toHaveTextContent('The last scan left no pairs to review.');
  });

  it('lists the pairs by score, highest first, with both names, the score as a percentage and the tier', async () => {
    const low = duplicatePair({
      id: 5,
      score: 0.42,
      tier: 'review',
      a: lead({ id: 51, first_name: 'Ada', last_name: 'Lovelace' }),
      b: lead({ id: 52, first_name: 'Ada', last_name: 'King' }),
    });
    const [high, mid] = duplicatePairs();
    // Out of order on purpose: the screen sorts.
    await open({ duplicateQueue: async () => queuePage([low, high, mid]) });
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(3));
    expect(names()).toEqual(['Grace Hopper / Grace Hoper', 'Alan Turing / A. Turing', 'Ada Lovelace / Ada King']);
    const items = screen.getAllByTestId('duplicate-pair');
    expect(items.map((el) => within(el).getByTestId('pair-score').textContent)).toEqual(['97%', '71%', '42%']);
    expect(items.map((el) => within(el).getByTestId('pair-tier').textContent)).toEqual(['Same', 'Review', 'Review']);
    expect(screen.getByTestId('queue-count')).toHaveTextContent('3');
    // The first pair is open for review.
    expect(selectedPair()).toBe(items[0]);
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Grace Hopper and Grace Hoper');
  });

  it('shows a queue that cannot be read, with a way to try again', async () => {
    let fail = true;
    const { u } = await open({
      duplicateQueue: async () => {
        if (fail) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return queuePage(duplicatePairs());
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the review queue: the database is busy');
    fail = false;
    await u.click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
  });
});

describe('DuplicatesPage: the scan', () => {
  it('shows the phase, the count, the rate and the time left, and then the summary', async () => {
    const answer = deferred<DuplicateScanSummary>();
    let report: (p: ScanProgress) => void = () => {};
    let clock = 0;
    duplicateScan.now = () => clock;
    const { be, u } = await open({
      ...duplicatesMock(duplicatePairs(), { queued: false }),
      scanDuplicates: (onProgress) => {
        report = onProgress;
        return answer.promise;
      },
    });
    await u.click(screen.getByTestId('scan-duplicates'));

    const progress = await screen.findByTestId('scan-progress');
    expect(progress).toHaveTextContent('Starting the scan…');
    expect(screen.getByTestId('scan-duplicates')).toBeDisabled();
    expect(screen.getByTestId('cancel-scan')).toHaveFocus();

    report({ phase: 'reading', done: 0, total: 0, thousandths: false });
    await waitFor(() => expect(progress).toHaveTextContent('Reading leads…'));
    expect(screen.queryByTestId('scan-count')).toBeNull();

    report({ phase: 'matching', done: 0, total: 2000, thousandths: false });
    await waitFor(() => expect(progress).toHaveTextContent('Comparing leads…'));
    expect(screen.getByTestId('scan-count')).toHaveTextContent('0 of 2,000 leads');
    expect(screen.queryByTestId('scan-pace')).toBeNull();

    clock = 2000;
    report({ phase: 'matching', done: 500, total: 2000, thousandths: false });
    await waitFor(() => expect(screen.getByTestId('scan-count')).toHaveTextContent('500 of 2,000 leads'));
    expect(screen.getByTestId('scan-pace')).toHaveTextContent('250 leads/s · about 6 s left');
    const bar = within(progress).getByRole('progressbar');
    expect(bar).toHaveAccessibleName('Comparing leads…');
    expect(bar).toHaveAttribute('max', '2000');
    expect((bar as HTMLProgressElement).value).toBe(500);

    // A new phase measures its own pace.
    clock = 3000;
    report({ phase: 'saving', done: 0, total: 40, thousandths: false });
    await waitFor(() => expect(progress).toHaveTextContent('Saving the pairs found…'));
    expect(screen.getByTestId('scan-count')).toHaveTextContent('0 of 40 pairs');
    expect(screen.queryByTestId('scan-pace')).toBeNull();

    const reads = be.duplicateQueue.mock.calls.length;
    answer.resolve({ leads: 2000, open: 40, kept_apart: 3, enriched: 0, enrichment_stopped: false, enrichment_error: null, seconds: 4.2 });
    await waitFor(() =>
      expect(screen.getByTestId('scan-summary')).toHaveTextContent('2,000 leads scanned · 40 pairs to review · 3 kept apart · 4.2 s'),
    );
    expect(screen.queryByTestId('scan-progress')).toBeNull();
    expect(screen.getByTestId('scan-duplicates')).toBeEnabled();
    // Focus returns from Cancel, which is gone, to the scan button.
    await waitFor(() => expect(screen.getByTestId('scan-duplicates')).toHaveFocus());
    // The queue is read again once the scan has rewritten it.
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBe(reads + 1));
  });

  it('says when merging the sure pairs failed part-way, and that the queue and the merges done stand', async () => {
    const { u } = await open({
      scanDuplicates: async () => ({
        leads: 50,
        open: 4,
        kept_apart: 0,
        enriched: 2,
        enrichment_stopped: false,
        enrichment_error: 'the database is busy: another program is writing to it',
        seconds: 1,
      }),
    });
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    await u.click(screen.getByTestId('scan-duplicates'));
    expect(await screen.findByTestId('scan-enrichment-error')).toHaveTextContent(
      'Merging the sure pairs stopped part-way: the database is busy: another program is writing to it. The queue is saved, and the 2 merges done stand',
    );
    expect(screen.getByTestId('scan-summary')).toHaveTextContent('2 pairs merged automatically');
  });

  it('cancels a running scan, leaving the queue as it was', async () => {
    const answer = deferred<DuplicateScanSummary>();
    const { be, u } = await open({ scanDuplicates: () => answer.promise });
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    const reads = be.duplicateQueue.mock.calls.length;

    await u.click(screen.getByTestId('scan-duplicates'));
    await u.click(await screen.findByTestId('cancel-scan'));
    expect(be.cancelDuplicateScan).toHaveBeenCalledOnce();
    await waitFor(() => expect(screen.getByTestId('scan-progress')).toHaveTextContent('Cancelling…'));
    expect(screen.getByTestId('cancel-scan')).toBeDisabled();

    answer.reject(apiErr({ code: 'cancelled', message: 'the scan was cancelled' }));
    expect(await screen.findByTestId('scan-cancelled')).toHaveTextContent('Scan cancelled: the queue is as it was.');
    expect(liveRegionsSaying('Scan cancelled')).toHaveLength(1);
    expect(screen.queryByTestId('scan-progress')).toBeNull();
    expect(screen.queryByTestId('scan-error')).toBeNull();
    expect(screen.getByTestId('scan-summary')).toHaveTextContent(/^$/);
    expect(be.duplicateQueue.mock.calls.length).toBe(reads);
    expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2);
  });

  it('shows why a scan failed', async () => {
    const { u } = await open({
      scanDuplicates: async () => {
        throw apiErr({ code: 'permission_denied', message: 'viewers cannot review duplicates' });
      },
    });
    await u.click(screen.getByTestId('scan-duplicates'));
    const error = await screen.findByTestId('scan-error');
    expect(error).toHaveAttribute('role', 'alert');
    expect(error).toHaveAttribute('data-code', 'permission_denied');
    expect(error).toHaveTextContent('The scan failed: Viewers cannot review duplicates');
  });
});

describe('DuplicatesPage: deciding on a pair', () => {
  it('compares the two leads field by field, highlighting what differs, with the evidence in words', async () => {
    const { u } = await open();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    await u.click(screen.getAllByTestId('duplicate-pair')[1]);

    const compare = screen.getByTestId('pair-compare');
    expect(compare).toHaveAccessibleName('Alan Turing and A. Turing');
    expect(within(compare).getByTestId('compare-score')).toHaveTextContent('71% likely to be one person');
    expect(within(compare).getByTestId('compare-tier')).toHaveTextContent('Review');
    expect(selectedPair()).toBe(screen.getAllByTestId('duplicate-pair')[1]);

    const first = within(compare).getByTestId('compare-row-first_name');
    expect(first).toHaveClass('differs');
    expect(first).toHaveTextContent('First name differs Keep First name of lead A: Alan Keep First name of lead B: A.');
    const last = within(compare).getByTestId('compare-row-last_name');
    expect(last).not.toHaveClass('differs');
    expect(last).not.toHaveTextContent('differs');
    // Phones equal by number, though typed differently; emails differ and are kept from both.
    expect(within(compare).getByTestId('compare-row-phones')).not.toHaveClass('differs');
    const emails = within(compare).getByTestId('compare-row-emails');
    expect(emails).toHaveClass('differs');
    expect(emails).toHaveTextContent('kept from both');
    expect(within(emails).queryByRole('radio')).toBeNull();
    // A has no job title: B's is picked.
    expect(within(compare).getByTestId('choice-job_title-b')).toBeChecked();
    expect(within(compare).getByTestId('choice-job_title-a')).not.toBeChecked();
    expect(within(compare).getByTestId('compare-row-job_title')).toHaveTextContent('(empty)');

    const lines = within(compare).getAllByTestId('evidence-line');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toHaveTextContent('+6.2');
    expect(lines[0]).toHaveTextContent('phone: the same number (+44 1908 640404)');
    expect(lines[0]).toHaveAttribute('data-tone', 'for');
    expect(within(lines[0]).getByTestId('evidence-weight')).toHaveClass('weight-for');
    expect(lines[4]).toHaveTextContent('\u22122.6');
    expect(lines[4]).toHaveTextContent('email: different addresses');
    expect(lines[4]).toHaveAttribute('data-tone', 'against');
    expect(within(lines[4]).getByTestId('evidence-weight')).toHaveClass('weight-against');
  });

  it("sends the steward's picks to mergeLeads: B's last name, A's other values; notes joined", async () => {
    const { be, u } = await open();
    const compare = await screen.findByTestId('pair-compare');
    expect(within(compare).getByTestId('choice-last_name-a')).toBeChecked();
    expect(within(compare).getByTestId('choice-notes-both')).toBeChecked();
    // Each radio says what it keeps.
    const pickB = within(compare).getByRole('radio', { name: 'Keep Last name of lead B: Hoper' });
    expect(pickB).toBe(within(compare).getByTestId('choice-last_name-b'));
    await u.click(pickB);
    expect(pickB).toBeChecked();
    expect(within(compare).getByTestId('choice-last_name-a')).not.toBeChecked();

    await u.click(within(compare).getByTestId('merge-pair'));
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalledOnce());
    const [survivor, others, choices, seen, pairId] = be.mergeLeads.mock.calls[0];
    expect(survivor).toBe(11);
    // The versions compared go with the picks, so an edit made meanwhile is a conflict, not overwritten.
    const {
      pairs: [shown],
    } = await be.duplicateQueue.mock.results[0].value;
    expect(seen).toEqual([
      { lead_id: 11, version: shown.a.version },
      { lead_id: 12, version: shown.b.version },
    ]);
    expect(others).toEqual([12]);
    // The pair as the page showed it: one set aside meanwhile by another steward is refused, not merged over.
    expect(pairId).toBe(shown.id);
    // Only the pick changed is sent: the rest is the core's own choice, with its rules.
    expect(choices).toEqual([{ field: 'last_name', lead_id: 12 }]);

    // The survivor carries B's last name; the pair leaves the queue and the next one is up.
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Merged into Grace Hoper');
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Alan Turing and A. Turing');
    // The focus stays on Merge, now for the next pair.
    await waitFor(() => expect(screen.getByTestId('merge-pair')).toHaveFocus());
  });

  it('says why a pair likely to be one person is still a person\'s to review: what differs', async () => {
    const pair = duplicatePair({ score: 0.9995, tier: 'review', conflicts: ['emails', 'job_title'] });
    await open(duplicatesMock([pair]));
    const compare = await screen.findByTestId('pair-compare');
    expect(within(compare).getByTestId('compare-held')).toHaveTextContent(/^Emails and job title differ$/);
    // Many fields: the first three and how many more. A pair of middling score says nothing: its table shows it.
    cleanup();
    const many = ['emails', 'phones', 'company', 'city', 'postcode'];
    await open(duplicatesMock([duplicatePair({ score: 0.995, tier: 'review', conflicts: many })]));
    expect(await screen.findByTestId('compare-held')).toHaveTextContent(/^Emails, phones, company and 2 more differ$/);
    cleanup();
    await open(duplicatesMock([duplicatePair({ score: 0.68, tier: 'review', conflicts: many })]));
    await screen.findByTestId('pair-compare');
    expect(screen.queryByTestId('compare-held')).toBeNull();
    // A Same pair says nothing of the kind.
    cleanup();
    await open(duplicatesMock([duplicatePair({ tier: 'same', conflicts: [] })]));
    await screen.findByTestId('pair-compare');
    expect(screen.queryByTestId('compare-held')).toBeNull();
  });

  it('keeps an amount with its currency: picking B\'s deal value picks B\'s currency with it', async () => {
    const deal = (value: string, currency: string) => ({ ...lead().deal, value, currency });
    const pair = duplicatePair({
      a: lead({ id: 11, deal: deal('5000.00', 'EUR') }),
      b: lead({ id: 12, first_name: 'Grace', deal: deal('8000.00', 'USD') }),
    });
    const { be, u } = await open(duplicatesMock([pair]));
    const compare = await screen.findByTestId('pair-compare');
    await u.click(within(compare).getByTestId('choice-deal_value-b'));
    expect(within(compare).getByTestId('choice-currency-b')).toBeChecked();
    await u.click(within(compare).getByTestId('merge-pair'));
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalledOnce());
    expect(be.mergeLeads.mock.calls[0][2]).toEqual([
      { field: 'deal_value', lead_id: 12 },
      { field: 'currency', lead_id: 12 },
    ]);
  });

  it('undoes a merge from its toast: unmerge with the merge id, and the queue is read again', async () => {
    const { be, u } = await open();
    await u.click(await screen.findByTestId('merge-pair'));
    const undo = await screen.findByTestId('toast-undo');
    expect(undo).toHaveTextContent('Undo');
    const merged = await be.mergeLeads.mock.results[0].value;
    const reads = be.duplicateQueue.mock.calls.length;

    expect(screen.getByTestId('last-merge')).toHaveTextContent('Last merge: Grace Hoper into Grace Hopper.');

    await u.click(undo);
    // The decision taken back: the pair goes back to the queue to decide again, not set aside as two people.
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledWith(merged.merge_id, true));
    expect(await screen.findByText('Unmerged: Grace Hoper restored, back in the queue')).toBeInTheDocument();
    // Undone: no longer offered on the screen either.
    expect(screen.queryByTestId('last-merge')).toBeNull();
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBeGreaterThan(reads));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
  });

  it('keeps the merge\'s Undo when the user goes to another page while its window lasts', async () => {
    nav.go({ name: 'duplicates' });
    const { be, u } = await open();
    await u.click(await screen.findByTestId('merge-pair'));
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalled());
    expect(await screen.findByTestId('toast-undo')).toBeInTheDocument();
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + TOAST_PAGE_GRACE_MS);
    nav.go({ name: 'leads' });
    await waitFor(() => expect(nav.view.name).toBe('leads'));
    expect(screen.getByTestId('toast-undo')).toBeInTheDocument();
  });

  it('reads the queue again when a merge made on an earlier visit is undone from its toast', async () => {
    const be = mockBackend();
    const first = render(DuplicatesPage);
    render(Toasts);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('merge-pair'));
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalled());
    const undo = await screen.findByTestId('toast-undo');
    first.unmount();
    render(DuplicatesPage);
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair').length).toBeGreaterThan(0));
    const reads = be.duplicateQueue.mock.calls.length;
    await u.click(undo);
    await waitFor(() => expect(be.unmerge).toHaveBeenCalled());
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBeGreaterThan(reads));
  });

  it('takes the pairs of the merged leads off the list until the queue is read again: they hold stale versions', async () => {
    const third = duplicatePair({ id: 3, score: 0.9, b: lead({ id: 15, first_name: 'Grace', last_name: 'H.' }) });
    const [first, other] = duplicatePairs();
    const reread = deferred<ReturnType<typeof queuePage>>();
    let reads = 0;
    const { be, u } = await open({
      duplicateQueue: async () => (++reads === 1 ? queuePage([first, third, other]) : reread.promise),
    });
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(3));
    await u.click(await screen.findByTestId('merge-pair'));
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalledOnce());
    // Grace Hopper (lead 11) was just changed by the merge: her other pair waits for the fresh queue.
    await waitFor(() => expect(names()).toEqual(['Alan Turing / A. Turing']));
    reread.resolve(queuePage([{ ...third, a: { ...third.a, version: third.a.version + 1 } }, other]));
    await waitFor(() => expect(names()).toEqual(['Grace Hopper / Grace H.', 'Alan Turing / A. Turing']));
  });

  it('offers the last merge for undoing on the screen, after its toast and a visit elsewhere', async () => {
    const be = mockBackend();
    const page = render(DuplicatesPage);
    render(Toasts);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('merge-pair'));
    await screen.findByTestId('toast-undo');
    page.unmount();

    render(DuplicatesPage);
    const last = await screen.findByTestId('last-merge');
    expect(last).toHaveTextContent('Last merge: Grace Hoper into Grace Hopper.');
    await u.click(within(last).getByTestId('unmerge-last'));
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledOnce());
    expect(be.unmerge).toHaveBeenCalledWith((await be.mergeLeads.mock.results[0].value).merge_id, true);
    expect(await screen.findByText('Unmerged: Grace Hoper restored, back in the queue')).toBeInTheDocument();
    // The merge's toast, whose Undo would now be refused, is gone with it.
    expect(screen.queryByTestId('toast-undo')).toBeNull();
    expect(screen.queryByTestId('last-merge')).toBeNull();
    // The button pressed went with the banner: the focus is back in the queue, not lost to the page.
    await waitFor(() => expect(document.activeElement).not.toBe(document.body));
  });

  it('says when a merge cannot be undone', async () => {
    const { u } = await open({
      unmerge: async () => {
        throw apiErr({ code: 'not_found', message: 'merge 100 was not found' });
      },
    });
    await u.click(await screen.findByTestId('merge-pair'));
    await u.click(await screen.findByTestId('toast-undo'));
    expect(await screen.findByRole('alert')).toHaveTextContent("This merge can't be undone");
    // A merge that is gone is not offered again.
    expect(screen.queryByTestId('last-merge')).toBeNull();
  });

  it('keeps the pair and says why when "Not a duplicate" finds a lead changed since it was shown', async () => {
    const { be, u } = await open({
      markNotDuplicate: async () => {
        throw apiErr({ code: 'conflict', message: 'the lead was changed by someone else' });
      },
    });
    await u.click(await screen.findByTestId('not-duplicate'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not set the pair aside: The lead was changed by someone else',
    );
    expect(be.markNotDuplicate).toHaveBeenCalledWith(1, seenOf(1));
    expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2);
  });

  it('reads the queue again when an import or its undo ends (it may have queued pairs)', async () => {
    const { be } = await open({ importResume: async () => importBatch({ id: 3 }) });
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    const reads = be.duplicateQueue.mock.calls.length;
    await importRuns.resume(3, 'messe.csv');
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBe(reads + 1));
  });

  it('keeps the pair and says why when a merge is refused', async () => {
    const { u } = await open({
      mergeLeads: async () => {
        throw apiErr({ code: 'conflict', message: 'the lead was changed by someone else' });
      },
    });
    await u.click(await screen.findByTestId('merge-pair'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not merge Grace Hoper into Grace Hopper: The lead was changed by someone else',
    );
    expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2);
    expect(screen.queryByTestId('toast-undo')).toBeNull();
  });

  it('says a pair another steward decided meanwhile was left alone, and drops it from the queue', async () => {
    let decided = false;
    const { u } = await open({
      mergeLeads: async () => {
        decided = true;
        throw apiErr({ code: 'not_found', message: 'open duplicate pair 11-12 does not exist' });
      },
      duplicateQueue: async () => queuePage(duplicatePairs().filter((p) => !(decided && p.id === 1))),
    });
    await u.click(await screen.findByTestId('merge-pair'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Grace Hopper and Grace Hoper were decided by someone else meanwhile: nothing was merged',
    );
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    expect(screen.queryByTestId('toast-undo')).toBeNull();
  });

  it('starts the picks again when a refused merge brings the pair back with a lead changed since', async () => {
    let edited = false;
    const { be, u } = await open({
      mergeLeads: async () => {
        edited = true;
        throw apiErr({ code: 'conflict', message: 'the lead was changed by someone else' });
      },
      duplicateQueue: async () =>
        queuePage(
          duplicatePairs().map((p) =>
            edited && p.id === 1 ? { ...p, b: { ...p.b, version: p.b.version + 1, last_name: 'Hopper-Smith' } } : p,
          ),
        ),
    });
    await u.click(await screen.findByTestId('choice-last_name-b'));
    expect(screen.getByTestId('choice-last_name-b')).toBeChecked();
    await u.click(screen.getByTestId('merge-pair'));
    await screen.findByRole('alert');
    await waitFor(() => expect(screen.getByTestId('pair-compare')).toHaveTextContent('Hopper-Smith'));
    // The pick was made on "Hoper", which is gone: the panel starts again from the core's own picks.
    expect(screen.getByTestId('choice-last_name-a')).toBeChecked();
    expect(screen.getByTestId('choice-last_name-b')).not.toBeChecked();
    await u.click(screen.getByTestId('merge-pair'));
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalledTimes(2));
    expect(be.mergeLeads.mock.calls[1][2]).toEqual([]);
  });

  it('sets a pair aside with "Not a duplicate": it leaves the queue, and a new scan keeps it apart', async () => {
    const { be, u } = await open();
    await u.click(await screen.findByTestId('not-duplicate'));
    await waitFor(() => expect(be.markNotDuplicate).toHaveBeenCalledWith(1, seenOf(1)));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    expect(names()).toEqual(['Alan Turing / A. Turing']);
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Alan Turing and A. Turing');
    expect(screen.getByTestId('duplicates-said')).toHaveTextContent('Grace Hopper and Grace Hoper kept apart');
    await waitFor(() => expect(screen.getByTestId('not-duplicate')).toHaveFocus());
    expect(be.mergeLeads).not.toHaveBeenCalled();

    await u.click(screen.getByTestId('scan-duplicates'));
    await waitFor(() =>
      expect(screen.getByTestId('scan-summary')).toHaveTextContent('8 leads scanned · 1 pair to review · 1 kept apart'),
    );
    expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1);
  });
});

describe('DuplicatesPage: a read that fails', () => {
  it('says so above the queue, and keeps the pair compared and the values picked on it', async () => {
    let fail = false;
    const dup = duplicatesMock();
    const { be, u } = await open({
      ...dup,
      duplicateQueue: async (filter, limit) => {
        if (fail) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return dup.duplicateQueue(filter, limit);
      },
    });
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    await u.click(screen.getByTestId('choice-last_name-b'));
    fail = true;
    importRuns.finished++;
    expect(await screen.findByTestId('duplicates-load-error')).toHaveTextContent('the database is busy');
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBeGreaterThan(1));
    expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2);
    expect(screen.getByTestId('choice-last_name-b')).toBeChecked();
  });
});

describe('DuplicatesPage: a pair set aside by mistake', () => {
  it("brings it back to the queue from the toast's Undo", async () => {
    const { be, u } = await open();
    await u.click(await screen.findByTestId('not-duplicate'));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    await u.click(await screen.findByTestId('toast-undo'));
    await waitFor(() => expect(be.reopenDuplicatePair).toHaveBeenCalledWith(1));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    expect(names()).toContain('Grace Hopper / Grace Hoper');
    expect(screen.getByTestId('duplicates-said')).toHaveTextContent('Grace Hopper and Grace Hoper are in the queue again');
  });

  it('brings it back to the queue of a later visit of the page, from the toast that outlived the first', async () => {
    const be = mockBackend();
    const page = render(DuplicatesPage);
    render(Toasts);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('not-duplicate'));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    page.unmount();
    render(DuplicatesPage);
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    await u.click(await screen.findByTestId('toast-undo'));
    await waitFor(() => expect(be.reopenDuplicatePair).toHaveBeenCalledWith(1));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
  });
});

describe('DuplicatesPage: keyboard', () => {
  it('moves with J/K and the arrows, merges with M and sets aside with N', async () => {
    const { be, u } = await open();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    const items = () => screen.getAllByTestId('duplicate-pair');
    expect(selectedPair()).toBe(items()[0]);

    await u.keyboard('j');
    expect(selectedPair()).toBe(items()[1]);
    expect(screen.getByTestId('pair-compare')).toHaveAccessibleName('Alan Turing and A. Turing');
    await u.keyboard('j'); // stays on the last
    expect(selectedPair()).toBe(items()[1]);
    await u.keyboard('k');
    expect(selectedPair()).toBe(items()[0]);
    // Outside the list the arrows are the page's, to scroll the comparison.
    await u.keyboard('{ArrowDown}');
    expect(selectedPair()).toBe(items()[0]);

    // In the list they move through it, and the focus follows the selection.
    items()[0].focus();
    await u.keyboard('{ArrowDown}');
    expect(items()[1]).toHaveFocus();
    expect(selectedPair()).toBe(items()[1]);
    await u.keyboard('{ArrowUp}');
    expect(selectedPair()).toBe(items()[0]);
    await u.keyboard('{ArrowDown}');
    expect(selectedPair()).toBe(items()[1]);

    await u.keyboard('n');
    await waitFor(() => expect(be.markNotDuplicate).toHaveBeenCalledWith(2, seenOf(2)));
    await waitFor(() => expect(items()).toHaveLength(1));

    await u.keyboard('m');
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalledOnce());
    expect(be.mergeLeads.mock.calls[0].slice(0, 2)).toEqual([11, [12]]);
    expect(await screen.findByTestId('duplicates-empty')).toBeInTheDocument();
  });

  it('decides once for a held M or N: the key\'s repeats do not decide the next pair, unseen', async () => {
    const { be } = await open();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    fireEvent.keyDown(window, { key: 'n' });
    await waitFor(() => expect(be.markNotDuplicate).toHaveBeenCalledOnce());
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    for (const key of ['n', 'm']) fireEvent.keyDown(window, { key, repeat: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(be.markNotDuplicate).toHaveBeenCalledOnce();
    expect(be.mergeLeads).not.toHaveBeenCalled();
    expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1);
  });

  it('keeps the values picked on a pair through a look at the next one and back', async () => {
    const { be, u } = await open();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    await u.click(screen.getByTestId('choice-last_name-b'));
    await u.keyboard('j');
    await u.keyboard('k');
    expect(screen.getByTestId('choice-last_name-b')).toBeChecked();
    await u.keyboard('m');
    await waitFor(() => expect(be.mergeLeads).toHaveBeenCalledOnce());
    expect(be.mergeLeads.mock.calls[0][2]).toEqual([{ field: 'last_name', lead_id: 12 }]);
  });

  it('leaves keys alone while typing, and the arrows to a focused radio', async () => {
    const { be, u } = await open();
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    await u.keyboard('jmn');
    expect(input).toHaveValue('jmn');
    expect(selectedPair()).toBe(screen.getAllByTestId('duplicate-pair')[0]);
    expect(be.mergeLeads).not.toHaveBeenCalled();
    expect(be.markNotDuplicate).not.toHaveBeenCalled();
    input.remove();

    // On a radio, ↓ changes the pick, not the pair.
    const radio = screen.getByTestId('choice-last_name-a');
    radio.focus();
    await u.keyboard('{ArrowDown}');
    expect(selectedPair()).toBe(screen.getAllByTestId('duplicate-pair')[0]);
  });
});

describe('DuplicatesPage: who scans', () => {
  it('offers the scan to a data steward, and tells an account manager who is not one why there is none', async () => {
    mockBackend(duplicatesMock());
    session.current = sessionFor('editor');
    const { unmount } = render(DuplicatesPage);
    expect(await screen.findByTestId('scan-steward-only')).toHaveTextContent('Scans are run by data stewards');
    expect(screen.queryByTestId('scan-duplicates')).toBeNull();
    unmount();
    session.current = sessionFor('editor', { data_steward: true });
    render(DuplicatesPage);
    expect(await screen.findByTestId('scan-duplicates')).toBeInTheDocument();
    expect(screen.queryByTestId('scan-steward-only')).toBeNull();
  });

  it('does not tell an account manager who cannot scan to scan when the queue is empty', async () => {
    mockBackend({ ...duplicatesMock(), duplicateQueue: async () => queuePage([]) });
    session.current = sessionFor('editor');
    render(DuplicatesPage);
    const empty = await screen.findByTestId('duplicates-empty');
    expect(empty).not.toHaveTextContent('Scan to look for them');
    expect(empty).toHaveTextContent("a data steward's scans find them");
  });
});
