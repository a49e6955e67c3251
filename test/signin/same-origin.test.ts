import { describe, expect, it } from 'vitest';
import { isSameOriginPost } from '../../src/signin/same-origin.js';

const origin = 'https://prov.azurewebsites.net';
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('R4: same-origin check for POST /api/signin', () => {
  it('R4: accepts what browsers send for a same-origin form post, with or without Fetch Metadata', () => {
    // Chromium, Firefox, Safari from a no-referrer page: Origin null + Sec-Fetch-Site.
    expect(isSameOriginPost(headers({ origin: 'null', 'sec-fetch-site': 'same-origin' }), origin)).toBe(true);
    expect(isSameOriginPost(headers({ origin, 'sec-fetch-site': 'same-origin' }), origin)).toBe(true);
    expect(isSameOriginPost(headers({ origin }), origin)).toBe(true);
  });

  it('R4: refuses cross-origin and same-site posts, a foreign Origin whatever Sec-Fetch-Site says, and posts that prove nothing', () => {
    expect(isSameOriginPost(headers({ origin: 'null', 'sec-fetch-site': 'cross-site' }), origin)).toBe(false);
    expect(isSameOriginPost(headers({ origin: 'null', 'sec-fetch-site': 'same-site' }), origin)).toBe(false);
    expect(isSameOriginPost(headers({ 'sec-fetch-site': 'none' }), origin)).toBe(false);
    expect(
      isSameOriginPost(headers({ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }), origin),
    ).toBe(false);
    expect(isSameOriginPost(headers({ origin: 'null' }), origin)).toBe(false);
    expect(isSameOriginPost(headers({}), origin)).toBe(false);
  });
});
