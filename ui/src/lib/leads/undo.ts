// Undoing one earlier save of a lead (a change-log batch), shared by the save toast and the history panel.
import { backend, toApiError } from '../api';
import { sentence } from '../format';
import { toasts } from '../toast.svelte';
import type { Lead } from '../types';

export const UNDO_CONFLICT_MESSAGE = "This change can't be undone: those fields were edited again since.";
export const UNDO_CONFIRM_TITLE = 'Undo this change?';
export const UNDO_CONFIRM_MESSAGE = 'It restores the previous values and is recorded as a new change.';

/** What to tell the user when an undo is refused. */
export function undoErrorMessage(e: unknown): string {
  const err = toApiError(e);
  switch (err.code) {
    case 'conflict':
      return UNDO_CONFLICT_MESSAGE;
    case 'validation':
      if (err.field === 'change' || err.fields.some((f) => f.field === 'change')) {
        return "This change can't be undone: it created the lead. Edit the lead instead.";
      }
      if (err.field === 'merge' || err.fields.some((f) => f.field === 'merge')) {
        return "This change can't be undone here: it was a merge. Take it back with Unmerge, under the lead's merges.";
      }
      break;
    case 'stage_gate':
      // The undo would move the lead back into a stage whose needs were emptied since.
      return `This change can't be undone yet: it moves the lead back, and ${err.message.replace(/^To enter/, 'to enter')}. Fill that in first.`;
    case 'approval_required':
      return (
        "This change can't be undone by you: moving the lead back needs an Administrator's approval. " +
        'Request that move from the board, or ask an Administrator to undo it.'
      );
    case 'permission_denied':
      return "You don't have permission to undo changes to this lead.";
    case 'not_found':
      return "This change can't be undone: it no longer exists.";
  }
  return `Could not undo the change: ${sentence(err.message)}`;
}

/**
 * Reverts change batch `batchId` of lead `leadId` and says how it went in a toast. Resolves to the lead as it
 * is after the undo, or null when it was refused.
 */
export async function undoLeadChange(leadId: number, batchId: number): Promise<Lead | null> {
  try {
    const { lead } = await backend().undoLeadChange(leadId, batchId);
    toasts.success('Change undone');
    return lead;
  } catch (e) {
    toasts.error(undoErrorMessage(e));
    return null;
  }
}
