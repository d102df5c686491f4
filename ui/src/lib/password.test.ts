import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD, passwordProblems } from './password';

describe('passwordProblems', () => {
  it('asks for the minimum length and a matching confirmation', () => {
    expect(passwordProblems('short', 'short')).toEqual({ password: `Use at least ${MIN_PASSWORD} characters.` });
    expect(passwordProblems('long enough', 'long enougH')).toEqual({ confirm: 'The passwords do not match.' });
    expect(passwordProblems('long enough', 'long enough')).toEqual({});
  });

  it('checks no confirmation when none is asked for', () => {
    expect(passwordProblems('long enough')).toEqual({});
  });
});
