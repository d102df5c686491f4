import { describe, expect, it, vi } from 'vitest';

describe('sidebar', () => {
  it("starts as the user left it on this computer", async () => {
    localStorage.setItem('rapport.sidebar', 'icons');
    vi.resetModules();
    const { sidebar } = await import('./sidebar.svelte');
    expect(sidebar.collapsed).toBe(true);
    expect(sidebar.compact).toBe(true);
    sidebar.toggle();
    expect(localStorage.getItem('rapport.sidebar')).toBeNull();
    vi.resetModules();
    const again = await import('./sidebar.svelte');
    expect(again.sidebar.collapsed).toBe(false);
  });

  it('lets the choice be when storage is refused', async () => {
    vi.resetModules();
    const { sidebar } = await import('./sidebar.svelte');
    const refuse = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    try {
      sidebar.toggle();
      expect(sidebar.collapsed).toBe(true);
    } finally {
      refuse.mockRestore();
      sidebar.reset();
    }
  });
});
