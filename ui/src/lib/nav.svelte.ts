// The app's few places. No URL routing: a desktop window has no address bar.
export type View =
  | { name: 'leads' }
  | { name: 'lead'; id: number }
  | { name: 'new-lead' }
  | { name: 'edit-lead'; id: number }
  | { name: 'duplicates' }
  | { name: 'imports' }
  | { name: 'calendar' }
  | { name: 'pipeline' }
  | { name: 'board' }
  | { name: 'approvals' }
  | { name: 'users' }
  | { name: 'settings' };

/**
 * Asked before the view changes: true when it holds the way (it asks the user first, and calls `proceed` once
 * they agree to leave), false to let it go. A form with unsaved changes sets one while it is open.
 */
export type LeaveGuard = (proceed: () => void) => boolean;

class Nav {
  view = $state<View>({ name: 'leads' });
  guard: LeaveGuard | null = null;

  go(v: View) {
    this.leave(() => {
      this.view = v;
    });
  }

  /** Runs `proceed` (a move elsewhere, a sign-out) now, or once the open form's user agrees to leave it. */
  leave(proceed: () => void) {
    if (this.guard?.(proceed)) return;
    proceed();
  }
}

export const nav = new Nav();
