// The arithmetic and words of the Pipeline page, kept out of the components so they stay markup.
import { formatCount, SOURCE_CHANNELS } from '../format';
import type { Bottleneck, StageVelocity, Velocity } from '../types';
import { formatDays } from './duration';

/** A duration the page can draw: Rust's f64 arrives as null when there is nothing to average. */
export function daysOrNull(d: number | null | undefined): number | null {
  return typeof d === 'number' && Number.isFinite(d) ? Math.max(d, 0) : null;
}

/** A duration in words, or a dash when there is none. */
export function daysText(d: number | null | undefined): string {
  const v = daysOrNull(d);
  return v === null ? '—' : formatDays(v);
}

/** "1 stay", "1,234 stays". */
export function countText(n: number, unit: string): string {
  return `${formatCount(n)} ${n === 1 ? unit : `${unit}s`}`;
}

/** The largest mean stay: what every bar is drawn against. */
export function largestMean(stages: StageVelocity[]): number {
  return stages.reduce((max, s) => Math.max(max, daysOrNull(s.mean_days) ?? 0), 0);
}

/**
 * `value` as a percentage of `scale`, kept within the track: a median can lie beyond the largest mean (a few
 * long stays pull a mean up less than they pull a median), and a marker past the end would overflow the row.
 */
export function share(value: number | null, scale: number): number {
  if (value === null || scale <= 0) return 0;
  return Math.min(100, (value / scale) * 100);
}

/**
 * The open stage with the longest mean ended stay, as the core picks a bottleneck: on a tie the earlier in the
 * pipeline; a closing stage (`closing`) never, since a stay there ends only when a deal is reopened. None when
 * no stay has ended, or when every mean is zero (nothing stands out).
 */
export function longestStage(stages: StageVelocity[], closing: string[] = []): string | null {
  let best: { stage: string; mean: number } | null = null;
  for (const s of stages) {
    if (closing.includes(s.stage)) continue;
    const mean = daysOrNull(s.mean_days);
    if (mean !== null && (best === null || mean > best.mean + 1e-9)) best = { stage: s.stage, mean };
  }
  return best && best.mean > 0 ? best.stage : null;
}

/** Whether any lead has ever been in a stage: without that the page has nothing to show. */
export function hasHistory(v: Velocity): boolean {
  return v.stages.some((s) => s.stays > 0 || s.in_stage_now > 0);
}

/** An owner's name as the core gives it; a source channel's key in words (unknown keys as they are). */
export function groupLabel(b: Bottleneck): string {
  if (b.by === 'owner') return b.group;
  return SOURCE_CHANNELS.find((c) => c.value === b.group)?.label ?? b.group;
}
