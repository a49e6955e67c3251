/**
 * Contract: Microsoft Entra ID as the project's clients see it — @azure/identity's ClientSecretCredential
 * for app-only tokens, raw fetch for discovery, error bodies and the authorization-code + PKCE flow.
 *
 * Runs against the stand-in (test/emulators/entra) by default. To run the tests that need no control
 * surface against real Entra, set:
 *   ENTRA_CONTRACT_AUTHORITY_HOST   e.g. https://login.microsoftonline.com
 *   ENTRA_CONTRACT_TENANT_ID        a tenant GUID
 *   ENTRA_CONTRACT_CLIENT_ID        an app registration with a client secret
 *   ENTRA_CONTRACT_CLIENT_SECRET    that secret
 * Tests that register apps, users or secrets, or inspect the stand-in, are skipped then.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ClientSecretCredential } from '@azure/identity';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EntraSignInError,
  type EntraStandIn,
  signInProgrammatically,
  startEntra,
  wellKnownResources,
} from '../emulators/entra/index.js';
import { createEntraBearerVerifier } from '../emulators/shared/entra-bearer.js';

interface ContractTarget {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Present only when the target is the stand-in. */
  entra?: EntraStandIn;
}

const realService = Boolean(process.env.ENTRA_CONTRACT_AUTHORITY_HOST);

async function contractTarget(): Promise<ContractTarget> {
  if (realService) {
    return {
      authorityHost: String(process.env.ENTRA_CONTRACT_AUTHORITY_HOST),
      tenantId: String(process.env.ENTRA_CONTRACT_TENANT_ID),
      clientId: String(process.env.ENTRA_CONTRACT_CLIENT_ID),
      clientSecret: String(process.env.ENTRA_CONTRACT_CLIENT_SECRET),
    };
  }
  const entra = await startEntra({ tenants: [randomUUID(), randomUUID()] });
  const app = entra.directory.registerApp({ displayName: 'contract-m2m' });
  const { secretText } = entra.directory.addPassword(app.appId);
  return {
    authorityHost: entra.url,
    tenantId: entra.defaultTenantId,
    clientId: app.appId,
    clientSecret: String(secretText),
    entra,
  };
}

let target: ContractTarget;
beforeAll(async () => {
  target = await contractTarget();
});
afterAll(async () => {
  await target.entra?.close();
});

/** The stand-in; only called from tests skipped against the real service. */
function standIn(): EntraStandIn {
  if (!target.entra) throw new Error('This test needs the stand-in.');
  return target.entra;
}

function credential(clientId: string, secret: string, tenantId = target.tenantId) {
  return new ClientSecretCredential(tenantId, clientId, secret, {
    authorityHost: target.authorityHost,
    disableInstanceDiscovery: true,
  });
}

async function postToken(fields: Record<string, string>, tenantId = target.tenantId) {
  const response = await fetch(`${target.authorityHost}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectEntraError(body: Record<string, unknown>, error: string, code: number) {
  expect(body).toMatchObject({ error, error_codes: [code] });
  expect(String(body.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(body).toHaveProperty('trace_id');
  expect(body).toHaveProperty('correlation_id');
  expect(body).toHaveProperty('timestamp');
}

function newApp(redirectUris: string[] = []) {
  const app = standIn().directory.registerApp({ displayName: `app-${randomUUID()}`, redirectUris });
  const secret = String(standIn().directory.addPassword(app.appId).secretText);
  return { app, secret };
}

describe('Entra discovery and keys', () => {
  it('serves the tenant OpenID configuration at /{tenant}/v2.0/.well-known with Entra-shaped endpoints', async () => {
    const response = await fetch(
      `${target.authorityHost}/${target.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    const config = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(config).toMatchObject({
      issuer: `${target.authorityHost}/${target.tenantId}/v2.0`,
      authorization_endpoint: `${target.authorityHost}/${target.tenantId}/oauth2/v2.0/authorize`,
      token_endpoint: `${target.authorityHost}/${target.tenantId}/oauth2/v2.0/token`,
      jwks_uri: `${target.authorityHost}/${target.tenantId}/discovery/v2.0/keys`,
    });
  });

  it('publishes one signing key set for all tenants at /common and /{tenant}/discovery/v2.0/keys', async () => {
    const kids = async (path: string) => {
      const { keys } = (await (await fetch(`${target.authorityHost}${path}`)).json()) as {
        keys: Array<{ kid: string }>;
      };
      return keys.map((key) => key.kid).sort();
    };
    const common = await kids('/common/discovery/v2.0/keys');
    expect(common.length).toBeGreaterThan(0);
    expect(await kids(`/${target.tenantId}/discovery/v2.0/keys`)).toEqual(common);
  });

  it('answers an unknown tenant with 400 invalid_tenant AADSTS90002', async () => {
    const unknown = randomUUID();
    const response = await fetch(`${target.authorityHost}/${unknown}/v2.0/.well-known/openid-configuration`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(400);
    expectEntraError(body, 'invalid_tenant', 90002);
    expect(String(body.error_description)).toContain(`Tenant '${unknown}' not found`);
  });
});

