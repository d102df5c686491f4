import { describe, expect, it } from 'vitest';
import { lead } from '../../test/fixtures';
import type { BulkMergeReport } from '../types';
import { bulkSummary } from './bulk';

function report(merged: number, reasons: string[]): BulkMergeReport {
  return {
    merged: Array.from({ length: merged }, (_, i) => ({ lead: lead({ id: i + 1 }), merge_id: 100 + i })),
    skipped: reasons.map((reason, i) => ({ pair_id: 50 + i, reason })),
  };
}

describe('bulkSummary', () => {
  it('counts the merges, and the pairs skipped with their reasons', () => {
    expect(bulkSummary(report(12, ['lead 7 was not found']))).toBe('12 pairs merged · 1 skipped: lead 7 was not found');
    expect(bulkSummary(report(1, []))).toBe('1 pair merged');
    expect(bulkSummary(report(0, ['a', 'b']))).toBe('0 pairs merged · 2 skipped: a; b');
  });

  it('says a reason shared by several pairs once', () => {
    expect(bulkSummary(report(3, ['out of your campaigns', 'out of your campaigns']))).toBe(
      '3 pairs merged · 2 skipped: out of your campaigns',
    );
  });
});
