import { describe, expect, it } from 'vitest';
import {
  columnLabel,
  ignoredColumns,
  isImportable,
  joinedStreet,
  joinedSurname,
  mappingProblems,
  sharedTargets,
} from './plan';

describe('sharedTargets', () => {
  it('warns of two columns sent to a single-value field', () => {
    const mapping = [
      { column: 'City', target: 'city' },
      { column: 'Home City', target: 'city' },
      { column: 'Notes', target: 'notes' },
      { column: 'Comments', target: 'notes' },
    ];
    expect(sharedTargets(mapping)).toEqual([['city', ['City', 'Home City']]]);
  });

  it('lets a house number join the street, and several emails and phones in', () => {
    const mapping = [
      { column: 'Straße', target: 'street' },
      { column: 'Hausnummer', target: 'street' },
      { column: 'E-Mail', target: 'email' },
      { column: 'E-Mail 2', target: 'email' },
      { column: 'Telefon', target: 'phone' },
      { column: 'Mobil', target: 'phone' },
    ];
    expect(sharedTargets(mapping)).toEqual([]);
  });
});

describe('mappingProblems', () => {
  it('stops the check at two columns on a field that takes one, which the core refuses', () => {
    const mapping = [
      { column: 'Company', target: 'company' },
      { column: 'Organisation', target: 'company' },
    ];
    expect(mappingProblems(mapping, null)).toEqual([
      'A field takes one column: choose another field, or Add to notes, for all but one of the columns named above.',
    ]);
    expect(mappingProblems([mapping[0], { column: 'Organisation', target: 'notes' }], null)).toEqual([]);
  });
});

describe('joinedStreet', () => {
  it('names the columns joined into the street, in the file order, only when there are several', () => {
    const street = { column: 'Straße', target: 'street' };
    const number = { column: 'Hausnummer', target: 'street' };
    const city = { column: 'Ort', target: 'city' };
    expect(joinedStreet([street, city, number])).toEqual(['Straße', 'Hausnummer']);
    expect(joinedStreet([street, city])).toEqual([]);
  });

  it('names the columns joined into the last name, and two of them are no clash', () => {
    const mapping = [
      { column: 'Voornaam', target: 'first_name' },
      { column: 'Tussenvoegsel', target: 'last_name' },
      { column: 'Achternaam', target: 'last_name' },
    ];
    expect(joinedSurname(mapping)).toEqual(['Tussenvoegsel', 'Achternaam']);
    expect(sharedTargets(mapping)).toEqual([]);
  });
});

describe('columnLabel', () => {
  it('names a column without a header by its place, in every list', () => {
    expect(columnLabel('E-Mail', 1)).toBe('E-Mail');
    expect(columnLabel(' ', 3)).toBe('Column 4');
    const mapping = [
      { column: 'Name', target: 'full_name' },
      { column: '', target: 'ignore' },
      { column: '', target: 'city' },
      { column: 'Ort', target: 'city' },
    ];
    expect(ignoredColumns(mapping)).toEqual(['Column 2']);
    expect(sharedTargets(mapping)).toEqual([['city', ['Column 3', 'Ort']]]);
  });
});

describe('isImportable', () => {
  it('takes lists, in any case of extension, and a zip that may hold one; not other files', () => {
    for (const name of ['a.csv', 'B.TSV', 'c.txt', 'd.xlsx', 'e.XLS', 'f.ods', 'hubspot-export.zip']) expect(isImportable(name)).toBe(true);
    for (const name of ['brochure.pdf', 'photo.png', 'notes.docx', 'csv']) expect(isImportable(name)).toBe(false);
  });
});
