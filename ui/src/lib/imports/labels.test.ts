import { describe, expect, it } from 'vitest';
import { formatLabel } from './labels';

describe('formatLabel', () => {
  it('names a workbook by the program whose file it is', () => {
    expect(formatLabel({ format: 'excel', file_name: 'Messe.XLSX' })).toBe('Excel');
    expect(formatLabel({ format: 'excel', file_name: 'liste.ods' })).toBe('OpenDocument spreadsheet');
    expect(formatLabel({ format: 'csv', file_name: 'liste.ods.csv' })).toBe('CSV');
  });
});
