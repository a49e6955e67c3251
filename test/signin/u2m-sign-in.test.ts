import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeChallengeS256 } from '../../src/signin/pkce.js';
import { expectSecurePage } from './page-assertions.js';
import { formFields, type SignInHarness, sha256, startSignInHarness } from './sign-in-harness.js';

describe('U2M: the emailed link, the sign-in page and the authorize redirect', () => {
  let h: SignInHarness;
  const callsTo = (path: RegExp) =>
    h.cloud.databricks.control.requestLog().filter((call) => path.test(call.path));

  beforeAll(async () => {
    h = await startSignInHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates an OAUTH_U2M connection whose refresh token works, after the approver signs in', async () => {
    const request = h.u2mRequest('sales_u2m', {
      grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION'] }],
    });
    const status = await h.submit(request);
    expect(status).toMatchObject({ status: 'awaiting_sign_in', flow: 'U2M', connectionName: 'sales_u2m' });
    expect(Date.parse(status.signInExpiresAt ?? '')).toBeGreaterThan(Date.now() + 71 * 3_600_000);

    const page = await h.browser().signInWith(await h.linkFor(request.requestId));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Connection sales_u2m is ready');
    expect(h.cloud.databricks.control.storedConnection('sales_u2m')?.credentialType).toBe('OAUTH_U2M');
    await expect(h.cloud.databricks.control.testConnection('sales_u2m')).resolves.toEqual({
      ok: true,
      audience: 'https://database.windows.net',
    });
    expect(await h.status(request.requestId)).toMatchObject({ status: 'succeeded', reasons: [] });
    const inventory = await h.runtime.inventory.get(h.cloud.databricks.url, 'sales_u2m');
    expect(inventory?.entry).toMatchObject({ flow: 'U2M', lastRequestId: request.requestId });
  });

  it('R1: emails only a link to /api/signin whose token has 256 random bits and is stored only as a hash', async () => {
    const request = h.u2mRequest('r1_u2m');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    const [mail] = await h.mailsFor(request.requestId);
    expect(new URL(link).origin + new URL(link).pathname).toBe(`${h.publicBaseUrl}/api/signin`);
    const token = new URL(link).searchParams.get('t') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const content = `${mail?.subject}\n${mail?.text}\n${mail?.html}`;
    expect([...(mail?.html ?? '').matchAll(/href="([^"]*)"/g)].map(([, href]) => href)).toEqual([link]);
    expect(mail?.text?.match(/https?:\/\/\S+\?\S*/g)).toEqual([link]);
    expect(content).not.toContain(h.cloud.entra.url);
    for (const forbidden of [
      'code_challenge',
      'state=',
      'verifier',
      h.cloud.sqlApp.appId,
      h.cloud.sqlApp.secretText,
    ]) {
      expect(content).not.toContain(forbidden);
    }
    expect(mail?.to).toEqual([expect.objectContaining({ address: h.cloud.admin.username })]);
    expect(mail?.text).toContain('sales-srv.database.windows.net:1433');
    expect(mail?.text).toContain(h.cloud.databricks.url);
    expect(mail?.text).toContain('pipeline: sign-in tests');
    expect(mail?.text).toMatch(/before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(mail?.html).toContain('r1_u2m');

    const stored = [];
    for await (const entity of h.signInTable.listEntities()) stored.push(JSON.stringify(entity));
    expect(stored.join('\n')).not.toContain(token);
    expect(stored.join('\n')).toContain(sha256(token));
  });

  it('R2: an expired link shows a page saying to ask for a new link, and cannot start a sign-in', async () => {
    const request = h.u2mRequest('r2_expired');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    const browser = h.browser();
    const page = await browser.get(link);
    await h.expireLink(link);

    const again = await browser.get(link);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This sign-in link has expired');
    expect(again.body).toContain('ucprov submit');
    expect((await browser.confirm(page)).status).toBe(410);
  });

  it('R2: a newer link for the same connection supersedes the older one and its request', async () => {
    const first = h.u2mRequest('r2_superseded');
    await h.submit(first);
    const firstLink = await h.linkFor(first.requestId);
    const second = h.u2mRequest('r2_superseded', {
      connection: {
        name: 'r2_superseded',
        host: 'sales-srv.database.windows.net',
        applicationIntent: 'ReadOnly',
      },
    });
    await h.submit(second);

    const stale = await h.browser().get(firstLink);
    expect(stale.status).toBe(410);
    expect(stale.body).toContain('A newer request replaced this sign-in link');
    expect((await h.status(first.requestId)).status).toBe('superseded');

    const page = await h.browser().signInWith(await h.linkFor(second.requestId));
    expect(page.status).toBe(200);
    expect(h.cloud.databricks.control.storedConnection('r2_superseded')?.options.applicationIntent).toBe(
      'ReadOnly',
    );
  });

  it('R3: GET, HEAD and GET again (mail scanners) change nothing, and the link still works afterwards', async () => {
    const request = h.u2mRequest('r3_prefetch');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    const scanner = h.browser();
    const first = await scanner.get(link);
    const head = await scanner.head(link);
    const second = await h.browser().get(link);
    for (const response of [first, head, second]) expect(response.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');

    for (const shown of [
      'r3_prefetch',
      'sales-srv.database.windows.net:1433',
      h.cloud.databricks.url,
      'pipeline: sign-in tests',
    ]) {
      expect(second.body).toContain(shown);
    }
    expect(second.body).toMatch(/Link valid until<\/dt><dd><time datetime="[^"]+">/);
    expect(await h.status(request.requestId)).toMatchObject({ status: 'awaiting_sign_in' });

    const page = await h.browser().signInWith(link);
    expect(page.status).toBe(200);
    expect(h.cloud.databricks.control.storedConnection('r3_prefetch')?.credentialType).toBe('OAUTH_U2M');
  });

  it('R4: a second POST of the same link is refused with 410 and starts no second sign-in', async () => {
    const request = h.u2mRequest('r4_twice');
    await h.submit(request);
    const browser = h.browser();
    const page = await browser.get(await h.linkFor(request.requestId));
    const first = await browser.confirm(page);
    expect(first.status).toBe(302);
    const second = await browser.confirm(page);
    expect(second.status).toBe(410);
    expect(second.body).toContain('This sign-in link was already used');
    expect(second.headers.location).toBeUndefined();
    expect(second.cookies).toEqual([]);
  });

  it('R4: of two simultaneous POSTs of one link exactly one starts a sign-in; the other gets 409 or 410', async () => {
    const request = h.u2mRequest('r4_race');
    await h.submit(request);
    const browser = h.browser();
    const page = await browser.get(await h.linkFor(request.requestId));
    const results = await Promise.all([browser.confirm(page), browser.confirm(page), browser.confirm(page)]);
    const statuses = results.map((result) => result.status).sort();
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(
      statuses.filter((status) => status !== 302).every((status) => status === 409 || status === 410),
    ).toBe(true);
  });

  it('R4: a POST that is not same-origin (Origin, Sec-Fetch-Site) or lacks the anti-CSRF value of its cookie is refused with 403 and consumes nothing', async () => {
    const request = h.u2mRequest('r4_csrf');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    const browser = h.browser();
    const page = await browser.get(link);

    const crossSite = await browser.confirm(page, {
      headers: { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('did not come from this site');
    // A no-referrer page's post carries `Origin: null`; Fetch Metadata then decides.
    const nullCrossSite = await browser.confirm(page, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(nullCrossSite.status).toBe(403);
    const sameSiteOtherOrigin = await browser.confirm(page, { headers: { 'sec-fetch-site': 'same-site' } });
    expect(sameSiteOtherOrigin.status).toBe(403);
    const neither = await browser.request(h.signInHandler, {
      method: 'POST',
      url: `${h.publicBaseUrl}/api/signin`,
      form: formFields(page.body),
    });
    expect(neither.status).toBe(403);

    // An attacker's page can post the token (if it knew it) but not our cookie: a fresh browser has none.
    const forged = await h.browser().confirm(page);
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('The sign-in form has expired');
    const wrongValue = await browser.request(h.signInHandler, {
      method: 'POST',
      url: `${h.publicBaseUrl}/api/signin`,
      form: { ...formFields(page.body), csrf: 'A'.repeat(43) },
      headers: { origin: h.publicBaseUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(wrongValue.status).toBe(403);

    // A browser without Fetch Metadata that sends its real Origin is accepted too.
    const legacy = await browser.request(h.signInHandler, {
      method: 'POST',
      url: `${h.publicBaseUrl}/api/signin`,
      form: formFields(page.body),
      headers: { origin: h.publicBaseUrl },
    });
    expect(legacy.status).toBe(302);
  });

  it('R6: redirects to the tenant authorize endpoint with code + form_post + S256, the exact redirect URI, login_hint and select_account', async () => {
    const request = h.u2mRequest('r6_authorize');
    await h.submit(request);
    const redirect = await h.browser().start(await h.linkFor(request.requestId));
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(h.cloud.entra.authorizeEndpoint(h.cloud.tenantId));
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: h.cloud.sqlApp.appId,
      response_type: 'code',
      redirect_uri: `${h.publicBaseUrl}/api/oauth/callback`,
      response_mode: 'form_post',
      scope: 'https://database.windows.net/.default offline_access',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      login_hint: h.cloud.admin.username,
      prompt: 'select_account',
    });
    expect(location.searchParams.get('state')).not.toBe(location.searchParams.get('code_challenge'));
  });

  it('R8: the browser gets only an opaque transaction id in an HttpOnly, Secure, SameSite=None cookie that lives 10 minutes', async () => {
    const request = h.u2mRequest('r8_cookie');
    await h.submit(request);
    const browser = h.browser();
    const redirect = await browser.start(await h.linkFor(request.requestId));
    const cookie = redirect.cookies.find((set) => set.name === '__Host-ucprov-signin');
    expect(cookie).toEqual({
      name: '__Host-ucprov-signin',
      value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'None',
      maxAge: 600,
    });
    const state = new URL(redirect.headers.location ?? '').searchParams.get('state') ?? '';
    expect(cookie?.value).not.toBe(state);
    const transaction = await h.signInTable.getEntity<Record<string, unknown>>(sha256(state), 'transaction');
    expect(transaction.cookieHash).toBe(sha256(cookie?.value ?? ''));
    expect(JSON.stringify(transaction)).not.toContain(cookie?.value);
    const verifier = String(transaction.verifier);
    expect(codeChallengeS256(verifier)).toBe(
      new URL(redirect.headers.location ?? '').searchParams.get('code_challenge'),
    );
    expect(redirect.headers.location).not.toContain(verifier);
    expect(Date.parse(String(transaction.expiresAt)) - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });

  it('R12: makes exactly one Databricks create with the full U2M option set, oauth_redirect_uri identical to the authorize redirect_uri', async () => {
    const request = h.u2mRequest('r12_options', {
      connection: { name: 'r12_options', host: 'sales-srv.database.windows.net', port: 1444 },
    });
    await h.submit(request);
    const browser = h.browser();
    const redirect = await browser.start(await h.linkFor(request.requestId));
    const authorize = new URL(redirect.headers.location ?? '');
    const result = await browser.signInAtEntra(redirect);
    const before = h.cloud.databricks.control.requestLog().length;
    expect((await browser.postCallback(result.parameters)).status).toBe(200);

    const writes = h.cloud.databricks.control
      .requestLog()
      .slice(before)
      .filter((call) => call.method !== 'GET');
    expect(writes).toEqual([{ method: 'POST', path: '/api/2.1/unity-catalog/connections', status: 200 }]);
    const stored = h.cloud.databricks.control.storedConnection('r12_options');
    expect(stored?.options).toEqual({
      host: 'sales-srv.database.windows.net',
      port: '1444',
      trustServerCertificate: 'false',
      client_id: h.cloud.sqlApp.appId,
      client_secret: h.cloud.sqlApp.secretText,
      authorization_endpoint: h.cloud.entra.authorizeEndpoint(h.cloud.tenantId),
      oauth_scope: 'https://database.windows.net/.default offline_access',
      oauth_redirect_uri: authorize.searchParams.get('redirect_uri'),
      authorization_code: result.code,
      pkce_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(codeChallengeS256(stored?.options.pkce_verifier ?? '')).toBe(
      authorize.searchParams.get('code_challenge'),
    );
  });

  it('R13: every page and redirect is uncacheable, sends no referrer, cannot be framed and loads nothing from elsewhere', async () => {
    const request = h.u2mRequest('r13_headers');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    const browser = h.browser();
    const confirmation = await browser.get(link);
    const redirect = await browser.confirm(confirmation);
    const result = await browser.signInAtEntra(redirect);
    const done = await browser.postCallback(result.parameters);
    const refusals = [
      await h.browser().get(`${h.publicBaseUrl}/api/signin`),
      await h.browser().get(`${h.publicBaseUrl}/api/signin?t=unknown`),
      await browser.get(link),
      await browser.postCallback(result.parameters),
    ];
    for (const response of [confirmation, redirect, done, ...refusals]) expectSecurePage(response);
    expect(confirmation.headers['content-security-policy']).toContain(
      `form-action ${h.publicBaseUrl} ${h.cloud.entra.url}`,
    );
    expect(done.headers['content-security-policy']).toContain("form-action 'none'");
    expect(refusals.map((response) => response.status)).toEqual([400, 404, 410, 400]);
  });

  it('refuses a U2M request for a connection that exists but is not the provisioner’s before emailing anyone', async () => {
    await h.createForeignConnection('foreign_u2m', {
      host: 'legacy.database.windows.net',
      user: 'sa',
      password: 'legacy-password-1',
    });
    const request = h.u2mRequest('foreign_u2m');
    expect(await h.submit(request)).toMatchObject({
      status: 'rejected',
      reasons: [expect.objectContaining({ code: 'CONNECTION_NOT_MANAGED', path: 'connection.name' })],
    });
    expect(await h.mailsFor(request.requestId)).toEqual([]);
    expect(callsTo(/foreign_u2m/).filter((call) => call.method === 'PATCH')).toEqual([]);
  });
});
