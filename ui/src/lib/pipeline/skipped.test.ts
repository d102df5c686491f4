import { describe, expect, it } from 'vitest';
import { pipelineConfig } from '../../test/fixtures';
import type { StageConfig } from '../types';
import { skippedAsking } from './skipped';

/** The default pipeline with `asking` asking their criteria of leads skipping them. */
function stagesAsking(...asking: string[]): StageConfig[] {
  return pipelineConfig().stages.map((s) => ({ ...s, asked_when_skipped: asking.includes(s.key) }));
}

const keys = (stages: StageConfig[]) => stages.map((s) => s.key);

describe('the stages a move skips that ask of leads skipping them', () => {
  const stages = stagesAsking('qualification', 'engagement', 'nurture');
  const stage = (key: string) => stages.find((s) => s.key === key)!;
  // The fixture's probabilities are all 10%: give them the default pipeline's.
  const odds: Record<string, number> = { new: 10, qualification: 25, engagement: 60, won: 100, lost: 0, nurture: 5 };
  for (const s of stages) s.probability = odds[s.key];

  it('are those between the stage left and the one entered, in the order a lead meets them', () => {
    expect(keys(skippedAsking(stages, 'new', stage('won')))).toEqual(['qualification', 'engagement']);
    expect(keys(skippedAsking(stages, 'qualification', stage('won')))).toEqual(['engagement']);
    expect(keys(skippedAsking(stages, 'new', stage('qualification')))).toEqual([]);
    // Created further on: from below the first stage.
    expect(keys(skippedAsking(stages, null, stage('engagement')))).toEqual(['qualification']);
  });

  it('leave out the stage stale leads are parked in, and moves that are no step towards winning', () => {
    expect(keys(skippedAsking(stages, 'lost', stage('won')))).toEqual(['qualification', 'engagement']);
    expect(keys(skippedAsking(stages, 'new', stage('lost')))).toEqual([]);
    expect(keys(skippedAsking(stages, 'won', stage('engagement')))).toEqual([]);
    expect(keys(skippedAsking(stages, 'new', stage('nurture')))).toEqual([]);
  });

  it('are none while no stage asks', () => {
    const quiet = stagesAsking();
    const won = quiet.find((s) => s.key === 'won')!;
    expect(skippedAsking(quiet, 'new', won)).toEqual([]);
  });
});
