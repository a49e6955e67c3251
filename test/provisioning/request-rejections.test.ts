import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../local-cloud/deliver-to-handler.js';
import { type ProvisioningHarness, startProvisioningHarness } from './provisioning-harness.js';

/** One expected reason: code, JSON path (none for a body that is not a request at all), what the message says. */
type ExpectedReason = [code: string, path: string | undefined, message: RegExp];

/** What a case's body may use from the local cloud: a valid M2M upsert to start from, the demo app's secret. */
interface CaseContext {
  /** A valid M2M upsert whose request id defaults to the messageId. */
  valid(
    name: string,
  ): Record<string, unknown> & { connection: Record<string, unknown>; auth: Record<string, unknown> };
  sqlApp: { appId: string; secretText: string; secretName: string };
  workspaceUrl: string;
}

interface RejectionCase {
  name: string;
  /** A string is sent as the raw message body; anything else as a JSON body. */
  body: (context: CaseContext) => unknown;
  reasons: ExpectedReason[];
}

// Shaped like an Entra client secret ("Q~" after a version digit, 40 characters); not a real one.
const pastedEntraSecret = 'Xk38Q~gT4bN0pQz7yR2mW9cV1dL6hJ5sA8eF3uI_';
const pastedPassword = 'hunter2-but-longer';

const catalog = { name: 'sales', database: 'salesdb' };
const withConnection = (c: CaseContext, fields: Record<string, unknown>) => {
  const request = c.valid('sales_sql');
  return { ...request, connection: { ...request.connection, ...fields } };
};
const withAuth = (c: CaseContext, fields: Record<string, unknown>) => {
  const request = c.valid('sales_sql');
  return { ...request, auth: { ...request.auth, ...fields } };
};
const withFields = (c: CaseContext, fields: Record<string, unknown>) => ({
  ...c.valid('sales_sql'),
  ...fields,
});

const invalidName =
  /^connection\.name: expected a Unity Catalog name without periods, spaces, slashes or control characters\.$/;
const hostNotAllowed = /does not match the allowed SQL host patterns \(\*\.database\.windows\.net\)\.$/;
const guid = /expected a GUID such as 00000000-0000-0000-0000-000000000000\.$/;
const port = /^connection\.port: expected a TCP port number from 1 to 65535/;
const noSecrets =
  /requests must not carry secrets; store the secret in Key Vault and name it in auth\.clientSecretRef\.$/;
const notAllowListed =
  /^workspace: https:\/\/adb-999\.9\.azuredatabricks\.net is not on the provisioner's allow-list; allowed: https:\/\/127\.0\.0\.1:\d+\.$/;

