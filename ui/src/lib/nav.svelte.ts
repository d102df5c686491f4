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

class Nav {
  view = $state<View>({ name: 'leads' });

  go(v: View) {
    this.view = v;
  }
}

export const nav = new Nav();
