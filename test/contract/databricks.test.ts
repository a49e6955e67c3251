/**
 * Contract: the Databricks Unity Catalog connections, permissions and catalogs API, called over HTTPS with undici and
 * real Entra tokens (`@azure/identity` ClientSecretCredential).
 *
 * Against a real workspace (opt-in; tests that need the stand-in's control surface or a scripted sign-in skip):
 *   DATABRICKS_CONTRACT_HOST   https://adb-<id>.<n>.azuredatabricks.net
 *   DATABRICKS_CONTRACT_TOKEN  an Entra access token for 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d held by a principal with
 *                              CREATE CONNECTION and CREATE CATALOG on the metastore
 * Unset: the Entra and Databricks stand-ins are started in process.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabricksStandIn, startDatabricks } from '../emulators/databricks/index.js';
import {
  type EntraStandIn,
  signInProgrammatically,
  startEntra,
  wellKnownResources,
} from '../emulators/entra/index.js';

const live = Boolean(process.env.DATABRICKS_CONTRACT_HOST);
/** Needs the stand-in's control surface, extra principals or a scripted Entra sign-in. */
const standInOnly = it.skipIf(live);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sqlScope = `${wellKnownResources.azureSql}/.default`;

interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON shapes.
  body: any;
}

interface TestPrincipal {
  name: string;
  token(): Promise<string>;
}

interface Workspace {
  url: string;
  /** Holds CREATE CONNECTION and CREATE CATALOG. */
  creator: TestPrincipal;
  standIn?: DatabricksStandIn;
  entra?: EntraStandIn;
  /** Stand-in only. */
  creatorApp?: { appId: string; secret: string };
  member?: TestPrincipal;
  outsider?: TestPrincipal;
  registerApp?(displayName: string): { appId: string; secret: string; credential: ClientSecretCredential };
}

let workspace: Workspace;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  workspace = live ? liveWorkspace() : await standInWorkspace();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function liveWorkspace(): Workspace {
  const token = process.env.DATABRICKS_CONTRACT_TOKEN ?? '';
  // UC names a user by UPN and a service principal by application id.
  const claims = decodeJwt(token);
  const name = String(claims.upn ?? claims.preferred_username ?? claims.appid ?? claims.azp ?? '');
  return {
    url: (process.env.DATABRICKS_CONTRACT_HOST ?? '').replace(/\/$/, ''),
    creator: { name, token: async () => token },
  };
}

