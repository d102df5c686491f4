// Accepting many Same pairs at once: what the run did, in words, and taking the whole batch back.
import { backend, toApiError } from '../api';
import { formatCount, plural } from '../format';
import { leadEvents } from '../leads/events.svelte';
import { toasts } from '../toast.svelte';
import type { BulkMergeReport } from '../types';
import { unmergeErrorMessage } from './merge';

/** "12 pairs merged · 1 skipped: duplicate pair 7 was not found" (each distinct reason once). */
export function bulkSummary(r: BulkMergeReport): string {
  const merged = `${plural(r.merged.length, 'pair')} merged`;
  if (r.skipped.length === 0) return merged;
  const reasons = [...new Set(r.skipped.map((s) => s.reason.trim()).filter(Boolean))];
  const skipped = `${formatCount(r.skipped.length)} skipped${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`;
  return `${merged} · ${skipped}`;
}

/**
 * Undoes the merges of a bulk merge, the last one first (a later merge may have built on an earlier one), its
 * pairs back in the review queue to decide one by one, and says how it went in one toast. Resolves to the merges still to undo: those refused for a reason that may
 * pass (a merge that no longer exists is not retried).
 */
export async function undoBulkMerge(mergeIds: readonly number[]): Promise<number[]> {
  let restored = 0;
  let undone = 0;
  const left: number[] = [];
  let firstError: unknown = null;
  for (const mergeId of [...mergeIds].reverse()) {
    try {
      const out = await backend().unmerge(mergeId, true);
      leadEvents.changed(out.survivor);
      restored += out.restored.length;
      undone++;
    } catch (e) {
      firstError ??= e;
      if (toApiError(e).code !== 'not_found') left.unshift(mergeId);
    }
  }
  if (firstError === null) {
    toasts.success(`Bulk merge undone: ${plural(restored, 'lead')} restored, back in the queue`);
  } else {
    toasts.error(`Undid ${formatCount(undone)} of ${plural(mergeIds.length, 'merge')}. ${unmergeErrorMessage(firstError)}`);
  }
  return left;
}
