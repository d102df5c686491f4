import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiErr, mockBackend, sessionFor } from '../../test/fixtures';
import FirstRun from './FirstRun.svelte';
import SignIn from './SignIn.svelte';

describe('SignIn', () => {
  it('calls signIn with the typed values and shows the backend message on failure', async () => {
    const be = mockBackend({
      signIn: async () => {
        throw apiErr({ code: 'auth_failed', message: 'wrong username or password' });
      },
    });
    const onsignedin = vi.fn();
    render(SignIn, { onsignedin });
    const u = userEvent.setup();

    await u.type(screen.getByTestId('signin-username'), 'ada');
    await u.type(screen.getByTestId('signin-password'), 'not-the-password');
    await u.click(screen.getByTestId('signin-submit'));

    expect(be.signIn).toHaveBeenCalledWith('ada', 'not-the-password');
    const error = await screen.findByTestId('signin-error');
    expect(error).toHaveTextContent('Wrong username or password');
    expect(onsignedin).not.toHaveBeenCalled();
    // The username stays; the password is cleared for the next try.
    expect(screen.getByTestId('signin-username')).toHaveValue('ada');
    expect(screen.getByTestId('signin-password')).toHaveValue('');
  });

  it('hands the session over on success (Enter submits)', async () => {
    const session = sessionFor('editor');
    const be = mockBackend({ signIn: async () => session });
    const onsignedin = vi.fn();
    render(SignIn, { onsignedin });
    const u = userEvent.setup();

    await u.type(screen.getByTestId('signin-username'), '  ed ');
    await u.type(screen.getByTestId('signin-password'), 'secret-pass{Enter}');

    await waitFor(() => expect(onsignedin).toHaveBeenCalledWith(session));
    expect(be.signIn).toHaveBeenCalledWith('ed', 'secret-pass');
    expect(screen.queryByTestId('signin-error')).toBeNull();
  });

  it('does not call the backend with an empty form', async () => {
    const be = mockBackend();
    render(SignIn, { onsignedin: vi.fn() });
    await userEvent.setup().click(screen.getByTestId('signin-submit'));
    expect(be.signIn).not.toHaveBeenCalled();
    expect(screen.getByTestId('signin-error')).toHaveTextContent(/username and password/i);
  });
});

describe('FirstRun', () => {
  it('refuses a short or unconfirmed password before calling the backend', async () => {
    const be = mockBackend();
    render(FirstRun, { onsignedin: vi.fn(), oninitialized: vi.fn() });
    const u = userEvent.setup();
    await u.type(screen.getByTestId('setup-username'), 'admin');
    await u.type(screen.getByTestId('setup-password'), 'short');
    await u.type(screen.getByTestId('setup-password-confirm'), 'shorter');
    await u.click(screen.getByTestId('setup-submit'));

    expect(be.createFirstAdmin).not.toHaveBeenCalled();
    expect(screen.getByTestId('error-password')).toHaveTextContent('at least 8');
    expect(screen.getByTestId('error-confirm')).toHaveTextContent('do not match');
  });

  it('creates the first administrator with the typed values', async () => {
    const session = sessionFor('administrator');
    const be = mockBackend({ createFirstAdmin: async () => session });
    const onsignedin = vi.fn();
    render(FirstRun, { onsignedin, oninitialized: vi.fn() });
    const u = userEvent.setup();
    await u.type(screen.getByTestId('setup-username'), 'admin');
    await u.type(screen.getByTestId('setup-display-name'), 'The Admin');
    await u.type(screen.getByTestId('setup-password'), 'long-enough');
    await u.type(screen.getByTestId('setup-password-confirm'), 'long-enough');
    await u.click(screen.getByTestId('setup-submit'));

    await waitFor(() => expect(onsignedin).toHaveBeenCalledWith(session));
    expect(be.createFirstAdmin).toHaveBeenCalledWith('admin', 'The Admin', 'long-enough');
  });

  it('goes to the sign-in, saying why, when the first administrator was created elsewhere meanwhile', async () => {
    mockBackend({
      createFirstAdmin: async () => {
        throw apiErr({ code: 'auth_failed', message: 'the first administrator already exists; sign in instead' });
      },
      appStatus: async () => ({ startup_error: null, initialized: true, session: null, database_path: '' }),
    });
    const oninitialized = vi.fn();
    render(FirstRun, { onsignedin: vi.fn(), oninitialized });
    const u = userEvent.setup();
    await u.type(screen.getByTestId('setup-username'), 'admin');
    await u.type(screen.getByTestId('setup-password'), 'long-enough');
    await u.type(screen.getByTestId('setup-password-confirm'), 'long-enough');
    await u.click(screen.getByTestId('setup-submit'));
    await waitFor(() => expect(oninitialized).toHaveBeenCalledWith('The first administrator already exists; sign in instead'));
  });
});
