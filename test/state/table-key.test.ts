import { describe, expect, it } from 'vitest';
import { toTableKey } from '../../src/state/table-key.js';

// Escaped keys use only these: none is forbidden in keys (/ \ # ? controls) or fragile (' %).
const keyAlphabet = /^[A-Za-z0-9._:!-]*$/;

describe('toTableKey', () => {
  it('leaves letters, digits and . _ : - as they are', () => {
    expect(toTableKey('Sales_SQL-01.prod:eu')).toBe('Sales_SQL-01.prod:eu');
  });

  it('escapes a workspace URL into a readable key without slashes', () => {
    expect(toTableKey('https://adb-123.4.azuredatabricks.net')).toBe(
      'https:!2F!2Fadb-123.4.azuredatabricks.net',
    );
  });

  it('escapes every character Azure forbids in keys, and quote, percent, space and non-ASCII as UTF-8 bytes', () => {
    const key = toTableKey("a/b\\c#d?e\tf\u0085g'h%i j é");
    expect(key).toMatch(keyAlphabet);
    expect(key).toBe('a!2Fb!5Cc!23d!3Fe!09f!C2!85g!27h!25i!20j!20!C3!A9');
  });

  it('keeps distinct values distinct, including values that look like escapes', () => {
    const values = ['a/b', 'a!2Fb', 'a!b', 'A/B', '~abc', 'x'.repeat(600), `${'x'.repeat(599)}y`];
    expect(new Set(values.map(toTableKey)).size).toBe(values.length);
  });

  it('hashes values whose escaped form would exceed the 1 KiB key limit', () => {
    const key = toTableKey('é'.repeat(200));
    expect(key).toMatch(/^~[0-9a-f]{64}$/);
    expect(toTableKey('é'.repeat(200))).toBe(key);
  });
});
