/**
 * Contract: the Microsoft Graph stand-in (test/emulators/graph) serves application password credentials like
 * Graph v1.0, called with undici and app-only tokens from the Entra stand-in; the credentials it adds and removes
 * are the ones the Entra stand-in accepts.
 *
 * Against real Graph, set all of:
 *   GRAPH_CONTRACT_TENANT_ID         tenant of both apps below
 *   GRAPH_CONTRACT_CLIENT_ID         the rotating app: application permission Application.ReadWrite.OwnedBy
 *   GRAPH_CONTRACT_CLIENT_SECRET     its client secret
 *   GRAPH_CONTRACT_TARGET_APP_ID     an app registration owned by the rotating app (its secrets get added/removed)
 *   GRAPH_CONTRACT_TARGET_OBJECT_ID  that app's object id
 * Tests that need the stand-in's control surface (other principals, policies, faults) are skipped then.
 * Every password added here is removed again.
 */
import { randomUUID } from 'node:crypto';
import { ClientSecretCredential, type ClientSecretCredentialOptions } from '@azure/identity';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntraStandIn, startEntra, wellKnownResources } from '../emulators/entra/index.js';
import { type GraphStandIn, startGraph } from '../emulators/graph/index.js';

const realTenant = process.env.GRAPH_CONTRACT_TENANT_ID;
const onStandIn = realTenant === undefined;
const graphScope = 'https://graph.microsoft.com/.default';
const twoYearsInMs = 2 * 365 * 24 * 60 * 60 * 1000;

interface TargetApp {
  appId: string;
  objectId: string;
}

interface StandIn {
  entra: EntraStandIn;
  graph: GraphStandIn;
  /** A new app registration, optionally with Graph application permissions, returning a Graph token for it. */
  principal(options?: { roles?: string[]; tenantId?: string }): Promise<{ appId: string; token: string }>;
}

interface GraphUnderTest {
  graphUrl: string;
  tenantId: string;
  credentialOptions: ClientSecretCredentialOptions;
  /** Graph token of the rotating app (Application.ReadWrite.OwnedBy, owner of `target`). */
  rotatorToken: string;
  target: TargetApp;
  standIn?: StandIn;
  close(): Promise<void>;
}

