// How a contact point was entered, beside the value the lead shows: told only when it says something more.

/** A phone number as dialled: its digits and its leading "+", without the spaces, dashes and brackets. */
export function dialled(value: string): string {
  return value.replace(/[^0-9+]/g, '');
}

/**
 * Whether `original` (as typed or imported) tells something the value `shown` does not: not when only a phone's
 * separators differ ("+1 757 864 1000" beside "+1 757-864-1000") or an email's capitals (the domain's, which
 * the stored address lowers); a number typed without its country code, or an email with its name, does.
 */
export function enteredOtherwise(kind: 'email' | 'phone', original: string, shown: string): boolean {
  if (!original) return false;
  return kind === 'phone' ? dialled(original) !== dialled(shown) : original.toLowerCase() !== shown.toLowerCase();
}
