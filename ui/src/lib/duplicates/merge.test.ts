import { describe, expect, it } from 'vitest';
import { apiErr, deferred, mockBackend } from '../../test/fixtures';
import { toasts } from '../toast.svelte';
import type { UnmergeOutcome } from '../types';
import { undoMerge, unmergeErrorMessage } from './merge';

describe('unmergeErrorMessage', () => {
  it('says what to do for each refusal of an unmerge', () => {
    expect(unmergeErrorMessage(apiErr({ code: 'not_found', message: 'x' }))).toContain('undone already');
    expect(
      unmergeErrorMessage(apiErr({ code: 'approval_required', message: 'moving Bo Lee to Qualification needs…' })),
    ).toBe(
      "This merge can't be undone by you: it would move the lead back out of its stage, which needs an " +
        "Administrator's approval. Ask an Administrator to undo it.",
    );
    // The core's reason, which says what to do: not a bare "no permission" for a right the steward has.
    const outside = 'this merge took in a lead of a campaign you do not work on: ask an administrator to take it back';
    expect(unmergeErrorMessage(apiErr({ code: 'permission_denied', message: outside }))).toBe(
      'Could not undo the merge: This merge took in a lead of a campaign you do not work on: ask an administrator to take it back',
    );
    expect(unmergeErrorMessage(apiErr({ code: 'database_locked', message: 'the database is busy' }))).toBe(
      'Could not undo the merge: The database is busy',
    );
  });
});

describe('undoMerge', () => {
  it('undoes a merge once when its toast and the screen both ask while it runs', async () => {
    const answer = deferred<UnmergeOutcome>();
    const be = mockBackend({ unmerge: () => answer.promise });
    toasts.items.splice(0);
    const first = undoMerge(100);
    const second = undoMerge(100);
    expect(await second).toBeNull();
    answer.resolve({ survivor: { id: 1, first_name: 'Ann', last_name: 'Lee' }, restored: [] } as never);
    expect(await first).not.toBeNull();
    expect(be.unmerge).toHaveBeenCalledTimes(1);
    expect(toasts.items.filter((t) => t.kind === 'error')).toEqual([]);
    // Once it has ended, the merge may be asked about again (the backend then says it is undone already).
    be.unmerge.mockRejectedValueOnce(apiErr({ code: 'not_found', message: 'merge 100 was not found' }));
    expect(await undoMerge(100)).toBeNull();
    expect(be.unmerge).toHaveBeenCalledTimes(2);
  });
});
