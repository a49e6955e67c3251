import type { HttpHandler, HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionHost, HostStartupError } from './function-host.js';
import { capturedLog, fixture, hostConfiguration } from './host-test-support.js';

describe('local function host: HTTP triggers', () => {
  let host: FunctionHost;
  const { entries, log } = capturedLog();
  const key = () => ({ 'x-functions-key': host.keys.functionKey });

  beforeAll(async () => {
    host = await FunctionHost.start({
      port: 0,
      settings: {},
      configuration: hostConfiguration(),
      log,
      functions: [
        fixture.http('getRequest', {
          methods: ['GET'],
          authLevel: 'function',
          route: 'requests/{id}',
          handler: async (request: HttpRequest) => ({
            jsonBody: { id: request.params.id, query: request.query.get('q') },
          }),
        }),
        fixture.http('listOrGet', {
          methods: ['GET'],
          route: 'things/{name?}',
          handler: async (request: HttpRequest) => ({ jsonBody: { name: request.params.name ?? null } }),
        }),
        fixture.http('itemsByNumber', {
          methods: ['GET'],
          route: 'items/{n:int}',
          handler: async (request: HttpRequest) => ({ jsonBody: { n: request.params.n } }),
        }),
        fixture.http('itemsLatest', {
          methods: ['GET'],
          route: 'items/latest',
          handler: async () => ({ jsonBody: { latest: true } }),
        }),
        fixture.http('adminOnly', {
          methods: ['POST'],
          authLevel: 'admin',
          route: 'operator/reset',
          handler: async () => ({ status: 200 }),
        }),
        fixture.http('defaultRouteAndMethods', {
          handler: async (request: HttpRequest) => ({ body: `hello via ${request.method}` }),
        }),
        fixture.http('callback', {
          methods: ['POST'],
          authLevel: 'anonymous',
          route: 'oauth/callback',
          handler: async (request: HttpRequest, context: InvocationContext) => {
            const form = await request.formData();
            context.log('callback received a form with fields', [...form.keys()].join(','));
            return {
              jsonBody: {
                code: form.get('code'),
                state: form.get('state'),
                cookie: request.headers.get('cookie'),
                queryCode: request.query.get('code'),
              },
            };
          },
        }),
        fixture.http('startSignIn', {
          methods: ['POST'],
          route: 'signin',
          handler: async () => ({
            status: 302,
            headers: { location: 'https://login.example.test/authorize?x=1', 'cache-control': 'no-store' },
            cookies: [
              {
                name: 'ucprov_tx',
                value: 'a b;c',
                path: '/api/oauth',
                maxAge: 900,
                secure: true,
                httpOnly: true,
                sameSite: 'Lax',
              },
              { name: 'old', value: '', expires: new Date(0) },
              { name: 'cross', value: 'v', sameSite: 'None', secure: true, domain: 'example.test' },
            ],
          }),
        }),
        fixture.http('nothing', {
          methods: ['GET'],
          route: 'nothing',
          // Plain JavaScript handlers may return nothing; the types of @azure/functions forbid it.
          handler: (async () => undefined) as unknown as HttpHandler,
        }),
        fixture.http('broken', {
          methods: ['GET'],
          route: 'broken',
          handler: async () => {
            throw new Error('handler failed on purpose');
          },
        }),
      ],
    });
  });
  afterAll(() => host?.stop());

  it('matches route templates under the api prefix and passes decoded route values and the query', async () => {
    const response = await fetch(`${host.url}/api/requests/req%201?q=yes`, { headers: key() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ id: 'req 1', query: 'yes' });
  });

  it('matches literal segments case-insensitively and ignores a trailing slash', async () => {
    const response = await fetch(`${host.url}/API/Requests/abc/`, { headers: key() });
    expect(await response.json()).toEqual({ id: 'abc', query: null });
  });

  it('treats {name?} as optional, with or without the segment', async () => {
    expect(await (await fetch(`${host.url}/api/things`)).json()).toEqual({ name: null });
    expect(await (await fetch(`${host.url}/api/things/widget`)).json()).toEqual({ name: 'widget' });
  });

  it('applies route constraints and prefers literal routes over parameters', async () => {
    expect(await (await fetch(`${host.url}/api/items/42`)).json()).toEqual({ n: '42' });
    expect(await (await fetch(`${host.url}/api/items/latest`)).json()).toEqual({ latest: true });
    expect((await fetch(`${host.url}/api/items/forty-two`)).status).toBe(404);
  });

  it('uses the function name as the route and GET/POST as methods when the definition gives none', async () => {
    const get = await fetch(`${host.url}/api/defaultRouteAndMethods`);
    const post = await fetch(`${host.url}/api/defaultRouteAndMethods`, { method: 'POST' });
    const put = await fetch(`${host.url}/api/defaultRouteAndMethods`, { method: 'PUT' });
    expect([await get.text(), await post.text(), put.status]).toEqual([
      'hello via GET',
      'hello via POST',
      404,
    ]);
  });

  it('answers 404 for an unknown route and for a method the function does not accept', async () => {
    expect((await fetch(`${host.url}/api/nowhere`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/requests/abc`, { method: 'DELETE', headers: key() })).status).toBe(
      404,
    );
  });

  describe('authLevel', () => {
    it('function: 401 without a key or with a wrong one', async () => {
      expect((await fetch(`${host.url}/api/requests/abc`)).status).toBe(401);
      expect(
        (await fetch(`${host.url}/api/requests/abc`, { headers: { 'x-functions-key': 'wrong' } })).status,
      ).toBe(401);
      expect((await fetch(`${host.url}/api/requests/abc?code=wrong`)).status).toBe(401);
      const denial = entries.find((entry) => entry.message.includes('→ 401'));
      expect(denial?.message).toContain('x-functions-key');
    });

    it('function: accepts the key in the x-functions-key header or the code query parameter, and the master key', async () => {
      const viaHeader = await fetch(`${host.url}/api/requests/abc`, { headers: key() });
      const viaQuery = await fetch(
        `${host.url}/api/requests/abc?code=${encodeURIComponent(host.keys.functionKey)}`,
      );
      const viaMaster = await fetch(`${host.url}/api/requests/abc`, {
        headers: { 'x-functions-key': host.keys.masterKey },
      });
      expect([viaHeader.status, viaQuery.status, viaMaster.status]).toEqual([200, 200, 200]);
    });

    it('admin: only the master key opens it', async () => {
      const url = `${host.url}/api/operator/reset`;
      expect((await fetch(url, { method: 'POST', headers: key() })).status).toBe(401);
      expect(
        (await fetch(url, { method: 'POST', headers: { 'x-functions-key': host.keys.masterKey } })).status,
      ).toBe(200);
    });

    it('anonymous: needs no key, and a ?code= query (an OAuth code) reaches the handler untouched', async () => {
      const response = await fetch(`${host.url}/api/oauth/callback?code=oauth-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'code=abc&state=s1',
      });
      expect(response.status).toBe(200);
      expect((await response.json()) as object).toMatchObject({ queryCode: 'oauth-code' });
    });
  });

  it('gives handlers form bodies and request cookies, and logs their context.log lines under the invocation', async () => {
    const response = await fetch(`${host.url}/api/oauth/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'ucprov_tx=t1; other=2' },
      body: new URLSearchParams({ code: 'the code', state: 'st/ate' }).toString(),
    });
    expect(await response.json()).toEqual({
      code: 'the code',
      state: 'st/ate',
      cookie: 'ucprov_tx=t1; other=2',
      queryCode: null,
    });
    const line = entries.find((entry) => entry.message.includes('callback received a form'));
    expect(line).toMatchObject({ level: 'information', category: 'Function.callback' });
    expect(line?.message).toBe('callback received a form with fields code,state');
    expect(
      entries.some(
        (entry) => entry.invocationId === line?.invocationId && /Executed .*Succeeded/.test(entry.message),
      ),
    ).toBe(true);
  });

  it('sends redirects with their headers and every cookie as its own Set-Cookie with all attributes', async () => {
    const response = await fetch(`${host.url}/api/signin`, { method: 'POST', redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://login.example.test/authorize?x=1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual([
      'ucprov_tx=a%20b%3Bc; max-age=900; path=/api/oauth; secure; samesite=lax; httponly',
      'old=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/',
      'cross=v; domain=example.test; path=/; secure; samesite=none',
    ]);
  });

  it('answers 204 when the handler returns nothing, and 500 with an empty body when it throws', async () => {
    expect((await fetch(`${host.url}/api/nothing`)).status).toBe(204);
    const failed = await fetch(`${host.url}/api/broken`);
    expect([failed.status, await failed.text()]).toEqual([500, '']);
    expect(
      entries.some((entry) => entry.level === 'error' && entry.message.includes('handler failed on purpose')),
    ).toBe(true);
    expect((await fetch(`${host.url}/api/nothing`)).status).toBe(204);
  });

  it('never writes keys, cookies, form fields or query values to its log', () => {
    const log = entries.map((entry) => entry.message).join('\n');
    for (const secret of [
      host.keys.functionKey,
      host.keys.masterKey,
      'ucprov_tx=t1',
      'the code',
      'oauth-code',
      'st/ate',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(entries.length).toBeGreaterThan(10);
  });

  it('refuses to start with a route it cannot serve, naming the function', async () => {
    const starting = FunctionHost.start({
      port: 0,
      settings: {},
      configuration: hostConfiguration(),
      log,
      functions: [
        fixture.http('weird', { route: 'x/{id:regex(^a$)}', handler: async () => ({}) }),
        fixture.http('weird', { route: 'y', handler: async () => ({}) }),
      ],
    });
    await expect(starting).rejects.toThrow(HostStartupError);
    await expect(starting).rejects.toThrow(
      /Function 'weird'.*not a parameter this host supports[\s\S]*registered twice/,
    );
  });
});
