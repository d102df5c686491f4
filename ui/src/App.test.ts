import { createEvent, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { sessionEnded } from './lib/api';
import { approvalDrafts } from './lib/pipeline/approvalDrafts';
import { duplicateScan } from './lib/duplicates/scan.svelte';
import { importRuns } from './lib/imports/runs.svelte';
import { nav } from './lib/nav.svelte';
import { session } from './lib/session.svelte';
import { NARROW_QUERY } from './lib/shell/sidebar.svelte';
import { apiErr, change, historyPage, deferred, lead, mockBackend, savedLead, sessionFor, summary } from './test/fixtures';
import { importBatch, runProgress } from './test/importFixtures';
import type { DuplicateScanSummary, ImportBatch, RunProgress } from './lib/types';

/** The app's start for a user already signed in with `role`. */
function startedAs(role: Parameters<typeof sessionFor>[0]) {
  return async () => ({ startup_error: null, initialized: true, session: sessionFor(role), database_path: 'x' });
}

/** Eve, an Editor, signing in through the form. */
async function signInAsEve(u: ReturnType<typeof userEvent.setup>) {
  await u.type(await screen.findByTestId('signin-username'), 'eve');
  await u.type(screen.getByTestId('signin-password'), 'password1');
  await u.click(screen.getByTestId('signin-submit'));
}

/** A backend where Eve, an Editor, signs in and sees one lead. */
function eveSees(over: Parameters<typeof mockBackend>[0] = {}) {
  return mockBackend({
    signIn: async () => sessionFor('editor', { display_name: 'Eve Editor', username: 'eve' }),
    listLeads: async () => ({ items: [summary(1)], next_cursor: null }),
    ...over,
  });
}

describe('App start', () => {
  it('shows the startup error and the database path instead of crashing', async () => {
    mockBackend({
      appStatus: async () => ({
        startup_error: { code: 'database_locked', message: 'the database is locked', field: null, fields: [], merged_into: null },
        initialized: false,
        session: null,
        database_path: '/home/u/.local/share/rapport/rapport.db',
      }),
    });
    render(App);
    const card = await screen.findByTestId('startup-error');
    expect(card).toHaveTextContent('The database is locked');
    expect(screen.getByTestId('database-path')).toHaveTextContent('/home/u/.local/share/rapport/rapport.db');
  });

  it('asks for the first administrator when none exists', async () => {
    mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: false, session: null, database_path: 'x' }),
    });
    render(App);
    expect(await screen.findByTestId('setup-username')).toBeInTheDocument();
    expect(screen.queryByTestId('signin-username')).toBeNull();
  });

  it('signs in, then shows the leads with the user in the top bar', async () => {
    const be = eveSees();
    render(App);
    const u = userEvent.setup();
    await signInAsEve(u);

    expect(await screen.findByTestId('current-user')).toHaveTextContent('Eve Editor');
    expect(screen.getByTestId('current-role')).toHaveTextContent('Editor');
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);
    expect(screen.getByTestId('nav-leads')).toBeInTheDocument();
    // Editors manage neither users nor settings.
    expect(screen.queryByTestId('nav-users')).toBeNull();
    expect(screen.queryByTestId('nav-settings')).toBeNull();
    expect(screen.getByTestId('new-lead')).toBeInTheDocument();

    await u.click(screen.getByTestId('signout'));
    expect(await screen.findByTestId('signin-username')).toBeInTheDocument();
    expect(be.signOut).toHaveBeenCalled();
  });

  it('goes back to the sign-in, saying why, when the backend ends the session (the account was deactivated)', async () => {
    const be = eveSees();
    render(App);
    const u = userEvent.setup();
    await signInAsEve(u);
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);

    sessionEnded({ code: 'session_ended', message: 'this account has been deactivated; ask an administrator', field: null, fields: [], merged_into: null });
    expect(await screen.findByTestId('signin-notice')).toHaveTextContent('This account has been deactivated; ask an administrator');
    expect(screen.queryByTestId('current-user')).toBeNull();
    expect(screen.queryByTestId('lead-row')).toBeNull();
    expect(be.signOut).not.toHaveBeenCalled();

    // Signing in again clears the notice.
    await signInAsEve(u);
    expect(await screen.findByTestId('current-user')).toHaveTextContent('Eve Editor');
    await u.click(screen.getByTestId('signout'));
    await screen.findByTestId('signin-username');
    expect(screen.queryByTestId('signin-notice')).toBeNull();
  });

  it("leaves nothing of a session to the next one: an approval's comment typed, the shortcut help open", async () => {
    eveSees();
    render(App);
    const u = userEvent.setup();
    await signInAsEve(u);
    expect(await screen.findAllByTestId('lead-row')).toHaveLength(1);
    approvalDrafts.set(5, "margin too low, don't approve");
    await u.keyboard('?');
    expect(await screen.findByRole('dialog', { name: /keyboard shortcuts/i })).toBeInTheDocument();

    sessionEnded({ code: 'session_ended', message: 'this account has been deactivated; ask an administrator', field: null, fields: [], merged_into: null });
    await screen.findByTestId('signin-notice');
    expect(approvalDrafts.size).toBe(0);
    await signInAsEve(u);
    expect(await screen.findByTestId('current-user')).toHaveTextContent('Eve Editor');
    expect(screen.queryByRole('dialog', { name: /keyboard shortcuts/i })).toBeNull();
  });

  it('gives administrators Users and Settings', async () => {
    mockBackend({
      appStatus: startedAs('administrator'),
    });
    render(App);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('nav-users'));
    expect(await screen.findAllByTestId('user-row')).toHaveLength(1);
    await u.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect(screen.getByTestId('settings-region')).toHaveValue('US'));
  });

  it('names every item of the sidebar by its label and a tooltip, as a narrow window shows its icon only', async () => {
    mockBackend({ appStatus: startedAs('administrator') });
    render(App);
    const sidebar = await screen.findByRole('navigation', { name: 'Main' });
    const items = within(sidebar).getAllByRole('button');
    const names = items.map((b) => b.textContent?.replace(/\s+/g, ' ').trim());
    expect(names).toEqual(['Leads', 'Calendar', 'Pipeline', 'Board', 'Approvals', 'Import', 'Duplicates', 'Users', 'Settings', 'Collapse sidebar', 'Shortcuts ?']);
    for (const b of items) {
      // The tooltip says the label it stands for (some add the page's shortcut key).
      const label = b.querySelector('.nav-label')?.textContent ?? '';
      expect(label.length, b.outerHTML).toBeGreaterThan(0);
      expect((b.getAttribute('title') ?? '').toLowerCase(), b.outerHTML).toContain(label.toLowerCase());
    }
  });

  it('collapses the sidebar to its icons from its button or with [, and keeps the choice on this computer', async () => {
    mockBackend({ appStatus: startedAs('administrator') });
    render(App);
    const u = userEvent.setup();
    const frame = await screen.findByTestId('app-frame');
    expect(frame).not.toHaveClass('compact');
    await u.click(screen.getByTestId('sidebar-toggle'));
    expect(frame).toHaveClass('compact');
    expect(localStorage.getItem('rapport.sidebar')).toBe('icons');
    expect(screen.getByTestId('sidebar-toggle')).toHaveAccessibleName('Expand sidebar');
    // Every item is still named for screen readers, its label kept out of sight.
    expect(screen.getByRole('button', { name: 'Leads' })).toBeInTheDocument();
    expect(within(screen.getByTestId('nav-leads')).getByText('Leads')).toHaveClass('sr-only');
    await u.keyboard('[[');
    expect(frame).not.toHaveClass('compact');
    expect(within(screen.getByTestId('nav-leads')).getByText('Leads')).not.toHaveClass('sr-only');
    expect(localStorage.getItem('rapport.sidebar')).toBeNull();
    // Not while typing: "[" is a character of the search.
    await u.keyboard('[[');
    expect(frame).toHaveClass('compact');
    await u.type(screen.getByTestId('search-input'), '[[');
    expect(screen.getByTestId('search-input')).toHaveValue('[');
    expect(frame).toHaveClass('compact');
  });

  it('keeps a narrow window to the icons, with no button to expand them', async () => {
    const listeners: (() => void)[] = [];
    const query = { matches: true, addEventListener: (_: string, f: () => void) => listeners.push(f), removeEventListener: () => {} };
    vi.stubGlobal('matchMedia', (q: string) => (q === NARROW_QUERY ? query : { ...query, matches: false }));
    try {
      mockBackend({ appStatus: startedAs('administrator') });
      render(App);
      const u = userEvent.setup();
      const frame = await screen.findByTestId('app-frame');
      expect(frame).toHaveClass('compact');
      expect(screen.queryByTestId('sidebar-toggle')).toBeNull();
      await u.keyboard('[[');
      expect(frame).toHaveClass('compact');
      // Wider again: the labels are back.
      query.matches = false;
      listeners.forEach((f) => f());
      await waitFor(() => expect(frame).not.toHaveClass('compact'));
      expect(screen.getByTestId('sidebar-toggle')).toBeInTheDocument();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('takes the Users page away from an Administrator who made themself an Editor', async () => {
    mockBackend({
      appStatus: startedAs('administrator'),
    });
    render(App);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('nav-users'));
    expect(await screen.findAllByTestId('user-row')).toHaveLength(1);
    // The save of their own role refreshes the session: the page must follow it.
    session.current = sessionFor('editor');
    expect(await screen.findByTestId('users-denied')).toHaveTextContent('Only Administrators manage users');
    expect(screen.queryByTestId('user-row')).toBeNull();
  });

  it('hides New lead from viewers and ignores the N shortcut for them', async () => {
    mockBackend({
      appStatus: startedAs('viewer'),
    });
    render(App);
    await screen.findByTestId('leads-empty');
    expect(screen.queryByTestId('new-lead')).toBeNull();
    await userEvent.setup().keyboard('n');
    expect(screen.queryByTestId('lead-form')).toBeNull();
  });

  it('opens the form with N, not while typing in the search box, and shows help with ?', async () => {
    mockBackend({
      appStatus: startedAs('editor'),
    });
    render(App);
    const u = userEvent.setup();
    await screen.findByTestId('leads-empty');

    await u.click(screen.getByTestId('search-input'));
    await u.keyboard('n');
    expect(screen.queryByTestId('lead-form')).toBeNull();
    expect(screen.getByTestId('search-input')).toHaveValue('n');

    (document.activeElement as HTMLElement).blur();
    await u.keyboard('?');
    expect(await screen.findByTestId('shortcuts-help')).toBeInTheDocument();
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('shortcuts-help')).toBeNull());

    await u.keyboard('n');
    expect(await screen.findByTestId('lead-form')).toBeInTheDocument();
  });

  it('opens the Import page with I, not while typing in the search box, and lists I in the help', async () => {
    mockBackend({
      appStatus: startedAs('editor'),
      listLeads: async () => ({ items: [summary(7)], next_cursor: null }),
    });
    render(App);
    const u = userEvent.setup();
    await screen.findAllByTestId('lead-row');

    await u.click(screen.getByTestId('search-input'));
    await u.keyboard('i');
    expect(screen.queryByTestId('imports-page')).toBeNull();
    expect(screen.getByTestId('search-input')).toHaveValue('i');

    (document.activeElement as HTMLElement).blur();
    await u.keyboard('?');
    expect(await screen.findByTestId('shortcuts-help')).toHaveTextContent('Import leads from CSV or Excel files');
    // Not behind another dialog.
    await u.keyboard('i');
    expect(screen.queryByTestId('imports-page')).toBeNull();
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('shortcuts-help')).toBeNull());

    await u.keyboard('I');
    expect(await screen.findByTestId('imports-page')).toBeInTheDocument();
    expect(nav.view.name).toBe('imports');
    expect(screen.getByTestId('nav-imports')).toHaveAttribute('aria-current', 'page');
    // Esc on the first step goes back to the list.
    await u.keyboard('{Escape}');
    expect(await screen.findByTestId('search-input')).toBeInTheDocument();
    expect(nav.view.name).toBe('leads');

    // From an open lead, I opens the Import page too; so does the list's Import button.
    nav.go({ name: 'lead', id: 7 });
    await screen.findByTestId('lead-page');
    (document.activeElement as HTMLElement).blur();
    await u.keyboard('i');
    expect(await screen.findByTestId('imports-page')).toBeInTheDocument();
    nav.go({ name: 'leads' });
    await u.click(await screen.findByTestId('import-leads'));
    expect(await screen.findByTestId('import-files-step')).toBeInTheDocument();
  });

  it('offers Import to Editors and Administrators only: Viewers get no button, and I does nothing for them', async () => {
    const u = userEvent.setup();
    for (const role of ['administrator', 'editor', 'viewer'] as const) {
      mockBackend({
        appStatus: startedAs(role),
        listLeads: async () => ({ items: [summary(1)], next_cursor: null }),
      });
      const { unmount } = render(App);
      await screen.findAllByTestId('lead-row');
      if (role === 'viewer') {
        expect(screen.queryByTestId('import-leads')).toBeNull();
        expect(screen.queryByTestId('nav-imports')).toBeNull();
        await u.keyboard('i');
        expect(nav.view.name).toBe('leads');
        // Even when reached some other way, the page is refused.
        nav.go({ name: 'imports' });
        expect(await screen.findByText("You don't have permission to import leads.")).toBeInTheDocument();
        expect(screen.queryByTestId('import-wizard')).toBeNull();
      } else {
        expect(screen.getByTestId('import-leads')).toBeInTheDocument();
        expect(screen.getByTestId('nav-imports')).toBeInTheDocument();
        await u.keyboard('i');
        expect(await screen.findByTestId('import-wizard')).toBeInTheDocument();
      }
      unmount();
      nav.go({ name: 'leads' });
    }
  });

  it('shows a sign-in error coming from the backend', async () => {
    mockBackend({
      signIn: async () => {
        throw apiErr({ code: 'auth_failed', message: 'this account has been deactivated; ask an administrator' });
      },
    });
    render(App);
    const u = userEvent.setup();
    await u.type(await screen.findByTestId('signin-username'), 'old');
    await u.type(screen.getByTestId('signin-password'), 'password1{Enter}');
    expect(await screen.findByTestId('signin-error')).toHaveTextContent('This account has been deactivated');
  });

  it('undoes a just-saved edit from the toast and shows the reverted lead', async () => {
    const before = lead({ id: 7, version: 1, job_title: 'Captain' });
    const saved = lead({ id: 7, version: 2, job_title: 'Admiral' });
    const reverted = lead({ id: 7, version: 3, job_title: 'Captain' });
    const be = mockBackend({
      appStatus: startedAs('editor'),
      listLeads: async () => ({ items: [summary(7)], next_cursor: null }),
      // The page keeps being served the saved version: the reverted one can only come from the undo's answer.
      getLead: vi.fn().mockResolvedValueOnce(before).mockResolvedValue(saved),
      updateLead: async () => savedLead(saved, 5),
      leadHistory: async () => historyPage([change({ id: 12, batch_id: 5, field: 'job_title', old_value: 'Captain', new_value: 'Admiral' })]),
      undoLeadChange: async () => savedLead(reverted, 6),
    });
    render(App);
    const u = userEvent.setup();
    await u.click((await screen.findAllByTestId('lead-row'))[0]);
    await u.click(await screen.findByTestId('edit-lead'));
    const title = await screen.findByTestId('field-job_title');
    await u.clear(title);
    await u.type(title, 'Admiral');
    await u.click(screen.getByTestId('save-lead'));

    expect(await screen.findByText('Admiral', { selector: 'dd' })).toBeInTheDocument();
    await u.click(await screen.findByTestId('toast-undo'));
    expect(await screen.findByText('Captain', { selector: 'dd' })).toBeInTheDocument();
    expect(be.undoLeadChange).toHaveBeenCalledWith(7, 5);
    expect(screen.getByText('Change undone')).toBeInTheDocument();
    expect(screen.getByTestId('lead-page')).toBeInTheDocument();
  });

  it('never shows an empty editor: a lead to edit that the app does not hold yet is loaded first', async () => {
    const be = mockBackend({
      appStatus: startedAs('editor'),
      getLead: async (id) => lead({ id, first_name: 'Loaded' }),
    });
    render(App);
    await screen.findByTestId('search-input');
    nav.go({ name: 'edit-lead', id: 42 });
    expect(await screen.findByTestId('lead-form')).toBeInTheDocument();
    expect(screen.getByTestId('field-first_name')).toHaveValue('Loaded');
    expect(be.getLead).toHaveBeenCalledWith(42);
  });
});

