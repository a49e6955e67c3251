import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, randomToken } from '../../src/signin/random-token.js';

describe('R1/R7: opaque tokens (link token, state, transaction id, anti-CSRF value)', () => {
  it('R1: carries 256 bits from the CSPRNG as 43 base64url characters, never repeating', () => {
    const tokens = Array.from({ length: 1000 }, randomToken);
    for (const token of tokens.slice(0, 50)) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    // Every base64url character shows up across 43 000 characters: no fixed positions or narrowed alphabet.
    expect(new Set(tokens.join('')).size).toBe(64);
  });

  it('R1: stores a token as its SHA-256 (hex), from which the token cannot be read back', () => {
    const token = randomToken();
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashToken(token)).not.toContain(token);
    expect(hashToken(token)).toHaveLength(64);
  });
});
