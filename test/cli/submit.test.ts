import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceBusStandIn, startServiceBus } from '../emulators/service-bus/index.js';
import { runCli } from './run-cli.js';

const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const clientId = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

function m2mRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'upsert',
    connection: { name: 'sales_sql', host: 'sales-srv.database.windows.net' },
    auth: { flow: 'M2M', tenantId, clientId, clientSecretRef: 'sales-sql-app-secret' },
    ...overrides,
  };
}

describe('ucprov submit', () => {
  let serviceBus: ServiceBusStandIn;
  let workDir: string;
  let queues = 0;

  beforeAll(async () => {
    serviceBus = await startServiceBus();
    workDir = mkdtempSync(join(tmpdir(), 'ucprov-submit-'));
  });
  afterAll(async () => {
    await serviceBus?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** A fresh queue with duplicate detection, like the provisioner's. */
  function newQueue(): string {
    const name = `requests-${++queues}`;
    serviceBus.control.createQueue(name, { duplicateDetectionWindowInMs: 10 * 60_000 });
    return name;
  }

  function writeRequest(name: string, body: unknown): string {
    const file = join(workDir, name);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    return file;
  }

  const connection = () => ({ UCPROV_SERVICEBUS_CONNECTION_STRING: serviceBus.connectionString });

  it('sends a valid request with messageId = requestId and a JSON content type, and prints the request id', async () => {
    const queue = newQueue();
    const file = writeRequest('valid.json', m2mRequest({ requestId: 'sales-sql-001' }));

    const run = await runCli(['submit', file, '--queue', queue], { env: connection() });

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('sales-sql-001\n');
    expect(run.stderr).toContain(`sent request sales-sql-001 to queue '${queue}'`);
    const [message, ...others] = serviceBus.control.messages(queue);
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      messageId: 'sales-sql-001',
      contentType: 'application/json',
      body: m2mRequest({ requestId: 'sales-sql-001' }),
    });
  });

  it('assigns a request id to a request without one and writes it into the body, so replays keep it', async () => {
    const queue = newQueue();
    const file = writeRequest('no-id.json', m2mRequest());

    const run = await runCli(['submit', file, '--queue', queue], { env: connection() });

    expect(run.exitCode).toBe(0);
    const requestId = run.stdout.trim();
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stderr).toContain('(id assigned)');
    const [message] = serviceBus.control.messages(queue);
    expect(message?.messageId).toBe(requestId);
    expect(message?.body).toEqual({ requestId, ...m2mRequest() });
  });

  it('reads the request from stdin when the file is -', async () => {
    const queue = newQueue();

    const run = await runCli(['submit', '-', '--queue', queue], {
      env: connection(),
      stdin: JSON.stringify(m2mRequest({ requestId: 'from-stdin' })),
    });

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('from-stdin\n');
    expect(serviceBus.control.messages(queue).map((message) => message.messageId)).toEqual(['from-stdin']);
  });

  it('rejects an invalid request locally with exit code 10, every reason on its own line with its path, and sends nothing', async () => {
    const queue = newQueue();
    const file = writeRequest(
      'invalid.json',
      m2mRequest({
        connection: { name: 'sales.sql', host: 'not a host', port: 70000 },
        auth: { flow: 'M2M', tenantId: 'contoso', clientId, clientSecretRef: 'sales-sql-app-secret' },
      }),
    );

    const run = await runCli(['submit', file, '--queue', queue], { env: connection() });

    expect(run.exitCode).toBe(10);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`ucprov: ${file} is not a valid request (4 reasons); nothing was sent.`);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}INVALID_NAME {2}connection\.name: expected a Unity Catalog name/),
      expect.stringMatching(/^ {2}INVALID_REQUEST {2}connection\.host: expected a DNS host name/),
      expect.stringMatching(/^ {2}INVALID_REQUEST {2}connection\.port: /),
      expect.stringMatching(/^ {2}INVALID_REQUEST {2}auth\.tenantId: expected a GUID/),
    ]);
    expect(serviceBus.control.stats(queue).sent).toBe(0);
  });

  it('rejects a request that carries a secret without ever printing the secret', async () => {
    const queue = newQueue();
    const secret = 'Xy8Q~not-a-real-secret-but-shaped-like-one';
    const file = writeRequest(
      'secret.json',
      m2mRequest({
        auth: { flow: 'M2M', tenantId, clientId, clientSecretRef: secret, clientSecret: secret },
      }),
    );

    const run = await runCli(['submit', file, '--queue', queue, '--json'], { env: connection() });

    expect(run.exitCode).toBe(10);
    expect(JSON.parse(run.stdout)).toMatchObject({
      sent: false,
      outcome: 'rejected',
      exitCode: 10,
      reasons: [
        { code: 'SECRET_IN_REQUEST', path: 'auth.clientSecretRef' },
        { code: 'SECRET_IN_REQUEST', path: 'auth.clientSecret' },
      ],
    });
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(serviceBus.control.stats(queue).sent).toBe(0);
  });

  it('rejects a file that is not JSON with the reason the provisioner would give', async () => {
    const run = await runCli(['submit', writeRequest('broken.json', '{"action": "upsert",')], {
      env: connection(),
    });

    expect(run.exitCode).toBe(10);
    expect(run.stderr).toContain('INVALID_REQUEST  The message body is not valid JSON; send a JSON object.');
  });

  it('prints one JSON document with --json', async () => {
    const queue = newQueue();
    const file = writeRequest('json.json', m2mRequest({ requestId: 'json-out' }));

    const run = await runCli(['submit', file, '--queue', queue, '--json'], { env: connection() });

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      requestId: 'json-out',
      sent: true,
      outcome: 'accepted',
      exitCode: 0,
      reasons: [],
    });
  });

  it('says how to name the file when it cannot be read (exit code 2)', async () => {
    const run = await runCli(['submit', join(workDir, 'missing.json')], { env: connection() });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "missing.json': no such file. Pass the path of a JSON request, or - to read it",
    );
  });

  it('names every way to connect when no Service Bus is configured (exit code 3)', async () => {
    const run = await runCli(['submit', writeRequest('ok.json', m2mRequest())]);

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe(
      'ucprov: No Service Bus connection: pass --connection-string or set UCPROV_SERVICEBUS_CONNECTION_STRING, ' +
        'or pass --namespace <name>.servicebus.windows.net (signs in with DefaultAzureCredential), ' +
        "or start 'npm run sandbox -- --detach' in this directory.\n",
    );
  });

  it('refuses to send with --wait when there is no status endpoint to follow', async () => {
    const queue = newQueue();

    const run = await runCli(
      ['submit', writeRequest('wait.json', m2mRequest()), '--queue', queue, '--wait'],
      {
        env: connection(),
      },
    );

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('No status endpoint: pass --functions-url');
    expect(serviceBus.control.stats(queue).sent).toBe(0);
  });

  it('still reports the request id when it was sent but its status cannot be followed (exit code 3)', async () => {
    const queue = newQueue();
    const file = writeRequest('unfollowed.json', m2mRequest({ requestId: 'sent-unfollowed' }));

    const run = await runCli(
      ['submit', file, '--queue', queue, '--wait', '--functions-url', 'http://127.0.0.1:1', '--json'],
      { env: { ...connection(), UCPROV_FUNCTION_KEY: 'a-function-key-for-nothing' } },
    );

    expect(run.exitCode).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({
      requestId: 'sent-unfollowed',
      sent: true,
      outcome: 'error',
      exitCode: 3,
      error: { message: expect.stringContaining('Cannot reach the status endpoint at http://127.0.0.1:1') },
    });
    expect(run.stderr).toContain('ucprov: request sent-unfollowed was sent, but following it failed:');
    expect(serviceBus.control.messages(queue).map((message) => message.messageId)).toEqual([
      'sent-unfollowed',
    ]);
  });

  it('refuses to send a function key to a plain-http address that is not this machine (exit code 2)', async () => {
    const run = await runCli(
      [
        'submit',
        writeRequest('http.json', m2mRequest()),
        '--wait',
        '--functions-url',
        'http://myapp.example',
      ],
      { env: { ...connection(), UCPROV_FUNCTION_KEY: 'a-function-key-for-nothing' } },
    );

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "--functions-url: expected an https URL (http only for localhost), got 'http://myapp.example': the function key must not travel in clear text.",
    );
  });

  it('uses .sandbox/endpoints.json in the current directory when nothing else is given', async () => {
    const queue = newQueue();
    const sandboxDir = mkdtempSync(join(workDir, 'sandbox-'));
    mkdirSync(join(sandboxDir, '.sandbox'));
    writeFileSync(
      join(sandboxDir, '.sandbox', 'endpoints.json'),
      JSON.stringify({ serviceBusConnectionString: serviceBus.connectionString, requestQueue: queue }),
    );
    writeFileSync(join(sandboxDir, 'request.json'), JSON.stringify(m2mRequest({ requestId: 'via-sandbox' })));

    const run = await runCli(['submit', 'request.json'], { cwd: sandboxDir });

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(
      `to queue '${queue}' on 127.0.0.1:${serviceBus.port} (from .sandbox/endpoints.json)`,
    );
    expect(serviceBus.control.messages(queue).map((message) => message.messageId)).toEqual(['via-sandbox']);
  });

  it('names the queue that does not exist (exit code 3)', async () => {
    const run = await runCli(['submit', writeRequest('q.json', m2mRequest()), '--queue', 'no-such-queue'], {
      env: connection(),
    });

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain(`queue 'no-such-queue' on 127.0.0.1:${serviceBus.port}`);
    expect(run.stderr).toContain('does not exist: pass --queue');
  });

  it('reports a wrong key as refused, without printing the connection string or the key', async () => {
    const wrongKey = 'd3Jvbmcta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2g=';
    const connectionString = serviceBus.connectionString.replace(
      /SharedAccessKey=[^;]+/,
      `SharedAccessKey=${wrongKey}`,
    );

    const run = await runCli([
      'submit',
      writeRequest('key.json', m2mRequest()),
      '--queue',
      newQueue(),
      '--connection-string',
      connectionString,
    ]);

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('Service Bus refused the connection string');
    expect(run.stdout + run.stderr).not.toContain(wrongKey);
  });

  it('says it cannot reach Service Bus when nothing listens at the address (exit code 3)', async () => {
    const unreachable = serviceBus.connectionString.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1');

    const run = await runCli([
      'submit',
      writeRequest('down.json', m2mRequest()),
      '--connection-string',
      unreachable,
    ]);

    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain(
      "Cannot reach Service Bus for queue 'connection-requests' on 127.0.0.1:1 (from --connection-string)",
    );
  });

  it('asks for a fully qualified namespace when --namespace is not one (exit code 2)', async () => {
    const run = await runCli(['submit', writeRequest('ns.json', m2mRequest()), '--namespace', 'mybus']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "--namespace: expected a fully qualified namespace such as mybus.servicebus.windows.net, got 'mybus'.",
    );
  });

  it('explains what a connection string looks like when given something else (exit code 2)', async () => {
    const run = await runCli([
      'submit',
      writeRequest('cs.json', m2mRequest()),
      '--connection-string',
      'nonsense',
    ]);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "--connection-string: not a Service Bus connection string; expected 'Endpoint=sb://<namespace>.servicebus.windows.net/;",
    );
  });
});
