// Short-lived notices: success after a save, and errors that belong to no field. A toast may carry one action
// (e.g. Undo); such toasts stay up longer so there is time to reach the button.
//
// A toast belongs to the page it was raised on: when the user goes to another page, the left page's toasts go
// with it (`enterPage`, called by `nav`). Two kinds stay: an Undo still up (its undo window is open, and losing
// an undo is worse than a notice outstaying its page), and a toast raised just before the move, which is the
// move's own outcome ("Lead created" as the new lead opens) and so belongs to the page it lands on.
export type ToastKind = 'success' | 'info' | 'error';

export interface ToastAction {
  label: string;
  /** Runs once; the toast is dismissed first. */
  run: () => void | Promise<void>;
  /** `data-testid` of the action button. */
  testid?: string;
  /** An Undo: while its toast is up (its undo window), it stays when the user goes to another page. */
  undo?: boolean;
}

export interface ToastItem {
  id: number;
  kind: ToastKind;
  message: string;
  action: ToastAction | null;
}

export interface ToastOptions {
  /** How long the toast stays, in ms; 0 keeps it until dismissed. Defaults by kind and action. */
  ms?: number;
  action?: ToastAction;
}

/** How long toasts stay up, in ms. */
export const TOAST_MS = { success: 4000, info: 4000, error: 8000, action: 10000 } as const;
/** A toast the pointer or the focus left stays at least this long, in ms. */
export const TOAST_MIN_AFTER_HOLD_MS = 2000;
/** At most this many toasts show at once; a new one drops the oldest, a plain one before an error or one with
 * an action (an Undo, a "Show"). */
export const MAX_TOASTS = 3;
/** A toast raised less than this before the page changes came with the move (see above), in ms. */
export const TOAST_PAGE_GRACE_MS = 1000;

export function defaultDuration(kind: ToastKind, hasAction: boolean): number {
  return hasAction ? Math.max(TOAST_MS.action, TOAST_MS[kind]) : TOAST_MS[kind];
}

class ToastStore {
  items = $state<ToastItem[]>([]);
  private next = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Each timed toast's time left and when its timer last started, so a hold can pause it. */
  private clocks = new Map<number, { left: number; since: number }>();
  private held = new Set<number>();
  /** The page the user is on (as `nav` names it), and the page each toast belongs to and when it was raised. */
  private page = '';
  private origins = new Map<number, { page: string; at: number }>();

  show(message: string, kind: ToastKind = 'success', options: ToastOptions = {}): number {
    const id = this.next++;
    const action = options.action ?? null;
    const ms = options.ms ?? defaultDuration(kind, action !== null);
    let kept = [...this.items];
    while (kept.length > MAX_TOASTS - 1) {
      const plain = kept.findIndex((t) => t.kind !== 'error' && t.action === null);
      kept.splice(plain >= 0 ? plain : 0, 1);
    }
    for (const t of this.items) if (!kept.includes(t)) this.stopTimer(t.id);
    this.items = [...kept, { id, kind, message, action }];
    this.origins.set(id, { page: this.page, at: Date.now() });
    if (ms > 0) this.startTimer(id, ms);
    return id;
  }

  /**
   * The pointer or the focus is on toast `id`: it stays while they are (an Undo being reached for must not go
   * from under the pointer). Released, it stays at least a little longer.
   */
  hold(id: number) {
    const clock = this.clocks.get(id);
    const timer = this.timers.get(id);
    if (!clock || timer === undefined || this.held.has(id)) return;
    clearTimeout(timer);
    this.timers.delete(id);
    clock.left = Math.max(0, clock.left - (Date.now() - clock.since));
    this.held.add(id);
  }

  release(id: number) {
    const clock = this.clocks.get(id);
    if (!clock || !this.held.delete(id)) return;
    this.startTimer(id, Math.max(clock.left, TOAST_MIN_AFTER_HOLD_MS));
  }

  private startTimer(id: number, ms: number) {
    this.clocks.set(id, { left: ms, since: Date.now() });
    this.timers.set(id, setTimeout(() => this.dismiss(id), ms));
  }

  success(message: string, options: ToastOptions = {}) {
    return this.show(message, 'success', options);
  }

  info(message: string, options: ToastOptions = {}) {
    return this.show(message, 'info', options);
  }

  error(message: string, options: ToastOptions = {}) {
    return this.show(message, 'error', options);
  }

  /** Runs the toast's action (once) and dismisses it. */
  act(id: number) {
    const action = this.items.find((t) => t.id === id)?.action;
    this.dismiss(id);
    if (action) void action.run();
  }

  dismiss(id: number) {
    this.stopTimer(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear() {
    for (const id of this.timers.keys()) this.stopTimer(id);
    this.origins.clear();
    this.items = [];
  }

  /**
   * The user is now on `page` (a key naming the view): the toasts of the page they left are dismissed, except an
   * Undo still up and a toast raised just now, by the move itself (which then belongs to `page`).
   */
  enterPage(page: string) {
    if (page === this.page) return;
    const now = Date.now();
    const left: number[] = [];
    for (const t of this.items) {
      const origin = this.origins.get(t.id);
      if (!origin || origin.page === page) continue;
      if (now - origin.at < TOAST_PAGE_GRACE_MS) origin.page = page;
      else if (!t.action?.undo) left.push(t.id);
    }
    for (const id of left) this.dismiss(id);
    this.page = page;
  }

  private stopTimer(id: number) {
    const t = this.timers.get(id);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(id);
    this.clocks.delete(id);
    this.held.delete(id);
    this.origins.delete(id);
  }
}

export const toasts = new ToastStore();
