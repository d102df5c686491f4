// Saves text the backend made (an .ics invite, a calendar, an import's rejected rows) as a file in the
// Downloads folder, and says where. The backend writes it: a webview has no browser around it to take a Blob
// link, and WebKitGTK saved one into the app's working directory without a word.
import { backend, errorMessage, toApiError } from '../api';
import { copyText } from '../capture/clipboard';
import { sentence } from '../format';
import { toasts } from '../toast.svelte';

/** `fileName` safe for every file system: no path separators or reserved characters. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned || 'calendar';
}

/** Where a file was saved, or why it was not. */
export type SaveOutcome = { path: string } | { error: string };

/** How long the "saved" notice stays: long enough to read a path. */
export const SAVED_TOAST_MS = 12_000;

/**
 * Saves `text` as `fileName` in the Downloads folder (numbered when the name is taken: nothing is replaced);
 * answers the path it got. Throws with the reason when it cannot be saved. For a modal dialog, which says the path
 * itself: a notice would sit behind it.
 */
export async function saveFile(text: string, fileName: string): Promise<string> {
  return backend().saveDownload(fileName, text);
}

/**
 * Why `fileName` could not be saved, as said to the user. The backend's own message of a failed write already
 * names the file and the folder ("Could not save a.ics in /home/ada/Downloads: permission denied"): a prefix of
 * ours would say it twice.
 */
export function saveFailure(e: unknown, fileName: string): string {
  const api = toApiError(e);
  return api.code === 'io' ? sentence(api.message) : `Could not save ${fileName}: ${api.message}`;
}

/** Saves `text` as `fileName` (see `saveFile`); answers where, or why not. */
export async function saveOutcome(text: string, fileName: string): Promise<SaveOutcome> {
  try {
    return { path: await saveFile(text, fileName) };
  } catch (e) {
    return { error: saveFailure(e, fileName) };
  }
}

/**
 * Saves `text` as `fileName` (see `saveFile`) and tells the user the path in a notice, with a button to copy it.
 * Answers the path, or null when it could not be saved (said in an error notice).
 */
export async function saveText(text: string, fileName: string): Promise<string | null> {
  let path: string;
  try {
    path = await saveFile(text, fileName);
  } catch (e) {
    toasts.error(saveFailure(e, fileName));
    return null;
  }
  savedNotice(path);
  return path;
}

/** Tells the user where a file was saved (in `message`, "Saved to …" unless told), with a button to copy the path. */
export function savedNotice(path: string, message = `Saved to ${path}`): void {
  toasts.success(message, {
    ms: SAVED_TOAST_MS,
    action: {
      label: 'Copy path',
      testid: 'copy-saved-path',
      run: async () => {
        try {
          await copyText(path);
          toasts.info('Path copied');
        } catch (e) {
          toasts.error(`Could not copy the path: ${errorMessage(e)}`);
        }
      },
    },
  });
}
