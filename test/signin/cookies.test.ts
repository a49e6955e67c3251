import { describe, expect, it } from 'vitest';
import {
  csrfCookie,
  expiredCookie,
  parseCookieHeader,
  transactionCookie,
  transactionLifetimeInSeconds,
} from '../../src/signin/cookies.js';

describe('R8: the sign-in cookies', () => {
  it('R8: the transaction cookie is __Host-, HttpOnly, Secure, SameSite=None, Path=/ and lives at most 15 minutes', () => {
    expect(transactionCookie('opaque-id')).toEqual({
      name: '__Host-ucprov-signin',
      value: 'opaque-id',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'None',
      maxAge: transactionLifetimeInSeconds,
    });
    expect(transactionLifetimeInSeconds).toBeLessThanOrEqual(15 * 60);
  });

  it('R4: the anti-CSRF cookie is __Host-, HttpOnly, Secure and SameSite=Strict, so no other site can send it', () => {
    expect(csrfCookie('value')).toMatchObject({
      name: '__Host-ucprov-csrf',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it('deletes a cookie with the same name and attributes and Max-Age=0', () => {
    expect(expiredCookie(transactionCookie('x'))).toEqual({ ...transactionCookie(''), maxAge: 0 });
  });

  it('parses a Cookie header, keeping the first of repeated names and ignoring malformed pairs', () => {
    const cookies = parseCookieHeader('a=1; __Host-ucprov-signin=abc; a=2; broken; =x; b=');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['__Host-ucprov-signin', 'abc'],
      ['b', ''],
    ]);
    expect(parseCookieHeader(null).size).toBe(0);
  });
});
