// Comments typed on requests not yet decided, by request id: leaving the queue (to look at the lead, say) and
// coming back finds them as they were, instead of losing what was written. Nothing imported here: the test setup
// resets it.
export const approvalDrafts = new Map<number, string>();
