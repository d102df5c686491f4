// Taking back a merge from its toast's Undo: the merged leads return, the survivor loses what they gave it.
import { backend, toApiError } from '../api';
import { joinList, leadName, sentence } from '../format';
import { leadEvents } from '../leads/events.svelte';
import { toasts } from '../toast.svelte';
import type { UnmergeOutcome } from '../types';
import { lastMerge } from './lastMerge.svelte';

/** What to tell the steward when an unmerge is refused. */
export function unmergeErrorMessage(e: unknown): string {
  const err = toApiError(e);
  switch (err.code) {
    case 'not_found':
      return "This merge can't be undone: it was undone already, or a lead in it no longer exists.";
    case 'permission_denied':
      // The core says why (a lead of a campaign one does not work on, a pair one may not decide) and what to do.
      return `Could not undo the merge: ${sentence(err.message)}`;
    case 'approval_required':
      return (
        "This merge can't be undone by you: it would move the lead back out of its stage, which needs an " +
        "Administrator's approval. Ask an Administrator to undo it."
      );
  }
  return `Could not undo the merge: ${sentence(err.message)}`;
}

/**
 * Undoes merge `mergeId` (from its toast, or the screen's "Undo merge") and says how it went in a toast;
 * resolves to the outcome, or null when refused. `toQueue`: a decision just made in the review queue, taken
 * back there, puts the pair back in the queue (not set aside as two people).
 */
export async function undoMerge(mergeId: number, toQueue = false): Promise<UnmergeOutcome | null> {
  // The toast's Undo and the screen's "Undo merge" name one merge: a second click while the first runs is not a
  // second unmerge (it would fail as "undone already" beside the first one's success).
  if (undoing.has(mergeId)) return null;
  undoing.add(mergeId);
  try {
    return await unmerge(mergeId, toQueue);
  } finally {
    undoing.delete(mergeId);
  }
}

/** The merges being undone now. */
const undoing = new Set<number>();

async function unmerge(mergeId: number, toQueue: boolean): Promise<UnmergeOutcome | null> {
  const forget = () => {
    const last = lastMerge.current;
    if (last?.mergeId !== mergeId) return;
    if (last.toastId !== null) toasts.dismiss(last.toastId);
    lastMerge.current = null;
  };
  try {
    const out = toQueue ? await backend().unmerge(mergeId, true) : await backend().unmerge(mergeId);
    forget();
    lastMerge.undone++;
    leadEvents.changed(out.survivor);
    const names = joinList(out.restored.map(leadName));
    const said = names ? `Unmerged: ${names} restored` : 'Unmerged';
    toasts.success(toQueue ? `${said}, back in the queue` : said);
    return out;
  } catch (e) {
    // A merge that is gone (undone already) cannot be offered again.
    if (toApiError(e).code === 'not_found') forget();
    toasts.error(unmergeErrorMessage(e));
    return null;
  }
}
