/**
 * DatabricksClient over the wire: real undici, real Entra tokens (`@azure/identity` ClientSecretCredential),
 * against the Databricks and Entra stand-ins.
 *
 * Against a real workspace (opt-in; tests that need the stand-in's control surface skip):
 *   DATABRICKS_CONTRACT_HOST      https://adb-<id>.<n>.azuredatabricks.net
 *   DATABRICKS_CLIENT_TENANT_ID   Entra tenant of the service principal below
 *   DATABRICKS_CLIENT_ID          a service principal (workspace user) with CREATE CONNECTION and CREATE CATALOG
 *   DATABRICKS_CLIENT_SECRET      its client secret
 *   DATABRICKS_CONTRACT_GRANTEE   an existing group to grant to (default `account users`)
 * Unset: the Entra and Databricks stand-ins are started in process.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError } from '../../src/databricks/access-token-error.js';
import { DatabricksClient, type DatabricksClientOptions } from '../../src/databricks/databricks-client.js';
import { DatabricksApiError, isAlreadyExists } from '../../src/databricks/databricks-error.js';
import type { CreateConnectionRequest } from '../../src/databricks/types.js';
import { TransientError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import type { RetryOptions } from '../../src/retry/retry-policy.js';
import { type DatabricksStandIn, startDatabricks } from '../emulators/databricks/index.js';
import { type EntraStandIn, startEntra } from '../emulators/entra/index.js';

const live = Boolean(process.env.DATABRICKS_CONTRACT_HOST);
/** Needs the stand-in's control surface (faults, request log, token lifetime, seeded principals). */
const standInOnly = it.skipIf(live);

interface Workspace {
  url: string;
  tenantId: string;
  tokenEndpoint: string;
  authorityHost: string | undefined;
  app: { appId: string; secret: string };
  credential: TokenCredential;
  grantee: string;
  db?: DatabricksStandIn;
  entra?: EntraStandIn;
}

let workspace: Workspace;
const cleanups: Array<() => Promise<unknown>> = [];
/** Every log line the clients wrote and every error they threw: checked for secrets at the end. */
const logLines: string[] = [];
const thrown: unknown[] = [];
/** The value put into connections' `client_secret`; must never surface anywhere. */
const connectionSecret = `conn-secret-${randomUUID()}`;

const fastRetry: RetryOptions = { maxAttempts: 5, baseDelayInMs: 50, maxDelayInMs: 400, budgetInMs: 10_000 };

