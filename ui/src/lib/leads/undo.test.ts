import { describe, expect, it } from 'vitest';
import { apiErr } from '../../test/fixtures';
import { undoErrorMessage } from './undo';

describe('undoErrorMessage', () => {
  it('says what to do for each refusal of an undo', () => {
    const validation = (field: string) =>
      apiErr({ code: 'validation', message: `${field}: no`, fields: [{ field, message: 'no' }] });
    expect(undoErrorMessage(validation('change'))).toContain('it created the lead');
    expect(undoErrorMessage(validation('merge'))).toContain('Take it back with Unmerge');
    const approval = apiErr({
      code: 'approval_required',
      message: "moving Ann Lee to Qualification needs an Administrator's approval (Reopening a won deal): request it",
    });
    expect(undoErrorMessage(approval)).toBe(
      "This change can't be undone by you: moving the lead back needs an Administrator's approval. " +
        'Request that move from the board, or ask an Administrator to undo it.',
    );
    expect(undoErrorMessage(apiErr({ code: 'conflict', message: 'x' }))).toContain('edited again since');
    const gate = apiErr({
      code: 'stage_gate',
      message: 'To enter Qualification, this lead needs: Budget',
      fields: [{ field: 'budget', message: 'is needed to enter Qualification' }],
    });
    expect(undoErrorMessage(gate)).toBe(
      "This change can't be undone yet: it moves the lead back, and to enter Qualification, this lead needs: Budget. Fill that in first.",
    );
  });
});
