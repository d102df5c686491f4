import { afterEach, describe, expect, it, vi } from 'vitest';
import { relativeTime } from './format';

describe('relativeTime', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  afterEach(() => vi.unstubAllGlobals());

  it('says how long ago in the words of the sentences around it, whatever the computer\u2019s language', () => {
    vi.stubGlobal('navigator', { ...navigator, language: 'de-DE', languages: ['de-DE'] });
    expect(relativeTime(ago(10), now)).toBe('just now');
    expect(relativeTime(ago(3 * 86400), now)).toBe('3 days ago');
    expect(relativeTime(ago(86400), now)).toBe('yesterday');
  });

  it('counts in years from about eleven months: 350 days is last year, not twelve months', () => {
    expect(relativeTime(ago(350 * 86400), now)).toBe('last year');
    expect(relativeTime(ago(300 * 86400), now)).toBe('10 months ago');
    expect(relativeTime(ago(800 * 86400), now)).toBe('2 years ago');
  });
});
