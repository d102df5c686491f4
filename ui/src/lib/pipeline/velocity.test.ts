import { describe, expect, it } from 'vitest';
import type { StageVelocity } from '../types';
import { groupLabel, hasHistory, longestStage, share } from './velocity';

const s = (stage: string, mean: number | null, over: Partial<StageVelocity> = {}): StageVelocity => ({
  stage,
  label: stage,
  stays: mean === null ? 0 : 1,
  mean_days: mean,
  median_days: mean,
  in_stage_now: 0,
  mean_age_days: null,
  ...over,
});

describe('velocity helpers', () => {
  it('picks the earlier stage on a tie, as the core does, and none when nothing stands out', () => {
    expect(longestStage([s('a', 2), s('b', 5), s('c', 5)])).toBe('b');
    expect(longestStage([s('a', null), s('b', 0)])).toBeNull();
    expect(longestStage([])).toBeNull();
    // A closing stage is never the bottleneck: its stays end only when a deal is reopened.
    expect(longestStage([s('a', 2), s('won', 9)], ['won'])).toBe('a');
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
      groupLabel({ by, group, stage: 'a', label: 'A', mean_days: 1, stays: 1 });
    expect(b('source', 'bulk_import')).toBe('Bulk import');
    expect(b('source', 'partner')).toBe('Partner');
    expect(b('source', '(unknown)')).toBe('(unknown)');
    expect(b('owner', 'web_form')).toBe('web_form');
  });
});
