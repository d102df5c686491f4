// A lead's address as its country writes it: "Toronto, ON M5V 3A1" in Canada, "10115 Berlin" in Germany, the
// postcode on a line of its own in the United Kingdom. The templates are OpenCage's, through
// @fragaria/address-formatter (some 250 countries), not a table of our own.
import addressFormatter from '@fragaria/address-formatter';
import type { Address } from '../types';

/**
 * The address's lines. `countryCode` is the ISO code the core read from the country as typed ("Deutschland",
 * "CA"), empty when it names none: the lines are then in the most common order, postcode before city, and the
 * country as typed.
 */
export function addressLines(a: Address, countryCode: string): string[] {
  const street = a.street.trim();
  const known = countryCode.trim().toUpperCase();
  if (![street, a.street2, a.city, a.postcode, a.region, a.country].some((v) => v.trim() !== '')) return [];
  const lines = addressFormatter.format(
    {
      road: street || undefined,
      city: a.city.trim() || undefined,
      postcode: a.postcode.trim() || undefined,
      state: a.region.trim() || undefined,
      // A country the core placed is named as the templates name it ("CA" typed is "Canada").
      country: known ? undefined : a.country.trim() || undefined,
      countryCode: known || undefined,
    },
    { output: 'array', appendCountry: a.country.trim() !== '' },
  );
  // The country as typed when the core knows no code for it (the formatter would drop a name it cannot place).
  if (!known && a.country.trim() && !lines.includes(a.country.trim())) lines.push(a.country.trim());
  // The second address line (a floor, a suite) goes under the street, which the templates have no field for.
  const street2 = a.street2.trim();
  if (street2) {
    const at = street ? lines.indexOf(street) : -1;
    lines.splice(at + 1, 0, street2);
  }
  return lines.filter((l) => l.trim() !== '');
}