describe('closing the window', () => {
  /** The app signed in as an Editor, with the shell's close request captured. */
  async function openApp(over: Parameters<typeof mockBackend>[0] = {}) {
    let requestClose: () => void = () => {
      throw new Error('the app did not watch the close');
    };
    const be = mockBackend({
      appStatus: startedAs('editor'),
      watchClose: async (onRequest) => {
        requestClose = onRequest;
      },
      ...over,
    });
    render(App);
    await screen.findByTestId('leads-empty');
    return { be, close: () => requestClose() };
  }

  const lastHold = (be: ReturnType<typeof mockBackend>) => be.holdClose.mock.calls.at(-1)?.[0];

  it('holds the close only while a form has unsaved changes, and asks before they are lost', async () => {
    const { be, close } = await openApp();
    const u = userEvent.setup();
    await waitFor(() => expect(lastHold(be)).toBe(false));
    await u.keyboard('n');
    await u.type(await screen.findByTestId('field-first_name'), 'Ada');
    await waitFor(() => expect(lastHold(be)).toBe(true));

    close();
    expect(await screen.findByTestId('confirm-discard')).toHaveTextContent('have not been saved');
    await u.click(screen.getByTestId('keep-editing'));
    expect(be.closeWindow).not.toHaveBeenCalled();
    expect(screen.getByTestId('field-first_name')).toHaveValue('Ada');

    close();
    await u.click(await screen.findByTestId('discard-changes'));
    await waitFor(() => expect(be.closeWindow).toHaveBeenCalledOnce());
  });

  it('lets a clean form go: the close is not held, and a request closes at once', async () => {
    const { be, close } = await openApp();
    const u = userEvent.setup();
    await u.keyboard('n');
    await screen.findByTestId('field-first_name');
    await waitFor(() => expect(lastHold(be)).toBe(false));
    close();
    await waitFor(() => expect(be.closeWindow).toHaveBeenCalledOnce());
    expect(screen.queryByTestId('confirm-discard')).toBeNull();
  });

  it('asks before a close stops a running import, saying it can be resumed', async () => {
    const { be, close } = await openApp({ importStart: () => new Promise(() => {}) });
    const u = userEvent.setup();
    const plan = {} as Parameters<typeof be.importStart>[1];
    void importRuns.importFiles([{ fileId: 'f1', fileName: 'messe.csv', plan }]);
    await waitFor(() => expect(lastHold(be)).toBe(true));

    close();
    const dialog = await screen.findByTestId('confirm-close-import');
    expect(dialog).toHaveTextContent('resume the batch or undo it');
    await u.click(screen.getByTestId('confirm-close-import-keep'));
    expect(be.closeWindow).not.toHaveBeenCalled();

    close();
    await u.click(await screen.findByTestId('confirm-close-import-close'));
    await waitFor(() => expect(be.closeWindow).toHaveBeenCalledOnce());
    importRuns.reset();
  });

  it('asks before signing out during an import, then stops the import and signs out once it has ended', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<ImportBatch>();
    const { be } = await openApp({
      importStart: (_id, _plan, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: vi.fn(async () => true),
    });
    const u = userEvent.setup();
    const plan = {} as Parameters<typeof be.importStart>[1];
    void importRuns.importFiles([{ fileId: 'f1', fileName: 'messe.csv', plan }]);
    report(runProgress({ batch_id: 5 }));

    await u.click(screen.getByTestId('signout'));
    const dialog = await screen.findByTestId('confirm-signout-import');
    expect(dialog).toHaveTextContent('The import of messe.csv stops first');
    await u.click(within(dialog).getByTestId('confirm-signout-import-keep'));
    expect(be.signOut).not.toHaveBeenCalled();
    expect(be.importCancel).not.toHaveBeenCalled();

    await u.click(screen.getByTestId('signout'));
    await u.click(await screen.findByTestId('confirm-signout-import-stop'));
    await waitFor(() => expect(be.importCancel).toHaveBeenCalledWith(5));
    expect(be.signOut).not.toHaveBeenCalled();
    ended.resolve(importBatch({ id: 5, status: 'cancelled', rows_done: 0 }));
    expect(await screen.findByTestId('signin-username')).toBeInTheDocument();
    expect(be.signOut).toHaveBeenCalledOnce();
  });

  it('asks before signing out during a duplicate scan, then stops the scan and signs out once it has ended', async () => {
    const ended = deferred<DuplicateScanSummary>();
    const { be } = await openApp({
      appStatus: startedAs('administrator'),
      scanDuplicates: () => ended.promise,
      cancelDuplicateScan: vi.fn(async () => {}),
    });
    const u = userEvent.setup();
    void duplicateScan.start();

    await u.click(screen.getByTestId('signout'));
    const dialog = await screen.findByTestId('confirm-signout-scan');
    expect(dialog).toHaveTextContent('The duplicate scan stops first');
    await u.click(within(dialog).getByTestId('confirm-signout-scan-keep'));
    expect(screen.queryByTestId('confirm-signout-scan')).toBeNull();
    expect(be.signOut).not.toHaveBeenCalled();
    expect(be.cancelDuplicateScan).not.toHaveBeenCalled();

    await u.click(screen.getByTestId('signout'));
    await u.click(await screen.findByTestId('confirm-signout-scan-stop'));
    await waitFor(() => expect(be.cancelDuplicateScan).toHaveBeenCalledOnce());
    // Until the backend hears the cancel the scan may still merge: the sign-out waits for its end.
    expect(be.signOut).not.toHaveBeenCalled();
    ended.reject(apiErr({ code: 'cancelled', message: 'the scan was cancelled' }));
    expect(await screen.findByTestId('signin-username')).toBeInTheDocument();
    expect(be.signOut).toHaveBeenCalledOnce();
  });

  it('stays signed in when the scan could not be stopped, and says why in the dialog', async () => {
    const { be } = await openApp({
      appStatus: startedAs('administrator'),
      scanDuplicates: () => new Promise(() => {}),
      cancelDuplicateScan: async () => {
        throw apiErr({ code: 'internal', message: 'the scan did not answer' });
      },
    });
    const u = userEvent.setup();
    void duplicateScan.start();

    await u.click(screen.getByTestId('signout'));
    await u.click(await screen.findByTestId('confirm-signout-scan-stop'));
    expect(await within(screen.getByTestId('confirm-signout-scan')).findByRole('alert')).toHaveTextContent(
      'Could not stop it: the scan did not answer',
    );
    expect(be.signOut).not.toHaveBeenCalled();
  });
});

describe('A file dropped outside a drop zone', () => {
  it('does nothing: the window does not open it in place of the app', async () => {
    mockBackend({ appStatus: startedAs('editor') });
    render(App);
    await screen.findByTestId('nav-leads');
    for (const make of [createEvent.dragOver, createEvent.drop]) {
      const ev = make(screen.getByTestId('nav-leads'), { dataTransfer: { types: ['Files'], files: [] } });
      fireEvent(screen.getByTestId('nav-leads'), ev);
      expect(ev.defaultPrevented).toBe(true);
    }
    // Text or a link dragged about the page keeps its own behaviour.
    const text = createEvent.dragOver(screen.getByTestId('nav-leads'), { dataTransfer: { types: ['text/plain'] } });
    fireEvent(screen.getByTestId('nav-leads'), text);
    expect(text.defaultPrevented).toBe(false);
  });
});
