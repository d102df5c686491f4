import { describe, expect, it } from 'vitest';
import { apiErr } from '../../test/fixtures';
import { unmergeErrorMessage } from './merge';

describe('unmergeErrorMessage', () => {
  it('says what to do for each refusal of an unmerge', () => {
    expect(unmergeErrorMessage(apiErr({ code: 'not_found', message: 'x' }))).toContain('undone already');
    expect(
      unmergeErrorMessage(apiErr({ code: 'approval_required', message: 'moving Bo Lee to Qualification needs…' })),
    ).toBe(
      "This merge can't be undone by you: it would move the lead back out of its stage, which needs an " +
        "Administrator's approval. Ask an Administrator to undo it.",
    );
    expect(unmergeErrorMessage(apiErr({ code: 'database_locked', message: 'the database is busy' }))).toBe(
      'Could not undo the merge: The database is busy',
    );
  });
});
