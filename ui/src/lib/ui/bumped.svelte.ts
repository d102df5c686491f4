// A counter another part of the app bumps when something others show has changed (an import ended, a merge
// undone, a scan's merges, a move decided elsewhere): a page that shows what it changed reads again.
import { untrack } from 'svelte';

/**
 * Calls `then` each time `count` changes from now on (not for the value it has now). Call it while a component
 * is set up: the watch ends with the component.
 */
export function onBump(count: () => number, then: () => void): void {
  let seen = untrack(count);
  $effect(() => {
    const n = count();
    if (n === seen) return;
    seen = n;
    untrack(then);
  });
}
