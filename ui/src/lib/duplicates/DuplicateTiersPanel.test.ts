import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockBackend } from '../../test/fixtures';
import { apiError, BackendError } from '../api';
import { nav } from '../nav.svelte';
import type { DuplicateTiers } from '../types';
import DuplicateTiersPanel from './DuplicateTiersPanel.svelte';

describe('Duplicate tiers in Settings', () => {
  it('asks before leaving changed tiers, and leaves unasked once they are saved', async () => {
    mockBackend({ getDuplicateTiers: async () => ({ same: 0.999, review: 0.5 }) });
    render(DuplicateTiersPanel);
    const u = userEvent.setup();
    const review = (await screen.findByTestId('tier-review')) as HTMLInputElement;
    await waitFor(() => expect(review.value).toBe('50'));
    nav.go({ name: 'settings' });
    await u.clear(review);
    await u.type(review, '80');
    nav.go({ name: 'leads' });
    expect(await screen.findByTestId('confirm-discard-settings')).toHaveTextContent(
      'Discard your changes to the duplicate tiers?',
    );
    expect(nav.view).toEqual({ name: 'settings' });
    await u.click(screen.getByTestId('confirm-discard-settings-keep'));
    expect(review.value).toBe('80');
    await u.click(screen.getByTestId('tiers-save'));
    await waitFor(() => expect(screen.getByTestId('tiers-save')).toBeDisabled());
    nav.go({ name: 'leads' });
    expect(nav.view).toEqual({ name: 'leads' });
  });

  it('shows the tiers as percentages and saves what the administrator types as probabilities', async () => {
    const be = mockBackend({ getDuplicateTiers: async () => ({ same: 0.999, review: 0.5 }) });
    render(DuplicateTiersPanel);
    const u = userEvent.setup();
    const same = (await screen.findByTestId('tier-same')) as HTMLInputElement;
    await waitFor(() => expect(same.value).toBe('99.9'));
    expect((screen.getByTestId('tier-review') as HTMLInputElement).value).toBe('50');
    expect(screen.getByTestId('tiers-save')).toBeDisabled();
    await u.clear(screen.getByTestId('tier-review'));
    await u.type(screen.getByTestId('tier-review'), '80');
    await u.click(screen.getByTestId('tiers-save'));
    await waitFor(() =>
      expect(be.updateDuplicateTiers).toHaveBeenCalledWith({ same: 0.999, review: 0.5 }, { same: 0.999, review: 0.8 }),
    );
  });

  it('sends a tier left alone as it was read, not as its rounded percentage', async () => {
    const read = { same: 0.987_654_3, review: 0.5 };
    const be = mockBackend({ getDuplicateTiers: async () => read });
    render(DuplicateTiersPanel);
    const u = userEvent.setup();
    const review = (await screen.findByTestId('tier-review')) as HTMLInputElement;
    await waitFor(() => expect(review.value).toBe('50'));
    expect((screen.getByTestId('tier-same') as HTMLInputElement).value).toBe('98.765');
    await u.clear(review);
    await u.type(review, '60');
    await u.click(screen.getByTestId('tiers-save'));
    await waitFor(() => expect(be.updateDuplicateTiers).toHaveBeenCalledWith(read, { same: 0.987_654_3, review: 0.6 }));
  });

  it('keeps what was typed when another Administrator changed the same tier meanwhile, and saves over it on asking', async () => {
    let stored: DuplicateTiers = { same: 0.999, review: 0.5 };
    const be = mockBackend({
      getDuplicateTiers: async () => stored,
      updateDuplicateTiers: async (seen, tiers) => {
        if (seen.review !== stored.review) throw new BackendError(apiError('conflict', 'changed since'));
        stored = tiers;
        return tiers;
      },
    });
    render(DuplicateTiersPanel);
    const u = userEvent.setup();
    const review = (await screen.findByTestId('tier-review')) as HTMLInputElement;
    await waitFor(() => expect(review.value).toBe('50'));
    stored = { same: 0.999, review: 0.7 };
    await u.clear(review);
    await u.type(review, '80');
    await u.click(screen.getByTestId('tiers-save'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Another Administrator set the tiers to 99.9 % and 70 % since you opened this page',
    );
    expect(review.value).toBe('80');
    await u.click(screen.getByTestId('tiers-save'));
    await waitFor(() => expect(stored).toEqual({ same: 0.999, review: 0.8 }));
    expect(be.updateDuplicateTiers).toHaveBeenLastCalledWith({ same: 0.999, review: 0.7 }, { same: 0.999, review: 0.8 });
  });

  it('refuses a same-person tier below the review tier before asking the backend, and shows its errors', async () => {
    const be = mockBackend({
      updateDuplicateTiers: async () => {
        throw new BackendError(apiError('validation', 'invalid', [{ field: 'review', message: 'the review tier starts between 5% and 99%' }]));
      },
    });
    render(DuplicateTiersPanel);
    const u = userEvent.setup();
    const same = await screen.findByTestId('tier-same');
    await waitFor(() => expect((same as HTMLInputElement).value).toBe('99.9'));
    await u.clear(same);
    await u.type(same, '40');
    await u.click(screen.getByTestId('tiers-save'));
    expect(await screen.findByText('Above the review tier, at most 99.9999 %.')).toBeInTheDocument();
    expect(be.updateDuplicateTiers).not.toHaveBeenCalled();
    await u.clear(same);
    await u.type(same, '99.99');
    await u.click(screen.getByTestId('tiers-save'));
    expect(await screen.findByText(/the review tier starts between 5% and 99%/i)).toBeInTheDocument();
  });
});
