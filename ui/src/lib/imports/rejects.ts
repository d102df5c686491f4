// The rejected rows of an import, saved as a file.
import { backend, errorMessage } from '../api';
import { downloadText } from '../calendar/download';
import { toasts } from '../toast.svelte';
import type { ImportBatch } from '../types';
import { rejectsFileName } from './plan';

export const CSV_TYPE = 'text/csv;charset=utf-8';

/** Asks the backend for the rejected rows of `batch` and offers them as `<file>.rejects.csv`. */
export async function downloadRejects(batch: Pick<ImportBatch, 'id' | 'file_name'>, inside?: HTMLElement): Promise<void> {
  try {
    const csv = await backend().importRejectsCsv(batch.id);
    downloadText(csv, rejectsFileName(batch.file_name), CSV_TYPE, inside);
  } catch (e) {
    toasts.error(`Could not get the rejected rows of ${batch.file_name}: ${errorMessage(e)}`);
  }
}
