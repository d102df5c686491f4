import { describe, expect, it } from 'vitest';
import { pipelineConfig } from '../../test/fixtures';
import {
  REQUIRABLE_FIELDS,
  criteriaSummary,
  dayText,
  keepOrder,
  pickerColour,
  reasonKey,
  staleSummary,
} from './pipelineText';

describe('pipeline settings helpers', () => {
  it('keeps a saved selection in its order, adds new picks in form order and drops what was unticked', () => {
    const order = ['a', 'b', 'c', 'd'];
    expect(keepOrder(['c', 'a'], ['a', 'c'], order)).toEqual(['c', 'a']);
    expect(keepOrder(['c', 'a'], ['d', 'b', 'a'], order)).toEqual(['a', 'b', 'd']);
    // A saved pick the form does not offer goes back as it came.
    expect(keepOrder(['x'], ['x', 'b'], order)).toEqual(['x', 'b']);
  });

  it('keys a new lost reason from its label, unlike the keys already taken', () => {
    expect(reasonKey('Décision reportée', [])).toBe('decision_reportee');
    expect(reasonKey('  No budget!! ', ['price'])).toBe('no_budget');
    expect(reasonKey('No budget', ['no_budget', 'no_budget_2'])).toBe('no_budget_3');
    expect(reasonKey('予算なし', ['reason'])).toBe('reason_2');
    const long = reasonKey('A very long reason that goes on and on beyond any key', []);
    expect(long).toMatch(/^[a-z0-9_]{1,32}$/);
    expect(long.endsWith('_')).toBe(false);
    // A stage or a pipeline is keyed the same way, with its own word when the name has no Latin letter.
    expect(reasonKey('交渉', ['new'], 'stage')).toBe('stage');
    expect(reasonKey('Won', ['won', 'lost'], 'stage')).toBe('won_2');
  });

  it('gives the colour picker only a colour it can show', () => {
    expect(pickerColour('#0EA5E9')).toBe('#0ea5e9');
    expect(pickerColour('#abc')).toBe('#aabbcc');
    expect(pickerColour('rebeccapurple')).toBeNull();
  });

  it('describes a stage’s criteria and policy in words', () => {
    const c = pipelineConfig();
    const stage = (k: string) => c.stages.find((s) => s.key === k)!;
    expect(criteriaSummary(stage('engagement'))).toBe('Deal value, Currency, Expected close date and Proposal sent');
    expect(criteriaSummary(stage('nurture'))).toBe('');
    expect(staleSummary(stage('new'), c.stages, c.lost_reasons)).toBe('After 10 business days → Nurture');
    expect(staleSummary(stage('won'), c.stages, c.lost_reasons)).toBe('');
  });

  it('reads a holiday as the local day it names', () => {
    // Parsed as UTC midnight, this day would show as the 24th west of Greenwich.
    expect(dayText('2026-12-25')).toBe('Dec 25, 2026');
    expect(dayText('not a day')).toBe('not a day');
  });

  it('offers every editable lead field except the stage and the invalid values', () => {
    const names = REQUIRABLE_FIELDS.map((f) => f.name);
    expect(names).toContain('deal_value');
    expect(names).toContain('lost_reason');
    expect(names).not.toContain('stage');
    expect(names).not.toContain('invalid');
    expect(names).not.toContain('status');
  });
});
