import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { mockBackend, sessionFor } from '../../test/fixtures';
import { nav } from '../nav.svelte';

function signedIn(role: 'viewer' | 'editor' | 'administrator') {
  return mockBackend({
    appStatus: async () => ({ startup_error: null, initialized: true, session: sessionFor(role), database_path: 'x' }),
  });
}

describe('Duplicates in the navigation', () => {
  it('is offered to Editors, opens the review queue, and its shortcuts reach it', async () => {
    const be = signedIn('editor');
    render(App);
    const u = userEvent.setup();
    const entry = await screen.findByTestId('duplicates-nav');
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Duplicates' })).toBe(entry);
    expect(entry).not.toHaveAttribute('aria-current');

    await u.click(entry);
    expect(await screen.findByTestId('duplicates-page')).toBeInTheDocument();
    expect(entry).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('nav-leads')).not.toHaveAttribute('aria-current');
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(2));

    // N here means "not a duplicate", not "new lead".
    (document.activeElement as HTMLElement).blur();
    await u.keyboard('n');
    await waitFor(() => expect(be.markNotDuplicate).toHaveBeenCalledWith(1, expect.any(Array)));
    expect(screen.queryByTestId('lead-form')).toBeNull();

    await u.keyboard('?');
    const help = await screen.findByTestId('shortcuts-help');
    expect(within(help).getByRole('region', { name: 'Duplicates' })).toHaveTextContent('Merge the pair');
    // Behind the help dialog, the queue's keys do nothing.
    await u.keyboard('m');
    expect(be.mergeLeads).not.toHaveBeenCalled();
  });

  it('is offered to Administrators', async () => {
    signedIn('administrator');
    render(App);
    expect(await screen.findByTestId('duplicates-nav')).toBeInTheDocument();
  });

  it('is not offered to Viewers, who cannot review duplicates', async () => {
    const be = signedIn('viewer');
    render(App);
    await screen.findByTestId('nav-leads');
    expect(screen.queryByTestId('duplicates-nav')).toBeNull();
    // Even reached another way, the screen is not shown and the queue is not read.
    nav.go({ name: 'duplicates' });
    expect(await screen.findByRole('alert')).toHaveTextContent("You don't have permission to review duplicates.");
    expect(screen.queryByTestId('duplicates-page')).toBeNull();
    expect(be.duplicateQueue).not.toHaveBeenCalled();
  });
});
