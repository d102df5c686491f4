// The one place the UI knows the password rule. The core (rapport_core::auth::MIN_PASSWORD_CHARS) enforces it;
// checking here only spares a round trip and shows the message while typing.
export const MIN_PASSWORD = 8;
export const PASSWORD_HINT = `At least ${MIN_PASSWORD} characters.`;

/**
 * Characters as the core counts them (Unicode scalar values, Rust's `chars().count()`). `.length` counts UTF-16
 * code units, so an emoji would count twice and a password the core refuses would pass here.
 */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** Messages for a new password and its confirmation, keyed `password` and `confirm`; empty when both are fine. */
export function passwordProblems(password: string, confirm?: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (passwordLength(password) < MIN_PASSWORD) problems.password = `Use at least ${MIN_PASSWORD} characters.`;
  if (confirm !== undefined && confirm !== password) problems.confirm = 'The passwords do not match.';
  return problems;
}
