import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiErr, mockBackend, sessionFor } from '../../test/fixtures';
import { session } from '../session.svelte';
import { toasts } from '../toast.svelte';
import Settings from './Settings.svelte';

describe('Settings › Sample data', () => {
  it('offers to remove the first run’s sample leads, says what stayed, and goes once none is left', async () => {
    session.current = sessionFor('administrator');
    const be = mockBackend({
      // Two of them someone worked on: they stay, and are not offered.
      sampleData: async () => ({ leads: 300, worked_on: 2 }),
      removeSampleData: async () => ({ removed: 298, kept: 2 }),
    });
    const u = userEvent.setup();
    render(Settings);
    expect(await screen.findByTestId('sample-data-count')).toHaveTextContent('298 sample leads the first start added');
    await u.click(screen.getByTestId('sample-data-remove'));
    expect(await screen.findByTestId('sample-data-dialog')).toHaveTextContent('someone edited, met or logged an activity on stays');
    await u.click(screen.getByTestId('sample-data-cancel'));
    expect(be.removeSampleData).not.toHaveBeenCalled();
    await u.click(screen.getByTestId('sample-data-remove'));
    await u.click(await screen.findByTestId('sample-data-confirm'));
    await waitFor(() => expect(be.removeSampleData).toHaveBeenCalledOnce());
    await waitFor(() => expect(screen.queryByTestId('sample-data-dialog')).toBeNull());
    expect(toasts.items.map((t) => t.message)).toContain('Removed 298 sample leads; kept 2 someone worked on');
    expect(screen.queryByTestId('sample-data')).toBeNull();
  });

  it('shows nothing when every sample lead left is one someone worked on', async () => {
    session.current = sessionFor('administrator');
    const be = mockBackend({ sampleData: async () => ({ leads: 2, worked_on: 2 }) });
    render(Settings);
    await waitFor(() => expect(be.sampleData).toHaveBeenCalled());
    await screen.findByTestId('pw-current');
    expect(screen.queryByTestId('sample-data')).toBeNull();
  });

  it('shows nothing on a database without sample leads, nor to anyone but an Administrator', async () => {
    session.current = sessionFor('administrator');
    const be = mockBackend();
    const view = render(Settings);
    await waitFor(() => expect(be.sampleData).toHaveBeenCalled());
    expect(screen.queryByTestId('sample-data')).toBeNull();
    view.unmount();
    session.current = sessionFor('editor');
    const asEditor = mockBackend({ sampleData: async () => ({ leads: 300, worked_on: 0 }) });
    render(Settings);
    await screen.findByTestId('pw-current');
    expect(asEditor.sampleData).not.toHaveBeenCalled();
    expect(screen.queryByTestId('sample-data')).toBeNull();
  });

  it('says in the dialog why the leads could not be removed', async () => {
    session.current = sessionFor('administrator');
    mockBackend({
      sampleData: async () => ({ leads: 300, worked_on: 0 }),
      removeSampleData: async () => {
        throw apiErr({ code: 'database_locked', message: 'the database is busy: another program is writing to it' });
      },
    });
    const u = userEvent.setup();
    render(Settings);
    await u.click(await screen.findByTestId('sample-data-remove'));
    await u.click(await screen.findByTestId('sample-data-confirm'));
    expect(await screen.findByTestId('sample-data-error')).toHaveTextContent('The database is busy');
    expect(screen.getByTestId('sample-data-dialog')).toBeInTheDocument();
  });
});
