// The rejected rows of an import, saved as a file.
import { backend, errorMessage } from '../api';
import { saveText } from '../calendar/download';
import { toasts } from '../toast.svelte';
import type { ImportBatch } from '../types';
import { rejectsFileName } from './plan';

/** Asks the backend for the rejected rows of `batch` and saves them as `<file>.rejects.csv` in the Downloads
 * folder; answers the path, or null when they could not be had (said in an error notice). */
export async function downloadRejects(batch: Pick<ImportBatch, 'id' | 'file_name'>): Promise<string | null> {
  let csv: string;
  try {
    csv = await backend().importRejectsCsv(batch.id);
  } catch (e) {
    toasts.error(`Could not get the rejected rows of ${batch.file_name}: ${errorMessage(e)}`);
    return null;
  }
  return saveText(csv, rejectsFileName(batch.file_name));
}
