import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliEnvironment, runCli } from '../cli/run-cli.js';
import { type HostProcess, startHostProcess } from '../host/process/host-process.js';
import { type LocalCloud, startLocalCloud } from '../local-cloud/start-local-cloud.js';

/** `ucprov rotations` and `ucprov rotate` as their own processes, against the local function host. */
describe('ucprov rotations and ucprov rotate', () => {
  let cloud: LocalCloud;
  let host: HostProcess;
  let workDir: string;

  const cli = (args: string[]) =>
    runCli(args, {
      env: { UCPROV_FUNCTIONS_URL: host.url, UCPROV_FUNCTION_KEY: host.keys.functionKey },
      timeoutInMs: 120_000,
    });

  async function provision(name: string, app: { appId: string; secretName: string }) {
    const file = join(workDir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        requestId: `req-${name}-${randomUUID().slice(0, 8)}`,
        action: 'upsert',
        connection: { name, host: 'sales-srv.database.windows.net' },
        auth: { flow: 'M2M', tenantId: cloud.tenantId, clientId: app.appId, clientSecretRef: app.secretName },
      }),
    );
    const run = await runCli(['submit', file, '--wait', '--timeout', '60'], {
      env: cliEnvironment(cloud, host),
    });
    expect(run.exitCode, run.stderr).toBe(0);
  }

  beforeAll(async () => {
    cloud = await startLocalCloud({
      storageConnectionString: inject('storageConnectionString'),
      tablePrefix: `rot${randomUUID().replaceAll('-', '').slice(0, 12)}`,
    });
    host = await startHostProcess({
      // The timer stays idle (its 02:00 run must not race these commands); operator requests still rotate.
      appSettings: { ...cloud.appSettings, ROTATION_ENABLED: 'false' },
      port: 0,
      onOutput: () => {},
    });
    workDir = mkdtempSync(join(tmpdir(), 'ucprov-rotation-'));
    await provision('rot_cli_sql', cloud.sqlApp);
  });
  afterAll(async () => {
    await host?.stop();
    await cloud?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('lists an app whose connections are managed but that was never rotated', async () => {
    const run = await cli(['rotations']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/CLIENT ID\s+SECRET\s+STATE/);
    expect(run.stdout).toMatch(new RegExp(`${cloud.sqlApp.appId}\\s+sql-app-secret\\s+never rotated`));
  });

  it('rotate <client-id> rotates now: every connection gets the new secret; rotations then shows where it stands', async () => {
    const run = await cli(['rotate', cloud.sqlApp.appId]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `${cloud.sqlApp.appId} / sql-app-secret: every connection uses the new secret; the old one is removed after the grace period`,
    );
    expect(run.stdout).toMatch(/rot_cli_sql: updated/);
    const newSecret = (await cloud.secrets.getSecret(cloud.sqlApp.secretName)).value;
    expect(newSecret).not.toBe(cloud.sqlApp.secretText);
    expect(cloud.databricks.control.storedConnection('rot_cli_sql')?.options.client_secret).toBe(newSecret);
    await expect(cloud.databricks.control.testConnection('rot_cli_sql')).resolves.toMatchObject({ ok: true });

    const listed = await cli(['rotations', '--json']);
    expect(listed.exitCode).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      rotations: [{ clientId: cloud.sqlApp.appId, state: 'connections_updated', trigger: 'operator' }],
    });
    for (const output of [run.stdout, run.stderr, listed.stdout]) {
      expect(output).not.toContain(cloud.sqlApp.secretText);
      expect(output).not.toContain(newSecret);
    }
  });

  it('rotate exits 11 and says what to change when a tenant policy blocks new secrets', async () => {
    const app = cloud.entra.directory.registerApp({ displayName: 'cli-blocked' });
    cloud.entra.directory.addOwner(app.appId, cloud.provisioner.appId);
    const initial = cloud.entra.directory.addPassword(app.appId, { displayName: 'initial' });
    await cloud.secrets.setSecret('cli-blocked', initial.secretText ?? '', {
      tags: { keyId: initial.keyId },
    });
    await provision('rot_cli_blocked_sql', { appId: app.appId, secretName: 'cli-blocked' });
    cloud.graph.control.blockPasswordAddition({ appId: app.appId });

    const run = await cli(['rotate', app.appId]);
    expect(run.exitCode).toBe(11);
    expect(run.stdout).toContain('a person must act');
    expect(run.stdout).toContain('SECRET_POLICY_BLOCKED');
    expect(run.stdout).toContain("Exempt the app from the policy's passwordCredentials restrictions");
  });

  it('rotate refuses a malformed client id (exit 2) and an app no connection uses (exit 4)', async () => {
    const malformed = await cli(['rotate', 'not-a-guid']);
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toContain(
      "<client-id>: expected the app registration's application (client) id, a GUID; got 'not-a-guid'.",
    );
    const unknown = await cli(['rotate', '00000000-0000-0000-0000-000000000001']);
    expect(unknown.exitCode).toBe(4);
    expect(unknown.stderr).toContain(
      'No connection managed by the provisioner uses app 00000000-0000-0000-0000-000000000001',
    );
  });
});
