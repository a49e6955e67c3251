import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/retry/retry-after.js';

const now = Date.UTC(1994, 10, 6, 8, 49, 0); // Sun, 06 Nov 1994 08:49:00 GMT

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an IMF-fixdate as the time left until that date', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
  });

  it('reads the obsolete RFC 850 and asctime date forms, both in GMT', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
  });

  it('reads a date in the past as "retry now"', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:48:00 GMT', now)).toBe(0);
  });

  it('ignores absent and malformed values so the caller falls back to its own backoff', () => {
    for (const value of [
      undefined,
      '',
      '   ',
      '-1',
      '1.5',
      '+3',
      'soon',
      '5s',
      'Sun, 31 Feb 1994 08:49:37 GMT',
    ]) {
      expect(parseRetryAfter(value, now), String(value)).toBeUndefined();
    }
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 PST', now)).toBeUndefined();
  });
});