async function graphUnderTest(): Promise<GraphUnderTest> {
  if (realTenant) {
    const credential = new ClientSecretCredential(
      realTenant,
      requiredEnv('GRAPH_CONTRACT_CLIENT_ID'),
      requiredEnv('GRAPH_CONTRACT_CLIENT_SECRET'),
    );
    return {
      graphUrl: 'https://graph.microsoft.com',
      tenantId: realTenant,
      credentialOptions: {},
      rotatorToken: (await credential.getToken(graphScope)).token,
      target: {
        appId: requiredEnv('GRAPH_CONTRACT_TARGET_APP_ID'),
        objectId: requiredEnv('GRAPH_CONTRACT_TARGET_OBJECT_ID'),
      },
      close: async () => {},
    };
  }
  const entra = await startEntra({ tenants: [randomUUID(), randomUUID()] });
  const graph = await startGraph({ entra });
  const credentialOptions = { authorityHost: entra.url, disableInstanceDiscovery: true };
  const principal: StandIn['principal'] = async ({ roles = [], tenantId = entra.defaultTenantId } = {}) => {
    const app = entra.directory.registerApp({
      tenantId,
      displayName: `graph-contract-${roles.join('+') || 'none'}`,
    });
    for (const role of roles) entra.directory.grantAppRole(app.appId, wellKnownResources.graph, role);
    const { secretText } = entra.directory.addPassword(app.appId);
    const credential = new ClientSecretCredential(tenantId, app.appId, secretText ?? '', credentialOptions);
    return { appId: app.appId, token: (await credential.getToken(graphScope)).token };
  };
  const rotator = await principal({ roles: ['Application.ReadWrite.OwnedBy'] });
  const target = entra.directory.registerApp({ displayName: 'graph-contract-target' });
  entra.directory.addOwner(target.appId, rotator.appId);
  return {
    graphUrl: graph.url,
    tenantId: entra.defaultTenantId,
    credentialOptions,
    rotatorToken: rotator.token,
    target: { appId: target.appId, objectId: target.objectId },
    standIn: { entra, graph, principal },
    close: async () => {
      await graph.close();
      await entra.close();
    },
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set when GRAPH_CONTRACT_TENANT_ID is set.`);
  return value;
}

let env: GraphUnderTest;
const addedKeyIds = new Set<string>();

interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

async function graph(
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string | null; body?: unknown } = {},
) {
  const token = options.token === undefined ? env.rotatorToken : options.token;
  const response = await request(`${env.graphUrl}/v1.0${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & Partial<GraphErrorBody>,
  };
}

async function addPassword(path: string, passwordCredential?: Record<string, string>) {
  const response = await graph('POST', `${path}/addPassword`, {
    body: passwordCredential ? { passwordCredential } : {},
  });
  if (response.status === 200) addedKeyIds.add(String(response.json.keyId));
  return response;
}

/** Whether a client-credentials token request with this secret succeeds. */
async function authenticates(secretText: string): Promise<boolean> {
  const credential = new ClientSecretCredential(
    env.tenantId,
    env.target.appId,
    secretText,
    env.credentialOptions,
  );
  return credential.getToken(graphScope).then(
    () => true,
    () => false,
  );
}

async function eventually(check: () => Promise<boolean>, timeoutInMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutInMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return check();
}

function standIn(): StandIn {
  if (!env.standIn) throw new Error('This test needs the stand-in.');
  return env.standIn;
}

const byId = () => `/applications/${env.target.objectId}`;
const byAppId = () => `/applications(appId='${env.target.appId}')`;

beforeAll(async () => {
  env = await graphUnderTest();
});

afterAll(async () => {
  if (!env) return;
  for (const keyId of addedKeyIds) await graph('POST', `${byId()}/removePassword`, { body: { keyId } });
  await env.close();
});

describe('Graph: addPassword', () => {
  it('adds a password by object id: 200 with secretText, its 3-character hint and default dates (now, +2 years)', async () => {
    const before = Date.now();
    const response = await addPassword(byId());
    expect(response.status).toBe(200);
    const { secretText, hint, keyId, startDateTime, endDateTime, customKeyIdentifier } =
      response.json as Record<string, string | null>;
    expect(secretText?.length).toBeGreaterThanOrEqual(16);
    expect(hint).toBe(secretText?.slice(0, 3));
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(customKeyIdentifier).toBeNull();
    const start = Date.parse(startDateTime ?? '');
    expect(start).toBeGreaterThanOrEqual(before - 5_000);
    expect(Math.abs(Date.parse(endDateTime ?? '') - start - twoYearsInMs)).toBeLessThan(2 * 86_400_000);
  });

  it('adds a password by appId with the given displayName and endDateTime', async () => {
    const endDateTime = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const response = await addPassword(byAppId(), { displayName: 'rotation:contract', endDateTime });
    expect(response.status).toBe(200);
    expect(response.json.displayName).toBe('rotation:contract');
    expect(Date.parse(String(response.json.endDateTime))).toBe(Date.parse(endDateTime));
  });

  it('hands out a secret that authenticates at Entra once it has propagated', async () => {
    if (onStandIn) standIn().entra.control.setSecretPropagationDelay(1_000);
    try {
      const response = await addPassword(byId());
      const secretText = String(response.json.secretText);
      if (onStandIn) expect(await authenticates(secretText)).toBe(false);
      expect(await eventually(() => authenticates(secretText), 120_000)).toBe(true);
    } finally {
      if (onStandIn) standIn().entra.control.setSecretPropagationDelay(0);
    }
  }, 150_000);

  it.skipIf(!onStandIn)(
    'refuses a new password with 400 when the tenant app-management policy blocks it for that app',
    async () => {
      const { entra } = standIn();
      const blocked = entra.directory.registerApp({ displayName: 'graph-contract-blocked' });
      const admin = await standIn().principal({ roles: ['Application.ReadWrite.All'] });
      standIn().graph.control.blockPasswordAddition({ appId: blocked.appId });
      const refused = await graph('POST', `/applications/${blocked.objectId}/addPassword`, {
        token: admin.token,
        body: {},
      });
      expect(refused.status).toBe(400);
      expect(refused.json.error?.code).toBe('CredentialTypeNotAllowedAsPerAppPolicy');
      expect(entra.directory.listPasswords(blocked.appId)).toHaveLength(0);
      expect((await addPassword(byId())).status).toBe(200);
    },
  );

  it.skipIf(!onStandIn)('refuses new passwords for every app when the policy is tenant-wide', async () => {
    const graphWithPolicy = await startGraph({ entra: standIn().entra });
    try {
      graphWithPolicy.control.blockPasswordAddition();
      const response = await request(`${graphWithPolicy.url}/v1.0${byId()}/addPassword`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.rotatorToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.statusCode).toBe(400);
      expect(((await response.body.json()) as GraphErrorBody).error.code).toBe(
        'CredentialTypeNotAllowedAsPerAppPolicy',
      );
    } finally {
      await graphWithPolicy.close();
    }
  });
});

describe('Graph: removePassword', () => {
  it('removes a password with 204, after which the secret no longer authenticates', async () => {
    const added = await addPassword(byId());
    const secretText = String(added.json.secretText);
    expect(await eventually(() => authenticates(secretText), 120_000)).toBe(true);
    const removed = await graph('POST', `${byId()}/removePassword`, { body: { keyId: added.json.keyId } });
    expect(removed.status).toBe(204);
    addedKeyIds.delete(String(added.json.keyId));
    expect(await eventually(async () => !(await authenticates(secretText)), 120_000)).toBe(true);
  }, 300_000);

  it('fails for a keyId the application does not have (configurable on the stand-in, 400 by default)', async () => {
    const response = await graph('POST', `${byAppId()}/removePassword`, { body: { keyId: randomUUID() } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    if (onStandIn) expect(response.json.error?.code).toBe('Request_BadRequest');
  });
});

describe('Graph: GET application', () => {
  it('returns password credentials with hint and secretText null, by id and by appId with $select', async () => {
    const added = await addPassword(byId(), { displayName: 'listed' });
    for (const path of [byId(), byAppId()]) {
      const response = await graph('GET', `${path}?$select=id,appId,passwordCredentials`);
      expect(response.status).toBe(200);
      expect(Object.keys(response.json).sort()).toEqual([
        '@odata.context',
        'appId',
        'id',
        'passwordCredentials',
      ]);
      expect(response.json.id).toBe(env.target.objectId);
      const credentials = response.json.passwordCredentials as Array<Record<string, unknown>>;
      const listed = credentials.find((credential) => credential.keyId === added.json.keyId);
      expect(listed).toMatchObject({ displayName: 'listed', hint: added.json.hint, secretText: null });
      expect(JSON.stringify(response.json)).not.toContain(String(added.json.secretText));
    }
  });

  it('rejects $select of a property the application type does not have with 400', async () => {
    const response = await graph('GET', `${byId()}?$select=id,notAProperty`);
    expect(response.status).toBe(400);
  });

  it('answers 404 Request_ResourceNotFound for an application that does not exist', async () => {
    const missing = randomUUID();
    const response = await graph('GET', `/applications/${missing}`);
    expect(response.status).toBe(404);
    expect(response.json.error?.code).toBe('Request_ResourceNotFound');
    expect(response.json.error?.message).toContain(missing);
  });

  it.skipIf(!onStandIn)('does not see applications of another tenant (404)', async () => {
    const [, otherTenant = ''] = standIn().entra.tenants;
    const foreign = standIn().entra.directory.registerApp({
      tenantId: otherTenant,
      displayName: 'graph-contract-foreign',
    });
    const admin = await standIn().principal({ roles: ['Application.ReadWrite.All'] });
    const response = await graph('GET', `/applications/${foreign.objectId}`, { token: admin.token });
    expect(response.status).toBe(404);
  });
});

describe('Graph: authentication and authorization', () => {
  it('answers 401 InvalidAuthenticationToken with the Graph error shape when the token is missing', async () => {
    const response = await graph('GET', byId(), { token: null });
    expect(response.status).toBe(401);
    expect(response.json.error?.code).toBe('InvalidAuthenticationToken');
    expect(response.json.error?.message).toBe('Access token is empty.');
    expect(response.json.error?.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json.error?.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('answers 401 for a token issued for another audience (Key Vault)', async () => {
    const credential = onStandIn
      ? undefined
      : new ClientSecretCredential(
          env.tenantId,
          requiredEnv('GRAPH_CONTRACT_CLIENT_ID'),
          requiredEnv('GRAPH_CONTRACT_CLIENT_SECRET'),
        );
    let vaultToken: string;
    if (credential) {
      vaultToken = (await credential.getToken('https://vault.azure.net/.default')).token;
    } else {
      const { entra } = standIn();
      const app = entra.directory.registerApp({ displayName: 'graph-contract-vault-token' });
      entra.directory.grantAppRole(app.appId, wellKnownResources.graph, 'Application.ReadWrite.All');
      const { secretText } = entra.directory.addPassword(app.appId);
      const vaultCredential = new ClientSecretCredential(
        env.tenantId,
        app.appId,
        secretText ?? '',
        env.credentialOptions,
      );
      vaultToken = (await vaultCredential.getToken('https://vault.azure.net/.default')).token;
    }
    const response = await graph('GET', byId(), { token: vaultToken });
    expect(response.status).toBe(401);
    expect(response.json.error?.message).toBe('Access token validation failure. Invalid audience.');
  });

  it.skipIf(!onStandIn)(
    'answers 403 Authorization_RequestDenied to an app without Application permissions',
    async () => {
      const nobody = await standIn().principal();
      const response = await graph('POST', `${byId()}/addPassword`, { token: nobody.token, body: {} });
      expect(response.status).toBe(403);
      expect(response.json.error).toMatchObject({
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      });
    },
  );

  it.skipIf(!onStandIn)('limits Application.ReadWrite.OwnedBy to applications the caller owns', async () => {
    const notOwned = standIn().entra.directory.registerApp({ displayName: 'graph-contract-not-owned' });
    const response = await graph('POST', `/applications/${notOwned.objectId}/addPassword`, { body: {} });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe('Authorization_RequestDenied');
    expect((await graph('GET', byId())).status).toBe(200);
  });

  it.skipIf(!onStandIn)('lets Application.ReadWrite.All manage any application of the tenant', async () => {
    const other = standIn().entra.directory.registerApp({ displayName: 'graph-contract-any' });
    const admin = await standIn().principal({ roles: ['Application.ReadWrite.All'] });
    const added = await graph('POST', `/applications(appId='${other.appId}')/addPassword`, {
      token: admin.token,
      body: {},
    });
    expect(added.status).toBe(200);
    const removed = await graph('POST', `/applications/${other.objectId}/removePassword`, {
      token: admin.token,
      body: { keyId: added.json.keyId },
    });
    expect(removed.status).toBe(204);
  });
});

describe.skipIf(!onStandIn)('Graph: faults and control surface', () => {
  it('answers an injected 429 with Retry-After, then serves the next request', async () => {
    standIn().graph.control.injectFault({ status: 429, retryAfterInSeconds: 2 });
    const throttled = await graph('GET', byId());
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('2');
    expect(throttled.json.error?.code).toBe('TooManyRequests');
    expect((await graph('GET', byId())).status).toBe(200);
  });

  it('answers an injected 503 the given number of times', async () => {
    standIn().graph.control.injectFault({ status: 503, count: 2 });
    expect((await graph('GET', byId())).status).toBe(503);
    expect((await graph('GET', byId())).status).toBe(503);
    expect((await graph('GET', byId())).status).toBe(200);
  });

  it('logs method, path and status but never secret text', async () => {
    const added = await addPassword(byId());
    const log = standIn().graph.control.requestLog();
    expect(log.at(-1)).toEqual({ method: 'POST', path: `/v1.0${byId()}/addPassword`, status: 200 });
    expect(JSON.stringify(log)).not.toContain(String(added.json.secretText));
  });
});
