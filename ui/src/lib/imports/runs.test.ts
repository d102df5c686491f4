import { waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { deferred, mockBackend } from '../../test/fixtures';
import { importBatch, runProgress } from '../../test/importFixtures';
import type { ImportBatch, RunProgress } from '../types';
import { importRuns } from './runs.svelte';

describe('importRuns', () => {
  it('sends a cancel again when the resume it was meant for was still checking its file', async () => {
    let report!: (p: RunProgress) => void;
    const ended = deferred<ImportBatch>();
    // The backend had nothing running yet for the first cancel; the second reaches the run.
    const answers = [false, true];
    const be = mockBackend({
      importResume: (_id, onProgress) => {
        report = onProgress;
        return ended.promise;
      },
      importCancel: vi.fn(async () => answers.shift() ?? true),
    });
    const run = importRuns.resume(9, 'messe.csv');
    await importRuns.cancel();
    expect(be.importCancel).toHaveBeenCalledTimes(1);
    expect(importRuns.cancelling).toBe(true);
    report(runProgress({ batch_id: 9 }));
    await waitFor(() => expect(be.importCancel).toHaveBeenCalledTimes(2));
    report(runProgress({ batch_id: 9, rows_done: 10 }));
    await Promise.resolve();
    expect(be.importCancel).toHaveBeenCalledTimes(2);
    ended.resolve(importBatch({ id: 9, status: 'cancelled' }));
    await run;
    expect(importRuns.running).toBe(false);
  });

  it('says when nothing runs any more', async () => {
    const ended = deferred<ImportBatch>();
    mockBackend({ importUndo: () => ended.promise as never });
    await importRuns.whenIdle();
    const undo = importRuns.undo(3, 'messe.csv');
    let idle = false;
    const waiting = importRuns.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    ended.resolve(importBatch({ id: 3 }));
    await undo;
    await waiting;
    expect(idle).toBe(true);
  });
});
