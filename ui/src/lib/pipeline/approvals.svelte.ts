// What the app knows of moves waiting for an Administrator: how many wait (the sidebar's badge) and which
// leads have one (the board's "Awaiting approval" pill). Only Administrators may read the queue, so for
// everyone else the leads they asked about in this session (or saw waiting on a lead's page) stand in for it.
// Everything is kept with the session it was learned in: after a sign-out or another sign-in it reads as
// unknown, with no reset to remember.
import { backend } from '../api';
import { session } from '../session.svelte';
import type { ApprovalRequest, SessionInfo } from '../types';

/** How often the sidebar's count is read again while an Administrator is signed in. */
export const APPROVALS_POLL_MS = 60 * 1000;

/** Whoever may decide (and read the queue): the backend's own rule is the role, not a permission. */
export function canDecide(): boolean {
  return session.current?.user.role === 'administrator';
}

class ApprovalsStore {
  #count = $state.raw<{ session: SessionInfo | null; n: number } | null>(null);
  #waiting = $state.raw<{ session: SessionInfo | null; ids: ReadonlySet<number> }>({ session: null, ids: new Set() });
  /** Only the latest read may land. */
  #seq = 0;
  /**
   * Requests decided in this app since it started: a read of the queue that began before a decision and lands
   * after it still lists them as waiting, and must not bring them back (nor count them on the badge).
   */
  #decided: { session: SessionInfo | null; ids: Set<number> } = { session: null, ids: new Set() };

  /** Request `id` was just decided here. */
  decided(id: number) {
    if (this.#decided.session !== session.current) this.#decided = { session: session.current, ids: new Set() };
    this.#decided.ids.add(id);
  }

  /** Whether request `id` was decided here (a read that lists it as waiting began before). */
  wasDecided(id: number): boolean {
    return this.#decided.session === session.current && this.#decided.ids.has(id);
  }

  /** Moves waiting for a decision, or null when not known (not an Administrator, or not read yet). */
  get pending(): number | null {
    const c = this.#count;
    return c && c.session === session.current ? c.n : null;
  }

  isWaiting(leadId: number): boolean {
    const w = this.#waiting;
    return w.session === session.current && w.ids.has(leadId);
  }

  /** Reads the queue for its size; quiet on failure, the badge is a convenience. */
  async refresh(): Promise<void> {
    const mine = ++this.#seq;
    const who = session.current;
    if (!canDecide()) return;
    try {
      const queue = await backend().approvalQueue();
      if (mine === this.#seq && who === session.current) this.queueRead(queue);
    } catch {
      // Keep what was known: a failed poll should not make the badge flicker away.
    }
  }

  /** Bumped when a read of the queue finds a move no longer waiting that was (decided in another window, by
   * another Administrator, from the command line): a board drawn before shows that lead where it no longer is. */
  settled = $state(0);

  /** The whole queue as an Administrator just read it: the count, and every lead it names. */
  queueRead(queue: ApprovalRequest[]) {
    const waiting = queue.filter((r) => r.status === 'pending' && !this.wasDecided(r.id));
    const before = this.#waiting.session === session.current ? this.#waiting.ids : new Set<number>();
    const now = new Set(waiting.map((r) => r.lead_id));
    this.#count = { session: session.current, n: waiting.length };
    this.#waiting = { session: session.current, ids: now };
    if ([...before].some((id) => !now.has(id))) this.settled++;
  }

  setWaiting(leadId: number, waiting: boolean) {
    const w = this.#waiting;
    const ids = new Set(w.session === session.current ? w.ids : []);
    if (waiting === ids.has(leadId) && w.session === session.current) return;
    if (waiting) ids.add(leadId);
    else ids.delete(leadId);
    this.#waiting = { session: session.current, ids };
  }
}

export const approvals = new ApprovalsStore();
