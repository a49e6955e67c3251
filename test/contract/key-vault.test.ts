/**
 * Contract: the Key Vault stand-in (test/emulators/key-vault) behaves like Azure Key Vault for the real
 * `SecretClient` (@azure/keyvault-secrets) over HTTPS, with tokens from the Entra stand-in.
 *
 * Against a real vault (RBAC permission model), set all of:
 *   KEYVAULT_CONTRACT_URL            https://<name>.vault.azure.net
 *   KEYVAULT_CONTRACT_TENANT_ID      the vault's tenant
 *   KEYVAULT_CONTRACT_CLIENT_ID      an app with "Key Vault Secrets Officer" on the vault
 *   KEYVAULT_CONTRACT_CLIENT_SECRET  its client secret
 * Tests that need the stand-in's control surface (roles, faults, other tenants) are skipped then.
 * Secrets are named `contract-<random>-…` and purged at the end.
 */
import { randomUUID } from 'node:crypto';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { type KeyVaultSecret, SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntraStandIn, startEntra } from '../emulators/entra/index.js';
import {
  type KeyVaultSecretsRole,
  type KeyVaultStandIn,
  startKeyVault,
} from '../emulators/key-vault/index.js';

const realVault = process.env.KEYVAULT_CONTRACT_URL;
const onStandIn = realVault === undefined;
const vaultScope = 'https://vault.azure.net/.default';

interface StandIn {
  entra: EntraStandIn;
  vault: KeyVaultStandIn;
  /** A new app registration in `tenantId` (default: the vault's), optionally with a vault role. */
  principal(options?: { role?: KeyVaultSecretsRole; tenantId?: string }): TokenCredential;
}

interface VaultUnderTest {
  url: string;
  tenantId: string;
  /** Holds "Key Vault Secrets Officer". */
  credential: TokenCredential;
  standIn?: StandIn;
  close(): Promise<void>;
}

