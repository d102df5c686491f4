import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiErr, mockBackend, sessionFor } from '../../test/fixtures';
import { session } from '../session.svelte';
import Settings from './Settings.svelte';

describe('Settings › Regional defaults', () => {
  it('saves the phone region and the default currency together, and keeps the currency when the region changes', async () => {
    session.current = sessionFor('administrator');
    const be = mockBackend({ getSettings: async () => ({ default_region: 'US', default_currency: 'USD' }) });
    const u = userEvent.setup();
    render(Settings);
    await waitFor(() => expect(screen.getByTestId('settings-currency')).toHaveValue('USD'));
    expect(screen.getByTestId('settings-save')).toBeDisabled();
    await u.clear(screen.getByTestId('settings-region'));
    await u.type(screen.getByTestId('settings-region'), 'de');
    await u.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(be.updateSettings).toHaveBeenCalledWith({ default_region: 'DE', default_currency: 'USD' }));
    await u.clear(screen.getByTestId('settings-currency'));
    await u.type(screen.getByTestId('settings-currency'), 'eur');
    await u.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(be.updateSettings).toHaveBeenLastCalledWith({ default_region: 'DE', default_currency: 'EUR' }));
    // Emptied, deals name their own currency again.
    await u.clear(screen.getByTestId('settings-currency'));
    await u.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(be.updateSettings).toHaveBeenLastCalledWith({ default_region: 'DE', default_currency: '' }));
  });

  it('says what is wrong with a currency beside it, typed or refused by the core', async () => {
    session.current = sessionFor('administrator');
    const be = mockBackend({
      updateSettings: async () => {
        throw apiErr({
          code: 'validation',
          message: 'invalid input',
          fields: [{ field: 'default_currency', message: '"XYZ" is not an ISO 4217 currency code (like EUR or USD)' }],
        });
      },
    });
    const u = userEvent.setup();
    render(Settings);
    await waitFor(() => expect(screen.getByTestId('settings-region')).toHaveValue('US'));
    await u.type(screen.getByTestId('settings-currency'), 'e1');
    await u.click(screen.getByTestId('settings-save'));
    expect(await screen.findByText(/three-letter currency code/)).toBeInTheDocument();
    expect(be.updateSettings).not.toHaveBeenCalled();
    await u.clear(screen.getByTestId('settings-currency'));
    await u.type(screen.getByTestId('settings-currency'), 'xyz');
    await u.click(screen.getByTestId('settings-save'));
    expect(await screen.findByText(/"XYZ" is not an ISO 4217 currency code/)).toBeInTheDocument();
    expect(screen.getByTestId('settings-currency')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('settings-region')).not.toHaveAttribute('aria-invalid', 'true');
  });
});

describe('Settings › Sections', () => {
  it('lists an Administrator’s sections to jump to, each moving to its heading', async () => {
    session.current = sessionFor('administrator');
    mockBackend();
    const u = userEvent.setup();
    render(Settings);
    const toc = await screen.findByTestId('settings-toc');
    const names = [...toc.querySelectorAll('button')].map((b) => b.textContent?.trim());
    expect(names).toEqual(['Regional defaults', 'Duplicates', 'Pipeline', 'Capture API', 'Your password']);
    const heading = await screen.findByRole('heading', { name: 'Your password' });
    await u.click(screen.getByRole('button', { name: 'Your password' }));
    expect(heading).toHaveFocus();
  });

  it('shows no list to whom the page holds only a password', async () => {
    session.current = sessionFor('editor');
    mockBackend();
    render(Settings);
    await screen.findByTestId('pw-current');
    expect(screen.queryByTestId('settings-toc')).toBeNull();
  });
});
