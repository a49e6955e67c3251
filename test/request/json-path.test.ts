import { describe, expect, it } from 'vitest';
import { formatJsonPath } from '../../src/request/json-path.js';

describe('JSON paths in rejection reasons', () => {
  it.each([
    [[], ''],
    [['auth', 'clientId'], 'auth.clientId'],
    [['grants', 0, 'privileges', 1], 'grants[0].privileges[1]'],
    [[0, 'token'], '[0].token'],
    [['connection', 'my key'], 'connection["my key"]'],
    [['connection', 'a"b'], 'connection["a\\"b"]'],
  ] as const)('%j is written %s', (segments, path) => {
    expect(formatJsonPath(segments)).toBe(path);
  });
});
