import { describe, expect, it } from 'vitest';
import type { StageVelocity } from '../types';
import { durationAxis, groupLabel, hasHistory, longestStage, MIN_STAYS, share } from './velocity';

const s = (stage: string, mean: number | null, over: Partial<StageVelocity> = {}): StageVelocity => ({
  stage,
  label: stage,
  pipeline: 'sales',
  pipeline_label: 'Sales',
  stays: mean === null ? 0 : 1,
  mean_days: mean,
  median_days: mean,
  in_stage_now: 0,
  mean_age_days: null,
  parking: false,
  ...over,
});

describe('velocity helpers', () => {
  it('picks the earlier stage on a tie, as the core does, and none when nothing stands out', () => {
    const enough = { stays: MIN_STAYS };
    expect(longestStage([s('a', 2, enough), s('b', 5, enough), s('c', 5, enough)])).toBe('b');
    expect(longestStage([s('a', null), s('b', 0, enough)])).toBeNull();
    // A parking stage (Nurture) is where leads wait by design: never the longest, as the core decides too.
    expect(longestStage([s('a', 2, enough), s('nurture', 40, { ...enough, parking: true })])).toBe('a');
    expect(longestStage([])).toBeNull();
    // A closing stage is never the bottleneck: its stays end only when a deal is reopened.
    expect(longestStage([s('a', 2, enough), s('won', 9, enough)], ['won'])).toBe('a');
  });

  it('names a stage the longest only when its mean rests on at least 5 stays', () => {
    expect(MIN_STAYS).toBe(5);
    expect(longestStage([s('a', 2, { stays: 5 }), s('b', 30, { stays: 4 })])).toBe('a');
    expect(longestStage([s('a', 2, { stays: 4 }), s('b', 30, { stays: 1 })])).toBeNull();
  });

  it('scales durations in round steps of minutes, hours or days, from 0 past the largest', () => {
    const labels = (d: number) => durationAxis(d)?.ticks.map((t) => t.label);
    expect(labels(14.8)).toEqual(['0', '5 d', '10 d', '15 d']);
    expect(labels(20)).toEqual(['0', '5 d', '10 d', '15 d', '20 d']);
    expect(labels(1.2)).toEqual(['0', '1 d', '2 d']);
    expect(labels(95)).toEqual(['0', '50 d', '100 d']);
    expect(labels(0.9)).toEqual(['0', '6 h', '12 h', '18 h', '24 h']);
    expect(labels(2 / 24)).toEqual(['0', '1 h', '2 h']);
    expect(labels(40 / 1440)).toEqual(['0', '10 min', '20 min', '30 min', '40 min']);
    expect(labels(0.0001)).toEqual(['0', '1 min']);
    // The last tick is the full width, in days as every figure.
    expect(durationAxis(14.8)!.max).toBe(15);
    expect(durationAxis(0.9)!.max).toBeCloseTo(1);
    expect(durationAxis(0)).toBeNull();
  });

  it('keeps a marker within the track and draws nothing against an empty scale', () => {
    expect(share(3, 6)).toBeCloseTo(50);
    expect(share(9, 6)).toBe(100);
    expect(share(3, 0)).toBe(0);
    expect(share(null, 6)).toBe(0);
  });

  it('counts a lead still in its first stage as history', () => {
    expect(hasHistory({ stages: [s('a', null)], to_close: [], bottlenecks: [] })).toBe(false);
    expect(hasHistory({ stages: [s('a', null, { in_stage_now: 1 })], to_close: [], bottlenecks: [] })).toBe(true);
  });

  it('names source channels in words and leaves owners and unknown keys as they are', () => {
    const b = (by: 'owner' | 'source', group: string) =>
      groupLabel({ by, group, stage: 'a', label: 'A', pipeline: 'sales', pipeline_label: 'Sales', mean_days: 1, stays: 1 });
    expect(b('source', 'bulk_import')).toBe('Bulk import');
    expect(b('source', 'partner')).toBe('Partner');
    expect(b('source', '(unknown)')).toBe('(unknown)');
    expect(b('owner', 'web_form')).toBe('web_form');
  });
});
