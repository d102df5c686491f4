// The sidebar, with its labels or down to its icons: the pages then get the width the labels held (a name in
// the leads list, two values side by side in the duplicates' comparison, a column more of the board).
// Down to its icons when the window is narrow (1100 px and less; the minimum is 960), or when the user chose it:
// a choice of this computer's, kept across restarts, as mail and CRM apps keep it.

const STORED = 'rapport.sidebar';
export const NARROW_QUERY = '(max-width: 1100px)';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // A webview that refuses storage: the choice lasts until the app closes.
    return null;
  }
}

class Sidebar {
  /** The user's choice: icons only at any width. */
  collapsed = $state(storage()?.getItem(STORED) === 'icons');
  /** The window is narrow: icons only, whatever the choice. */
  narrow = $state(false);

  get compact(): boolean {
    return this.collapsed || this.narrow;
  }

  /** Labels or icons only; a narrow window keeps its icons (the choice is there again once it is wider). */
  toggle(): void {
    if (this.narrow) return;
    this.collapsed = !this.collapsed;
    const s = storage();
    try {
      if (this.collapsed) s?.setItem(STORED, 'icons');
      else s?.removeItem(STORED);
    } catch {
      // Storage full or refused: the choice still holds for this session.
    }
  }

  /** Follows the window's width; returns the way to stop. */
  watchWidth(): () => void {
    const query = globalThis.matchMedia?.(NARROW_QUERY);
    if (!query) return () => {};
    const follow = () => (this.narrow = query.matches);
    follow();
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }

  /** Tests: the choice and the width forgotten. */
  reset(): void {
    this.collapsed = false;
    this.narrow = false;
    storage()?.removeItem(STORED);
  }
}

export const sidebar = new Sidebar();
