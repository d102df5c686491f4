import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { apiErr, mockBackend, sessionFor, summary } from './test/fixtures';

describe('App start', () => {
  it('shows the startup error and the database path instead of crashing', async () => {
    mockBackend({
      appStatus: async () => ({
        startup_error: { code: 'database_locked', message: 'the database is locked', field: null, fields: [] },
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
    const be = mockBackend({
      signIn: async () => sessionFor('editor', { display_name: 'Eve Editor', username: 'eve' }),
      listLeads: async () => ({ items: [summary(1)], next_cursor: null }),
    });
    render(App);
    const u = userEvent.setup();
    await u.type(await screen.findByTestId('signin-username'), 'eve');
    await u.type(screen.getByTestId('signin-password'), 'password1');
    await u.click(screen.getByTestId('signin-submit'));

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

  it('gives administrators Users and Settings', async () => {
    mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor('administrator'), database_path: 'x' }),
    });
    render(App);
    const u = userEvent.setup();
    await u.click(await screen.findByTestId('nav-users'));
    expect(await screen.findAllByTestId('user-row')).toHaveLength(1);
    await u.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect(screen.getByTestId('settings-region')).toHaveValue('US'));
  });

  it('hides New lead from viewers and ignores the N shortcut for them', async () => {
    mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor('viewer'), database_path: 'x' }),
    });
    render(App);
    await screen.findByTestId('leads-empty');
    expect(screen.queryByTestId('new-lead')).toBeNull();
    await userEvent.setup().keyboard('n');
    expect(screen.queryByTestId('lead-form')).toBeNull();
  });

  it('opens the form with N, not while typing in the search box, and shows help with ?', async () => {
    mockBackend({
      appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor('editor'), database_path: 'x' }),
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
});