beforeAll(async () => {
  workspace = live ? liveWorkspace() : await standInWorkspace();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function liveWorkspace(): Workspace {
  const tenantId = process.env.DATABRICKS_CLIENT_TENANT_ID ?? '';
  const appId = process.env.DATABRICKS_CLIENT_ID ?? '';
  const secret = process.env.DATABRICKS_CLIENT_SECRET ?? '';
  return {
    url: (process.env.DATABRICKS_CONTRACT_HOST ?? '').replace(/\/$/, ''),
    tenantId,
    tokenEndpoint: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
    authorityHost: undefined,
    app: { appId, secret },
    credential: new ClientSecretCredential(tenantId, appId, secret),
    grantee: process.env.DATABRICKS_CONTRACT_GRANTEE ?? 'account users',
  };
}

async function standInWorkspace(): Promise<Workspace> {
  const entra = await startEntra();
  cleanups.push(() => entra.close());
  const db = await startDatabricks({ entraUrl: entra.url });
  cleanups.push(() => db.close());
  const tenantId = entra.defaultTenantId;
  const app = entra.directory.registerApp({ displayName: 'provisioner' });
  const secret = entra.directory.addPassword(app.appId).secretText ?? '';
  db.control.addPrincipal({
    applicationId: app.appId,
    metastorePrivileges: ['CREATE_CONNECTION', 'CREATE_CATALOG'],
  });
  db.control.addPrincipal({ groupName: 'data-readers' });
  return {
    url: db.url,
    tenantId,
    tokenEndpoint: entra.tokenEndpoint(tenantId),
    authorityHost: entra.url,
    app: { appId: app.appId, secret },
    credential: credentialFor(app.appId, secret, entra.url, tenantId),
    grantee: 'data-readers',
    db,
    entra,
  };
}

function credentialFor(appId: string, secret: string, authorityHost: string, tenantId: string) {
  return new ClientSecretCredential(tenantId, appId, secret, {
    authorityHost,
    disableInstanceDiscovery: true,
  });
}

function newClient(overrides: Partial<DatabricksClientOptions> = {}): DatabricksClient {
  const client = new DatabricksClient({
    workspaceUrl: workspace.url,
    credential: workspace.credential,
    retry: fastRetry,
    requestTimeoutInMs: 10_000,
    logger: createLogger((_level, line) => logLines.push(line)),
    ...overrides,
  });
  cleanups.push(() => client.close());
  return client;
}

/** Runs `call`, records what it throws for the secret scan, and returns the error. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    thrown.push(error);
    return error;
  }
  throw new Error('expected the call to fail');
}

/** A unique lower-case name; deleted after the run (real workspaces are shared). */
function uniqueName(prefix: string): string {
  const name = `dbclient_${prefix}_${randomUUID().slice(0, 8)}`;
  cleanups.push(() => newClient().deleteConnection(name));
  return name;
}

/**
 * The M2M option set the stand-in's default rule classifies as OAUTH_M2M (unconfirmed: no public source shows
 * a working set, terraform-provider-databricks#5200).
 */
function m2mConnection(name: string): CreateConnectionRequest {
  return {
    name,
    connection_type: 'SQLSERVER',
    options: {
      host: 'sales-sql.database.windows.net',
      port: '1433',
      client_id: workspace.app.appId,
      client_secret: connectionSecret,
      token_endpoint: workspace.tokenEndpoint,
      oauth_scope: 'https://database.windows.net/.default',
    },
    comment: 'created by the DatabricksClient tests',
  };
}

/** An undici Agent whose interceptor records every request the client sends through it. */
function recordingDispatcher() {
  const requests: Array<{ path: string; headers: Record<string, string> }> = [];
  const dispatcher = new Agent().compose(
    (dispatch) => (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
      requests.push({ path: options.path, headers: { ...(options.headers as Record<string, string>) } });
      return dispatch(options, handler);
    },
  );
  cleanups.push(() => dispatcher.close());
  return { dispatcher, requests };
}

function db(): DatabricksStandIn {
  if (!workspace.db) throw new Error('stand-in only');
  return workspace.db;
}

/** The stand-in's log entries for one path, after `from` earlier entries. */
function logFor(path: string, from = 0) {
  return db()
    .control.requestLog()
    .slice(from)
    .filter((entry) => entry.path === path);
}

const connectionPath = (name: string) => `/api/2.1/unity-catalog/connections/${name}`;

describe('connections', () => {
  it('creates, reads, updates and deletes a connection, never returning the client secret', async () => {
    const client = newClient();
    const name = uniqueName('crud');

    const created = await client.createConnection(m2mConnection(name));
    expect(created).toMatchObject({ name, connection_type: 'SQLSERVER', credential_type: 'OAUTH_M2M' });
    expect(created.options?.client_secret).toBeUndefined();

    const fetched = await client.getConnection(name);
    expect(fetched).toMatchObject({ name, credential_type: 'OAUTH_M2M', securable_type: 'CONNECTION' });
    expect(fetched?.options).toMatchObject({ host: 'sales-sql.database.windows.net', port: '1433' });
    expect(JSON.stringify(fetched)).not.toContain(connectionSecret);

    const rotated = `${connectionSecret}-rotated`;
    const updated = await client.updateConnection(name, {
      options: { ...m2mConnection(name).options, client_secret: rotated, port: '1434' },
    });
    expect(updated.options?.port).toBe('1434');
    if (workspace.db) expect(db().control.storedConnection(name)?.options.client_secret).toBe(rotated);

    await expect(client.deleteConnection(name)).resolves.toBe(true);
    await expect(client.getConnection(name)).resolves.toBeUndefined();
  });

  it('answers undefined / false for a connection or catalog that does not exist', async () => {
    const client = newClient();
    await expect(client.getConnection('dbclient_never_created')).resolves.toBeUndefined();
    await expect(client.deleteConnection('dbclient_never_created')).resolves.toBe(false);
    await expect(client.getCatalog('dbclient_never_created')).resolves.toBeUndefined();
    await expect(client.deleteCatalog('dbclient_never_created')).resolves.toBe(false);
  });

  it('surfaces a duplicate create as a 409 that isAlreadyExists recognises, without retrying it', async () => {
    const client = newClient();
    const name = uniqueName('dup');
    await client.createConnection(m2mConnection(name));
    const before = workspace.db ? db().control.requestLog().length : 0;

    const error = await failure(client.createConnection(m2mConnection(name)));

    expect(error).toBeInstanceOf(DatabricksApiError);
    expect(isAlreadyExists(error)).toBe(true);
    if (workspace.db) expect(logFor('/api/2.1/unity-catalog/connections', before)).toHaveLength(1);
  });

  it('carries status, error_code and request id on a rejected request, and does not retry a 400', async () => {
    const client = newClient();
    const name = uniqueName('bad');
    const before = workspace.db ? db().control.requestLog().length : 0;
    // client_id + client_secret + authorization_endpoint is classified as U2M and lacks the code (#5200).
    const u2mWithoutCode: CreateConnectionRequest = {
      name,
      connection_type: 'SQLSERVER',
      options: {
        host: 'sales-sql.database.windows.net',
        port: '1433',
        client_id: workspace.app.appId,
        client_secret: connectionSecret,
        authorization_endpoint: workspace.tokenEndpoint.replace(/\/token$/, '/authorize'),
      },
    };

    const error = await failure(client.createConnection(u2mWithoutCode));

    expect(error).toBeInstanceOf(DatabricksApiError);
    const apiError = error as DatabricksApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(apiError.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(apiError.message).toMatch(
      /^Databricks POST \/api\/2\.1\/unity-catalog\/connections → 400 INVALID_PARAMETER_VALUE: CONNECTION\/CONNECTION_SQLSERVER_OAUTH_U2M must include/,
    );
    if (workspace.db) expect(logFor('/api/2.1/unity-catalog/connections', before)).toHaveLength(1);
  });

  it('sends JSON headers, a bearer token and a User-Agent naming the app through an injected dispatcher', async () => {
    const { dispatcher, requests } = recordingDispatcher();
    const client = newClient({ dispatcher });

    await client.getConnection('dbclient_headers');

    const headers = requests[0]?.headers ?? {};
    expect(headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json' });
    expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(headers['user-agent']).toMatch(/^uc-connection-provisioner\/\d+\.\d+\.\d+ node\/\d+/);
  });

  standInOnly('lists every connection across many pages, empty pages with a token included', async () => {
    const { dispatcher, requests } = recordingDispatcher();
    const client = newClient({ dispatcher });
    const prefix = `dbclient_list_${randomUUID().slice(0, 6)}`;
    const names = Array.from({ length: 120 }, (_, index) => `${prefix}_${String(index).padStart(3, '0')}`);
    for (const name of names) await client.createConnection(m2mConnection(name));
    cleanups.push(async () => {
      for (const name of names) await newClient().deleteConnection(name);
    });

    const listed: string[] = [];
    for await (const connection of client.listConnections()) listed.push(connection.name);

    expect(listed.filter((name) => name.startsWith(prefix)).sort()).toEqual(names);
    expect(new Set(listed).size).toBe(listed.length);
    const listCalls = requests
      .map((request) => request.path)
      .filter((path) => path.startsWith('/api/2.1/unity-catalog/connections?'));
    // 120+ items at the stand-in's 50 per page, and every third page empty but carrying a token.
    expect(listCalls.length).toBeGreaterThanOrEqual(4);
    for (const path of listCalls)
      expect(new URL(path, workspace.url).searchParams.get('max_results')).toBe('0');
  });
});

describe('grants and catalogs', () => {
  it('grants and revokes privileges on a connection', async () => {
    const client = newClient();
    const name = uniqueName('grants');
    await client.createConnection(m2mConnection(name));

    const afterGrant = await client.updatePermissions('connection', name, [
      { principal: workspace.grantee, add: ['USE_CONNECTION'] },
    ]);
    expect(afterGrant).toContainEqual({ principal: workspace.grantee, privileges: ['USE_CONNECTION'] });
    await expect(client.getPermissions('connection', name)).resolves.toContainEqual({
      principal: workspace.grantee,
      privileges: ['USE_CONNECTION'],
    });

    await client.updatePermissions('connection', name, [
      { principal: workspace.grantee, remove: ['USE_CONNECTION'] },
    ]);
    const afterRevoke = await client.getPermissions('connection', name);
    expect(afterRevoke.find((assignment) => assignment.principal === workspace.grantee)).toBeUndefined();
  });

  it('creates a foreign catalog on a connection, grants on it, and force-deletes it', async () => {
    const client = newClient();
    const connection = uniqueName('cat');
    const catalog = `${connection}_catalog`;
    await client.createConnection(m2mConnection(connection));

    const created = await client.createCatalog({
      name: catalog,
      connection_name: connection,
      options: { database: 'salesdb' },
      comment: 'foreign catalog from the client tests',
    });
    expect(created).toMatchObject({
      name: catalog,
      connection_name: connection,
      options: { database: 'salesdb' },
    });
    await expect(client.getCatalog(catalog)).resolves.toMatchObject({ name: catalog });

    await client.updatePermissions('catalog', catalog, [
      { principal: workspace.grantee, add: ['USE_CATALOG', 'USE_SCHEMA', 'SELECT'] },
    ]);
    const grants = await client.getPermissions('catalog', catalog);
    expect(
      grants.find((assignment) => assignment.principal === workspace.grantee)?.privileges.sort(),
    ).toEqual(['SELECT', 'USE_CATALOG', 'USE_SCHEMA']);

    await expect(client.deleteCatalog(catalog, { force: true })).resolves.toBe(true);
    await expect(client.getCatalog(catalog)).resolves.toBeUndefined();
  });
});

describe('retries', () => {
  standInOnly('waits out a 429 burst with Retry-After: 1 and then succeeds', async () => {
    const client = newClient();
    const name = uniqueName('throttled');
    await client.createConnection(m2mConnection(name));
    const before = db().control.requestLog().length;
    db().control.injectFault({
      status: 429,
      count: 2,
      retryAfterInSeconds: 1,
      path: new RegExp(`/${name}$`),
    });

    const startedAt = Date.now();
    await expect(client.getConnection(name)).resolves.toMatchObject({ name });

    expect(logFor(connectionPath(name), before).map((entry) => entry.status)).toEqual([429, 429, 200]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000); // Retry-After is a floor on each wait
  });

  standInOnly('backs off on its own after a 429 without Retry-After', async () => {
    const client = newClient();
    const name = uniqueName('throttled_bare');
    await client.createConnection(m2mConnection(name));
    const before = db().control.requestLog().length;
    db().control.injectFault({ status: 429, count: 3, path: new RegExp(`/${name}$`) });

    await expect(client.getConnection(name)).resolves.toMatchObject({ name });

    const entries = logFor(connectionPath(name), before);
    expect(entries.map((entry) => entry.status)).toEqual([429, 429, 429, 200]);
    expect(entries[0]?.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
  });

  standInOnly('honours a RetryInfo retry_delay as the minimum wait', async () => {
    const client = newClient();
    const name = uniqueName('retryinfo');
    await client.createConnection(m2mConnection(name));
    const before = db().control.requestLog().length;
    db().control.injectFault({
      status: 503,
      count: 1,
      retryInfoDelayInSeconds: 1,
      path: new RegExp(`/${name}$`),
    });

    const startedAt = Date.now();
    await expect(client.getConnection(name)).resolves.toMatchObject({ name });

    expect(logFor(connectionPath(name), before).map((entry) => entry.status)).toEqual([503, 200]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
  });

  standInOnly('gives up with TransientError when a 503 outage outlasts the time budget', async () => {
    const client = newClient({
      retry: { maxAttempts: 50, baseDelayInMs: 100, maxDelayInMs: 300, budgetInMs: 1_500 },
    });
    const name = uniqueName('outage');
    db().control.injectFault({ status: 503, count: 1_000, path: new RegExp(`/${name}$`) });

    const startedAt = Date.now();
    const error = await failure(client.getConnection(name));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).service).toBe('databricks');
    expect((error as TransientError).cause).toMatchObject({
      status: 503,
      errorCode: 'TEMPORARILY_UNAVAILABLE',
    });
    expect(Date.now() - startedAt).toBeLessThan(1_500 + 1_000);
    const attempts = logFor(connectionPath(name)).length;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(50);
    expect(logLines.some((line) => line.includes('"databricks.retry"') && line.includes(name))).toBe(true);
  });

  standInOnly("makes exactly one call with retry: 'never', even for a retryable failure", async () => {
    const client = newClient();
    const name = uniqueName('once');
    const before = db().control.requestLog().length;
    db().control.injectFault({ status: 503, count: 1, method: 'POST', path: /\/connections$/ });

    const error = await failure(client.createConnection(m2mConnection(name), { retry: 'never' }));

    expect(error).toBeInstanceOf(TransientError);
    expect(logFor('/api/2.1/unity-catalog/connections', before)).toEqual([
      {
        method: 'POST',
        path: '/api/2.1/unity-catalog/connections',
        status: 503,
        errorCode: 'TEMPORARILY_UNAVAILABLE',
      },
    ]);
  });

  standInOnly(
    'retries an attempt that exceeds the request timeout, then gives up with TransientError',
    async () => {
      const client = newClient({
        requestTimeoutInMs: 300,
        retry: { maxAttempts: 2, baseDelayInMs: 10, maxDelayInMs: 10, budgetInMs: 5_000 },
      });
      await client.getConnection('dbclient_warm_up_token'); // the token fetch is not what should time out
      db().control.setLatency(1_000);
      try {
        const error = await failure(client.getConnection('dbclient_slow'));
        expect(error).toBeInstanceOf(TransientError);
        expect((error as TransientError).message).toContain('in 2 attempt(s)');
        expect((error as TransientError).cause).toMatchObject({ name: 'TimeoutError' });
      } finally {
        db().control.setLatency(0);
      }
    },
  );

  standInOnly("stops at once with the caller's abort reason, without retrying", async () => {
    const client = newClient();
    await client.getConnection('dbclient_warm_up_token');
    const before = db().control.requestLog().length;
    const controller = new AbortController();
    const reason = new Error('the function host is shutting down');
    db().control.setLatency(1_000);
    try {
      setTimeout(() => controller.abort(reason), 100);
      const startedAt = Date.now();
      await expect(client.getConnection('dbclient_aborted', { signal: controller.signal })).rejects.toBe(
        reason,
      );
      expect(Date.now() - startedAt).toBeLessThan(900);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the stand-in log the one request
      expect(logFor(connectionPath('dbclient_aborted'), before).length).toBeLessThanOrEqual(1);
    } finally {
      db().control.setLatency(0);
    }
  });

  it('retries a refused connection and gives up with TransientError', async () => {
    const client = newClient({
      workspaceUrl: 'https://127.0.0.1:1',
      retry: { maxAttempts: 3, baseDelayInMs: 10, maxDelayInMs: 20, budgetInMs: 5_000 },
    });
    const error = await failure(client.getConnection('anything'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).message).toContain('in 3 attempt(s)');
  });
});

describe('authentication', () => {
  standInOnly('refreshes a short-lived token early enough that no call is refused with 401', async () => {
    const entra = workspace.entra as EntraStandIn;
    // A credential of its own: the shared one's token cache already holds a long-lived token.
    const credential = credentialFor(
      workspace.app.appId,
      workspace.app.secret,
      entra.url,
      workspace.tenantId,
    );
    const client = newClient({ credential });
    const name = uniqueName('token');
    // Databricks refuses tokens with 30 s or less left (SDK azureReuseTokenSource): a 33 s token is usable
    // only briefly.
    entra.control.setAccessTokenLifetime(33);
    try {
      await client.createConnection(m2mConnection(name));
      const tokensBefore = entra.control
        .tokenRequests()
        .filter((r) => r.clientId === workspace.app.appId).length;
      await new Promise((resolve) => setTimeout(resolve, 4_000)); // the first token now has < 30 s left
      await expect(client.getConnection(name)).resolves.toMatchObject({ name });
      const tokensAfter = entra.control
        .tokenRequests()
        .filter((r) => r.clientId === workspace.app.appId).length;
      expect(tokensAfter).toBeGreaterThan(tokensBefore);
      expect(
        db()
          .control.requestLog()
          .filter((entry) => entry.status === 401),
      ).toEqual([]);
    } finally {
      entra.control.setAccessTokenLifetime(3600);
    }
  });

  standInOnly('fails at once, not transiently, when the client secret is wrong', async () => {
    const entra = workspace.entra as EntraStandIn;
    const client = newClient({
      credential: credentialFor(workspace.app.appId, 'not-the-secret', entra.url, workspace.tenantId),
    });
    const error = await failure(client.getConnection('anything'));
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).transient).toBe(false);
    expect((error as AccessTokenError).message).toContain('invalid_client');
  });

  it('treats an unreachable Entra as transient and names it in the TransientError', async () => {
    const client = newClient({
      credential: credentialFor(
        workspace.app.appId,
        workspace.app.secret,
        'https://127.0.0.1:1',
        workspace.tenantId,
      ),
      requestTimeoutInMs: 1_500,
      retry: { maxAttempts: 2, baseDelayInMs: 10, maxDelayInMs: 10, budgetInMs: 5_000 },
    });
    const error = await failure(client.getConnection('anything'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).service).toBe('entra');
    expect((error as TransientError).cause).toBeInstanceOf(AccessTokenError);
  });

  standInOnly('surfaces 403 for a principal that is not a workspace user, without retrying', async () => {
    const entra = workspace.entra as EntraStandIn;
    const outsider = entra.directory.registerApp({ displayName: 'not-in-workspace' });
    const secret = entra.directory.addPassword(outsider.appId).secretText ?? '';
    const client = newClient({
      credential: credentialFor(outsider.appId, secret, entra.url, workspace.tenantId),
    });
    const before = db().control.requestLog().length;

    const error = await failure(client.getConnection('dbclient_forbidden'));

    expect(error).toMatchObject({ name: 'DatabricksApiError', status: 403 });
    expect(logFor(connectionPath('dbclient_forbidden'), before)).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('never puts a client secret into a log line or an error, causes included', () => {
    expect(thrown.length).toBeGreaterThan(0);
    const everything = [...logLines, ...thrown.map((error) => inspect(error, { depth: 10 }))].join('\n');
    expect(everything).not.toContain(connectionSecret);
    expect(everything).not.toContain(workspace.app.secret);
  });
});