describe('Entra client credentials', () => {
  it('issues an app-only JWT for <resource>/.default through ClientSecretCredential', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { token } = await credential(target.clientId, target.clientSecret).getToken(
      `${wellKnownResources.keyVault}/.default`,
    );
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toMatchObject({ aud: wellKnownResources.keyVault, tid: target.tenantId });
    // Entra back-dates iat/nbf by a few minutes; allow for it.
    expect(claims.iat).toBeGreaterThanOrEqual(before - 600);
    expect(claims.nbf).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(claims.exp).toBeGreaterThan(before);
    expect(claims.oid).toEqual(expect.any(String));
    expect(claims.sub).toBe(claims.oid);
  });

  it.skipIf(realService)(
    'names the app and its service principal in azp/appid and oid, as v2 app tokens do',
    async () => {
      const { app, secret } = newApp();
      const claims = decodeJwt(
        (await credential(app.appId, secret).getToken(`${wellKnownResources.graph}/.default`)).token,
      );
      expect(claims).toMatchObject({
        iss: standIn().issuer(standIn().defaultTenantId),
        aud: wellKnownResources.graph,
        azp: app.appId,
        appid: app.appId,
        oid: app.servicePrincipalObjectId,
        sub: app.servicePrincipalObjectId,
        ver: '2.0',
      });
      expect(claims).not.toHaveProperty('roles');
      expect(claims).not.toHaveProperty('scp');
    },
  );

  it.skipIf(realService)('maps each well-known resource scope to that audience', async () => {
    const { app, secret } = newApp();
    for (const resource of Object.values(wellKnownResources)) {
      const { token } = await credential(app.appId, secret).getToken(`${resource}/.default`);
      expect(decodeJwt(token).aud).toBe(resource);
    }
  });

  it.skipIf(realService)('puts app roles granted for that resource in roles', async () => {
    const { app, secret } = newApp();
    standIn().directory.grantAppRole(app.appId, wellKnownResources.graph, 'Application.ReadWrite.OwnedBy');
    const graph = decodeJwt(
      (await credential(app.appId, secret).getToken(`${wellKnownResources.graph}/.default`)).token,
    );
    const vault = decodeJwt(
      (await credential(app.appId, secret).getToken(`${wellKnownResources.keyVault}/.default`)).token,
    );
    expect(graph.roles).toEqual(['Application.ReadWrite.OwnedBy']);
    expect(vault).not.toHaveProperty('roles');
  });

  it.skipIf(realService)('issues tokens that createEntraBearerVerifier accepts', async () => {
    const { app, secret } = newApp();
    const { token } = await credential(app.appId, secret).getToken(`${wellKnownResources.keyVault}/.default`);
    const verify = createEntraBearerVerifier({
      entraUrl: standIn().url,
      audiences: [wellKnownResources.keyVault],
    });
    const check = await verify({ headers: { authorization: `Bearer ${token}` } } as IncomingMessage);
    expect(check).toMatchObject({ ok: true, claims: { azp: app.appId } });
    const wrongAudience = createEntraBearerVerifier({
      entraUrl: standIn().url,
      audiences: [wellKnownResources.graph],
    });
    expect(
      await wrongAudience({ headers: { authorization: `Bearer ${token}` } } as IncomingMessage),
    ).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    });
  });

  it.skipIf(realService)('sets exp from the configured access token lifetime', async () => {
    const { app, secret } = newApp();
    standIn().control.setAccessTokenLifetime(120);
    try {
      const body = await postToken({
        grant_type: 'client_credentials',
        client_id: app.appId,
        client_secret: secret,
        scope: `${wellKnownResources.keyVault}/.default`,
      });
      const claims = decodeJwt(String(body.body.access_token));
      expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
      expect(body.body).toMatchObject({ token_type: 'Bearer', expires_in: 120, ext_expires_in: 120 });
      expect(body.body).not.toHaveProperty('scope');
    } finally {
      standIn().control.setAccessTokenLifetime(3600);
    }
  });

  it('rejects a wrong secret: 401 invalid_client AADSTS7000215, surfaced by ClientSecretCredential', async () => {
    const raw = await postToken({
      grant_type: 'client_credentials',
      client_id: target.clientId,
      client_secret: 'not-the-secret',
      scope: `${wellKnownResources.keyVault}/.default`,
    });
    expect(raw.status).toBe(401);
    expectEntraError(raw.body, 'invalid_client', 7000215);
    await expect(
      credential(target.clientId, 'not-the-secret').getToken(`${wellKnownResources.keyVault}/.default`),
    ).rejects.toMatchObject({
      name: 'AuthenticationRequiredError',
      message: expect.stringContaining('AADSTS7000215'),
    });
  });

  it('rejects a request without a secret: 401 invalid_client AADSTS7000218', async () => {
    const raw = await postToken({
      grant_type: 'client_credentials',
      client_id: target.clientId,
      scope: `${wellKnownResources.keyVault}/.default`,
    });
    expect(raw.status).toBe(401);
    expectEntraError(raw.body, 'invalid_client', 7000218);
  });

  it('rejects an unknown client: 400 unauthorized_client AADSTS700016', async () => {
    const raw = await postToken({
      grant_type: 'client_credentials',
      client_id: randomUUID(),
      client_secret: 'whatever',
      scope: `${wellKnownResources.keyVault}/.default`,
    });
    expect(raw.status).toBe(400);
    expectEntraError(raw.body, 'unauthorized_client', 700016);
  });

  it('rejects app-only scopes other than <resource>/.default (AADSTS1002012) and two resources (AADSTS700022)', async () => {
    const base = {
      grant_type: 'client_credentials',
      client_id: target.clientId,
      client_secret: target.clientSecret,
    };
    const named = await postToken({ ...base, scope: `${wellKnownResources.graph}/User.Read` });
    expect(named.status).toBe(400);
    expectEntraError(named.body, 'invalid_scope', 1002012);
    const two = await postToken({
      ...base,
      scope: `${wellKnownResources.graph}/.default ${wellKnownResources.keyVault}/.default`,
    });
    expect(two.status).toBe(400);
    expectEntraError(two.body, 'invalid_scope', 700022);
  });

  it('rejects an unknown resource: 400 invalid_resource AADSTS500011', async () => {
    const raw = await postToken({
      grant_type: 'client_credentials',
      client_id: target.clientId,
      client_secret: target.clientSecret,
      scope: `api://${randomUUID()}/.default`,
    });
    expect(raw.status).toBe(400);
    expectEntraError(raw.body, 'invalid_resource', 500011);
  });

  it.skipIf(realService)(
    'finds an app only in the tenant it is registered in (AADSTS700016 elsewhere)',
    async () => {
      const [home, other] = standIn().tenants as [string, string];
      const { app, secret } = newApp();
      const raw = await postToken(
        {
          grant_type: 'client_credentials',
          client_id: app.appId,
          client_secret: secret,
          scope: `${wellKnownResources.graph}/.default`,
        },
        other,
      );
      expect(raw.status).toBe(400);
      expectEntraError(raw.body, 'unauthorized_client', 700016);
      expect(app.tenantId).toBe(home);
    },
  );
});

