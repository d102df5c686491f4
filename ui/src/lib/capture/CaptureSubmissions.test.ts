import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiErr, mockBackend } from '../../test/fixtures';
import { captureSource, captureSubmission } from '../../test/importFixtures';
import { nav } from '../nav.svelte';
import CaptureSubmissions from './CaptureSubmissions.svelte';

afterEach(() => {
  vi.useRealTimers();
});

describe('Recent submissions', () => {
  it('refreshes quietly on its timer: the empty state stays while it reads, no "Loading…" every 10 s', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const be = mockBackend();
    be.captureSubmissions.mockResolvedValueOnce([]).mockImplementationOnce(() => new Promise(() => {}));
    render(CaptureSubmissions, { sources: [captureSource()] });
    expect(await screen.findByTestId('capture-submissions-empty')).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(be.captureSubmissions).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('capture-submissions-empty')).toBeInTheDocument();
    expect(screen.queryByText('Loading…')).toBeNull();
  });

  it('says in words what each submission did, a bot caught by the hidden field as spam', async () => {
    const be = mockBackend();
    be.captureSubmissions.mockResolvedValue([
      captureSubmission({ id: 3, outcome: 'spam', status: 202, lead_id: null }),
      captureSubmission({ id: 2, outcome: 'rejected', status: 422, lead_id: null }),
      captureSubmission({ id: 1 }),
    ]);
    render(CaptureSubmissions, { sources: [captureSource()] });
    await screen.findByTestId('capture-submissions-table');
    expect(screen.getAllByTestId('capture-submission-outcome').map((c) => c.textContent)).toEqual([
      'Spam (no lead)',
      'Refused',
      'Created (Active)',
    ]);
  });

  it('leads to the lead a submission lives on in once merged, and says when its lead is gone', async () => {
    const be = mockBackend();
    be.captureSubmissions.mockResolvedValue([
      captureSubmission({ id: 2, outcome: 'review', lead_id: 57, lead_now: 12, lead_name: 'Grace Hopper' }),
      captureSubmission({ id: 1, lead_id: 40, lead_now: null }),
    ]);
    render(CaptureSubmissions, { sources: [captureSource()] });
    const [merged, gone] = await screen.findAllByTestId('capture-submission-row');
    const link = within(merged).getByTestId('capture-submission-lead');
    // By the name of the lead it lives on in, not by numbers.
    expect(link).toHaveTextContent('Grace Hopper, merged from lead 57');
    await userEvent.setup().click(link);
    expect(nav.view).toEqual({ name: 'lead', id: 12 });
    expect(within(gone).queryByTestId('capture-submission-lead')).toBeNull();
    expect(within(gone).getByTestId('capture-submission-lead-gone')).toHaveTextContent('Lead 40 (removed)');
  });

  it('keeps the list when a refresh on the timer fails', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const be = mockBackend();
    be.captureSubmissions
      .mockResolvedValueOnce([captureSubmission()])
      .mockRejectedValue(apiErr({ code: 'internal', message: 'the database is busy' }));
    render(CaptureSubmissions, { sources: [captureSource()] });
    expect(await screen.findByTestId('capture-submissions-table')).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(be.captureSubmissions).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('capture-submissions-table')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
