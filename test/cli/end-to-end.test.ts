import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type HostProcess, startHostProcess } from '../host/process/host-process.js';
import { type LocalCloud, startLocalCloud } from '../local-cloud/start-local-cloud.js';
import { cliEnvironment, runCli } from './run-cli.js';

const maxDeliveryCount = 3;

/**
 * The whole path a pipeline takes: `ucprov` as its own process → the Service Bus stand-in → the local
 * function host running the real function definitions → the Databricks stand-in; and back through the
 * status endpoint with the function key.
 */
describe('ucprov end to end, against the local host and the local cloud', () => {
  let cloud: LocalCloud;
  let host: HostProcess;
  let workDir: string;
  const hostOutput: string[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud({
      storageConnectionString: inject('storageConnectionString'),
      tablePrefix: `cli${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      maxDeliveryCount,
    });
    host = await startHostProcess({
      appSettings: {
        ...cloud.appSettings,
        // Few, quick in-process retries, so a persistent fault reaches the dead-letter queue in seconds.
        RETRY_MAX_ATTEMPTS: '2',
        RETRY_BASE_DELAY_MS: '20',
        RETRY_MAX_DELAY_MS: '50',
        RETRY_BUDGET_MS: '500',
      },
      port: 0,
      onOutput: (line) => void hostOutput.push(line),
    });
    workDir = mkdtempSync(join(tmpdir(), 'ucprov-e2e-'));
  });
  afterAll(async () => {
    await host?.stop();
    await cloud?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runCli(args, { env: cliEnvironment(cloud, host) });

  function m2mRequestFile(
    name: string,
    overrides: Record<string, unknown> = {},
  ): { file: string; requestId: string } {
    const requestId = `req-${name}-${randomUUID().slice(0, 8)}`;
    const file = join(workDir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        requestId,
        action: 'upsert',
        requestedBy: 'pipeline: cli end-to-end',
        connection: { name, host: 'sales-srv.database.windows.net' },
        auth: {
          flow: 'M2M',
          tenantId: cloud.tenantId,
          clientId: cloud.sqlApp.appId,
          clientSecretRef: cloud.sqlApp.secretName,
        },
        ...overrides,
      }),
    );
    return { file, requestId };
  }

  /** A 503 on every connections call until `end()`. */
  function databricksOutage(): { end(): void } {
    cloud.databricks.control.injectFault({
      status: 503,
      count: Number.MAX_SAFE_INTEGER,
      path: /\/connections/,
    });
    return { end: () => cloud.databricks.control.clearFaults() };
  }

  it('submit --wait of an M2M request shows its progress and exits 0 once the connection exists', async () => {
    const { file, requestId } = m2mRequestFile('e2e_sales');

    const run = await cli(['submit', file, '--wait', '--timeout', '60']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${requestId}\n`);
    expect(run.stderr).toMatch(/\+\d+\.\ds {2}succeeded: the connection is as requested/);
    const stored = cloud.databricks.control.storedConnection('e2e_sales');
    expect(stored?.credentialType).toBe('OAUTH_M2M');
    await expect(cloud.databricks.control.testConnection('e2e_sales')).resolves.toMatchObject({ ok: true });

    const status = await cli(['status', requestId]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('status      succeeded: the connection is as requested');
    expect(status.stdout).toContain('connection  e2e_sales');
    const json = await cli(['status', requestId, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      requestId,
      status: 'succeeded',
      connectionName: 'e2e_sales',
    });
  });

  it('a request the provisioner rejects ends submit --wait with exit code 10 and its reasons', async () => {
    const { file } = m2mRequestFile('e2e_elsewhere', {
      connection: { name: 'e2e_elsewhere', host: 'db.attacker.example' },
    });

    const run = await cli(['submit', file, '--wait', '--timeout', '60', '--json']);

    expect(run.exitCode, run.stderr).toBe(10);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'rejected',
      exitCode: 10,
      reasons: [{ code: 'HOST_NOT_ALLOWED' }],
      status: { status: 'rejected' },
    });
    expect(run.stderr).toMatch(/rejected: the request must change\n +HOST_NOT_ALLOWED {2}/);
    expect(cloud.databricks.control.storedConnection('e2e_elsewhere')).toBeUndefined();
  });

  it('an invalid request exits with code 10 and its reasons before anything reaches the queue', async () => {
    const { file } = m2mRequestFile('e2e.invalid');
    const sentBefore = cloud.serviceBus.control.stats(cloud.requestQueue).sent;

    const run = await cli(['submit', file, '--wait']);

    expect(run.exitCode).toBe(10);
    expect(run.stderr).toContain('INVALID_NAME  connection.name: expected a Unity Catalog name');
    expect(cloud.serviceBus.control.stats(cloud.requestQueue).sent).toBe(sentBefore);
  });

  it('transient Databricks faults are retried and the request still succeeds', async () => {
    cloud.databricks.control.injectFault({ status: 503, count: 3, path: /\/connections/ });
    const { file } = m2mRequestFile('e2e_flaky');

    const run = await cli(['submit', file, '--wait', '--timeout', '60']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(cloud.databricks.control.storedConnection('e2e_flaky')?.credentialType).toBe('OAUTH_M2M');
  });

  it('a request that keeps failing dead-letters after maxDeliveryCount, and dlq replay after the fault ends succeeds', async () => {
    const outage = databricksOutage();
    const { file, requestId } = m2mRequestFile('e2e_outage');

    const submitted = await cli(['submit', file, '--wait', '--timeout', '60']);

    expect(submitted.exitCode, submitted.stderr).toBe(11);
    expect(submitted.stderr).toMatch(/dead_lettered: transient faults outlasted every delivery/);
    expect(submitted.stderr).toContain(`Delivery ${maxDeliveryCount} of ${maxDeliveryCount} failed`);
    const status = await cli(['status', requestId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: 'dead_lettered',
      deliveryCount: maxDeliveryCount,
      reasons: [{ code: 'TRANSIENT_FAILURE' }],
    });
    const listed = await cli(['dlq', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        messageId: requestId,
        requestId,
        deadLetterReason: 'MaxDeliveryCountExceeded',
      }),
    ]);

    outage.end();
    const replayed = await cli(['dlq', 'replay', requestId]);

    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(replayed.stdout).toBe(`replayed ${requestId} as ${requestId}-replay-1 (request ${requestId})\n`);
    await eventuallyStatus(requestId, 'succeeded');
    const final = await cli(['status', requestId]);
    expect(final.stdout).toContain('status      succeeded');
    expect(cloud.databricks.control.storedConnection('e2e_outage')?.credentialType).toBe('OAUTH_M2M');
    expect((await cli(['dlq', 'list', '--json'])).stdout.trim()).toBe('[]');
  });

  it('a U2M request stops at awaiting_sign_in with exit code 13 and says until when the link is valid', async () => {
    const { file, requestId } = m2mRequestFile('e2e_u2m_stop', {
      auth: {
        flow: 'U2M',
        tenantId: cloud.tenantId,
        clientId: cloud.sqlApp.appId,
        clientSecretRef: cloud.sqlApp.secretName,
        approver: cloud.admin.username,
      },
    });

    const run = await cli(['submit', file, '--wait', '--stop-at-sign-in', '--timeout', '60', '--json']);

    expect(run.exitCode, run.stderr).toBe(13);
    expect(JSON.parse(run.stdout)).toMatchObject({
      requestId,
      outcome: 'awaiting_sign_in',
      exitCode: 13,
      status: { status: 'awaiting_sign_in', signInExpiresAt: expect.any(String) },
    });
    expect(run.stderr).toMatch(/awaiting_sign_in: the approver was emailed a sign-in link/);
    expect(run.stderr).toMatch(/sign-in link valid until \d{4}-/);
  });

  it('--wait keeps waiting for the approver and exits 13, not 12, when the timeout passes first', async () => {
    const { file, requestId } = m2mRequestFile('e2e_u2m_wait', {
      auth: {
        flow: 'U2M',
        tenantId: cloud.tenantId,
        clientId: cloud.sqlApp.appId,
        clientSecretRef: cloud.sqlApp.secretName,
        approver: cloud.admin.username,
      },
    });
    expect((await cli(['submit', file])).exitCode).toBe(0);
    await eventuallyStatus(requestId, 'awaiting_sign_in');

    // Sent again inside the duplicate-detection window: Service Bus drops the copy, the status stays.
    const run = await cli(['submit', file, '--wait', '--timeout', '2']);

    expect(run.exitCode, run.stderr).toBe(13);
    expect(run.stderr).toContain('stopped waiting after 2 s; the request is still awaiting_sign_in.');
  });

  it('status of an unknown request exits with code 4 and says what to check', async () => {
    const run = await cli(['status', 'req-never-sent']);

    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain(`No request 'req-never-sent' is known at ${host.url}.`);
  });

  it('a wrong function key is reported as refused (exit code 3) without echoing any key', async () => {
    const wrongKey = 'not-the-function-key-0123456789';
    const run = await runCli(['status', 'req-1', '--functions-url', host.url, '--function-key', wrongKey]);

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('refused the function key (HTTP 401)');
    expect(run.stdout + run.stderr).not.toContain(wrongKey);
  });

  it('never shows a secret: no client secret, function key or Service Bus key in any CLI output', async () => {
    const { file, requestId } = m2mRequestFile('e2e_secrets');
    const outputs = [
      await cli(['submit', file, '--wait', '--timeout', '60', '--json']),
      await cli(['status', requestId]),
      await cli(['status', requestId, '--json']),
      await cli(['dlq', 'list']),
    ];
    const serviceBusKey = /SharedAccessKey=([^;]+)/.exec(cloud.serviceBus.connectionString)?.[1] ?? '';
    const secrets = [
      cloud.sqlApp.secretText,
      cloud.provisioner.secretText,
      host.keys.functionKey,
      serviceBusKey,
    ];
    for (const { stdout, stderr } of outputs) {
      for (const secret of secrets) expect(stdout + stderr).not.toContain(secret);
    }
  });

  /** Polls the status endpoint (as `ucprov status` does) until the request has `expected`. */
  async function eventuallyStatus(requestId: string, expected: string, timeoutInMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutInMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const response = await fetch(`${host.url}/api/requests/${requestId}`, {
        headers: { 'x-functions-key': host.keys.functionKey },
      });
      last =
        response.status === 200 ? ((await response.json()) as { status: string }).status : response.status;
      if (last === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`request ${requestId} is ${String(last)}, not ${expected}, after ${timeoutInMs} ms`);
  }
});