describe('Entra client secrets (stand-in directory)', () => {
  const vault = `${wellKnownResources.keyVault}/.default`;

  it.skipIf(realService)('accepts every current secret of an app and rejects a removed one', async () => {
    const { app, secret: first } = newApp();
    const second = standIn().directory.addPassword(app.appId, { displayName: 'rotation' });
    await expect(credential(app.appId, first).getToken(vault)).resolves.toBeTruthy();
    await expect(credential(app.appId, String(second.secretText)).getToken(vault)).resolves.toBeTruthy();
    expect(standIn().directory.removePassword(app.appId, second.keyId)).toBe(true);
    await expect(credential(app.appId, String(second.secretText)).getToken(vault)).rejects.toThrow(
      /AADSTS7000215/,
    );
  });

  it.skipIf(realService)('returns the secret text once and lists secrets with their hint only', () => {
    const { app } = newApp();
    const added = standIn().directory.addPassword(app.objectId, { displayName: 'listed' });
    expect(added.secretText).toEqual(expect.any(String));
    expect(added.hint).toBe(String(added.secretText).slice(0, 3));
    const listed = standIn()
      .directory.listPasswords(app.appId)
      .find((password) => password.keyId === added.keyId);
    expect(listed).toMatchObject({
      secretText: null,
      hint: added.hint,
      displayName: 'listed',
      customKeyIdentifier: null,
    });
    expect(
      Date.parse(String(listed?.endDateTime)) - Date.parse(String(listed?.startDateTime)),
    ).toBeGreaterThan(729 * 24 * 3600 * 1000);
  });

  it.skipIf(realService)(
    'rejects a new secret with AADSTS7000215 until the propagation delay has passed',
    async () => {
      const { app } = newApp();
      standIn().control.setSecretPropagationDelay(1500);
      try {
        const fresh = String(standIn().directory.addPassword(app.appId).secretText);
        await expect(credential(app.appId, fresh).getToken(vault)).rejects.toThrow(/AADSTS7000215/);
        await new Promise((resolve) => setTimeout(resolve, 1600));
        await expect(credential(app.appId, fresh).getToken(vault)).resolves.toBeTruthy();
      } finally {
        standIn().control.setSecretPropagationDelay(0);
      }
    },
  );

  it.skipIf(realService)(
    'rejects a secret past its endDateTime: 401 invalid_client AADSTS7000222',
    async () => {
      const { app } = newApp();
      const day = 24 * 3600 * 1000;
      const expired = standIn().directory.addPassword(app.appId, {
        startDateTime: new Date(Date.now() - 2 * day).toISOString(),
        endDateTime: new Date(Date.now() - day).toISOString(),
      });
      const raw = await postToken({
        grant_type: 'client_credentials',
        client_id: app.appId,
        client_secret: String(expired.secretText),
        scope: vault,
      });
      expect(raw.status).toBe(401);
      expectEntraError(raw.body, 'invalid_client', 7000222);
    },
  );

  it.skipIf(realService)('logs token requests with their outcome and never the secret', async () => {
    const { app, secret } = newApp();
    await credential(app.appId, secret).getToken(vault);
    await credential(app.appId, 'wrong-secret')
      .getToken(vault)
      .catch(() => undefined);
    const mine = standIn()
      .control.tokenRequests()
      .filter((request) => request.clientId === app.appId);
    expect(mine).toEqual([
      {
        tenantId: app.tenantId,
        grantType: 'client_credentials',
        clientId: app.appId,
        scope: vault,
        status: 200,
      },
      expect.objectContaining({ status: 401, error: 'invalid_client', errorCode: 7000215 }),
    ]);
    expect(JSON.stringify(mine)).not.toContain(secret);
  });
});

