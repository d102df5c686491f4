import { describe, expect, it } from 'vitest';
import { addressLines } from './address';

const address = (over: Partial<Record<string, string>> = {}) => ({
  street: '',
  street2: '',
  city: '',
  postcode: '',
  region: '',
  country: '',
  ...over,
});

describe('addressLines', () => {
  it('writes an address as its country does', () => {
    const toronto = address({ street: '206 Queen St E', city: 'Toronto', postcode: 'M5V 3A1', region: 'ON', country: 'CA' });
    expect(addressLines(toronto, 'CA')).toEqual(['206 Queen St E', 'Toronto, ON M5V 3A1', 'Canada']);
    const berlin = address({ street: 'Hauptstraße 5', street2: '3. OG', city: 'Berlin', postcode: '10115', country: 'Deutschland' });
    expect(addressLines(berlin, 'DE')).toEqual(['Hauptstraße 5', '3. OG', '10115 Berlin', 'Germany']);
    const london = address({ street: '10 Downing Street', city: 'London', postcode: 'SW1A 2AA', country: 'UK' });
    expect(addressLines(london, 'GB')).toEqual(['10 Downing Street', 'London', 'SW1A 2AA', 'United Kingdom']);
  });

  it('keeps a country it cannot place as typed, and gives nothing for no address', () => {
    const atlantis = address({ street: 'Main Street 1', city: 'Poseidonia', postcode: '123', country: 'Atlantis' });
    expect(addressLines(atlantis, '')).toEqual(['Main Street 1', '123 Poseidonia', 'Atlantis']);
    expect(addressLines(address({ city: 'Lyon' }), '')).toEqual(['Lyon']);
    expect(addressLines(address(), '')).toEqual([]);
    // A second line without a street goes first.
    expect(addressLines(address({ street2: 'Building B', city: 'Lyon' }), 'FR')).toEqual(['Building B', 'Lyon']);
  });
});
