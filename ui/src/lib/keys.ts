// Keyboard shortcut helpers: plain-key shortcuts never fire while the user is typing.

/**
 * True when the event target is a place where keys are text (inputs, textareas, selects, editables), or any
 * control of a form holding unsaved text (`data-unsaved="true"`): a shortcut pressed on its button would lead
 * away from what was typed.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.closest('form[data-unsaved="true"]')) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return false;
}

/** Ctrl on Windows/Linux, Cmd on macOS (either is accepted everywhere). */
/**
 * Whether a key ends or steers an input method's composition (Japanese, Chinese, Korean): its Enter accepts a
 * candidate and its Escape drops one, and neither is the page's to act on. WebKit reports the committing key
 * with `isComposing` false but keyCode 229.
 */
export function isComposing(e: KeyboardEvent): boolean {
  return e.isComposing || e.keyCode === 229;
}

export function isMod(e: KeyboardEvent): boolean {
  return e.ctrlKey || e.metaKey;
}

export function focusSearch(): boolean {
  const el = document.querySelector<HTMLInputElement>('[data-testid="search-input"]');
  if (!el) return false;
  el.focus();
  el.select();
  return true;
}

/** Whether a dialog is open: it has the keyboard, and the page's own keys and drops wait until it closes. */
export function dialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}