describe('Entra authorization code + PKCE (stand-in users)', () => {
  const callback = 'https://app.example.test/api/oauth/callback';
  const sqlScope = `${wellKnownResources.azureSql}/.default offline_access`;

  function pkce() {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  }

  function setUp() {
    const { app, secret } = newApp([callback]);
    const username = `admin-${randomUUID()}@contoso.test`;
    const user = standIn().directory.addUser({
      username,
      password: 'Correct-horse-1',
      displayName: 'Ada Admin',
    });
    return { app, secret, user, password: 'Correct-horse-1' };
  }

  function authorizeUrl(clientId: string, overrides: Record<string, string | undefined> = {}) {
    const params = {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: callback,
      response_mode: 'form_post',
      scope: sqlScope,
      state: randomBytes(16).toString('base64url'),
      code_challenge_method: 'S256',
      prompt: 'select_account',
      ...overrides,
    };
    const url = new URL(standIn().authorizeEndpoint(standIn().defaultTenantId));
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(name, value);
    return url.href;
  }

  function redeem(fields: Record<string, string>) {
    return postToken(
      { grant_type: 'authorization_code', redirect_uri: callback, ...fields },
      standIn().defaultTenantId,
    );
  }

  it.skipIf(realService)(
    'form_posts code and state, which redeem for an Azure SQL user token and a refresh token',
    async () => {
      const { app, secret, user, password } = setUp();
      const { verifier, challenge } = pkce();
      const url = authorizeUrl(app.appId, { code_challenge: challenge, login_hint: user.username });
      const result = await signInProgrammatically(url, { username: user.username, password });
      expect(result).toMatchObject({
        responseMode: 'form_post',
        redirectUri: callback,
        state: new URL(url).searchParams.get('state'),
      });
      // Entra posts code and state only: no RFC 9207 `iss` (absent from v2-oauth2-auth-code-flow).
      expect(Object.keys(result.parameters).sort()).toEqual(['code', 'state']);

      const redeemed = await redeem({
        client_id: app.appId,
        client_secret: secret,
        code: String(result.code),
        code_verifier: verifier,
      });
      expect(redeemed.status).toBe(200);
      expect(redeemed.body).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
      const claims = decodeJwt(String(redeemed.body.access_token));
      expect(claims).toMatchObject({
        aud: wellKnownResources.azureSql,
        scp: 'user_impersonation',
        oid: user.objectId,
        upn: user.username,
        preferred_username: user.username,
        azp: app.appId,
        tid: standIn().defaultTenantId,
      });

      const refreshed = await postToken(
        {
          grant_type: 'refresh_token',
          client_id: app.appId,
          client_secret: secret,
          refresh_token: String(redeemed.body.refresh_token),
          scope: sqlScope,
        },
        standIn().defaultTenantId,
      );
      expect(refreshed.status).toBe(200);
      expect(decodeJwt(String(refreshed.body.access_token))).toMatchObject({
        aud: wellKnownResources.azureSql,
        oid: user.objectId,
      });
    },
  );

  it.skipIf(realService)('redirects with code and state in the query for response_mode=query', async () => {
    const { app, secret, user, password } = setUp();
    const { verifier, challenge } = pkce();
    const result = await signInProgrammatically(
      authorizeUrl(app.appId, {
        code_challenge: challenge,
        response_mode: 'query',
        scope: `${wellKnownResources.azureSql}/.default`,
      }),
      { username: user.username, password },
    );
    expect(result).toMatchObject({ responseMode: 'query', redirectUri: callback, code: expect.any(String) });
    expect(Object.keys(result.parameters).sort()).toEqual(['code', 'state']);
    const redeemed = await redeem({
      client_id: app.appId,
      client_secret: secret,
      code: String(result.code),
      code_verifier: verifier,
    });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).not.toHaveProperty('refresh_token');
  });

  it.skipIf(realService)('pre-fills the sign-in form from login_hint', async () => {
    const { app, user } = setUp();
    const url = authorizeUrl(app.appId, { code_challenge: pkce().challenge, login_hint: user.username });
    const first = await fetch(url, { redirect: 'manual' });
    const login = await fetch(new URL(String(first.headers.get('location')), url), {
      headers: {
        cookie: first.headers
          .getSetCookie()
          .map((cookie) => cookie.split(';')[0])
          .join('; '),
      },
    });
    expect(await login.text()).toContain(`value="${user.username}"`);
  });

  it.skipIf(realService)(
    'keeps the user on the sign-in page for a wrong password (AADSTS50126) or unknown user (AADSTS50034)',
    async () => {
      const { app, user } = setUp();
      const url = authorizeUrl(app.appId, { code_challenge: pkce().challenge });
      await expect(
        signInProgrammatically(url, { username: user.username, password: 'wrong' }),
      ).rejects.toMatchObject({
        name: 'EntraSignInError',
        code: 'AADSTS50126',
      });
      await expect(
        signInProgrammatically(url, { username: 'nobody@contoso.test', password: 'x' }),
      ).rejects.toMatchObject({
        code: 'AADSTS50034',
      });
    },
  );

  it.skipIf(realService)(
    'sends access_denied AADSTS65004 to the app when the user declines consent',
    async () => {
      const { app, user, password } = setUp();
      const result = await signInProgrammatically(
        authorizeUrl(app.appId, { code_challenge: pkce().challenge }),
        {
          username: user.username,
          password,
          consent: 'decline',
        },
      );
      expect(result).toMatchObject({ responseMode: 'form_post', error: 'access_denied' });
      expect(result.errorDescription).toMatch(/^AADSTS65004: /);
      expect(result).not.toHaveProperty('code');
    },
  );

  it.skipIf(realService)(
    'shows AADSTS50011 instead of redirecting when the redirect URI is not registered exactly',
    async () => {
      const { app, user, password } = setUp();
      const url = authorizeUrl(app.appId, {
        code_challenge: pkce().challenge,
        redirect_uri: callback.replace('oauth', 'OAuth'),
      });
      const error = await signInProgrammatically(url, { username: user.username, password }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EntraSignInError);
      expect(error).toMatchObject({ code: 'AADSTS50011' });
    },
  );

  it.skipIf(realService)(
    'shows AADSTS700016 for an unknown app and AADSTS90002 for an unknown tenant',
    async () => {
      const credentials = { username: 'nobody@contoso.test', password: 'x' };
      const unknownApp = authorizeUrl(randomUUID(), { code_challenge: pkce().challenge });
      await expect(signInProgrammatically(unknownApp, credentials)).rejects.toMatchObject({
        code: 'AADSTS700016',
      });
      const unknownTenant = unknownApp.replace(standIn().defaultTenantId, randomUUID());
      await expect(signInProgrammatically(unknownTenant, credentials)).rejects.toMatchObject({
        code: 'AADSTS90002',
      });
    },
  );

  it.skipIf(realService)(
    'requires an S256 code_challenge: none or plain is an invalid_request sent to the app',
    async () => {
      const { app, user, password } = setUp();
      const missing = await signInProgrammatically(authorizeUrl(app.appId), {
        username: user.username,
        password,
      });
      expect(missing).toMatchObject({ error: 'invalid_request' });
      const plain = await signInProgrammatically(
        authorizeUrl(app.appId, { code_challenge: pkce().verifier, code_challenge_method: 'plain' }),
        { username: user.username, password },
      );
      expect(plain).toMatchObject({ error: 'invalid_request' });
    },
  );

  it.skipIf(realService)(
    'refuses a wrong verifier (AADSTS501481), a reused code (AADSTS54005) and another redirect_uri (AADSTS500112)',
    async () => {
      const { app, secret, user, password } = setUp();
      const { verifier, challenge } = pkce();
      const signIn = () =>
        signInProgrammatically(authorizeUrl(app.appId, { code_challenge: challenge }), {
          username: user.username,
          password,
        });
      const base = { client_id: app.appId, client_secret: secret, code_verifier: verifier };

      const wrongVerifier = await redeem({
        ...base,
        code: String((await signIn()).code),
        code_verifier: pkce().verifier,
      });
      expect(wrongVerifier.status).toBe(400);
      expectEntraError(wrongVerifier.body, 'invalid_grant', 501481);

      const code = String((await signIn()).code);
      expect((await redeem({ ...base, code })).status).toBe(200);
      const reused = await redeem({ ...base, code });
      expect(reused.status).toBe(400);
      expectEntraError(reused.body, 'invalid_grant', 54005);

      const otherRedirect = await redeem({
        ...base,
        code: String((await signIn()).code),
        redirect_uri: 'https://app.example.test/other',
      });
      expect(otherRedirect.status).toBe(400);
      expectEntraError(otherRedirect.body, 'invalid_grant', 500112);
    },
  );

  it.skipIf(realService)('requires the client secret to redeem a code (AADSTS7000218)', async () => {
    const { app, user, password } = setUp();
    const { verifier, challenge } = pkce();
    const { code } = await signInProgrammatically(authorizeUrl(app.appId, { code_challenge: challenge }), {
      username: user.username,
      password,
    });
    const raw = await redeem({ client_id: app.appId, code: String(code), code_verifier: verifier });
    expect(raw.status).toBe(401);
    expectEntraError(raw.body, 'invalid_client', 7000218);
  });
});

