// Accessibility checks that jsdom can answer.

/** Live regions (alerts included) whose text includes `text`: a screen reader says it once per region. */
export function liveRegionsSaying(text: string): Element[] {
  return [...document.querySelectorAll('[role="alert"], [role="status"], [aria-live]')].filter(
    (el) => el.getAttribute('aria-live') !== 'off' && (el.textContent ?? '').includes(text),
  );
}
