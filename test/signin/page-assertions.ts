import { expect } from 'vitest';
import type { SeenResponse } from './sign-in-harness.js';

/** R13 (docs/u2m-sign-in.md; RFC 9700 §4.2.4, §4.16): headers and content every sign-in response needs. */
export function expectSecurePage(response: SeenResponse): void {
  expect(response.headers).toMatchObject({
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  });
  expect(response.headers['content-security-policy']).toMatch(
    /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action [^;]+; frame-ancestors 'none'; base-uri 'none'$/,
  );
  // No third-party assets, scripts or links: nothing that loads or leaks a Referer.
  const tags = response.body.match(/<[a-z][^>]*>/gi) ?? [];
  expect(tags.filter((tag) => /^<(script|img|link|iframe|object|embed)\b/i.test(tag))).toEqual([]);
  expect(tags.filter((tag) => /\s(src|href)=/i.test(tag))).toEqual([]);
}
