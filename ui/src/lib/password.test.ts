import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD, passwordLength, passwordProblems } from './password';

describe('passwordProblems', () => {
  it('asks for the minimum length and a matching confirmation', () => {
    expect(passwordProblems('short', 'short')).toEqual({ password: `Use at least ${MIN_PASSWORD} characters.` });
    expect(passwordProblems('long enough', 'long enougH')).toEqual({ confirm: 'The passwords do not match.' });
    expect(passwordProblems('long enough', 'long enough')).toEqual({});
  });

  it('checks no confirmation when none is asked for', () => {
    expect(passwordProblems('long enough')).toEqual({});
  });

  it('counts characters as the core does, not UTF-16 code units', () => {
    // Four emoji are eight UTF-16 code units but four characters: the core refuses them, so must the form.
    expect('😀😀😀😀'.length).toBe(8);
    expect(passwordLength('😀😀😀😀')).toBe(4);
    expect(passwordProblems('😀😀😀😀')).toEqual({ password: `Use at least ${MIN_PASSWORD} characters.` });
    expect(passwordProblems('😀😀😀😀😀😀😀😀')).toEqual({});
    // Accented letters typed precomposed are one character each, as in Rust.
    expect(passwordProblems('pässwörd')).toEqual({});
  });
});
