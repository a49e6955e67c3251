import { describe, expect, it } from 'vitest';
import { codeChallengeS256, createPkcePair } from '../../src/signin/pkce.js';

describe('R7: PKCE', () => {
  it('R7: computes the S256 challenge of the RFC 7636 Appendix B test vector', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('R7: makes a 43-character verifier of unreserved characters from 32 random bytes, fresh each time, with its S256 challenge', () => {
    const pairs = Array.from({ length: 50 }, () => createPkcePair());
    for (const pair of pairs) {
      expect(pair.verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
      expect(Buffer.from(pair.verifier, 'base64url')).toHaveLength(32);
      expect(pair.method).toBe('S256');
      expect(pair.challenge).toBe(codeChallengeS256(pair.verifier));
      expect(pair.challenge).not.toBe(pair.verifier);
    }
    expect(new Set(pairs.map((pair) => pair.verifier)).size).toBe(pairs.length);
  });

  it('R7: refuses a verifier outside RFC 7636 §4.1 (too short, too long, or reserved characters)', () => {
    for (const bad of [
      'short',
      'a'.repeat(129),
      `${'a'.repeat(42)}+`,
      `${'a'.repeat(42)}/`,
      `${'a'.repeat(42)}=`,
    ]) {
      expect(() => codeChallengeS256(bad)).toThrow(
        /43–128 characters of \[A-Za-z0-9-._~\] \(RFC 7636 §4\.1\)/,
      );
    }
    expect(() => codeChallengeS256('a'.repeat(128))).not.toThrow();
  });
});
