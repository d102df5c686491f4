// The rejected rows of an import, saved as a file.
import { backend } from '../api';
import { saveFailure, savedNotice } from '../calendar/download';
import { toasts } from '../toast.svelte';
import type { ImportBatch } from '../types';
import { rejectsFileName } from './plan';

/** Has the backend save the rejected rows of `batch` as `<file>.rejects.csv` in the Downloads folder (they never
 * cross to the page: an import may reject a million rows); answers the path, or null when they could not be saved
 * (said in an error notice). */
export async function downloadRejects(batch: Pick<ImportBatch, 'id' | 'file_name'>): Promise<string | null> {
  const fileName = rejectsFileName(batch.file_name);
  let path: string;
  try {
    path = await backend().importSaveRejects(batch.id, fileName);
  } catch (e) {
    toasts.error(saveFailure(e, fileName));
    return null;
  }
  savedNotice(path);
  return path;
}
