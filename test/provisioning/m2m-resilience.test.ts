import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DatabricksStandIn, startDatabricks } from '../emulators/databricks/index.js';
import type { Delivery } from '../local-cloud/deliver-to-handler.js';
import { type ProvisioningHarness, startProvisioningHarness } from './provisioning-harness.js';

/**
 * Throttling, outages, lost responses, poison deliveries, short-lived tokens and refusals, each with the
 * real clients against the stand-ins. Retries are fast (50 ms base, 3 attempts per call) so a storm that
 * outlasts one delivery is cheap to provoke.
 */
describe('M2M provisioning when its dependencies misbehave', () => {
  let h: ProvisioningHarness;
  /** A workspace that classifies the M2M option set as U2M (terraform-provider-databricks#5200). */
  let misclassifying: DatabricksStandIn;
  /** A workspace where the provisioner is a member but lacks CREATE CONNECTION. */
  let unprivileged: DatabricksStandIn;
  let startedAt: number;
  const consoleLines: string[] = [];
  const requestIds: string[] = [];
  /** Every error a delivery threw out of the handler (what the Functions host would log). */
  const thrown: unknown[] = [];
  const settle = async (deliveries: Promise<Delivery[]>) => {
    const settled = await deliveries;
    thrown.push(...settled.map((delivery) => delivery.error).filter(Boolean));
    return settled;
  };

  const databricksLog = () => h.cloud.databricks.control.requestLog();
  const callsSince = (before: number, path = /\/connections/) =>
    databricksLog()
      .slice(before)
      .filter((call) => path.test(call.path))
      .map((call) => `${call.method} ${call.status}`);
  /** The `databricks.retry` log lines the client wrote since `before` (index into consoleLines). */
  const retryLogsSince = (before: number) =>
    consoleLines
      .slice(before)
      .filter((line) => line.includes('"event":"databricks.retry"'))
      .map((line) => JSON.parse(line) as { status?: number; delayInMs: number; method: string });
  const request = (name: string, overrides: Record<string, unknown> = {}) => {
    const body = h.m2mRequest(name, overrides);
    requestIds.push(body.requestId);
    return body;
  };
  const createPath = /\/connections$/;

  beforeAll(async () => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    h = await startProvisioningHarness({
      extraSettings: async (cloud) => {
        // Every token the provisioner gets from here on lives 35 s; Databricks refuses the last 30 s.
        cloud.entra.control.setAccessTokenLifetime(35);
        const privileges = ['CREATE_CONNECTION', 'CREATE_CATALOG'] as const;
        misclassifying = await startDatabricks({ entraUrl: cloud.entra.url, m2mClassifiedAs: 'OAUTH_U2M' });
        misclassifying.control.addPrincipal({
          applicationId: cloud.provisioner.appId,
          metastorePrivileges: [...privileges],
        });
        unprivileged = await startDatabricks({ entraUrl: cloud.entra.url });
        unprivileged.control.addPrincipal({ applicationId: cloud.provisioner.appId });
        return {
          DATABRICKS_ALLOWED_WORKSPACES: [cloud.databricks.url, misclassifying.url, unprivileged.url].join(
            ',',
          ),
          RETRY_MAX_ATTEMPTS: '3',
        };
      },
    });
    startedAt = Date.now();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.allSettled([misclassifying?.close(), unprivileged?.close()]);
    vi.restoreAllMocks();
  });

  it('waits out a 429 storm that carries Retry-After, never sooner than asked, then succeeds', async () => {
    h.cloud.databricks.control.injectFault({
      status: 429,
      count: 2,
      retryAfterInSeconds: 1,
      method: 'POST',
      path: createPath,
    });
    const before = databricksLog().length;
    const logsBefore = consoleLines.length;
    const started = Date.now();

    const status = await h.submit(request('throttled_sql'));

    expect(status.status).toBe('succeeded');
    expect(callsSince(before)).toEqual(['POST 429', 'POST 429', 'POST 200']);
    const retries = retryLogsSince(logsBefore);
    expect(retries).toHaveLength(2);
    for (const retry of retries) expect(retry).toMatchObject({ method: 'POST', status: 429 });
    for (const retry of retries) expect(retry.delayInMs).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('backs off on its own from a 429 storm without Retry-After, and lets Service Bus redeliver when the storm outlasts one delivery', async () => {
    h.cloud.databricks.control.injectFault({ status: 429, count: 4, method: 'POST', path: createPath });
    const before = databricksLog().length;
    const body = request('storm_sql');

    await h.driver.send(body, { messageId: body.requestId });
    const deliveries = await settle(h.driver.drain(h.handler));

    expect(deliveries.map((delivery) => delivery.settled)).toEqual(['abandoned', 'completed']);
    expect(callsSince(before)).toEqual(['POST 429', 'POST 429', 'POST 429', 'POST 429', 'POST 200']);
    const status = await h.status(body.requestId);
    expect(status.status).toBe('succeeded');
    expect(status.history.map((entry) => entry.status)).toContain('in_progress');
    expect(h.cloud.databricks.control.storedConnection('storm_sql')?.credentialType).toBe('OAUTH_M2M');
  });

  it('honours the RetryInfo delay in a 429 error body', async () => {
    h.cloud.databricks.control.injectFault({
      status: 429,
      retryInfoDelayInSeconds: 0.6,
      method: 'POST',
      path: createPath,
    });
    const before = databricksLog().length;
    const logsBefore = consoleLines.length;

    expect((await h.submit(request('retryinfo_sql'))).status).toBe('succeeded');

    expect(callsSince(before)).toEqual(['POST 429', 'POST 200']);
    const [retry] = retryLogsSince(logsBefore);
    expect(retry?.delayInMs).toBeGreaterThanOrEqual(600);
  });

  it('retries a 503 and creates exactly one connection', async () => {
    h.cloud.databricks.control.injectFault({ status: 503, method: 'POST', path: createPath });
    const created = h.cloud.databricks.control.counts().created;
    const before = databricksLog().length;

    expect((await h.submit(request('unavailable_sql'))).status).toBe('succeeded');

    expect(callsSince(before)).toEqual(['POST 503', 'POST 200']);
    expect(h.cloud.databricks.control.counts().created).toBe(created + 1);
  });

  it('recognises a connection whose create response was lost as its own: one connection, managed, working', async () => {
    // Databricks creates the connection, then the response is lost: the retry sees 409.
    h.cloud.databricks.control.injectFault({ status: 503, method: 'POST', path: createPath, when: 'after' });
    const created = h.cloud.databricks.control.counts().created;
    const before = databricksLog().length;
    const body = request('lost_sql');

    const status = await h.submit(body);

    expect(status).toMatchObject({ status: 'succeeded', reasons: [] });
    expect(callsSince(before)).toEqual(['POST 503', 'POST 409', 'GET 200', 'PATCH 200']);
    expect(h.cloud.databricks.control.counts().created).toBe(created + 1);
    const inventory = await h.runtime.inventory.get(h.cloud.databricks.url, 'lost_sql');
    expect(inventory?.entry).toMatchObject({ lastRequestId: body.requestId, flow: 'M2M' });
    expect(inventory?.entry.optionsFingerprint).not.toBe('');
    await expect(h.cloud.databricks.control.testConnection('lost_sql')).resolves.toMatchObject({ ok: true });
  });

  it('converges on redelivery after a delivery failed between creating the connection and finishing', async () => {
    // Granting fails on every attempt of the first delivery, after the connection was created.
    h.cloud.databricks.control.injectFault({
      status: 503,
      count: h.runtime.settings.retry.maxAttempts,
      method: 'GET',
      path: /\/permissions\/connection\/crash_sql$/,
    });
    const created = h.cloud.databricks.control.counts().created;
    const body = request('crash_sql', {
      grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION'] }],
    });

    await h.driver.send(body, { messageId: body.requestId });
    const deliveries = await settle(h.driver.drain(h.handler));

    expect(deliveries.map((delivery) => delivery.settled)).toEqual(['abandoned', 'completed']);
    expect((await h.status(body.requestId)).status).toBe('succeeded');
    expect(h.cloud.databricks.control.counts().created).toBe(created + 1);
    const token = await h.databricksToken();
    const grants = await fetch(
      `${h.cloud.databricks.url}/api/2.1/unity-catalog/permissions/connection/crash_sql`,
      { headers: { authorization: `Bearer ${token}` } },
    ).then((response) => response.json());
    expect(grants).toMatchObject({
      privilege_assignments: [{ principal: 'analysts', privileges: ['USE_CONNECTION'] }],
    });
    expect((await h.runtime.inventory.get(h.cloud.databricks.url, 'crash_sql'))?.entry.lastRequestId).toBe(
      body.requestId,
    );
  });

  it('rides out Key Vault throttling within the delivery', async () => {
    h.cloud.keyVault.control.injectFault({
      status: 429,
      count: 2,
      retryAfterInSeconds: 0,
      operation: 'getSecret',
    });
    const before = h.cloud.keyVault.control.requestLog().length;
    const body = request('vault_busy_sql');
    await h.driver.send(body, { messageId: body.requestId });

    const deliveries = await settle(h.driver.drain(h.handler));

    expect(deliveries.map((delivery) => delivery.settled)).toEqual(['completed']);
    expect((await h.status(body.requestId)).status).toBe('succeeded');
    const vaultCalls = h.cloud.keyVault.control
      .requestLog()
      .slice(before)
      .filter((call) => call.method === 'GET')
      .map((call) => call.status);
    expect(vaultCalls.filter((status) => status === 429)).toHaveLength(2);
    expect(vaultCalls.at(-1)).toBe(200);
  });

  it('lets Service Bus redeliver while Key Vault is down, says so in the status, and succeeds once it is back', async () => {
    const body = request('vault_down_sql');
    const before = databricksLog().length;
    h.cloud.keyVault.control.setAvailable(false);
    try {
      await h.driver.send(body, { messageId: body.requestId });
      const [first] = await settle(h.driver.deliver(h.handler));
      expect(first).toMatchObject({ settled: 'abandoned' });
      const during = await h.status(body.requestId);
      expect(during).toMatchObject({ status: 'in_progress', deliveryCount: 1 });
      expect(during.reasons).toEqual([
        {
          code: 'TRANSIENT_FAILURE',
          message: expect.stringMatching(
            /^Delivery 1 of 5 failed \(keyvault: Key Vault https:\/\/127\.0\.0\.1:\d+ is unavailable \(503\)\.\); Service Bus will redeliver it\.$/,
          ),
        },
      ]);
      expect(databricksLog()).toHaveLength(before);
    } finally {
      h.cloud.keyVault.control.setAvailable(true);
    }

    await settle(h.driver.drain(h.handler));
    const after = await h.status(body.requestId);
    expect(after).toMatchObject({ status: 'succeeded', reasons: [] });
    expect(after.history.map((entry) => entry.status)).toEqual([
      'in_progress',
      'in_progress',
      'in_progress',
      'succeeded',
    ]);
  });

  it('dead-letters a request whose Databricks fault outlasts every delivery, says so, and succeeds when replayed after the fault clears', async () => {
    const { maxDeliveryCount, retry } = h.runtime.settings;
    const body = request('doomed_sql');
    // Throttle the workspace completely: a zero-rate bucket, whose one initial token another caller takes.
    h.cloud.databricks.control.setRateLimit(0);
    await fetch(`${h.cloud.databricks.url}/api/2.1/unity-catalog/connections/none`, {
      headers: { authorization: `Bearer ${await h.databricksToken()}` },
    });
    const before = databricksLog().length;
    try {
      await h.driver.send(body, { messageId: 'doomed-first-send' });
      const deliveries = await settle(h.driver.drain(h.handler));

      expect(deliveries).toHaveLength(maxDeliveryCount);
      expect(deliveries.every((delivery) => delivery.settled === 'abandoned')).toBe(true);
      expect(callsSince(before)).toEqual(Array(maxDeliveryCount * retry.maxAttempts).fill('POST 429'));
      const [deadLetter] = await h.driver.deadLetters();
      expect(deadLetter).toMatchObject({
        messageId: 'doomed-first-send',
        deadLetterReason: 'MaxDeliveryCountExceeded',
      });
      const status = await h.status(body.requestId);
      expect(status).toMatchObject({ status: 'dead_lettered', deliveryCount: maxDeliveryCount });
      expect(status.reasons).toEqual([
        {
          code: 'TRANSIENT_FAILURE',
          message: expect.stringMatching(
            /^Delivery 5 of 5 failed \(databricks: Databricks POST \/api\/2\.1\/unity-catalog\/connections did not succeed in 3 attempt\(s\): .*429 REQUEST_LIMIT_EXCEEDED.*\); the message was dead-lettered\. Fix the cause, then replay it with 'ucprov dlq replay doomed-first-send'\.$/,
          ),
        },
      ]);
      expect(h.cloud.databricks.control.storedConnection('doomed_sql')).toBeUndefined();
    } finally {
      h.cloud.databricks.control.setRateLimit(undefined);
    }

    // A replay is the same body (same requestId) under a new messageId.
    await h.driver.send(body, { messageId: 'doomed-replay' });
    await settle(h.driver.drain(h.handler));
    const replayed = await h.status(body.requestId);
    expect(replayed).toMatchObject({ status: 'succeeded', reasons: [] });
    expect(replayed.history.map((entry) => entry.status).slice(-3)).toEqual([
      'dead_lettered',
      'in_progress',
      'succeeded',
    ]);
    expect(h.cloud.databricks.control.storedConnection('doomed_sql')?.credentialType).toBe('OAUTH_M2M');
  });

  it('fails, pointing at the option table, when Databricks classifies the M2M connection as another credential type', async () => {
    const status = await h.submit(request('misread_sql', { workspace: misclassifying.url }));

    expect(status.status).toBe('failed');
    expect(status.reasons).toEqual([
      {
        code: 'CREDENTIAL_TYPE_MISMATCH',
        message: expect.stringContaining(
          "Databricks classified connection 'misread_sql' as OAUTH_U2M, not OAUTH_M2M: the M2M option set in src/provisioning/connection-options.ts does not match",
        ),
      },
    ]);
    // Left in place for inspection, and still the provisioner's to delete.
    expect(misclassifying.control.storedConnection('misread_sql')?.credentialType).toBe('OAUTH_U2M');
    const removal = await h.submit({
      requestId: `${requestIds.at(-1)}-delete`,
      action: 'delete',
      workspace: misclassifying.url,
      connection: { name: 'misread_sql' },
    });
    expect(removal.status).toBe('succeeded');
    expect(misclassifying.control.storedConnection('misread_sql')).toBeUndefined();
  });

  it('rejects, naming the missing privilege, when the provisioner may not create connections in a workspace', async () => {
    const body = request('forbidden_sql', { workspace: unprivileged.url });
    await h.driver.send(body, { messageId: body.requestId });
    const deliveries = await settle(h.driver.drain(h.handler));

    expect(deliveries).toEqual([expect.objectContaining({ settled: 'completed', deliveryCount: 0 })]);
    const status = await h.status(body.requestId);
    expect(status.status).toBe('rejected');
    expect(status.reasons).toEqual([
      {
        code: 'DATABRICKS_PERMISSION_DENIED',
        message: expect.stringMatching(
          /^Databricks denied creating connection 'forbidden_sql' — PERMISSION_DENIED: User does not have CREATE CONNECTION on Metastore 'primary'( \(request id [\w-]+\))?\. Grant the provisioner's service principal/,
        ),
      },
    ]);
    // Nothing is left claiming the name: a later request is not mistaken for the provisioner's own.
    expect(await h.runtime.inventory.get(unprivileged.url, 'forbidden_sql')).toBeUndefined();
  });

  it('always sends Databricks a token with more than 30 s left, though every token lives only 35 s', async () => {
    // Outlive the first tokens' 5 s of usefulness (35 s − Databricks' 30 s refusal window).
    const elapsed = Date.now() - startedAt;
    if (elapsed < 6000) await new Promise((resolve) => setTimeout(resolve, 6000 - elapsed));
    const databricksTokens = () =>
      h.cloud.entra.control
        .tokenRequests()
        .filter(
          (token) => token.scope.includes('2ff814a6-3304-4ab8-85cb-cd0e6f879c1d') && token.status === 200,
        ).length;
    const tokensBefore = databricksTokens();

    const changed = request('throttled_sql', {
      connection: {
        name: 'throttled_sql',
        host: 'sales-srv.database.windows.net',
        applicationIntent: 'ReadOnly',
      },
    });
    expect((await h.submit(changed)).status).toBe('succeeded');

    expect(databricksTokens()).toBeGreaterThan(tokensBefore);
    const refused = [h.cloud.databricks, misclassifying, unprivileged].flatMap((workspace) =>
      workspace.control.requestLog().filter((call) => call.status === 401),
    );
    expect(refused).toEqual([]);
  });

  it('never writes a secret value to a log line, a status or a stored request on any of these paths', async () => {
    const secrets = [h.cloud.sqlApp.secretText, h.cloud.provisioner.secretText];
    const stored = await Promise.all(
      requestIds.flatMap((id) => [
        h.runtime.statuses.get(id).then((view) => JSON.stringify(view)),
        h.runtime.statuses.getRequest(id).then((body) => JSON.stringify(body)),
      ]),
    );
    const inventory: string[] = [];
    for (const workspace of [h.cloud.databricks.url, misclassifying.url, unprivileged.url]) {
      for await (const entry of h.runtime.inventory.list()) {
        if (entry.workspace === workspace) inventory.push(JSON.stringify(entry));
      }
    }
    const errors = thrown.map(describeError);
    const everything = [
      ...consoleLines,
      ...h.driver.logs.map((line) => line.text),
      ...stored,
      ...inventory,
      ...errors,
    ].join('\n');
    expect(stored.length).toBeGreaterThan(20);
    expect(inventory.length).toBeGreaterThan(5);
    expect(errors.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});

/** An error as a host would log it: name, message and stack of it and every cause. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current !== undefined && parts.length < 10; ) {
    parts.push(current instanceof Error ? `${current.stack ?? ''} ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\ncaused by: ');
}
