import { tick } from 'svelte';

/**
 * An element a virtualized list will render once it has scrolled to it: the list learns of the scroll from the
 * scroll event, a frame later, so the element is looked for after each of a few frames. Null if it never came.
 */
export async function whenRendered<T extends Element>(find: () => T | null | undefined, frames = 10): Promise<T | null> {
  for (let i = 0; ; i++) {
    await tick();
    const found = find();
    if (found) return found;
    if (i >= frames) return null;
    await new Promise<void>((done) => requestAnimationFrame(() => done()));
  }
}

/**
 * Whether the focus is nowhere (on the page itself, or on an element since removed): only then may it be given
 * to an element that has just been drawn, not taken from where the user put it while the element was awaited.
 */
export function focusIsLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}
