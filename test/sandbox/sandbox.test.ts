import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxEndpoints } from '../../scripts/sandbox/sandbox-endpoints.js';
import { sandboxPorts } from '../../scripts/sandbox/sandbox-ports.js';

const repositoryRoot = join(import.meta.dirname, '..', '..');
const endpointsFile = join(repositoryRoot, '.sandbox', 'endpoints.json');

function npm(args: string[], options: { detached?: boolean } = {}): ChildProcess & { output: () => string } {
  let output = '';
  const child = spawn('npm', args, {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(child, { output: () => output });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function closedPorts(): Promise<string[]> {
  const open = await Promise.all(
    Object.entries(sandboxPorts).map(async ([name, port]) =>
      (await portIsOpen(port)) ? `${name}:${port}` : '',
    ),
  );
  return open.filter(Boolean);
}

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutInMs: number,
  what: string,
) {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutInMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// These tests use the sandbox's fixed ports and its .sandbox/ directory: with a sandbox of your own running,
// `npm run sandbox -- --detach` refuses to start and this file fails without touching yours.
describe('npm run sandbox', () => {
  let startedByUs = false;

  afterAll(async () => {
    if (startedByUs && existsSync(endpointsFile)) await exitOf(npm(['run', 'sandbox:stop']));
  });

  it('--detach returns once everything answers; a request succeeds; sandbox:stop leaves no process or port behind', async () => {
    const detach = npm(['run', 'sandbox', '--', '--detach']);
    const code = await exitOf(detach);
    expect(code, detach.output()).toBe(0);
    startedByUs = true;
    expect(detach.output()).toContain('npx ucprov submit .sandbox/example-m2m.json --wait');

    const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as SandboxEndpoints;
    expect(endpoints).toMatchObject({
      functionsBaseUrl: 'http://127.0.0.1:7071',
      requestQueue: 'connection-requests',
      databricksHost: 'https://127.0.0.1:7104',
      mail: { smtpHost: '127.0.0.1', smtpPort: 7106, listUrl: 'http://127.0.0.1:7107/api/email' },
    });
    for (const field of [
      'functionKey',
      'masterKey',
      'serviceBusConnectionString',
      'keyVaultUrl',
      'graphBaseUrl',
    ]) {
      expect(endpoints[field as keyof SandboxEndpoints], field).toEqual(expect.any(String));
    }
    expect(endpoints.storageConnectionString).toContain('TableEndpoint=http://127.0.0.1:10002/');
    expect(existsSync(endpoints.caCertPath)).toBe(true);
    expect(endpoints.entra).toMatchObject({
      authorityHost: 'https://127.0.0.1:7101',
      tenantId: expect.any(String),
      provisioner: { clientId: expect.any(String), clientSecret: expect.any(String) },
      sqlApp: { clientId: expect.any(String), clientSecret: expect.any(String) },
      admin: { username: expect.stringContaining('@'), password: expect.any(String) },
    });
    const pids = Object.values(endpoints.pids);
    expect(pids).toHaveLength(3);
    expect(pids.every(isAlive)).toBe(true);

    const statusUrl = (id: string) => `${endpoints.functionsBaseUrl}/api/requests/${id}`;
    const withKey = { headers: { 'x-functions-key': endpoints.functionKey } };
    expect((await fetch(statusUrl('no-such-request'), withKey)).status).toBe(404);
    expect((await fetch(statusUrl('no-such-request'))).status).toBe(401);

    const requestId = `sandbox-test-${Date.now()}`;
    const example = JSON.parse(readFileSync(endpoints.exampleRequestPath, 'utf8')) as Record<string, unknown>;
    const client = new ServiceBusClient(endpoints.serviceBusConnectionString);
    try {
      const sender = client.createSender(endpoints.requestQueue);
      await sender.sendMessages({
        messageId: requestId,
        contentType: 'application/json',
        body: { ...example, requestId },
      });
      await sender.close();
    } finally {
      await client.close();
    }
    const final = await until(
      async () => {
        const response = await fetch(statusUrl(requestId), withKey);
        if (response.status !== 200) return undefined;
        const view = (await response.json()) as { status: string };
        return view.status === 'in_progress' ? undefined : view;
      },
      20_000,
      'the request to finish',
    );
    expect(final).toMatchObject({ status: 'succeeded', connectionName: 'sales_sql', flow: 'M2M' });

    const stop = npm(['run', 'sandbox:stop']);
    expect(await exitOf(stop), stop.output()).toBe(0);
    startedByUs = false;
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await closedPorts()).toEqual([]);
    expect(existsSync(endpointsFile)).toBe(false);
  }, 120_000);

  it('in the foreground, Ctrl-C (SIGINT to the process group) stops every process it started', async () => {
    const sandbox = npm(['run', 'sandbox'], { detached: true });
    startedByUs = true;
    await until(
      () => (sandbox.output().includes('The sandbox is running') ? true : undefined),
      90_000,
      'the guide',
    );
    const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as SandboxEndpoints;
    const pids = Object.values(endpoints.pids);
    expect(pids.every(isAlive)).toBe(true);

    process.kill(-(sandbox.pid as number), 'SIGINT'); // what a terminal does on Ctrl-C
    await exitOf(sandbox);
    startedByUs = false;
    await until(() => (pids.some(isAlive) ? undefined : true), 15_000, 'every sandbox process to exit');
    // npm exits on SIGINT at once; the sandbox's own farewell arrives through the inherited pipe a moment later.
    await until(
      () => (sandbox.output().includes('sandbox: stopped.') ? true : undefined),
      15_000,
      'the farewell',
    );
    expect(await closedPorts()).toEqual([]);
    expect(existsSync(endpointsFile)).toBe(false);
  }, 120_000);
});
