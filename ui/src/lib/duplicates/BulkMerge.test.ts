import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { session } from '../session.svelte';
import { sessionFor } from '../../test/fixtures';
import { apiErr, deferred, duplicatePair, duplicatePairs, duplicatesMock, lead, mockBackend } from '../../test/fixtures';
import type { Backend } from '../api';
import type { DuplicatePair } from '../types';
import Toasts from '../ui/Toasts.svelte';
import DuplicatesPage from './DuplicatesPage.svelte';

/** A Same pair of two leads of its own: `aId` takes in `bId`. */
function samePair(id: number, score: number, aId: number, bId: number, a: [string, string], b: [string, string]) {
  const contact = (n: number) => ({
    emails: [{ address: `lead${n}@example.com`, original: `lead${n}@example.com` }],
    phones: [],
  });
  return duplicatePair({
    id,
    score,
    tier: 'same',
    a: lead({ id: aId, first_name: a[0], last_name: a[1], company: '', ...contact(aId) }),
    b: lead({ id: bId, first_name: b[0], last_name: b[1], company: '', ...contact(bId) }),
  });
}

/** Grace (Same, 97%), Alan (Review, 71%), Ada (Same, 99.5%), Linus (Same, 93%). */
function queue(): DuplicatePair[] {
  return [
    ...duplicatePairs(),
    samePair(3, 0.995, 31, 32, ['Ada', 'Lovelace'], ['Ada', 'King']),
    samePair(4, 0.93, 41, 42, ['Linus', 'Torvalds'], ['L.', 'Torvalds']),
  ];
}

async function open(over: Partial<Backend> = {}) {
  const be = mockBackend(over);
  render(DuplicatesPage);
  render(Toasts);
  const u = userEvent.setup();
  await waitFor(() => expect(screen.getAllByTestId('duplicate-pair').length).toBeGreaterThan(0));
  return { be, u };
}

const queueNames = () =>
  screen
    .queryAllByTestId('duplicate-pair')
    .map((el) => [...el.querySelectorAll('.queue-name')].map((n) => n.textContent?.trim()).join(' / '));

const previewRows = () =>
  within(screen.getByTestId('bulk-merge-preview'))
    .getAllByTestId('bulk-merge-pair')
    .map((li) => [
      [...li.querySelectorAll('.bulk-name')].map((n) => n.textContent?.trim()).join(' / '),
      within(li).getByTestId('bulk-merge-score').textContent,
      (within(li).getByTestId('bulk-merge-check') as HTMLInputElement).checked,
    ]);


// Scans are run by Administrators and data stewards: these tests sign in as an Administrator.
beforeEach(() => {
  session.current = sessionFor('administrator');
});