async function standInWorkspace(): Promise<Workspace> {
  const entra = await startEntra();
  cleanups.push(() => entra.close());
  const standIn = await startDatabricks({ entraUrl: entra.url });
  cleanups.push(() => standIn.close());
  const tenantId = entra.defaultTenantId;
  const registerApp = (displayName: string) => {
    const app = entra.directory.registerApp({ displayName });
    const secret = entra.directory.addPassword(app.appId).secretText ?? '';
    const credential = new ClientSecretCredential(tenantId, app.appId, secret, {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    });
    return { appId: app.appId, secret, credential };
  };
  const principal = (app: ReturnType<typeof registerApp>): TestPrincipal => {
    const scope = `${wellKnownResources.azureDatabricks}/.default`;
    return { name: app.appId, token: async () => (await app.credential.getToken(scope)).token };
  };
  const creatorApp = registerApp('provisioner');
  const creator = principal(creatorApp);
  const member = principal(registerApp('workspace-member'));
  const outsider = principal(registerApp('not-in-workspace'));
  standIn.control.addPrincipal({
    applicationId: creator.name,
    metastorePrivileges: ['CREATE_CONNECTION', 'CREATE_CATALOG'],
  });
  standIn.control.addPrincipal({ applicationId: member.name });
  standIn.control.addPrincipal({ groupName: 'data-readers' });
  return { url: standIn.url, creator, creatorApp, member, outsider, standIn, entra, registerApp };
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; as?: TestPrincipal } = {},
): Promise<ApiResponse> {
  const token = options.token === undefined ? await (options.as ?? workspace.creator).token() : options.token;
  const response = await request(`${workspace.url}/api/2.1/unity-catalog${path}`, {
    method: method as 'GET',
    headers: {
      accept: 'application/json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** A unique lower-case name, deleted after the run (real workspaces are shared). */
function connectionName(prefix: string): string {
  const name = `contract_${prefix}_${randomUUID().slice(0, 8)}`;
  cleanups.push(async () => void (await call('DELETE', `/connections/${name}`).catch(() => undefined)));
  return name;
}

const sqlHost = { host: 'contract-sql.database.windows.net', port: '1433' };
const usernamePasswordOptions = {
  ...sqlHost,
  user: 'reader',
  password: 'p@ss',
  trustServerCertificate: 'true',
};

async function createUsernamePasswordConnection(prefix: string): Promise<string> {
  const name = connectionName(prefix);
  const created = await call('POST', '/connections', {
    body: { name, connection_type: 'SQLSERVER', options: usernamePasswordOptions },
  });
  expect(created.status).toBe(200);
  return name;
}

function expectDatabricksError(
  response: ApiResponse,
  status: number,
  errorCode: string,
  message?: string | RegExp,
) {
  expect(response.status).toBe(status);
  expect(response.body.error_code).toBe(errorCode);
  if (typeof message === 'string') expect(response.body.message).toBe(message);
  if (message instanceof RegExp) expect(response.body.message).toMatch(message);
  // Every stand-in error carries RequestInfo (as recorded workspace errors do; SDK apierr/details.go); a real
  // gateway error (e.g. 401) might not.
  if (live && !response.body.details) return;
  const requestInfo = response.body.details.find(
    (detail: { '@type': string }) => detail['@type'] === 'type.googleapis.com/google.rpc.RequestInfo',
  );
  expect(requestInfo.request_id).toMatch(uuidPattern);
}

describe('option classification (kind follows the options present, TF #5200)', () => {
  it('answers a code-less U2M create with the recorded MISSING_CONNECTION_OPTION body', async () => {
    const response = await call('POST', '/connections', {
      body: {
        name: 'testu2m',
        connection_type: 'SQLSERVER',
        options: {
          applicationIntent: 'ReadOnly',
          host: '<server>.database.windows.net',
          oauth_redirect_uri: 'https://<workspace>.azuredatabricks.net/login/oauth/azure.html',
          client_id: '<app id>',
          client_secret: '<secret>',
          port: '1433',
          authorization_endpoint: 'https://login.microsoftonline.com/<tenant>/oauth2/v2.0/authorize',
          trustServerCertificate: 'true',
          oauth_scope: 'https://database.windows.net/.default offline_access',
        },
      },
    });
    expect(response.status).toBe(400);
    const requestId = response.body.details[1].request_id;
    expect(requestId).toMatch(uuidPattern);
    expect(response.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        'CONNECTION/CONNECTION_SQLSERVER_OAUTH_U2M must include the following option(s): pkce_verifier,authorization_code.',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'MISSING_CONNECTION_OPTION',
          domain: 'unity-catalog.databricks.com',
          metadata: {
            securable_type: 'CONNECTION',
            securable_kind: 'CONNECTION_SQLSERVER_OAUTH_U2M',
            options: 'pkce_verifier,authorization_code',
          },
        },
        { '@type': 'type.googleapis.com/google.rpc.RequestInfo', request_id: requestId, serving_data: '' },
      ],
    });
  });

  it('classifies client_id + client_secret + authorization_endpoint as U2M and lists the missing options in server order (#5200)', async () => {
    const response = await call('POST', '/connections', {
      body: {
        name: connectionName('tf5200'),
        connection_type: 'SQLSERVER',
        options: {
          ...sqlHost,
          client_id: 'app',
          client_secret: 'secret',
          authorization_endpoint: 'https://login.microsoftonline.com/tenant/oauth2/token',
        },
      },
    });
    expectDatabricksError(
      response,
      400,
      'INVALID_PARAMETER_VALUE',
      'CONNECTION/CONNECTION_SQLSERVER_OAUTH_U2M must include the following option(s): oauth_redirect_uri,pkce_verifier,oauth_scope,authorization_code.',
    );
  });

  it('creates a USERNAME_PASSWORD connection and never returns user or password', async () => {
    const name = connectionName('userpass');
    const response = await call('POST', '/connections', {
      body: { name, connection_type: 'SQLSERVER', options: usernamePasswordOptions, comment: 'contract' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name,
      full_name: name,
      connection_type: 'SQLSERVER',
      credential_type: 'USERNAME_PASSWORD',
      securable_type: 'CONNECTION',
      provisioning_info: { state: 'ACTIVE' },
      url: 'jdbc://contract-sql.database.windows.net:1433/',
      comment: 'contract',
      owner: workspace.creator.name,
      created_by: workspace.creator.name,
      updated_by: workspace.creator.name,
    });
    expect(response.body.connection_id).toMatch(uuidPattern);
    expect(typeof response.body.metastore_id).toBe('string');
    expect(response.body.created_at).toBeGreaterThan(Date.UTC(2024, 0, 1));
    expect(response.body.updated_at).toBe(response.body.created_at);
    expect(response.body.options).toEqual({ ...sqlHost, trustServerCertificate: 'true' });
    const fetched = await call('GET', `/connections/${name}`);
    expect(fetched.body.options).not.toHaveProperty('password');
    expect(fetched.body.options).not.toHaveProperty('user');
  });

  it('reports a missing password against the USERNAME_PASSWORD kind', async () => {
    const response = await call('POST', '/connections', {
      body: {
        name: connectionName('nopass'),
        connection_type: 'SQLSERVER',
        options: { ...sqlHost, user: 'reader' },
      },
    });
    expectDatabricksError(
      response,
      400,
      'INVALID_PARAMETER_VALUE',
      /must include the following option\(s\): password\.$/,
    );
    expect(response.body.details[0].reason).toBe('MISSING_CONNECTION_OPTION');
  });

  it('rejects an unsupported option and lists the supported keys', async () => {
    const response = await call('POST', '/connections', {
      body: {
        name: connectionName('unknownopt'),
        connection_type: 'SQLSERVER',
        options: { ...usernamePasswordOptions, database: 'sales' },
      },
    });
    expectDatabricksError(
      response,
      400,
      'INVALID_PARAMETER_VALUE',
      /does not support the following option\(s\): database/,
    );
    expect(response.body.message).toContain(
      'host,port,user,password,trustServerCertificate,applicationIntent',
    );
  });

  standInOnly(
    'classifies the configured M2M option set as OAUTH_M2M and can get an Azure SQL token with it',
    async () => {
      const entra = workspace.entra as EntraStandIn;
      const sqlApp = workspace.registerApp?.('sql-reader-m2m');
      const name = connectionName('m2m');
      const response = await call('POST', '/connections', {
        body: {
          name,
          connection_type: 'SQLSERVER',
          options: {
            ...sqlHost,
            client_id: sqlApp?.appId,
            client_secret: sqlApp?.secret,
            token_endpoint: entra.tokenEndpoint(entra.defaultTenantId),
            oauth_scope: sqlScope,
          },
        },
      });
      expect(response.status).toBe(200);
      expect(response.body.credential_type).toBe('OAUTH_M2M');
      expect(response.body.options).toMatchObject({ client_id: sqlApp?.appId, oauth_scope: sqlScope });
      expect(response.body.options).not.toHaveProperty('client_secret');
      expect(workspace.standIn?.control.storedConnection(name)?.options.client_secret).toBe(sqlApp?.secret);
      await expect(workspace.standIn?.control.testConnection(name)).resolves.toEqual({
        ok: true,
        audience: wellKnownResources.azureSql,
      });
    },
  );

  it('supports only connection_type SQLSERVER in this project', async () => {
    const response = await call('POST', '/connections', {
      body: { name: connectionName('pg'), connection_type: 'NOT_A_TYPE', options: usernamePasswordOptions },
    });
    expectDatabricksError(response, 400, 'INVALID_PARAMETER_VALUE');
  });
});

describe('names (https://docs.databricks.com/sql/language-manual/sql-ref-names.html)', () => {
  it.each([
    ['a period', 'has.dot'],
    ['a space', 'has space'],
    ['a slash', 'has/slash'],
    ['a control character', 'has\u0001control'],
    ['more than 255 characters', 'x'.repeat(256)],
  ])('rejects a name with %s', async (_label, name) => {
    const response = await call('POST', '/connections', {
      body: { name, connection_type: 'SQLSERVER', options: usernamePasswordOptions },
    });
    expectDatabricksError(response, 400, 'INVALID_PARAMETER_VALUE');
  });

  it('stores names in lower case and finds them case-insensitively', async () => {
    const name = connectionName('MixedCase');
    const created = await call('POST', '/connections', {
      body: { name, connection_type: 'SQLSERVER', options: usernamePasswordOptions },
    });
    expect(created.body.name).toBe(name.toLowerCase());
    const fetched = await call('GET', `/connections/${name.toUpperCase()}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.name).toBe(name.toLowerCase());
  });

  it('refuses a duplicate name in any case with 409 and says it already exists', async () => {
    const name = await createUsernamePasswordConnection('dup');
    const response = await call('POST', '/connections', {
      body: { name: name.toUpperCase(), connection_type: 'SQLSERVER', options: usernamePasswordOptions },
    });
    expect(response.status).toBe(409);
    expect(response.body.message).toBe(`Connection '${name}' already exists`);
    if (!live) expect(response.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('answers 404 for a connection that does not exist', async () => {
    const response = await call('GET', '/connections/contract_missing_connection');
    expect(response.status).toBe(404);
    expect(response.body.message).toBe("Connection 'contract_missing_connection' does not exist.");
    expect(response.body.error_code).toMatch(/_DOES_NOT_EXIST$/);
  });

  standInOnly('uses the configured not-found and already-exists error codes', async () => {
    const entra = workspace.entra as EntraStandIn;
    const other = await startDatabricks({
      entraUrl: entra.url,
      errorCodes: { notFound: 'CONNECTION_DOES_NOT_EXIST', alreadyExists: 'CONNECTION_ALREADY_EXISTS' },
    });
    try {
      other.control.addPrincipal({
        applicationId: workspace.creator.name,
        metastorePrivileges: ['CREATE_CONNECTION'],
      });
      const token = await workspace.creator.token();
      const send = (method: string, path: string, body?: unknown) =>
        request(`${other.url}/api/2.1/unity-catalog${path}`, {
          method: method as 'GET',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then(async (r) => ({
          status: r.statusCode,
          body: (await r.body.json()) as { error_code?: string },
        }));
      const body = { name: 'twice', connection_type: 'SQLSERVER', options: usernamePasswordOptions };
      expect((await send('POST', '/connections', body)).status).toBe(200);
      expect((await send('POST', '/connections', body)).body.error_code).toBe('CONNECTION_ALREADY_EXISTS');
      expect((await send('GET', '/connections/absent')).body.error_code).toBe('CONNECTION_DOES_NOT_EXIST');
    } finally {
      await other.close();
    }
  });
});

describe('authentication and authorisation (databricks-sdk-go Azure auth; Learn privileges)', () => {
  it('answers 401 with a Databricks error body when there is no bearer token', async () => {
    const response = await call('GET', '/connections', { token: null });
    expectDatabricksError(response, 401, 'UNAUTHENTICATED');
  });

  it('answers 401 for a token that is not a valid Entra JWT', async () => {
    const response = await call('GET', '/connections', { token: 'not-a-jwt' });
    expectDatabricksError(response, 401, 'UNAUTHENTICATED');
  });

  standInOnly('refuses a token for another audience', async () => {
    const app = workspace.registerApp?.('vault-only');
    const token = (await app?.credential.getToken(`${wellKnownResources.keyVault}/.default`))?.token;
    expectDatabricksError(await call('GET', '/connections', { token }), 401, 'UNAUTHENTICATED');
  });

  standInOnly(
    'refuses a token with 30 seconds or less left and accepts one with more (SDK azureReuseTokenSource)',
    async () => {
      const entra = workspace.entra as EntraStandIn;
      const tokenWithLifetime = async (seconds: number) => {
        entra.control.setAccessTokenLifetime(seconds);
        try {
          const credential = new ClientSecretCredential(
            entra.defaultTenantId,
            workspace.creatorApp?.appId ?? '',
            workspace.creatorApp?.secret ?? '',
            { authorityHost: entra.url, disableInstanceDiscovery: true },
          );
          return (await credential.getToken(`${wellKnownResources.azureDatabricks}/.default`)).token;
        } finally {
          entra.control.setAccessTokenLifetime(3600);
        }
      };
      const nearlyExpired = await call('GET', '/connections', { token: await tokenWithLifetime(30) });
      expectDatabricksError(nearlyExpired, 401, 'UNAUTHENTICATED');
      expect((await call('GET', '/connections', { token: await tokenWithLifetime(120) })).status).toBe(200);
    },
  );

  standInOnly('answers 403 PERMISSION_DENIED to a caller who is not a workspace principal', async () => {
    const response = await call('GET', '/connections', { as: workspace.outsider });
    expectDatabricksError(response, 403, 'PERMISSION_DENIED');
  });

  standInOnly('requires CREATE CONNECTION on the metastore to create a connection', async () => {
    const response = await call('POST', '/connections', {
      as: workspace.member,
      body: {
        name: connectionName('denied'),
        connection_type: 'SQLSERVER',
        options: usernamePasswordOptions,
      },
    });
    expectDatabricksError(
      response,
      403,
      'PERMISSION_DENIED',
      "User does not have CREATE CONNECTION on Metastore 'primary'",
    );
  });

  standInOnly('hides connections from workspace principals without a privilege on them', async () => {
    const name = await createUsernamePasswordConnection('hidden');
    expectDatabricksError(
      await call('GET', `/connections/${name}`, { as: workspace.member }),
      403,
      'PERMISSION_DENIED',
    );
    const listed = await call('GET', '/connections', { as: workspace.member });
    expect((listed.body.connections ?? []).map((c: { name: string }) => c.name)).not.toContain(name);
  });
});

describe('update (ALTER CONNECTION docs: options are replaced)', () => {
  it('replaces the whole options map on PATCH', async () => {
    const name = await createUsernamePasswordConnection('replace');
    const { trustServerCertificate: _dropped, ...withoutTrust } = usernamePasswordOptions;
    const response = await call('PATCH', `/connections/${name}`, {
      body: { options: { ...withoutTrust, host: 'other-sql.database.windows.net', password: 'rotated' } },
    });
    expect(response.status).toBe(200);
    expect(response.body.options).toEqual({ host: 'other-sql.database.windows.net', port: '1433' });
    expect(response.body.url).toBe('jdbc://other-sql.database.windows.net:1433/');
    if (!live) expect(workspace.standIn?.control.storedConnection(name)?.options.password).toBe('rotated');
  });

  it('requires options unless only the owner changes', async () => {
    const name = await createUsernamePasswordConnection('noopts');
    const response = await call('PATCH', `/connections/${name}`, { body: { new_name: `${name}_x` } });
    expectDatabricksError(response, 400, 'INVALID_PARAMETER_VALUE');
  });

  standInOnly('accepts an owner-only PATCH, after which the old owner may no longer alter it', async () => {
    const name = await createUsernamePasswordConnection('owner');
    const unknown = await call('PATCH', `/connections/${name}`, { body: { owner: 'nobody@example.test' } });
    expectDatabricksError(
      unknown,
      400,
      'INVALID_PARAMETER_VALUE',
      'Could not find principal with name nobody@example.test',
    );
    const reowned = await call('PATCH', `/connections/${name}`, { body: { owner: 'data-readers' } });
    expect(reowned.status).toBe(200);
    expect(reowned.body.owner).toBe('data-readers');
    const formerOwner = await call('PATCH', `/connections/${name}`, {
      body: { options: usernamePasswordOptions },
    });
    expectDatabricksError(
      formerOwner,
      403,
      'PERMISSION_DENIED',
      `User is not an owner of Connection '${name}'.`,
    );
  });

  it('renames with new_name and refuses a name that is taken', async () => {
    const name = await createUsernamePasswordConnection('rename');
    const taken = await createUsernamePasswordConnection('taken');
    const newName = connectionName('renamed');
    const renamed = await call('PATCH', `/connections/${name}`, {
      body: { options: usernamePasswordOptions, new_name: newName },
    });
    expect(renamed.body.name).toBe(newName);
    expect((await call('GET', `/connections/${name}`)).status).toBe(404);
    expect((await call('GET', `/connections/${newName}`)).status).toBe(200);
    const clash = await call('PATCH', `/connections/${newName}`, {
      body: { options: usernamePasswordOptions, new_name: taken },
    });
    expect(clash.status).toBe(409);
  });

  it('deletes a connection; a second delete is 404', async () => {
    const name = await createUsernamePasswordConnection('delete');
    const deleted = await call('DELETE', `/connections/${name}`);
    expect(deleted.status).toBe(200);
    expect((await call('DELETE', `/connections/${name}`)).status).toBe(404);
  });
});

describe('grants and foreign catalogs (databricks-sdk-go grants, CreateCatalog; TF grants docs)', () => {
  standInOnly(
    'grants and revokes connection privileges and rejects unknown privileges and principals',
    async () => {
      const name = await createUsernamePasswordConnection('grants');
      const granted = await call('PATCH', `/permissions/connection/${name}`, {
        body: { changes: [{ principal: 'data-readers', add: ['USE_CONNECTION', 'CREATE FOREIGN CATALOG'] }] },
      });
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({
        privilege_assignments: [
          { principal: 'data-readers', privileges: ['CREATE_FOREIGN_CATALOG', 'USE_CONNECTION'] },
        ],
      });
      expect((await call('GET', `/permissions/connection/${name}`)).body).toEqual(granted.body);
      const badPrivilege = await call('PATCH', `/permissions/connection/${name}`, {
        body: { changes: [{ principal: 'data-readers', add: ['SELECT'] }] },
      });
      expectDatabricksError(
        badPrivilege,
        400,
        'INVALID_PARAMETER_VALUE',
        /Privilege SELECT is not applicable/,
      );
      const badPrincipal = await call('PATCH', `/permissions/connection/${name}`, {
        body: { changes: [{ principal: 'ghosts', add: ['USE_CONNECTION'] }] },
      });
      expectDatabricksError(
        badPrincipal,
        400,
        'INVALID_PARAMETER_VALUE',
        'Could not find principal with name ghosts',
      );
      const bothWays = await call('PATCH', `/permissions/connection/${name}`, {
        body: { changes: [{ principal: 'data-readers', add: ['MANAGE'], remove: ['USE_CONNECTION'] }] },
      });
      expect(bothWays.status).toBe(400);
      const revoked = await call('PATCH', `/permissions/connection/${name}`, {
        body: {
          changes: [{ principal: 'data-readers', remove: ['USE_CONNECTION', 'CREATE_FOREIGN_CATALOG'] }],
        },
      });
      expect(revoked.body).toEqual({});
    },
  );

  standInOnly('lets a principal with USE_CONNECTION see the connection', async () => {
    const name = await createUsernamePasswordConnection('visible');
    await call('PATCH', `/permissions/connection/${name}`, {
      body: { changes: [{ principal: workspace.member?.name, add: ['USE_CONNECTION'] }] },
    });
    expect((await call('GET', `/connections/${name}`, { as: workspace.member })).status).toBe(200);
  });

  it('creates a foreign catalog on a connection, grants on it, and deletes it', async () => {
    const connection = await createUsernamePasswordConnection('catalogconn');
    const catalog = `contract_cat_${randomUUID().slice(0, 8)}`;
    const created = await call('POST', '/catalogs', {
      body: {
        name: catalog,
        connection_name: connection,
        options: { database: 'sales' },
        comment: 'federated',
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: catalog,
      catalog_type: 'FOREIGN_CATALOG',
      connection_name: connection,
      options: { database: 'sales' },
      comment: 'federated',
      securable_type: 'CATALOG',
      owner: workspace.creator.name,
    });
    expect((await call('GET', `/catalogs/${catalog}`)).status).toBe(200);
    if (!live) {
      const granted = await call('PATCH', `/permissions/catalog/${catalog}`, {
        body: { changes: [{ principal: 'data-readers', add: ['USE_CATALOG', 'USE_SCHEMA', 'SELECT'] }] },
      });
      expect(granted.body.privilege_assignments[0].privileges).toEqual([
        'SELECT',
        'USE_CATALOG',
        'USE_SCHEMA',
      ]);
      const wrong = await call('PATCH', `/permissions/catalog/${catalog}`, {
        body: { changes: [{ principal: 'data-readers', add: ['USE_CONNECTION'] }] },
      });
      expectDatabricksError(wrong, 400, 'INVALID_PARAMETER_VALUE');
    }
    expect((await call('DELETE', `/catalogs/${catalog}`)).status).toBe(200);
    expect((await call('GET', `/catalogs/${catalog}`)).status).toBe(404);
  });

  it('refuses a foreign catalog on a connection that does not exist', async () => {
    const response = await call('POST', '/catalogs', {
      body: {
        name: 'contract_orphan_catalog',
        connection_name: 'contract_no_such_connection',
        options: { database: 'x' },
      },
    });
    expect(response.status).toBe(404);
    expect(response.body.message).toContain('contract_no_such_connection');
    if (!live) {
      expectDatabricksError(
        response,
        404,
        'CONNECTION_NOT_FOUND',
        'Cannot execute this command because the connection name contract_no_such_connection was not found',
      );
    }
  });

  standInOnly('requires CREATE CATALOG on the metastore for a foreign catalog', async () => {
    const connection = await createUsernamePasswordConnection('nocatpriv');
    const response = await call('POST', '/catalogs', {
      as: workspace.member,
      body: { name: 'contract_denied_catalog', connection_name: connection, options: { database: 'x' } },
    });
    expectDatabricksError(
      response,
      403,
      'PERMISSION_DENIED',
      "User does not have CREATE CATALOG on Metastore 'primary'",
    );
  });
});

describe('list pagination (SDK ListConnectionsRequest)', () => {
  it('returns everything without max_results and pages with it until next_page_token is absent', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 7; i++) names.add(await createUsernamePasswordConnection(`page${i}`));
    const all = await call('GET', '/connections');
    expect(all.body.next_page_token).toBeUndefined();
    const allNames = all.body.connections.map((c: { name: string }) => c.name);
    for (const name of names) expect(allNames).toContain(name);

    const seen: string[] = [];
    let emptyPagesWithToken = 0;
    let token: string | undefined;
    do {
      const query = `max_results=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
      const page = await call('GET', `/connections?${query}`);
      expect(page.status).toBe(200);
      const pageNames = (page.body.connections ?? []).map((c: { name: string }) => c.name);
      expect(pageNames.length).toBeLessThanOrEqual(2);
      if (pageNames.length === 0 && page.body.next_page_token) emptyPagesWithToken += 1;
      seen.push(...pageNames);
      token = page.body.next_page_token;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...allNames].sort());
    if (!live) expect(emptyPagesWithToken).toBeGreaterThan(0);
  });

  it('rejects a negative max_results and a forged page_token', async () => {
    expectDatabricksError(await call('GET', '/connections?max_results=-1'), 400, 'INVALID_PARAMETER_VALUE');
    expect((await call('GET', '/connections?max_results=0&page_token=forged')).status).toBe(400);
  });

  standInOnly('caps max_results at the server page size', async () => {
    const entra = workspace.entra as EntraStandIn;
    const small = await startDatabricks({
      entraUrl: entra.url,
      listing: { serverPageSize: 2, emptyPageEvery: 0 },
    });
    try {
      small.control.addPrincipal({
        applicationId: workspace.creator.name,
        metastorePrivileges: ['CREATE_CONNECTION'],
      });
      const headers = {
        authorization: `Bearer ${await workspace.creator.token()}`,
        'content-type': 'application/json',
      };
      for (const name of ['a1', 'a2', 'a3']) {
        await request(`${small.url}/api/2.1/unity-catalog/connections`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name, connection_type: 'SQLSERVER', options: usernamePasswordOptions }),
        }).then((r) => r.body.dump());
      }
      const page = await request(`${small.url}/api/2.1/unity-catalog/connections?max_results=100`, {
        headers,
      });
      const body = (await page.body.json()) as { connections: unknown[]; next_page_token?: string };
      expect(body.connections).toHaveLength(2);
      expect(body.next_page_token).toBeDefined();
    } finally {
      await small.close();
    }
  });
});

