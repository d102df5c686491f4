// The app's few places. No URL routing: a desktop window has no address bar.
import { toasts } from './toast.svelte';

export type View =
  | { name: 'leads' }
  | { name: 'lead'; id: number }
  | { name: 'new-lead' }
  | { name: 'edit-lead'; id: number }
  /** Opened on the pairs of an import's leads (a report's "Review its pairs") when `importId` is given. */
  | { name: 'duplicates'; importId?: number; importFile?: string }
  | { name: 'imports' }
  | { name: 'calendar' }
  | { name: 'pipeline' }
  | { name: 'board' }
  | { name: 'approvals' }
  | { name: 'users' }
  | { name: 'settings' };

/**
 * Asked before the view changes: true when it holds the way (it asks the user first, and calls `proceed` once
 * they agree to leave), false to let it go. A form with unsaved changes holds one while it is open.
 */
export type LeaveGuard = (proceed: () => void) => boolean;

/** What `nav.guardDialog` gives a dialog: see there. */
export interface DialogGuard {
  release: () => void;
  closed: () => void;
  kept: () => void;
}

/** The page a view is: its name, and the lead it shows. Toasts belong to the page they were raised on. */
export function pageKey(v: View): string {
  return 'id' in v ? `${v.name}:${v.id}` : v.name;
}

/** A lead's own views: opening, editing or creating one. */
function aboutALead(v: View): boolean {
  return v.name === 'lead' || v.name === 'edit-lead' || v.name === 'new-lead';
}

class Nav {
  view = $state<View>({ name: 'leads' });
  /** Where the lead on screen was opened from (the board, the approvals, the calendar...): Back returns there. */
  origin = $state<View | null>(null);
  private guards: LeaveGuard[] = [];
  /** Whether each guard would hold now, without asking: what closing the window needs to know ahead. */
  private holding = $state<(() => boolean)[]>([]);

  constructor() {
    toasts.enterPage(pageKey(this.view));
  }

  go(v: View) {
    this.leave(() => {
      if (!aboutALead(v)) this.origin = null;
      else if (!aboutALead(this.view)) this.origin = this.view;
      this.view = v;
      // The toasts of the page left go with it (an Undo still up stays).
      toasts.enterPage(pageKey(v));
    });
  }

  /** Back from a lead's views to the page it was opened from (the lead list when none). */
  back() {
    this.go(this.origin ?? { name: 'leads' });
  }

  /**
   * Holds the way out with `guard` until the returned function is called (when its form goes). `holds` says,
   * without asking, whether it would hold now (reactively, from the form's state).
   */
  guard(g: LeaveGuard, holds: () => boolean): () => void {
    this.guards.push(g);
    this.holding.push(holds);
    return () => {
      this.guards = this.guards.filter((x) => x !== g);
      this.holding = this.holding.filter((x) => x !== holds);
    };
  }

  /**
   * A dialog's hold on the way out (the sidebar, sign-out, closing the window) while an edit would be lost: the
   * dialog asks its own question, the one Cancel asks (`ask`), and the way is taken once the user discards and the
   * dialog closes (`closed`), or forgotten when they keep editing (`kept`). Never holds while `busy` (a save under
   * way settles first). `release` goes with the dialog.
   */
  guardDialog(d: { dirty: () => boolean; busy: () => boolean; ask: () => void }): DialogGuard {
    let leaveTo: (() => void) | null = null;
    const release = this.guard((proceed) => {
      if (d.busy() || !d.dirty()) return false;
      leaveTo = proceed;
      d.ask();
      return true;
    }, d.dirty);
    return {
      release,
      closed: () => {
        const away = leaveTo;
        leaveTo = null;
        away?.();
      },
      kept: () => {
        leaveTo = null;
      },
    };
  }

  /** Some open form has changes that leaving would lose. */
  get unsaved(): boolean {
    return this.holding.some((h) => h());
  }

  /**
   * Runs `proceed` (a move elsewhere, a sign-out) now, or once the user agrees to leave each open form with
   * unsaved changes (each asked in turn).
   */
  leave(proceed: () => void, asked: Set<LeaveGuard> = new Set()) {
    for (const g of this.guards) {
      if (asked.has(g)) continue;
      asked.add(g);
      if (g(() => this.leave(proceed, asked))) return;
    }
    proceed();
  }
}

export const nav = new Nav();