describe('DuplicatesPage: merging all Same pairs', () => {
  it('is offered only while the queue holds Same pairs, counting them', async () => {
    await open(duplicatesMock(queue()));
    expect(screen.getByTestId('bulk-merge')).toHaveTextContent('Merge all Same pairs (3)');
    expect(screen.queryByTestId('bulk-merge-left')).toBeNull();

    // A Same pair whose leads hold two companies is left out, and said to be left for a person.
    cleanup();
    const [first, ...rest] = queue().filter((p) => p.tier === 'same');
    await open(duplicatesMock([{ ...first, conflicts: ['company'] }, ...rest]));
    expect(screen.getByTestId('bulk-merge')).toHaveTextContent('Merge all Same pairs (2)');
    expect(screen.getByTestId('bulk-merge-left')).toHaveTextContent('1 other Same pair holds two values of a field');

    // Only such pairs: nothing to merge in bulk, and said why.
    cleanup();
    await open(duplicatesMock([{ ...first, conflicts: ['company'] }]));
    expect(screen.queryByTestId('bulk-merge')).toBeNull();
    expect(screen.getByTestId('bulk-merge-left')).toHaveTextContent(
      '1 Same pair holds two values of a field or other contact details: open it to decide',
    );

    // A queue of pairs to review only has nothing to accept in bulk.
    cleanup();
    await open(duplicatesMock(duplicatePairs().filter((p) => p.tier === 'review')));
    expect(screen.queryByTestId('bulk-merge')).toBeNull();
  });

  it('previews each Same pair checked, merges the ticked ones with progress, sums up and reloads the queue', async () => {
    const dup = duplicatesMock(queue());
    const gate = deferred<void>();
    let report: (done: number) => void = () => {};
    const { be, u } = await open({
      ...dup,
      mergePairs: async (ids, onProgress) => {
        report = onProgress;
        onProgress(0);
        await gate.promise;
        return dup.mergePairs(ids, onProgress);
      },
    });
    expect(queueNames()).toEqual([
      'Ada Lovelace / Ada King',
      'Grace Hopper / Grace Hoper',
      'Linus Torvalds / L. Torvalds',
      'Alan Turing / A. Turing',
    ]);
    const reads = be.duplicateQueue.mock.calls.length;

    await u.click(screen.getByTestId('bulk-merge'));
    const preview = await screen.findByTestId('bulk-merge-preview');
    expect(preview).toHaveAccessibleName('Merge all Same pairs');
    // Only the Same pairs, by score, both names and the score, all ticked.
    expect(previewRows()).toEqual([
      ['Ada Lovelace / Ada King', '99.5%', true],
      ['Grace Hopper / Grace Hoper', '97%', true],
      ['Linus Torvalds / L. Torvalds', '93%', true],
    ]);
    const confirm = within(preview).getByTestId('bulk-merge-confirm');
    expect(confirm).toHaveTextContent('Merge 3 pairs');
    // Each checkbox says what it merges.
    const linus = within(preview).getByRole('checkbox', { name: 'Merge L. Torvalds into Linus Torvalds, 93%' });
    await u.click(linus);
    expect(linus).not.toBeChecked();
    expect(confirm).toHaveTextContent('Merge 2 pairs');

    await u.click(confirm);
    expect(be.mergePairs).toHaveBeenCalledOnce();
    expect(be.mergePairs.mock.calls[0][0]).toEqual([3, 1]);
    const progress = await within(preview).findByTestId('bulk-merge-progress');
    const bar = within(progress).getByRole('progressbar');
    expect(bar).toHaveAccessibleName('Merging pairs…');
    expect(bar).toHaveAttribute('max', '2');
    expect((bar as HTMLProgressElement).value).toBe(0);
    expect(within(progress).getByTestId('bulk-merge-count')).toHaveTextContent('0 of 2 pairs');
    // Nothing can be changed or closed while the merges run.
    expect(within(preview).getByTestId('bulk-merge-cancel')).toBeDisabled();
    expect(within(preview).getAllByTestId('bulk-merge-check')[0]).toBeDisabled();
    await u.keyboard('{Escape}');
    expect(screen.getByTestId('bulk-merge-preview')).toBeInTheDocument();

    report(1);
    await waitFor(() => expect(within(progress).getByTestId('bulk-merge-count')).toHaveTextContent('1 of 2 pairs'));
    expect((bar as HTMLProgressElement).value).toBe(1);

    gate.resolve();
    const summary = await screen.findByTestId('bulk-merge-summary');
    expect(summary).toHaveTextContent('Bulk merge: 2 pairs merged');
    expect(summary).not.toHaveTextContent('skipped');
    expect(screen.queryByTestId('bulk-merge-preview')).toBeNull();
    // The focus goes to what was done, and from there to its Undo.
    await waitFor(() => expect(summary).toHaveFocus());
    expect(within(summary).getByTestId('bulk-merge-undo')).toHaveTextContent('Undo bulk merge');

    // The queue is read again: the merged pairs have left it, the unticked one stays.
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBeGreaterThan(reads));
    await waitFor(() => expect(queueNames()).toEqual(['Linus Torvalds / L. Torvalds', 'Alan Turing / A. Turing']));
    expect(screen.getByTestId('bulk-merge')).toHaveTextContent('Merge all Same pairs (1)');
  });

  it('says which pairs were skipped and why', async () => {
    // Pair 5 shares its second lead with pair 1: once pair 1 is merged, pair 5 is gone.
    const chained = samePair(5, 0.95, 51, 12, ['Grace', 'Brewster'], ['Grace', 'Hoper']);
    const { be, u } = await open(duplicatesMock([...duplicatePairs(), chained]));
    await u.click(screen.getByTestId('bulk-merge'));
    await u.click(within(await screen.findByTestId('bulk-merge-preview')).getByTestId('bulk-merge-confirm'));

    const summary = await screen.findByTestId('bulk-merge-summary');
    expect(summary).toHaveTextContent('Bulk merge: 1 pair merged · 1 skipped: duplicate pair 5 was not found');
    const sent = be.mergePairs.mock.calls[0][0];
    expect(sent).toEqual([1, 5]);
    const answer = await be.mergePairs.mock.results[0].value;
    expect(answer.skipped).toEqual([{ pair_id: 5, reason: 'duplicate pair 5 was not found' }]);
  });

  it('undoes the whole batch, the last merge first, and reads the queue again', async () => {
    const { be, u } = await open(duplicatesMock(queue()));
    await u.click(screen.getByTestId('bulk-merge'));
    await u.click(within(await screen.findByTestId('bulk-merge-preview')).getByTestId('bulk-merge-confirm'));
    const summary = await screen.findByTestId('bulk-merge-summary');
    expect(summary).toHaveTextContent('Bulk merge: 3 pairs merged');
    const { merged } = await be.mergePairs.mock.results[0].value;
    const ids = merged.map((m: { merge_id: number }) => m.merge_id);
    expect(ids).toHaveLength(3);
    await waitFor(() => expect(queueNames()).toEqual(['Alan Turing / A. Turing']));
    const reads = be.duplicateQueue.mock.calls.length;

    await u.click(within(summary).getByTestId('bulk-merge-undo'));
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledTimes(3));
    expect(be.unmerge.mock.calls.map((c) => c[0])).toEqual([...ids].reverse());
    // Each pair back in the queue, to decide one by one.
    expect(be.unmerge.mock.calls.every((c) => c[1] === true)).toBe(true);
    expect(await screen.findByText('Bulk merge undone: 3 leads restored, back in the queue')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('bulk-merge-summary')).toBeNull());
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBeGreaterThan(reads));
    // The queue holds the pairs again; the focus that fell with the summary goes to the pair still selected.
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(4));
    const selected = () => screen.getAllByTestId('duplicate-pair').find((p) => p.getAttribute('aria-current') === 'true');
    await waitFor(() => expect(selected()).toHaveFocus());
    expect(selected()).toHaveTextContent('Alan Turing');
  });

  it('keeps the Undo for the merges that could not be undone yet', async () => {
    const dup = duplicatesMock(queue());
    let locked = true;
    const { be, u } = await open({
      ...dup,
      unmerge: async (mergeId, toQueue) => {
        // The first merge made (the last one undone) meets a busy database.
        if (locked && mergeId === 100) throw apiErr({ code: 'database_locked', message: 'the database is busy' });
        return dup.unmerge(mergeId, toQueue);
      },
    });
    await u.click(screen.getByTestId('bulk-merge'));
    await u.click(within(await screen.findByTestId('bulk-merge-preview')).getByTestId('bulk-merge-confirm'));
    const summary = await screen.findByTestId('bulk-merge-summary');

    await u.click(within(summary).getByTestId('bulk-merge-undo'));
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledTimes(3));
    expect(await screen.findByRole('alert')).toHaveTextContent('Undid 2 of 3 merges. Could not undo the merge: The database is busy');
    expect(screen.getByTestId('bulk-merge-summary')).toBeInTheDocument();

    locked = false;
    await u.click(within(screen.getByTestId('bulk-merge-summary')).getByTestId('bulk-merge-undo'));
    await waitFor(() => expect(be.unmerge).toHaveBeenCalledTimes(4));
    expect(be.unmerge.mock.calls[3][0]).toBe(100);
    await waitFor(() => expect(screen.queryByTestId('bulk-merge-summary')).toBeNull());
    expect(await screen.findByText('Bulk merge undone: 1 lead restored, back in the queue')).toBeInTheDocument();
  });

  it('merges nothing when cancelled, and gives the focus back', async () => {
    const { be, u } = await open(duplicatesMock(queue()));
    const button = screen.getByTestId('bulk-merge');
    await u.click(button);
    const preview = await screen.findByTestId('bulk-merge-preview');
    // The focus starts inside the dialog.
    expect(preview).toContainElement(document.activeElement as HTMLElement);

    // Nothing ticked: nothing to merge.
    await u.click(within(preview).getByTestId('bulk-merge-all'));
    expect(within(preview).getAllByTestId('bulk-merge-check').every((c) => !(c as HTMLInputElement).checked)).toBe(true);
    expect(within(preview).getByTestId('bulk-merge-confirm')).toBeDisabled();
    await u.click(within(preview).getByTestId('bulk-merge-all'));
    expect(within(preview).getByTestId('bulk-merge-confirm')).toHaveTextContent('Merge 3 pairs');

    await u.click(within(preview).getByTestId('bulk-merge-cancel'));
    expect(screen.queryByTestId('bulk-merge-preview')).toBeNull();
    expect(button).toHaveFocus();
    await u.click(button);
    await screen.findByTestId('bulk-merge-preview');
    await u.keyboard('{Escape}');
    expect(screen.queryByTestId('bulk-merge-preview')).toBeNull();
    expect(be.mergePairs).not.toHaveBeenCalled();
    expect(queueNames()).toHaveLength(4);
  });

  it('says why a bulk merge was refused, and reads the queue again', async () => {
    const { be, u } = await open({
      ...duplicatesMock(queue()),
      mergePairs: async () => {
        throw apiErr({ code: 'permission_denied', message: 'you may not review duplicates' });
      },
    });
    const reads = be.duplicateQueue.mock.calls.length;
    await u.click(screen.getByTestId('bulk-merge'));
    const preview = await screen.findByTestId('bulk-merge-preview');
    await u.click(within(preview).getByTestId('bulk-merge-confirm'));
    const error = await within(preview).findByTestId('bulk-merge-error');
    expect(error).toHaveAttribute('role', 'alert');
    expect(error).toHaveTextContent('Could not merge the pairs: You may not review duplicates');
    await waitFor(() => expect(error).toHaveFocus());
    await waitFor(() => expect(be.duplicateQueue.mock.calls.length).toBeGreaterThan(reads));
    expect(screen.queryByTestId('bulk-merge-summary')).toBeNull();
    expect(within(preview).getByTestId('bulk-merge-confirm')).toBeEnabled();
  });
});