describe('throttling, faults and latency (databricks-sdk-go retries; KB REQUEST_LIMIT_EXCEEDED)', () => {
  standInOnly(
    'throttles beyond the rate limit with 429 REQUEST_LIMIT_EXCEEDED and the KB message',
    async () => {
      const control = workspace.standIn?.control;
      const token = await workspace.creator.token();
      control?.setRateLimit(2);
      try {
        const responses = await Promise.all(
          Array.from({ length: 6 }, () => call('GET', '/connections', { token })),
        );
        const throttled = responses.filter((r) => r.status === 429);
        expect(throttled.length).toBeGreaterThan(0);
        expectDatabricksError(
          throttled[0] as ApiResponse,
          429,
          'REQUEST_LIMIT_EXCEEDED',
          'Your request was rejected since your organization has exceeded the rate limit. Please retry your request later.',
        );
        expect(control?.counts().rateLimited).toBeGreaterThanOrEqual(throttled.length);
      } finally {
        control?.setRateLimit(undefined);
      }
    },
  );

  standInOnly('injects a 429 with Retry-After and a RetryInfo detail, once', async () => {
    workspace.standIn?.control.injectFault({
      status: 429,
      retryAfterInSeconds: 2,
      retryInfoDelayInSeconds: 1,
      path: /\/connections$/,
      method: 'GET',
    });
    const throttled = await call('GET', '/connections');
    expectDatabricksError(throttled, 429, 'REQUEST_LIMIT_EXCEEDED');
    expect(throttled.headers['retry-after']).toBe('2');
    expect(throttled.body.details[0]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retry_delay: '1s',
    });
    expect((await call('GET', '/connections')).status).toBe(200);
  });

  standInOnly(
    'injects 429 without Retry-After, 503 TEMPORARILY_UNAVAILABLE and 500 INTERNAL_ERROR',
    async () => {
      const control = workspace.standIn?.control;
      control?.injectFault({ status: 429, path: /\/connections$/ });
      const bare = await call('GET', '/connections');
      expect(bare.status).toBe(429);
      expect(bare.headers['retry-after']).toBeUndefined();
      control?.injectFault({ status: 503, count: 2, path: /\/connections$/ });
      expectDatabricksError(await call('GET', '/connections'), 503, 'TEMPORARILY_UNAVAILABLE');
      expectDatabricksError(await call('GET', '/connections'), 503, 'TEMPORARILY_UNAVAILABLE');
      control?.injectFault({ status: 500, path: /\/connections$/ });
      expectDatabricksError(await call('GET', '/connections'), 500, 'INTERNAL_ERROR');
      expect((await call('GET', '/connections')).status).toBe(200);
    },
  );

  standInOnly('can lose the response after the work is done, so a retried create meets 409', async () => {
    const name = connectionName('lost');
    workspace.standIn?.control.injectFault({
      status: 503,
      method: 'POST',
      path: /\/connections$/,
      when: 'after',
    });
    const body = { name, connection_type: 'SQLSERVER', options: usernamePasswordOptions };
    expect((await call('POST', '/connections', { body })).status).toBe(503);
    expect((await call('POST', '/connections', { body })).status).toBe(409);
    expect((await call('GET', `/connections/${name}`)).status).toBe(200);
  });

  standInOnly('adds the configured latency to every call and logs every call', async () => {
    const control = workspace.standIn?.control;
    const token = await workspace.creator.token();
    control?.setLatency(150);
    try {
      const started = Date.now();
      await call('GET', '/connections/contract_latency_probe', { token });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      control?.setLatency(0);
    }
    expect(control?.requestLog().at(-1)).toEqual({
      method: 'GET',
      path: '/api/2.1/unity-catalog/connections/contract_latency_probe',
      status: 404,
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
    });
  });
});

