import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SavedFile from './SavedFile.svelte';

describe('SavedFile', () => {
  it('says where the file was saved, or why not, in a live region that was there before', async () => {
    const { rerender } = render(SavedFile, { outcome: null });
    // A screen reader reads out a change in a region it already knows of, not a region made with its text.
    const region = screen.getByRole('status');
    expect(region).toBeEmptyDOMElement();

    await rerender({ outcome: { path: '/home/ada/Downloads/Ada.ics' } });
    expect(screen.getByRole('status')).toBe(region);
    expect(region).toContainElement(screen.getByTestId('saved-path'));
    expect(region).toHaveTextContent('Saved to /home/ada/Downloads/Ada.ics');

    await rerender({ outcome: { error: 'Could not save Ada.ics in /home/ada/Downloads: disk full' } });
    expect(screen.getByRole('status')).toBe(region);
    expect(region).toContainElement(screen.getByTestId('save-error'));
    expect(region).toHaveTextContent('Could not save Ada.ics in /home/ada/Downloads: disk full');
    expect(screen.queryByTestId('saved-path')).toBeNull();

    await rerender({ outcome: null });
    expect(screen.getByRole('status')).toBe(region);
    expect(region).toBeEmptyDOMElement();
  });
});
