import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksClient } from '../../src/databricks/databricks-client.js';
import { RequestRateLimiter } from '../../src/databricks/request-rate-limiter.js';
import { type DatabricksStandIn, startDatabricks } from '../emulators/databricks/index.js';
import { type EntraStandIn, startEntra } from '../emulators/entra/index.js';

describe('RequestRateLimiter', () => {
  it('lets the first call through at once and spaces the next ones evenly, in call order', async () => {
    const limiter = new RequestRateLimiter(50); // one slot every 20 ms
    const startedAt = performance.now();
    const times = await Promise.all(
      Array.from({ length: 5 }, async () => {
        await limiter.acquire();
        return performance.now() - startedAt;
      }),
    );
    expect(times[0]).toBeLessThan(15);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(15);
    }
    expect(times[4]).toBeGreaterThanOrEqual(75);
  });

  it('rejects a waiting call with the abort reason and hands its slot to the next caller', async () => {
    const limiter = new RequestRateLimiter(10); // one slot every 100 ms
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    setTimeout(() => controller.abort(new Error('caller gave up')), 10);
    await expect(waiting).rejects.toThrow('caller gave up');
    const startedAt = performance.now();
    await limiter.acquire();
    expect(performance.now() - startedAt).toBeLessThan(98);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => new RequestRateLimiter(0)).toThrow('requestsPerSecond must be a positive number, got 0.');
  });
});

describe('DatabricksClient with maxRequestsPerSecond', () => {
  let entra: EntraStandIn;
  let databricks: DatabricksStandIn;
  let credential: ClientSecretCredential;

  beforeAll(async () => {
    entra = await startEntra();
    databricks = await startDatabricks({ entraUrl: entra.url });
    const app = entra.directory.registerApp({ displayName: 'paced client' });
    const secret = entra.directory.addPassword(app.appId).secretText ?? '';
    databricks.control.addPrincipal({ applicationId: app.appId, metastorePrivileges: ['CREATE_CONNECTION'] });
    credential = new ClientSecretCredential(entra.defaultTenantId, app.appId, secret, {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    });
  });
  afterAll(async () => {
    await databricks?.close();
    await entra?.close();
  });

  it('stays under a workspace limit equal to its own: no call is answered 429', async () => {
    databricks.control.setRateLimit(20);
    const client = new DatabricksClient({
      workspaceUrl: databricks.url,
      credential,
      retry: { maxAttempts: 5, baseDelayInMs: 20, maxDelayInMs: 200, budgetInMs: 10_000 },
      maxRequestsPerSecond: 20,
    });
    try {
      await client.getConnection('warm_up'); // token acquisition is not paced; leave it out of the timing
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the workspace's bucket refill
      const before = databricks.control.counts().rateLimited;
      const startedAt = performance.now();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => client.getConnection(`absent_${i}`)),
      );
      const elapsedInMs = performance.now() - startedAt;
      expect(results.every((result) => result === undefined)).toBe(true);
      expect(databricks.control.counts().rateLimited - before).toBe(0);
      expect(elapsedInMs).toBeGreaterThanOrEqual(39 * 50 - 20);
    } finally {
      await client.close();
      databricks.control.setRateLimit(undefined);
    }
  });
});