/** RFC 7636 §4.1–4.2: a 43-character verifier from 32 random bytes and its S256 challenge. */
function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('U2M: Databricks redeems the authorization code (terraform-provider-databricks#4771)', () => {
  const redirectUri = 'https://127.0.0.1:7443/api/oauth/callback';
  const otherRedirectUri = 'https://127.0.0.1:7443/api/oauth/other-callback';
  let sqlApp: { appId: string; secret: string };
  const admin = { username: 'dba@contract.test', password: 'correct horse battery staple' };

  beforeAll(() => {
    if (live) return;
    const entra = workspace.entra as EntraStandIn;
    const app = entra.directory.registerApp({
      displayName: 'sql-u2m',
      redirectUris: [redirectUri, otherRedirectUri],
    });
    sqlApp = { appId: app.appId, secret: entra.directory.addPassword(app.appId).secretText ?? '' };
    entra.directory.addUser(admin);
  });

  /** Signs the admin in at Entra (S256 PKCE, form_post) and returns a fresh code with its verifier. */
  async function signIn(): Promise<{ code: string; verifier: string }> {
    const entra = workspace.entra as EntraStandIn;
    const { verifier, challenge } = pkcePair();
    const authorize = new URL(entra.authorizeEndpoint(entra.defaultTenantId));
    for (const [key, value] of Object.entries({
      client_id: sqlApp.appId,
      response_type: 'code',
      redirect_uri: redirectUri,
      response_mode: 'form_post',
      scope: `${sqlScope} offline_access`,
      state: randomBytes(16).toString('base64url'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: admin.username,
    })) {
      authorize.searchParams.set(key, value);
    }
    const result = await signInProgrammatically(authorize.toString(), admin);
    expect(result.error).toBeUndefined();
    return { code: result.code ?? '', verifier };
  }

  function u2mOptions(code: string, verifier: string, redirect = redirectUri) {
    const entra = workspace.entra as EntraStandIn;
    return {
      ...sqlHost,
      client_id: sqlApp.appId,
      client_secret: sqlApp.secret,
      authorization_endpoint: entra.authorizeEndpoint(entra.defaultTenantId),
      oauth_redirect_uri: redirect,
      oauth_scope: `${sqlScope} offline_access`,
      authorization_code: code,
      pkce_verifier: verifier,
      applicationIntent: 'ReadOnly',
    };
  }

  const exchangeFailure =
    /^The OAuth token exchange failed with HTTP status code 400 Bad Request\. The returned server response or exception message is: Map\(error -> invalid_grant, error_description -> AADSTS/;

  standInOnly(
    'creates an OAUTH_U2M connection from a real code + verifier, keeps the refresh token and hides the secrets',
    async () => {
      const { code, verifier } = await signIn();
      const name = connectionName('u2m');
      const response = await call('POST', '/connections', {
        body: { name, connection_type: 'SQLSERVER', options: u2mOptions(code, verifier) },
      });
      expect(response.status).toBe(200);
      expect(response.body.credential_type).toBe('OAUTH_U2M');
      for (const secret of [
        'client_secret',
        'authorization_code',
        'pkce_verifier',
        'refresh_token',
        'access_token',
      ]) {
        expect(response.body.options).not.toHaveProperty(secret);
      }
      expect(Number(response.body.options.access_token_expiration)).toBeGreaterThan(Date.now());
      expect(response.body.options.oauth_redirect_uri).toBe(redirectUri);
      expect(workspace.standIn?.control.storedConnection(name)?.refreshToken).toEqual(expect.any(String));
      expect((workspace.entra as EntraStandIn).control.tokenRequests()).toContainEqual(
        expect.objectContaining({ grantType: 'authorization_code', clientId: sqlApp.appId, status: 200 }),
      );
      await expect(workspace.standIn?.control.testConnection(name)).resolves.toEqual({
        ok: true,
        audience: wellKnownResources.azureSql,
      });

      const replay = await call('POST', '/connections', {
        body: {
          name: connectionName('u2mreplay'),
          connection_type: 'SQLSERVER',
          options: u2mOptions(code, verifier),
        },
      });
      expectDatabricksError(replay, 400, 'INVALID_PARAMETER_VALUE', exchangeFailure);
    },
  );

  standInOnly('fails the create with the token-exchange error for a wrong verifier', async () => {
    const { code } = await signIn();
    const response = await call('POST', '/connections', {
      body: {
        name: connectionName('u2mverifier'),
        connection_type: 'SQLSERVER',
        options: u2mOptions(code, pkcePair().verifier),
      },
    });
    expectDatabricksError(response, 400, 'INVALID_PARAMETER_VALUE', exchangeFailure);
  });

  standInOnly(
    'fails the create when oauth_redirect_uri differs from the authorize redirect_uri',
    async () => {
      const { code, verifier } = await signIn();
      const name = connectionName('u2mredirect');
      const response = await call('POST', '/connections', {
        body: { name, connection_type: 'SQLSERVER', options: u2mOptions(code, verifier, otherRedirectUri) },
      });
      expectDatabricksError(response, 400, 'INVALID_PARAMETER_VALUE', exchangeFailure);
      expect((await call('GET', `/connections/${name}`)).status).toBe(404);
    },
  );

  standInOnly('by default requires a new code and verifier on PATCH, and redeems them again', async () => {
    const first = await signIn();
    const name = connectionName('u2mpatch');
    await call('POST', '/connections', {
      body: { name, connection_type: 'SQLSERVER', options: u2mOptions(first.code, first.verifier) },
    });
    const { authorization_code: _code, pkce_verifier: _verifier, ...withoutCode } = u2mOptions('', '');
    const withoutNewCode = await call('PATCH', `/connections/${name}`, { body: { options: withoutCode } });
    expectDatabricksError(
      withoutNewCode,
      400,
      'INVALID_PARAMETER_VALUE',
      'CONNECTION/CONNECTION_SQLSERVER_OAUTH_U2M must include the following option(s): pkce_verifier,authorization_code.',
    );
    const second = await signIn();
    const reauthorised = await call('PATCH', `/connections/${name}`, {
      body: { options: u2mOptions(second.code, second.verifier) },
    });
    expect(reauthorised.status).toBe(200);
    expect((await workspace.standIn?.control.testConnection(name))?.ok).toBe(true);
  });

  standInOnly(
    "with u2mPatchWithoutCode 'keep_grant' keeps the stored grant when PATCH omits the code",
    async () => {
      const entra = workspace.entra as EntraStandIn;
      const keeping = await startDatabricks({ entraUrl: entra.url, u2mPatchWithoutCode: 'keep_grant' });
      try {
        keeping.control.addPrincipal({
          applicationId: workspace.creator.name,
          metastorePrivileges: ['CREATE_CONNECTION'],
        });
        const headers = {
          authorization: `Bearer ${await workspace.creator.token()}`,
          'content-type': 'application/json',
        };
        const { code, verifier } = await signIn();
        const created = await request(`${keeping.url}/api/2.1/unity-catalog/connections`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            name: 'kept',
            connection_type: 'SQLSERVER',
            options: u2mOptions(code, verifier),
          }),
        });
        expect(created.statusCode).toBe(200);
        await created.body.dump();
        const { authorization_code: _code, pkce_verifier: _verifier, ...withoutCode } = u2mOptions('', '');
        const patched = await request(`${keeping.url}/api/2.1/unity-catalog/connections/kept`, {
          method: 'PATCH',
          headers,
          body: JSON.stringify({ options: withoutCode }),
        });
        expect(patched.statusCode).toBe(200);
        await patched.body.dump();
        await expect(keeping.control.testConnection('kept')).resolves.toMatchObject({ ok: true });
      } finally {
        await keeping.close();
      }
    },
  );
});
