// The import runs of the app: an import, a resume or an undo runs in the backend for as long as it takes, so
// leaving the Import page does not lose it; the page (and its history) shows where it is when it comes back.
// One run at a time. (No import of format.ts or the field table here: the test setup loads this store.)
import { backend, toApiError } from '../api';
import type { ApiError, ImportBatch, ImportPlan, RunProgress, UndoReport } from '../types';

export interface RunItem {
  fileId: string;
  fileName: string;
  plan: ImportPlan;
}

/** How one file of a run ended: its batch, or why it has none. */
export interface RunOutcome {
  fileName: string;
  batch: ImportBatch | null;
  error: ApiError | null;
  /** Not started: the run was cancelled before its turn. */
  skipped: boolean;
}

export interface RunOp {
  kind: 'import' | 'resume' | 'undo';
  fileName: string;
  /** Which file of the run (0-based), of `total`. */
  index: number;
  total: number;
  /** Known from the first progress report of an import; from the start for a resume or an undo. */
  batchId: number | null;
}

class ImportRuns {
  op = $state<RunOp | null>(null);
  /** The latest progress report of the running file; null before its first. */
  progress = $state<RunProgress | null>(null);
  /** Cancel was asked for; it reaches the backend as soon as the batch is known. */
  cancelling = $state(false);
  /** Why the last cancel could not be sent (the run goes on). */
  cancelError = $state<string | null>(null);
  /** Bumped each time a run ends, whatever its end: the history reads itself again. */
  finished = $state(0);

  /** Each run gets a number: reports of a run no longer followed are never shown. */
  private run = 0;
  private stopRequested = false;
  /** A cancel the backend had nothing running for yet (a resume still checking its file): sent again at the
   * run's next report. */
  private cancelAgain = false;
  /** Waiting for the running import or undo to end. */
  private idle: (() => void)[] = [];

  /** Resolves once nothing runs (at once when nothing does). */
  whenIdle(): Promise<void> {
    if (!this.op) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  get running(): boolean {
    return this.op !== null;
  }

  /** Imports the files one after another; a failed file does not stop the others, a cancel does. */
  async importFiles(items: RunItem[]): Promise<RunOutcome[]> {
    if (this.op) throw new Error('another import or undo is running; wait for it to end');
    const mine = this.begin();
    const out: RunOutcome[] = [];
    try {
      for (const [index, item] of items.entries()) {
        if (this.stopRequested) {
          out.push({ fileName: item.fileName, batch: null, error: null, skipped: true });
          continue;
        }
        this.op = { kind: 'import', fileName: item.fileName, index, total: items.length, batchId: null };
        this.progress = null;
        try {
          const batch = await backend().importStart(item.fileId, item.plan, (p) => this.report(mine, p, index));
          out.push({ fileName: item.fileName, batch, error: null, skipped: false });
          if (batch.status === 'cancelled') this.stopRequested = true;
        } catch (e) {
          // A failure after the first chunks leaves a batch behind (marked failed): its rows are in, and it can be
          // resumed or undone, so the report shows it rather than "not imported".
          const started = this.op?.batchId ?? null;
          const batch = started === null ? null : await this.batchAfterFailure(started);
          out.push({ fileName: item.fileName, batch, error: toApiError(e), skipped: false });
          if (toApiError(e).code === 'cancelled') this.stopRequested = true;
        }
        if (mine !== this.run) return out;
      }
      return out;
    } finally {
      this.end(mine);
    }
  }

  /** Goes on with an interrupted or cancelled import. */
  async resume(batchId: number, fileName: string): Promise<ImportBatch> {
    if (this.op) throw new Error('another import or undo is running; wait for it to end');
    const mine = this.begin();
    this.op = { kind: 'resume', fileName, index: 0, total: 1, batchId };
    try {
      return await backend().importResume(batchId, (p) => this.report(mine, p));
    } finally {
      this.end(mine);
    }
  }

  /** Takes an import back. */
  async undo(batchId: number, fileName: string): Promise<UndoReport> {
    if (this.op) throw new Error('another import or undo is running; wait for it to end');
    const mine = this.begin();
    this.op = { kind: 'undo', fileName, index: 0, total: 1, batchId };
    try {
      return await backend().importUndo(batchId, (p) => this.report(mine, p));
    } finally {
      this.end(mine);
    }
  }

  /**
   * Asks the running import to stop (and the files after it not to start), or the running undo to stop
   * between its steps (the batch is then partly undone; undoing it again finishes it).
   */
  async cancel(): Promise<void> {
    if (!this.op || this.cancelling) return;
    this.cancelling = true;
    this.cancelError = null;
    this.stopRequested = true;
    if (this.op.batchId !== null) await this.sendCancel(this.op.batchId);
  }

  /** Forgets everything (sign-out, tests); a run still going is no longer followed. */
  reset() {
    this.run++;
    this.cancelAgain = false;
    this.wakeIdle();
    this.op = null;
    this.progress = null;
    this.cancelling = false;
    this.cancelError = null;
    this.stopRequested = false;
    this.finished = 0;
  }

  private begin(): number {
    const mine = ++this.run;
    this.cancelling = false;
    this.cancelError = null;
    this.stopRequested = false;
    this.progress = null;
    return mine;
  }

  private end(mine: number) {
    if (mine !== this.run) return;
    this.op = null;
    this.progress = null;
    this.cancelling = false;
    this.stopRequested = false;
    this.cancelAgain = false;
    this.finished++;
    this.wakeIdle();
  }

  private wakeIdle() {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  /** A report of file `index` of run `mine`: one of a file already done (arriving late) is not this file's. */
  private report(mine: number, p: RunProgress, index = 0) {
    if (mine !== this.run || !this.op || this.op.index !== index) return;
    if (this.op.batchId !== null && this.op.batchId !== p.batch_id) return;
    const first = this.op.batchId === null;
    if (first) this.op = { ...this.op, batchId: p.batch_id };
    this.progress = p;
    // Cancel was asked for before the batch was known, or before its run could take it: it goes now.
    if ((first || this.cancelAgain) && this.cancelling) void this.sendCancel(p.batch_id);
  }

  /** The batch a failed import left, as the history has it; null if it cannot be read. */
  private async batchAfterFailure(id: number): Promise<ImportBatch | null> {
    try {
      return (await backend().importHistory()).find((b) => b.id === id) ?? null;
    } catch {
      return null;
    }
  }

  private async sendCancel(batchId: number) {
    const mine = this.run;
    try {
      this.cancelAgain = false;
      const stopped = await backend().importCancel(batchId);
      // Nothing ran yet under that batch (a resume checks its file before it runs): asked again at its first report.
      if (!stopped && mine === this.run && this.op) this.cancelAgain = true;
    } catch (e) {
      if (mine !== this.run || !this.op) return;
      // The import goes on; let Cancel be tried again.
      this.cancelling = false;
      this.stopRequested = false;
      this.cancelError = toApiError(e).message;
    }
  }
}

export const importRuns = new ImportRuns();
