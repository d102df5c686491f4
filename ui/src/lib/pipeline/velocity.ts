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

/**
 * How many ended stays a stage's figures must rest on before the page calls it the bottleneck: a mean of one or
 * two stays says more about those leads than about the stage.
 */
export const MIN_STAYS = 5;

/** Whether a stage's mean and median rest on too few ended stays to compare it with the others (none: no figure). */
export function fewStays(s: StageVelocity): boolean {
  return s.stays > 0 && s.stays < MIN_STAYS;
}

/** The largest figure drawn (a mean or a median): what the chart's scale must reach. */
export function largestFigure(stages: StageVelocity[]): number {
  return stages.reduce(
    (max, s) => Math.max(max, daysOrNull(s.mean_days) ?? 0, daysOrNull(s.median_days) ?? 0),
    0,
  );
}

export interface AxisTick {
  /** In days, as the figures. */
  value: number;
  /** "0", "5 d", "30 min". */
  label: string;
}

export interface DurationAxis {
  /** What a full-width bar stands for, in days: the last tick. */
  max: number;
  ticks: AxisTick[];
}

const MINUTE = 1 / (24 * 60);
const HOUR = 1 / 24;

/**
 * A scale for durations up to `largest` days, counted in minutes, hours or days as the largest figure is: ticks
 * at round steps (5, 10, 15 minutes; 1, 2, 3, 6 hours; 1, 2 or 5 times a power of ten of days), about four across,
 * from 0 to the first tick at or past the largest figure. Null when there is nothing to measure.
 */
export function durationAxis(largest: number): DurationAxis | null {
  if (!Number.isFinite(largest) || largest <= 0) return null;
  const inDays = largest >= 1;
  const [unit, suffix] = inDays ? [1, 'd'] : largest >= HOUR ? [HOUR, 'h'] : [MINUTE, 'min'];
  const inUnits = largest / unit;
  const rough = inUnits / 4;
  let step: number;
  if (inDays) {
    const magnitude = 10 ** Math.floor(Math.log10(rough));
    step = Math.max(1, ([1, 2, 5].find((m) => m * magnitude >= rough - 1e-9) ?? 10) * magnitude);
  } else {
    // Under an hour there are at most 15 minutes a step, under a day at most 6 hours.
    const round = suffix === 'h' ? [1, 2, 3, 6] : [1, 2, 5, 10, 15];
    step = round.find((m) => m >= rough - 1e-9) ?? round[round.length - 1];
  }
  const steps = Math.max(1, Math.ceil(inUnits / step - 1e-9));
  const ticks: AxisTick[] = [];
  for (let i = 0; i <= steps; i++) {
    const n = i * step;
    ticks.push({ value: n * unit, label: i === 0 ? '0' : `${formatCount(n)} ${suffix}` });
  }
  return { max: ticks[ticks.length - 1].value, ticks };
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
 * pipeline; a closing stage (`closing`) never, since a stay there ends only when a deal is reopened, nor a parking
 * stage (Nurture), where leads wait by design; a stage
 * with fewer than `MIN_STAYS` ended stays never either, its mean being too thin to call it a bottleneck. None
 * when no stage qualifies, or when every mean is zero (nothing stands out).
 */
export function longestStage(stages: StageVelocity[], closing: string[] = []): string | null {
  let best: { stage: string; mean: number } | null = null;
  for (const s of stages) {
    if (closing.includes(s.stage) || s.parking || s.stays < MIN_STAYS) continue;
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