describe('Entra authorization code lifetime (stand-in option)', () => {
  it.skipIf(realService)('rejects a code redeemed after it expired: invalid_grant AADSTS70008', async () => {
    const entra = await startEntra({ authorizationCodeLifetimeInSeconds: 1 });
    try {
      const callback = 'https://app.example.test/cb';
      const app = entra.directory.registerApp({ displayName: 'short-codes', redirectUris: [callback] });
      const secret = String(entra.directory.addPassword(app.appId).secretText);
      entra.directory.addUser({ username: 'u@contoso.test', password: 'pw' });
      const verifier = randomBytes(32).toString('base64url');
      const url = new URL(entra.authorizeEndpoint(entra.defaultTenantId));
      url.search = new URLSearchParams({
        client_id: app.appId,
        response_type: 'code',
        redirect_uri: callback,
        scope: `${wellKnownResources.azureSql}/.default`,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const { code } = await entra.control.signIn(url.href, { username: 'u@contoso.test', password: 'pw' });
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const response = await fetch(entra.tokenEndpoint(entra.defaultTenantId), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: app.appId,
          client_secret: secret,
          code: String(code),
          code_verifier: verifier,
          redirect_uri: callback,
        }).toString(),
      });
      expect(response.status).toBe(400);
      expectEntraError((await response.json()) as Record<string, unknown>, 'invalid_grant', 70008);
    } finally {
      await entra.close();
    }
  });
});
