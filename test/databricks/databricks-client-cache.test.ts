import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { DatabricksClient } from '../../src/databricks/databricks-client.js';
import { DatabricksClientCache } from '../../src/databricks/databricks-client-cache.js';

const credential: TokenCredential = { getToken: async () => null };
const retry = { maxAttempts: 3, baseDelayInMs: 100, maxDelayInMs: 1_000, budgetInMs: 10_000 };

describe('DatabricksClientCache', () => {
  it('returns one client per workspace origin, whatever the case or trailing slash', async () => {
    const cache = new DatabricksClientCache({ credential, retry });
    const first = cache.get('https://adb-1234567890123456.7.azuredatabricks.net');
    expect(cache.get('https://ADB-1234567890123456.7.azuredatabricks.net/')).toBe(first);
    expect(cache.get('https://adb-999.9.azuredatabricks.net')).not.toBe(first);
    expect(first.workspaceUrl).toBe('https://adb-1234567890123456.7.azuredatabricks.net');
    await cache.close();
  });
});

describe('DatabricksClient workspaceUrl', () => {
  it.each([
    'http://adb-1.1.azuredatabricks.net',
    'https://adb-1.1.azuredatabricks.net/api/2.1',
    'https://adb-1.1.azuredatabricks.net/?o=1',
    'adb-1.1.azuredatabricks.net',
  ])('rejects %s: bearer tokens go only to an https origin', (workspaceUrl) => {
    expect(() => new DatabricksClient({ workspaceUrl, credential, retry })).toThrow(
      /workspaceUrl must be an https origin/,
    );
  });
});
