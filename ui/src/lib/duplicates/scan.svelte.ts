// The duplicate scan, shared by the app: it runs in the backend for as long as it takes, so leaving the
// duplicates screen does not lose it; coming back shows where it is, or how it ended.
// (No import of the field table here, nor of format.ts, which reads it: see pace.ts.)
import { backend, toApiError } from '../api';
import { toasts } from '../toast.svelte';
import type { ApiError, DuplicateScanSummary, ScanPhase, ScanProgress } from '../types';
import { scanPace, type Pace } from './pace';

class DuplicateScan {
  running = $state(false);
  /** Cancel was asked for; the scan ends (with `cancelled`) at its next check. */
  cancelling = $state(false);
  /** The latest progress of the running scan; null before the first report. */
  progress = $state<ScanProgress | null>(null);
  /** Rate and time left of the running phase, once they can be told. */
  pace = $state<Pace | null>(null);
  /** How the last scan that ran to its end went. */
  summary = $state<DuplicateScanSummary | null>(null);
  /** Why the last scan failed (not set by a cancel). */
  error = $state<ApiError | null>(null);
  /** The last scan was cancelled: the queue is as it was before it. */
  cancelled = $state(false);
  /** Why the last cancel was refused (the scan goes on). */
  cancelError = $state<string | null>(null);
  /** Bumped each time a scan ends having rewritten the queue. */
  finished = $state(0);
  /** The clock pace is measured by, in ms (tests set their own). */
  now: () => number = () => performance.now();

  /** Each scan gets a number: reports and endings of an earlier one are never shown. */
  private run = 0;
  private phaseStart: { phase: ScanPhase; at: number; done: number } | null = null;
  /** Waiting for the running scan to end. */
  private idle: (() => void)[] = [];

  /** Resolves once no scan runs: a cancelled one may still write until its next check. */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async start(): Promise<void> {
    if (this.running) return;
    const mine = ++this.run;
    this.running = true;
    this.cancelling = false;
    this.cancelled = false;
    this.cancelError = null;
    this.error = null;
    this.progress = null;
    this.pace = null;
    this.phaseStart = null;
    try {
      const summary = await backend().scanDuplicates((p) => {
        if (mine === this.run && this.running) this.report(p);
      });
      if (mine !== this.run) return;
      this.summary = summary;
      this.finished++;
    } catch (e) {
      if (mine !== this.run) return;
      const err = toApiError(e);
      if (err.code === 'cancelled') this.cancelled = true;
      else this.error = err;
    } finally {
      if (mine === this.run) {
        this.running = false;
        this.cancelling = false;
        this.progress = null;
        this.pace = null;
        this.phaseStart = null;
        this.wakeIdle();
      }
    }
  }

  /** Asks the running scan to stop. */
  async cancel(): Promise<void> {
    if (!this.running || this.cancelling) return;
    const mine = this.run;
    this.cancelling = true;
    this.cancelError = null;
    try {
      await backend().cancelDuplicateScan();
    } catch (e) {
      if (mine !== this.run || !this.running) return;
      // The scan goes on; say why it could not be stopped, and let Cancel be tried again.
      this.cancelling = false;
      const message = toApiError(e).message;
      this.cancelError = message;
      toasts.error(`Could not cancel the scan: ${message.charAt(0).toUpperCase()}${message.slice(1)}`);
    }
  }

  /** Forgets everything (sign-out, tests); a scan still running is no longer followed. */
  reset() {
    this.run++;
    this.wakeIdle();
    this.cancelError = null;
    this.running = false;
    this.cancelling = false;
    this.progress = null;
    this.pace = null;
    this.summary = null;
    this.error = null;
    this.cancelled = false;
    this.finished = 0;
    this.phaseStart = null;
    this.now = () => performance.now();
  }

  private wakeIdle() {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  private report(p: ScanProgress) {
    const at = this.now();
    if (!this.phaseStart || this.phaseStart.phase !== p.phase) this.phaseStart = { phase: p.phase, at, done: p.done };
    this.progress = p;
    this.pace = scanPace(p, this.phaseStart, at);
  }
}

export const duplicateScan = new DuplicateScan();
