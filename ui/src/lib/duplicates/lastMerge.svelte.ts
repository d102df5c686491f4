// The steward's last merge, kept (while signed in) so it can be undone from the duplicates screen after its
// toast has gone, or from another visit to the screen; and likewise the last bulk merge, as a whole. Nothing
// heavy imported here: the test setup resets it.

export interface LastMerge {
  mergeId: number;
  /** The lead that stayed, as named after the merge. */
  survivor: string;
  /** The leads merged into it, as named before. */
  merged: string[];
  /** The toast that offers the same Undo (dismissed when the merge is undone another way). */
  toastId: number | null;
}

export interface LastBulkMerge {
  /** The merges it made, in the order they were made (undone the other way round). */
  mergeIds: number[];
  /** What it did, in words: "12 pairs merged · 1 skipped: …". */
  summary: string;
}

class LastMergeStore {
  current = $state<LastMerge | null>(null);
  bulk = $state<LastBulkMerge | null>(null);
  /** Counts the merges taken back from here (a toast's Undo, the banner): a queue on screen reads itself again,
   * whichever visit of the page made the merge. */
  undone = $state(0);

  reset() {
    this.current = null;
    this.bulk = null;
  }
}

export const lastMerge = new LastMergeStore();
