// Copying a token or a snippet to the system clipboard.

/** Puts `text` on the clipboard; fails (with a reason to show) when the webview gives no access to it. */
export async function copyText(text: string): Promise<void> {
  if (!navigator.clipboard?.writeText) throw new Error('the clipboard cannot be reached from this window');
  await navigator.clipboard.writeText(text);
}
