/**
 * How often what a screen shows of the calendar is read again while the window is seen: what the app's calendar
 * sync pulls in the background (every five minutes) and what colleagues book shows without a click.
 */
export const CALENDAR_REFRESH_MS = 60_000;

/**
 * Calls `again` every {@link CALENDAR_REFRESH_MS} while the window is seen, and when it comes back to the front,
 * unless `busy()` says the person is working on something that a new read would change under them. Returns the
 * function that stops it (for `onMount`).
 */
export function everyMinuteWhileSeen(again: () => void, busy: () => boolean): () => void {
  const tick = () => {
    if (document.visibilityState === 'visible' && !busy()) again();
  };
  const timer = setInterval(tick, CALENDAR_REFRESH_MS);
  window.addEventListener('focus', tick);
  return () => {
    clearInterval(timer);
    window.removeEventListener('focus', tick);
  };
}
