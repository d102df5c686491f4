// Comments typed on requests not yet decided, by request id: leaving the queue (to look at the lead, say) and
// coming back finds them as they were, instead of losing what was written. The end of a session clears them (App's
// leaveSession: the next user is not handed a comment they did not write), as the test setup does.
export const approvalDrafts = new Map<number, string>();