async function vaultUnderTest(): Promise<VaultUnderTest> {
  if (realVault) {
    const tenantId = requiredEnv('KEYVAULT_CONTRACT_TENANT_ID');
    return {
      url: realVault,
      tenantId,
      credential: new ClientSecretCredential(
        tenantId,
        requiredEnv('KEYVAULT_CONTRACT_CLIENT_ID'),
        requiredEnv('KEYVAULT_CONTRACT_CLIENT_SECRET'),
      ),
      close: async () => {},
    };
  }
  const entra = await startEntra({ tenants: [randomUUID(), randomUUID()] });
  const vault = await startKeyVault({ entraUrl: entra.url, tenantId: entra.defaultTenantId });
  const principal: StandIn['principal'] = ({ role, tenantId = entra.defaultTenantId } = {}) => {
    const app = entra.directory.registerApp({ tenantId, displayName: `kv-contract-${role ?? 'no-role'}` });
    const { secretText } = entra.directory.addPassword(app.appId);
    if (role) vault.control.grantRole(app.servicePrincipalObjectId, role);
    return new ClientSecretCredential(tenantId, app.appId, secretText ?? '', {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    });
  };
  return {
    url: vault.url,
    tenantId: entra.defaultTenantId,
    credential: principal({ role: 'Key Vault Secrets Officer' }),
    standIn: { entra, vault, principal },
    close: async () => {
      await vault.close();
      await entra.close();
    },
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set when KEYVAULT_CONTRACT_URL is set.`);
  return value;
}

let target: VaultUnderTest;
const created = new Set<string>();

function secretClient(credential = target.credential, options: SecretClientOptions = {}): SecretClient {
  // The vault host is not *.vault.azure.net on the stand-in (@azure/keyvault-common
  // keyVaultAuthenticationPolicy checks the challenge resource against it).
  return new SecretClient(target.url, credential, {
    disableChallengeResourceVerification: onStandIn,
    ...options,
  });
}

function uniqueName(label: string): string {
  const name = `contract-${randomUUID().slice(0, 8)}-${label}`;
  created.add(name);
  return name;
}

function standIn(): StandIn {
  if (!target.standIn) throw new Error('This test needs the stand-in.');
  return target.standIn;
}

/** A RestError's status, service code, inner code and message, for one assertion. */
async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const restError = error as {
      statusCode?: number;
      code?: string;
      message: string;
      details?: { error?: { innerError?: { code?: string } } };
    };
    return {
      statusCode: restError.statusCode,
      code: restError.code,
      innerCode: restError.details?.error?.innerError?.code,
      message: restError.message,
    };
  }
  throw new Error('Expected the call to fail.');
}

async function rawGet(path: string, token?: string) {
  const response = await request(`${target.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.statusCode,
    challenge: response.headers['www-authenticate'],
    body: (await response.body.json()) as { error?: { code: string; message: string } },
  };
}

async function tokenFor(credential: TokenCredential, scope: string): Promise<string> {
  const token = await credential.getToken(scope);
  if (!token) throw new Error(`No token for ${scope}.`);
  return token.token;
}

beforeAll(async () => {
  target = await vaultUnderTest();
});

afterAll(async () => {
  if (!target) return;
  const client = secretClient();
  for (const name of created) {
    await client
      .beginDeleteSecret(name)
      .then((poller) => poller.pollUntilDone())
      .catch(() => undefined);
    await client.purgeDeletedSecret(name).catch(() => undefined);
  }
  await target.close();
});

describe('Key Vault: challenge authentication', () => {
  it('answers a request without a token with 401 and a challenge naming the tenant and the vault resource', async () => {
    const response = await rawGet('/secrets?api-version=7.6');
    expect(response.status).toBe(401);
    expect(response.challenge).toMatch(
      new RegExp(
        `^Bearer authorization="https://[^"]+/${target.tenantId}", resource="https://vault\\.azure\\.net"`,
      ),
    );
    expect(response.body.error?.code).toBe('Unauthorized');
  });

  it('lets SecretClient complete the challenge and retry with a token for the vault tenant', async () => {
    const name = uniqueName('challenge');
    const stored = await secretClient().setSecret(name, 'challenge-value');
    expect(stored.value).toBe('challenge-value');
    if (onStandIn) {
      const forName = standIn()
        .vault.control.requestLog()
        .filter((entry) => entry.path === `/secrets/${name}`);
      expect(forName.map((entry) => entry.status)).toEqual([401, 200]);
    }
  });

  it('refuses a token issued for another audience with 401 AKV10022', async () => {
    const graphToken = await tokenFor(target.credential, 'https://graph.microsoft.com/.default');
    const response = await rawGet('/secrets?api-version=7.6', graphToken);
    expect(response.status).toBe(401);
    expect(response.body.error?.message).toMatch(/^AKV10022: Invalid audience/);
  });

  it.skipIf(!onStandIn)('refuses a token from another tenant with 401 AKV10032', async () => {
    const otherTenant = standIn().entra.tenants[1] ?? '';
    const outsider = standIn().principal({ role: 'Key Vault Secrets Officer', tenantId: otherTenant });
    const response = await rawGet('/secrets?api-version=7.6', await tokenFor(outsider, vaultScope));
    expect(response.status).toBe(401);
    expect(response.body.error?.message).toMatch(/^AKV10032: Invalid issuer/);
  });

  it.skipIf(!onStandIn)('refuses an expired token with 401 and the challenge', async () => {
    const { entra } = standIn();
    entra.control.setAccessTokenLifetime(1);
    try {
      const token = await tokenFor(standIn().principal({ role: 'Key Vault Secrets Officer' }), vaultScope);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const response = await rawGet('/secrets?api-version=7.6', token);
      expect(response.status).toBe(401);
      expect(response.challenge).toContain('resource="https://vault.azure.net"');
    } finally {
      entra.control.setAccessTokenLifetime(3600);
    }
  });
});

describe('Key Vault: api-version', () => {
  it('rejects a request without api-version, or with an unknown one, with 400 BadParameter', async () => {
    const token = await tokenFor(target.credential, vaultScope);
    const missing = await rawGet('/secrets', token);
    expect(missing.status).toBe(400);
    expect(missing.body.error?.code).toBe('BadParameter');
    const unknown = await rawGet('/secrets?api-version=1999-01-01', token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toMatch(/^The specified version \(1999-01-01\) is not recognized/);
  });

  it('serves the older service versions the SDK can select', async () => {
    const name = uniqueName('version75');
    await secretClient(target.credential, { serviceVersion: '7.5' }).setSecret(name, 'v');
    expect((await secretClient(target.credential, { serviceVersion: '7.5' }).getSecret(name)).value).toBe(
      'v',
    );
  });
});

describe('Key Vault: secrets', () => {
  it('creates a new 32-hex version on every set and returns the latest through GET /secrets/{name}/', async () => {
    const client = secretClient();
    const name = uniqueName('versions');
    const first = await client.setSecret(name, 'first');
    const second = await client.setSecret(name, 'second');
    expect(first.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(second.properties.version).not.toBe(first.properties.version);
    expect((await client.getSecret(name)).value).toBe('second');
    expect((await client.getSecret(name, { version: first.properties.version ?? '' })).value).toBe('first');
    if (onStandIn) {
      expect(
        standIn()
          .vault.control.requestLog()
          .some((entry) => entry.path === `/secrets/${name}/`),
      ).toBe(true);
      expect(
        standIn()
          .vault.control.secretVersions(name)
          .map((version) => version.value),
      ).toEqual(['first', 'second']);
    }
  });

  it('stores contentType, tags, expiresOn and notBefore with second precision', async () => {
    const name = uniqueName('properties');
    const expiresOn = new Date(Date.now() + 86_400_000 + 123);
    const notBefore = new Date(Date.now() - 60_000);
    const stored = await secretClient().setSecret(name, 'client-secret', {
      contentType: 'application/x-entra-client-secret',
      tags: { keyId: 'k-1', appObjectId: 'o-1' },
      expiresOn,
      notBefore,
    });
    expect(stored.properties.contentType).toBe('application/x-entra-client-secret');
    expect(stored.properties.tags).toEqual({ keyId: 'k-1', appObjectId: 'o-1' });
    expect(stored.properties.expiresOn?.getTime()).toBe(Math.floor(expiresOn.getTime() / 1000) * 1000);
    expect(stored.properties.notBefore?.getTime()).toBe(Math.floor(notBefore.getTime() / 1000) * 1000);
    // Times travel as integer unix seconds.
    expect((stored.properties.createdOn?.getTime() ?? 1) % 1000).toBe(0);
    expect(stored.properties.recoveryLevel).toMatch(/Recoverable/);
  });

  it('updates properties without returning the value, and refuses to get a disabled secret with 403', async () => {
    const client = secretClient();
    const name = uniqueName('disabled');
    const stored = await client.setSecret(name, 'to-disable', { tags: { a: '1' } });
    const updated = await client.updateSecretProperties(name, stored.properties.version ?? '', {
      enabled: false,
      tags: { rotatedAt: 'now' },
    });
    expect(updated.enabled).toBe(false);
    expect(updated.tags).toEqual({ rotatedAt: 'now' });
    expect(updated).not.toHaveProperty('value');
    const failure = await failureOf(client.getSecret(name));
    expect(failure).toMatchObject({ statusCode: 403, code: 'Forbidden', innerCode: 'SecretDisabled' });
    expect(failure.message).toBe('Operation get is not allowed on a disabled secret.');
  });

  it('answers 404 SecretNotFound for a secret that does not exist', async () => {
    const failure = await failureOf(secretClient().getSecret(uniqueName('missing')));
    expect(failure).toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    expect(failure.message).toMatch(
      /^A secret with \(name\/id\) contract-.* was not found in this key vault/,
    );
  });

  it('rejects a name outside 1–127 characters of 0-9, a-z, A-Z and - with 400 BadParameter', async () => {
    const client = secretClient();
    expect(await failureOf(client.setSecret('not_valid', 'v'))).toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
    });
    expect(await failureOf(client.setSecret('a'.repeat(128), 'v'))).toMatchObject({ statusCode: 400 });
  });

  it('lists secret names without versions and each version with its id', async () => {
    const client = secretClient();
    const name = uniqueName('listed');
    await client.setSecret(name, 'one');
    await client.setSecret(name, 'two');
    const listed = [];
    for await (const properties of client.listPropertiesOfSecrets()) listed.push(properties);
    const entry = listed.find((properties) => properties.name === name);
    expect(entry?.version).toBeUndefined();
    const versions = [];
    for await (const properties of client.listPropertiesOfSecretVersions(name)) versions.push(properties);
    expect(versions).toHaveLength(2);
    expect(versions.every((properties) => /^[0-9a-f]{32}$/.test(properties.version ?? ''))).toBe(true);
  });

  it('pages version lists with nextLink and $skiptoken when maxresults is given, and the SDK follows it', async () => {
    const client = secretClient();
    const name = uniqueName('paged');
    for (const value of ['a', 'b', 'c']) await client.setSecret(name, value);
    const pages: string[][] = [];
    for await (const page of client.listPropertiesOfSecretVersions(name).byPage({ maxPageSize: 2 })) {
      pages.push(page.map((properties) => properties.version ?? ''));
    }
    expect(pages.map((page) => page.length)).toEqual([2, 1]);
    expect(new Set(pages.flat()).size).toBe(3);

    const token = await tokenFor(target.credential, vaultScope);
    const first = await rawGet(`/secrets/${name}/versions?api-version=7.6&maxresults=2`, token);
    const { value, nextLink } = first.body as { value: unknown[]; nextLink: string | null };
    expect(value).toHaveLength(2);
    expect(nextLink).toMatch(/\/versions\?api-version=7\.6&\$skiptoken=[^&]+&maxresults=2$/);
    const nextUrl = new URL(nextLink ?? '');
    const second = await rawGet(`${nextUrl.pathname}${nextUrl.search}`, token);
    expect(second.body).toMatchObject({ nextLink: null });
    expect((second.body as { value: unknown[] }).value).toHaveLength(1);
  });
});

describe('Key Vault: soft delete', () => {
  it('deletes softly: the poller completes, the deleted secret is readable and its name cannot be reused', async () => {
    const client = secretClient();
    const name = uniqueName('deleted');
    await client.setSecret(name, 'v1');
    const deleted = await (await client.beginDeleteSecret(name)).pollUntilDone();
    expect(deleted.recoveryId).toMatch(new RegExp(`/deletedsecrets/${name}$`));
    expect(deleted.deletedOn).toBeInstanceOf(Date);
    expect(deleted.scheduledPurgeDate?.getTime()).toBeGreaterThan(Date.now());
    expect((await client.getDeletedSecret(name)).name).toBe(name);
    expect(await failureOf(client.getSecret(name))).toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
    expect(await failureOf(client.setSecret(name, 'v2'))).toMatchObject({
      statusCode: 409,
      code: 'Conflict',
      innerCode: 'ObjectIsDeletedButRecoverable',
    });
  });

  it('recovers a deleted secret with all its versions', async () => {
    const client = secretClient();
    const name = uniqueName('recovered');
    await client.setSecret(name, 'old');
    await client.setSecret(name, 'new');
    await (await client.beginDeleteSecret(name)).pollUntilDone();
    await (await client.beginRecoverDeletedSecret(name)).pollUntilDone();
    expect((await client.getSecret(name)).value).toBe('new');
    const versions = [];
    for await (const properties of client.listPropertiesOfSecretVersions(name)) versions.push(properties);
    expect(versions).toHaveLength(2);
  });

  it('purges a deleted secret for good, after which the name is free again', async () => {
    const client = secretClient();
    const name = uniqueName('purged');
    await client.setSecret(name, 'gone');
    await (await client.beginDeleteSecret(name)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    expect(await failureOf(client.getDeletedSecret(name))).toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
    // A real vault takes a moment to finish purging; the stand-in frees the name at once.
    if (onStandIn) {
      await client.setSecret(name, 'fresh');
      expect(
        standIn()
          .vault.control.secretVersions(name)
          .map((version) => version.value),
      ).toEqual(['fresh']);
    }
  });

  it.skipIf(!onStandIn)(
    'completes delete and recover asynchronously when configured, and the pollers wait for it',
    async () => {
      const { entra } = standIn();
      const slowVault = await startKeyVault({
        entraUrl: entra.url,
        tenantId: entra.defaultTenantId,
        lifecycleDelayInMs: 1_000,
        softDeleteRetentionInDays: 7,
      });
      try {
        const app = entra.directory.registerApp({ displayName: 'kv-contract-slow' });
        const { secretText } = entra.directory.addPassword(app.appId);
        slowVault.control.grantRole(app.servicePrincipalObjectId, 'Key Vault Secrets Officer');
        const credential = new ClientSecretCredential(entra.defaultTenantId, app.appId, secretText ?? '', {
          authorityHost: entra.url,
          disableInstanceDiscovery: true,
        });
        const client = new SecretClient(slowVault.url, credential, {
          disableChallengeResourceVerification: true,
        });
        const stored = await client.setSecret('slow', 'v');
        expect(stored.properties.recoveryLevel).toBe('CustomizedRecoverable+Purgeable');
        expect(stored.properties.recoverableDays).toBe(7);
        const poller = await client.beginDeleteSecret('slow');
        expect(await failureOf(client.setSecret('slow', 'again'))).toMatchObject({
          statusCode: 409,
          innerCode: 'ObjectIsBeingDeleted',
        });
        await poller.pollUntilDone();
        await (await client.beginRecoverDeletedSecret('slow')).pollUntilDone();
        expect((await client.getSecret('slow')).value).toBe('v');
        const statuses = (path: string) =>
          slowVault.control
            .requestLog()
            .filter((entry) => entry.path === path && entry.method === 'GET' && entry.status !== 401)
            .map((entry) => entry.status);
        for (const path of ['/deletedsecrets/slow', '/secrets/slow/']) {
          expect(statuses(path)[0]).toBe(404);
          expect(statuses(path).at(-1)).toBe(200);
        }
      } finally {
        await slowVault.close();
      }
    },
  );
});

describe.skipIf(!onStandIn)('Key Vault: RBAC', () => {
  it('answers 403 ForbiddenByRbac naming the missing data action to a principal without a role', async () => {
    const name = uniqueName('rbac');
    await secretClient().setSecret(name, 'v');
    const failure = await failureOf(secretClient(standIn().principal()).getSecret(name));
    expect(failure).toMatchObject({ statusCode: 403, code: 'Forbidden', innerCode: 'ForbiddenByRbac' });
    expect(failure.message).toMatch(/^Caller is not authorized to perform action on resource\./);
    expect(failure.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'");
  });

  it('lets Key Vault Secrets User get and list but not set or delete', async () => {
    const name = uniqueName('reader');
    await secretClient().setSecret(name, 'readable');
    const reader = secretClient(standIn().principal({ role: 'Key Vault Secrets User' }));
    expect((await reader.getSecret(name)).value).toBe('readable');
    const names = [];
    for await (const properties of reader.listPropertiesOfSecrets()) names.push(properties.name);
    expect(names).toContain(name);
    const setFailure = await failureOf(reader.setSecret(name, 'overwrite'));
    expect(setFailure).toMatchObject({ statusCode: 403, innerCode: 'ForbiddenByRbac' });
    expect(setFailure.message).toContain('secrets/setSecret/action');
    expect(await failureOf(reader.beginDeleteSecret(name))).toMatchObject({ statusCode: 403 });
  });
});

describe.skipIf(!onStandIn)('Key Vault: faults and outages', () => {
  const statusesFor = (path: string) =>
    standIn()
      .vault.control.requestLog()
      .filter((entry) => entry.path === path && entry.status !== 401)
      .map((entry) => entry.status);

  it('retries 429 with Retry-After under the SDK default policy and then succeeds', async () => {
    const client = secretClient();
    const name = uniqueName('throttled');
    await client.setSecret(name, 'v');
    standIn().vault.control.injectFault({
      status: 429,
      count: 2,
      retryAfterInSeconds: 0,
      operation: 'getSecret',
    });
    expect((await client.getSecret(name)).value).toBe('v');
    expect(statusesFor(`/secrets/${name}/`)).toEqual([429, 429, 200]);
  });

  it('retries a transient 503 and then succeeds', async () => {
    const client = secretClient();
    const name = uniqueName('unavailable');
    await client.setSecret(name, 'v');
    standIn().vault.control.injectFault({ status: 503, count: 1, operation: 'getSecret' });
    expect((await client.getSecret(name)).value).toBe('v');
    expect(statusesFor(`/secrets/${name}/`)).toEqual([503, 200]);
  });

  it('surfaces a RestError with status 503 after the default retries during an outage', async () => {
    const client = secretClient();
    const name = uniqueName('outage');
    await client.setSecret(name, 'v');
    standIn().vault.control.setAvailable(false);
    try {
      expect(await failureOf(client.getSecret(name))).toMatchObject({ statusCode: 503 });
      // One attempt plus the default three retries.
      expect(statusesFor(`/secrets/${name}/`)).toEqual([503, 503, 503, 503]);
    } finally {
      standIn().vault.control.setAvailable(true);
    }
  }, 20_000);
});

describe.skipIf(!onStandIn)('Key Vault: control surface', () => {
  it('records method, path, status and caller but never secret values', async () => {
    const name = uniqueName('log');
    const value = `never-logged-${randomUUID()}`;
    const stored: KeyVaultSecret = await secretClient().setSecret(name, value);
    expect(stored.value).toBe(value);
    const log = standIn().vault.control.requestLog();
    expect(
      log.find((entry) => entry.path === `/secrets/${name}` && entry.status === 200)?.callerObjectId,
    ).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(log)).not.toContain(value);
  });
});