const cases: RejectionCase[] = [
  {
    name: 'a body that is not JSON',
    body: () => '{"action": "upsert",',
    reasons: [['INVALID_REQUEST', undefined, /^The message body is not valid JSON; send a JSON object\.$/]],
  },
  {
    name: 'a JSON array',
    body: () => '[{"action":"upsert"}]',
    reasons: [['INVALID_REQUEST', undefined, /must be a JSON object .*; got an array\.$/]],
  },
  {
    name: 'a JSON string',
    body: () => '"please create sales_sql"',
    reasons: [['INVALID_REQUEST', undefined, /must be a JSON object .*; got a string\.$/]],
  },
  {
    name: 'JSON null',
    body: () => 'null',
    reasons: [['INVALID_REQUEST', undefined, /must be a JSON object .*; got null\.$/]],
  },
  {
    name: 'a missing action',
    body: (c) => {
      const { action: _, ...rest } = c.valid('sales_sql');
      return rest;
    },
    reasons: [['INVALID_REQUEST', 'action', /^action: missing; expected one of: upsert, delete/]],
  },
  {
    name: 'an unknown action',
    body: (c) => withFields(c, { action: 'create' }),
    reasons: [['INVALID_REQUEST', 'action', /^action: expected one of: upsert, delete/]],
  },
  {
    name: 'an unknown top-level field',
    body: (c) => withFields(c, { priority: 'high' }),
    reasons: [
      [
        'INVALID_REQUEST',
        'priority',
        /^priority: unknown field; remove it \(see schema\/connection-request\.schema\.json\)\.$/,
      ],
    ],
  },
  {
    name: 'an unknown field in connection',
    body: (c) => withConnection(c, { database: 'salesdb' }),
    reasons: [['INVALID_REQUEST', 'connection.database', /^connection\.database: unknown field; remove it/]],
  },
  {
    name: 'an unknown field deep in a catalog grant',
    body: (c) =>
      withFields(c, {
        foreignCatalog: {
          ...catalog,
          grants: [{ principal: 'analysts', privileges: ['SELECT'], until: '2030-01-01' }],
        },
      }),
    reasons: [
      [
        'INVALID_REQUEST',
        'foreignCatalog.grants[0].until',
        /^foreignCatalog\.grants\[0\]\.until: unknown field/,
      ],
    ],
  },
  {
    name: 'a missing connection name',
    body: (c) => withFields(c, { connection: { host: 'sales-srv.database.windows.net' } }),
    reasons: [['INVALID_REQUEST', 'connection.name', /^connection\.name: missing; expected string\.$/]],
  },
  {
    name: 'a connection name with a period',
    body: (c) => withConnection(c, { name: 'sales.sql' }),
    reasons: [['INVALID_NAME', 'connection.name', invalidName]],
  },
  {
    name: 'a connection name with a space',
    body: (c) => withConnection(c, { name: 'sales sql' }),
    reasons: [['INVALID_NAME', 'connection.name', invalidName]],
  },
  {
    name: 'a connection name with a slash',
    body: (c) => withConnection(c, { name: 'sales/sql' }),
    reasons: [['INVALID_NAME', 'connection.name', invalidName]],
  },
  {
    name: 'a connection name with a control character',
    body: (c) => withConnection(c, { name: 'sales\u0007sql' }),
    reasons: [['INVALID_NAME', 'connection.name', invalidName]],
  },
  {
    name: 'a connection name longer than 255 characters',
    body: (c) => withConnection(c, { name: 's'.repeat(256) }),
    reasons: [['INVALID_NAME', 'connection.name', /^connection\.name: expected at most 255 characters\.$/]],
  },
  {
    name: 'a host that is a URL',
    body: (c) => withConnection(c, { host: 'https://sales-srv.database.windows.net' }),
    reasons: [
      [
        'INVALID_REQUEST',
        'connection.host',
        /^connection\.host: expected a DNS host name such as myserver\.database\.windows\.net\.$/,
      ],
    ],
  },
  {
    name: 'a host outside the allowed patterns (evil.com)',
    body: (c) => withConnection(c, { host: 'evil.com' }),
    reasons: [['HOST_NOT_ALLOWED', 'connection.host', hostNotAllowed]],
  },
  {
    name: 'a host with two labels in place of the wildcard',
    body: (c) => withConnection(c, { host: 'a.b.database.windows.net' }),
    reasons: [['HOST_NOT_ALLOWED', 'connection.host', hostNotAllowed]],
  },
  {
    name: 'a host that only starts with the allowed domain',
    body: (c) => withConnection(c, { host: 'database.windows.net.evil.com' }),
    reasons: [['HOST_NOT_ALLOWED', 'connection.host', hostNotAllowed]],
  },
  {
    name: 'a port above 65535',
    body: (c) => withConnection(c, { port: 70000 }),
    reasons: [['INVALID_REQUEST', 'connection.port', port]],
  },
  {
    name: 'port 0',
    body: (c) => withConnection(c, { port: 0 }),
    reasons: [['INVALID_REQUEST', 'connection.port', port]],
  },
  {
    name: 'a port sent as a string',
    body: (c) => withConnection(c, { port: '1433' }),
    reasons: [['INVALID_REQUEST', 'connection.port', /\(a JSON number, not a string\)\.$/]],
  },
  {
    name: 'a workspace URL that is not https',
    body: (c) => withFields(c, { workspace: c.workspaceUrl.replace('https:', 'http:') }),
    reasons: [
      [
        'INVALID_REQUEST',
        'workspace',
        /^workspace: expected an https URL such as https:\/\/adb-123\.4\.azuredatabricks\.net\.$/,
      ],
    ],
  },
  {
    name: 'a workspace not on the allow-list',
    body: (c) => withFields(c, { workspace: 'https://adb-999.9.azuredatabricks.net' }),
    reasons: [['WORKSPACE_NOT_ALLOWED', 'workspace', notAllowListed]],
  },
  {
    name: 'a tenantId that is a domain name, not a GUID',
    body: (c) => withAuth(c, { tenantId: 'contoso.onmicrosoft.com' }),
    reasons: [['INVALID_REQUEST', 'auth.tenantId', guid]],
  },
  {
    name: 'a clientId that is not a GUID',
    body: (c) => withAuth(c, { clientId: '1234' }),
    reasons: [['INVALID_REQUEST', 'auth.clientId', guid]],
  },
  {
    name: 'a clientSecretRef with characters Key Vault names cannot have',
    body: (c) => withAuth(c, { clientSecretRef: 'sql_app_secret' }),
    reasons: [
      [
        'INVALID_REQUEST',
        'auth.clientSecretRef',
        /^auth\.clientSecretRef: expected a Key Vault secret name \(1–127 letters, digits or dashes\), not a secret value\.$/,
      ],
    ],
  },
  {
    name: 'a client secret value in auth.clientSecret',
    body: (c) => {
      const request = c.valid('leaky_sql');
      return { ...request, auth: { ...request.auth, clientSecret: c.sqlApp.secretText } };
    },
    reasons: [['SECRET_IN_REQUEST', 'auth.clientSecret', noSecrets]],
  },
  {
    name: 'a password in connection',
    body: (c) => withConnection(c, { password: pastedPassword }),
    reasons: [['SECRET_IN_REQUEST', 'connection.password', noSecrets]],
  },
  {
    name: 'a password in the foreign catalog',
    body: (c) => withFields(c, { foreignCatalog: { ...catalog, password: pastedPassword } }),
    reasons: [['SECRET_IN_REQUEST', 'foreignCatalog.password', noSecrets]],
  },
  {
    name: 'a password at the top level',
    body: (c) => withFields(c, { password: pastedPassword }),
    reasons: [['SECRET_IN_REQUEST', 'password', noSecrets]],
  },
  {
    name: 'an Entra secret pasted as clientSecretRef',
    body: (c) => withAuth(c, { clientSecretRef: pastedEntraSecret }),
    reasons: [
      [
        'SECRET_IN_REQUEST',
        'auth.clientSecretRef',
        /^auth\.clientSecretRef: looks like a client secret value; store the secret in Key Vault and put the secret's name here\.$/,
      ],
    ],
  },
  {
    name: 'an Entra secret pasted into the comment',
    body: (c) => withConnection(c, { comment: `secret: ${pastedEntraSecret}` }),
    reasons: [
      ['SECRET_IN_REQUEST', 'connection.comment', /^connection\.comment: looks like an Entra client secret/],
    ],
  },
  {
    name: 'a U2M request without approver',
    body: (c) => withAuth(c, { flow: 'U2M' }),
    reasons: [
      [
        'INVALID_REQUEST',
        'auth.approver',
        /^auth\.approver: expected the approver’s email address: U2M connections need someone to sign in\.$/,
      ],
    ],
  },
  {
    name: 'a U2M request whose approver is not an email address',
    body: (c) => withAuth(c, { flow: 'U2M', approver: 'Data Platform Admins' }),
    reasons: [
      [
        'INVALID_REQUEST',
        'auth.approver',
        /^auth\.approver: expected the approver’s email address \(user principal name\)\.$/,
      ],
    ],
  },
  {
    name: 'an unknown auth flow',
    body: (c) => withAuth(c, { flow: 'PASSWORD' }),
    reasons: [['INVALID_REQUEST', 'auth.flow', /^auth\.flow: expected one of "M2M"\|"U2M"\.$/]],
  },
  {
    name: 'a catalog privilege granted on the connection',
    body: (c) =>
      withFields(c, { grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION', 'SELECT'] }] }),
    reasons: [
      [
        'INVALID_REQUEST',
        'grants[0].privileges[1]',
        /^grants\[0\]\.privileges\[1\]: expected one of "USE_CONNECTION"\|"CREATE_FOREIGN_CATALOG"\|"MANAGE"\|"ALL_PRIVILEGES"\.$/,
      ],
    ],
  },
  {
    name: 'a grant with no privileges',
    body: (c) => withFields(c, { grants: [{ principal: 'analysts', privileges: [] }] }),
    reasons: [
      [
        'INVALID_REQUEST',
        'grants[0].privileges',
        /^grants\[0\]\.privileges: expected at least one privilege\.$/,
      ],
    ],
  },
  {
    name: 'a grant to a blank principal',
    body: (c) => withFields(c, { grants: [{ principal: ' ', privileges: ['USE_CONNECTION'] }] }),
    reasons: [
      [
        'INVALID_REQUEST',
        'grants[0].principal',
        /^grants\[0\]\.principal: expected a user, group or service principal name\.$/,
      ],
    ],
  },
  {
    name: 'a foreign catalog name with a space',
    body: (c) => withFields(c, { foreignCatalog: { ...catalog, name: 'sales catalog' } }),
    reasons: [
      [
        'INVALID_NAME',
        'foreignCatalog.name',
        /^foreignCatalog\.name: expected a Unity Catalog name without periods/,
      ],
    ],
  },
  {
    name: 'a foreign catalog without database',
    body: (c) => withFields(c, { foreignCatalog: { name: 'sales' } }),
    reasons: [
      [
        'INVALID_REQUEST',
        'foreignCatalog.database',
        /^foreignCatalog\.database: missing; expected string\.$/,
      ],
    ],
  },
  {
    name: 'adopt given as a string',
    body: (c) => withFields(c, { adopt: 'yes' }),
    reasons: [['INVALID_REQUEST', 'adopt', /^adopt: expected boolean, received string\.$/]],
  },
  {
    name: 'a delete without connection name',
    body: () => ({ action: 'delete', connection: {} }),
    reasons: [['INVALID_REQUEST', 'connection.name', /^connection\.name: missing; expected string\.$/]],
  },
  {
    name: 'a delete without connection',
    body: () => ({ action: 'delete' }),
    reasons: [['INVALID_REQUEST', 'connection', /^connection: missing; expected object\.$/]],
  },
  {
    name: 'a delete that also names a host',
    body: () => ({
      action: 'delete',
      connection: { name: 'sales_sql', host: 'sales-srv.database.windows.net' },
    }),
    reasons: [['INVALID_REQUEST', 'connection.host', /^connection\.host: unknown field/]],
  },
  {
    name: 'a requestId with illegal characters',
    body: (c) => withFields(c, { requestId: 'req 1/2' }),
    reasons: [
      ['INVALID_REQUEST', 'requestId', /^requestId: expected 1–128 letters, digits, "\.", "_", ":" or "-"/],
    ],
  },
  {
    name: 'several faults in one request',
    body: (c) => ({
      action: 'upsert',
      priority: 1,
      workspace: 'https://adb-999.9.azuredatabricks.net',
      connection: { name: 'sales sql', host: 'evil.com', port: 0 },
      auth: {
        flow: 'M2M',
        tenantId: 'contoso',
        clientId: c.sqlApp.appId,
        clientSecretRef: pastedEntraSecret,
        clientSecret: c.sqlApp.secretText,
      },
      grants: [{ principal: 'analysts', privileges: [] }],
    }),
    reasons: [
      ['SECRET_IN_REQUEST', 'auth.clientSecretRef', /looks like a client secret value/],
      ['SECRET_IN_REQUEST', 'auth.clientSecret', noSecrets],
      ['INVALID_NAME', 'connection.name', /^connection\.name: expected a Unity Catalog name/],
      ['INVALID_REQUEST', 'connection.port', port],
      ['INVALID_REQUEST', 'auth.tenantId', guid],
      ['INVALID_REQUEST', 'grants[0].privileges', /expected at least one privilege/],
      ['INVALID_REQUEST', 'priority', /unknown field/],
      ['WORKSPACE_NOT_ALLOWED', 'workspace', notAllowListed],
      ['HOST_NOT_ALLOWED', 'connection.host', hostNotAllowed],
    ],
  },
];

function title(testCase: RejectionCase): string {
  const reasons = testCase.reasons.map(([code, path]) => (path ? `${code} at ${path}` : code));
  return `${testCase.name} → ${reasons.length > 3 ? `${reasons.length} reasons at once` : reasons.join(', ')}`;
}

describe('malformed and disallowed requests sent through the queue', () => {
  let h: ProvisioningHarness;
  let deliveries: Delivery[];
  const consoleLines: string[] = [];
  const calls = { databricks: 0, keyVault: 0 };
  const messageId = (index: number) => `rejection-${index}`;

  beforeAll(async () => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    h = await startProvisioningHarness();
    const context: CaseContext = {
      valid: (name) => {
        const { requestId: _, ...request } = h.m2mRequest(name);
        return request as ReturnType<CaseContext['valid']>;
      },
      sqlApp: h.cloud.sqlApp,
      workspaceUrl: h.cloud.databricks.url,
    };
    calls.databricks = h.cloud.databricks.control.requestLog().length;
    calls.keyVault = h.cloud.keyVault.control.requestLog().length;
    await Promise.all(
      cases.map((testCase, index) => h.driver.send(testCase.body(context), { messageId: messageId(index) })),
    );
    deliveries = await h.driver.drain(h.handler, { concurrency: 8 });
  });
  afterAll(async () => {
    await h?.close();
    vi.restoreAllMocks();
  });

  it('covers at least 30 distinct mistakes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((testCase) => testCase.name)).size).toBe(cases.length);
  });

  it('settles every message on its first delivery: completed, never abandoned, retried or dead-lettered', () => {
    expect(deliveries).toHaveLength(cases.length);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ settled: 'completed', deliveryCount: 0 });
    }
    expect(h.cloud.serviceBus.control.stats(h.cloud.requestQueue)).toMatchObject({
      sent: cases.length,
      completed: cases.length,
      abandoned: 0,
      deadLettered: 0,
    });
  });

  it('rejects them without calling Key Vault or Databricks', () => {
    expect(h.cloud.databricks.control.requestLog()).toHaveLength(calls.databricks);
    expect(h.cloud.keyVault.control.requestLog()).toHaveLength(calls.keyVault);
  });

  it.each(cases.map((testCase, index) => [title(testCase), index] as const))('%s', async (_, index) => {
    const testCase = cases[index] as RejectionCase;
    const status = await h.status(messageId(index));

    expect(status.status).toBe('rejected');
    expect(status.history.map((entry) => entry.status)).toEqual(['rejected']);
    const key = (code: string, path?: string) => `${path ?? '(body)'} ${code}`;
    expect(status.reasons.map((reason) => key(reason.code, reason.path)).sort()).toEqual(
      testCase.reasons.map(([code, path]) => key(code, path)).sort(),
    );
    for (const [code, path, message] of testCase.reasons) {
      const reason = status.reasons.find((found) => found.code === code && found.path === path);
      expect(reason?.message).toMatch(message);
      // The message names the field first, so it reads on its own in a pipeline log.
      if (path) expect(reason?.message.startsWith(`${path}: `)).toBe(true);
    }
  });

  it('keeps each rejected request with its status, with every secret value removed', async () => {
    const secrets = [h.cloud.sqlApp.secretText, pastedEntraSecret, pastedPassword];
    for (const [index] of cases.entries()) {
      const stored = JSON.stringify(await h.runtime.statuses.getRequest(messageId(index)));
      const status = JSON.stringify(await h.status(messageId(index)));
      for (const secret of secrets) {
        expect(stored).not.toContain(secret);
        expect(status).not.toContain(secret);
      }
    }
    const withSecret = cases.findIndex(
      (testCase) => testCase.name === 'a client secret value in auth.clientSecret',
    );
    expect(await h.runtime.statuses.getRequest(messageId(withSecret))).toMatchObject({
      action: 'upsert',
      connection: { name: 'leaky_sql' },
      auth: { clientSecret: '[removed]', clientSecretRef: h.cloud.sqlApp.secretName },
    });
  });

  it('keeps the request body of an unknown-field rejection as sent, so an operator can see what arrived', async () => {
    const index = cases.findIndex((testCase) => testCase.name === 'an unknown top-level field');
    expect(await h.runtime.statuses.getRequest(messageId(index))).toMatchObject({ priority: 'high' });
  });

  it('files a request with an unusable requestId under its messageId', async () => {
    const index = cases.findIndex((testCase) => testCase.name === 'a requestId with illegal characters');
    expect(await h.runtime.statuses.get('req 1/2')).toBeUndefined();
    expect((await h.status(messageId(index))).requestId).toBe(messageId(index));
  });

  it('never writes a secret value to a log line', () => {
    const everything = [...consoleLines, ...h.driver.logs.map((line) => line.text)].join('\n');
    expect(h.driver.logs.length).toBeGreaterThan(cases.length);
    for (const secret of [h.cloud.sqlApp.secretText, pastedEntraSecret, pastedPassword]) {
      expect(everything).not.toContain(secret);
    }
  });
});
