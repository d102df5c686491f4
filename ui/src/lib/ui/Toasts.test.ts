import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toasts } from '../toast.svelte';
import Toasts from './Toasts.svelte';

afterEach(() => {
  toasts.clear();
  vi.useRealTimers();
});

describe('Toasts', () => {
  it('keeps a toast while the pointer or the focus is on it', async () => {
    vi.useFakeTimers();
    render(Toasts);
    toasts.success('Lead saved', { action: { label: 'Undo', run: () => {}, testid: 'toast-undo' } });
    const toast = await screen.findByTestId('toast');
    await fireEvent.pointerEnter(toast);
    vi.advanceTimersByTime(30_000);
    expect(toasts.items.map((t) => t.message)).toEqual(['Lead saved']);
    await fireEvent.pointerLeave(toast);
    // Tabbing to its Undo holds it too.
    await fireEvent.focusIn(screen.getByTestId('toast-undo'));
    vi.advanceTimersByTime(30_000);
    expect(toasts.items).toHaveLength(1);
    await fireEvent.focusOut(screen.getByTestId('toast-undo'), { relatedTarget: document.body });
    vi.advanceTimersByTime(10_000);
    expect(toasts.items).toHaveLength(0);
  });
});
