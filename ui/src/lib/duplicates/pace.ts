// How fast a scan phase goes. Kept apart from compare.ts, which reads the field table: the scan store (and so
// the test setup, which resets it) must not load the bindings' constants before a test can mock them.
import type { ScanProgress } from '../types';

export interface Pace {
  /** Items per second since the phase began. */
  rate: number;
  /** Seconds until the phase ends at that rate. */
  eta: number;
}

/**
 * How fast a phase goes and when it should end, from where it was when first seen (`since`, at ms `since.at`)
 * and where it is now. Unknown (null) until the total is known and the phase has moved.
 */
export function scanPace(p: ScanProgress, since: { at: number; done: number }, now: number): Pace | null {
  const seconds = (now - since.at) / 1000;
  const moved = p.done - since.done;
  if (p.total <= 0 || moved <= 0 || seconds <= 0) return null;
  const rate = moved / seconds;
  return { rate, eta: Math.max(0, p.total - p.done) / rate };
}
