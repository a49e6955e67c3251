import type { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredFunctions } from '../../functions/shared/define-function.js';
import { createProvisionerRuntime } from '../../src/runtime/provisioner-runtime.js';
import { expectSecurePage } from './page-assertions.js';
import { type HandlerBrowser, type SignInHarness, sha256, startSignInHarness } from './sign-in-harness.js';

describe('U2M: the OAuth callback', () => {
  let h: SignInHarness;
  const databricksCalls = () => h.cloud.databricks.control.requestLog().length;

  beforeAll(async () => {
    h = await startSignInHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Submits a U2M request and takes a browser through the link to Entra's form_post answer. */
  async function signedIn(name: string, browser: HandlerBrowser = h.browser()) {
    const request = h.u2mRequest(name);
    await h.submit(request);
    const redirect = await browser.start(await h.linkFor(request.requestId));
    const state = new URL(redirect.headers.location ?? '').searchParams.get('state') ?? '';
    return { request, browser, redirect, state, result: await browser.signInAtEntra(redirect) };
  }

  it('R9: is registered anonymous (a function key would travel as ?code=) on /api/oauth/callback', () => {
    expect(registeredFunctions.find((fn) => fn.name === 'oauthCallback')?.options).toMatchObject({
      authLevel: 'anonymous',
      route: 'oauth/callback',
    });
    expect(registeredFunctions.find((fn) => fn.name === 'signIn')?.options).toMatchObject({
      authLevel: 'anonymous',
      route: 'signin',
      methods: ['GET', 'HEAD', 'POST'],
    });
  });

  it('R9: answers a GET (code in the URL) or a JSON POST with 405 and does not call Databricks', async () => {
    const { browser, result } = await signedIn('r9_method');
    const before = databricksCalls();
    const query = new URLSearchParams(result.parameters).toString();
    const asGet = await browser.request(h.callbackHandler, {
      method: 'GET',
      url: `${h.publicBaseUrl}/api/oauth/callback?${query}`,
    });
    expect(asGet.status).toBe(405);
    expect(asGet.headers.allow).toBe('POST');
    expectSecurePage(asGet);
    const asJson = await browser.request(h.callbackHandler, {
      method: 'POST',
      url: `${h.publicBaseUrl}/api/oauth/callback`,
      headers: { 'content-type': 'application/json' },
    });
    expect(asJson.status).toBe(405);
    expect(databricksCalls()).toBe(before);
    // Neither consumed the state: the real form_post still completes.
    expect((await browser.postCallback(result.parameters)).status).toBe(200);
  });

  it('R10: a callback without the transaction cookie is refused with 400, burns the state and does not call Databricks', async () => {
    const { request, browser, result } = await signedIn('r10_no_cookie');
    const before = databricksCalls();
    const cookieless = await h.browser().postCallback(result.parameters);
    expect(cookieless.status).toBe(400);
    expect(cookieless.body).toContain('This browser did not start the sign-in');
    expect(databricksCalls()).toBe(before);
    expect(await h.status(request.requestId)).toMatchObject({
      status: 'failed',
      reasons: [expect.objectContaining({ code: 'SIGN_IN_FAILED' })],
    });
    // The state was deleted on first use, so even the right browser cannot use it now.
    const late = await browser.postCallback(result.parameters);
    expect(late.status).toBe(400);
    expect(late.body).toContain('This sign-in response is not valid');
    expect(databricksCalls()).toBe(before);
    expect(h.cloud.databricks.control.storedConnection('r10_no_cookie')).toBeUndefined();
  });

  it("R10: a callback carrying another transaction's cookie is refused with 400 and does not call Databricks", async () => {
    const first = await signedIn('r10_mine');
    const other = await signedIn('r10_theirs');
    const before = databricksCalls();
    const swapped = await other.browser.postCallback(first.result.parameters);
    expect(swapped.status).toBe(400);
    expect(swapped.body).toContain('This browser started a different sign-in');
    expect(databricksCalls()).toBe(before);
    expect((await h.status(first.request.requestId)).status).toBe('failed');
    // The other browser's own transaction is untouched.
    expect((await other.browser.postCallback(other.result.parameters)).status).toBe(200);
  });

  it('R10: an unknown state, a missing state and a reused state are refused with 400 without calling Databricks', async () => {
    const { browser, result } = await signedIn('r10_state');
    const before = databricksCalls();
    const unknown = await browser.postCallback({ ...result.parameters, state: 'A'.repeat(43) });
    const missing = await browser.postCallback({ code: result.code ?? '' });
    expect([unknown.status, missing.status]).toEqual([400, 400]);
    expect(missing.body).toContain('The sign-in response is incomplete');
    expect(databricksCalls()).toBe(before);

    expect((await browser.postCallback(result.parameters)).status).toBe(200);
    const afterSuccess = databricksCalls();
    const reused = await browser.postCallback(result.parameters);
    expect(reused.status).toBe(400);
    expect(reused.body).toContain('This sign-in response is not valid');
    expect(databricksCalls()).toBe(afterSuccess);
  });

  it('R8: a callback more than 10 minutes after the sign-in started is refused without calling Databricks', async () => {
    const { request, browser, result, state } = await signedIn('r8_slow');
    await h.signInTable.updateEntity(
      { partitionKey: sha256(state), rowKey: 'transaction', expiresAt: new Date(Date.now() - 1000) },
      'Merge',
    );
    const before = databricksCalls();
    const late = await browser.postCallback(result.parameters);
    expect(late.status).toBe(400);
    expect(late.body).toContain('The sign-in took too long');
    expect(databricksCalls()).toBe(before);
    expect((await h.status(request.requestId)).status).toBe('failed');
  });

  it('R11: a declined consent (error=access_denied) fails the request, says why, and does not call Databricks', async () => {
    const request = h.u2mRequest('r11_denied');
    await h.submit(request);
    const browser = h.browser();
    const redirect = await browser.start(await h.linkFor(request.requestId));
    const result = await browser.signInAtEntra(redirect, 'decline');
    expect(result.error).toBe('access_denied');
    const before = databricksCalls();
    const page = await browser.postCallback(result.parameters);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Microsoft Entra ID did not complete the sign-in: access_denied');
    expect(page.body).toContain('ucprov submit');
    expectSecurePage(page);
    expect(databricksCalls()).toBe(before);
    const status = await h.status(request.requestId);
    expect(status).toMatchObject({
      status: 'failed',
      reasons: [expect.objectContaining({ code: 'SIGN_IN_FAILED' })],
    });
    expect(status.reasons[0]?.message).toContain('access_denied');
    expect(status.reasons[0]?.message).toContain(result.errorDescription?.slice(0, 40));
  });

  it('R11: a hostile error_description is recorded as text and shown HTML-escaped, never as markup', async () => {
    const { request, browser, state } = await (async () => {
      const r = h.u2mRequest('r11_hostile');
      await h.submit(r);
      const b = h.browser();
      const redirect = await b.start(await h.linkFor(r.requestId));
      return {
        request: r,
        browser: b,
        state: new URL(redirect.headers.location ?? '').searchParams.get('state') ?? '',
      };
    })();
    const hostile = `<script>alert(document.cookie)</script><img src=x onerror="alert(1)"> & 'quotes'`;
    const page = await browser.postCallback({ state, error: 'access_denied', error_description: hostile });
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain(
      '&lt;script&gt;alert(document.cookie)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quotes&#39;',
    );
    expectSecurePage(page);
    expect((await h.status(request.requestId)).reasons[0]?.message).toContain(hostile);
  });

  it('a code that was already redeemed fails at the Databricks token exchange; the page says so and how to retry', async () => {
    const first = await signedIn('redeemed_first');
    expect((await first.browser.postCallback(first.result.parameters)).status).toBe(200);

    // A second sign-in, whose callback carries the first (spent) code: Databricks must redeem and fails.
    const second = await signedIn('redeemed_again');
    const page = await second.browser.postCallback({
      ...second.result.parameters,
      code: first.result.code ?? '',
    });
    expect(page.status).toBe(502);
    expect(page.body).toContain('Databricks could not redeem your sign-in');
    expect(page.body).toContain('The OAuth token exchange failed');
    expect(page.body).toContain('ucprov submit');
    const status = await h.status(second.request.requestId);
    expect(status).toMatchObject({
      status: 'failed',
      reasons: [expect.objectContaining({ code: 'SIGN_IN_FAILED' })],
    });
    expect(status.reasons[0]?.message).toMatch(/expired or been used already/);
    expect(h.cloud.databricks.control.storedConnection('redeemed_again')).toBeUndefined();
    // The name is free again: no inventory claim is left behind.
    expect(await h.runtime.inventory.get(h.cloud.databricks.url, 'redeemed_again')).toBeUndefined();
  });

  it('R15: a transaction started against one Entra authority is refused by a deployment configured for another', async () => {
    const { request, browser, result } = await signedIn('r15_mixup');
    const otherCloud = await createProvisionerRuntime({
      ...process.env,
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us',
    });
    try {
      const before = databricksCalls();
      const handler = (req: HttpRequest) =>
        otherCloud.signIn.callback.handle(
          req,
          otherCloud.logger(() => {}),
        );
      const page = await browser.request(handler, {
        method: 'POST',
        url: `${h.publicBaseUrl}/api/oauth/callback`,
        form: result.parameters,
      });
      expect(page.status).toBe(400);
      expect(page.body).toContain('The sign-in was started against a different Entra ID tenant');
      expect(databricksCalls()).toBe(before);
      expect((await h.status(request.requestId)).status).toBe('failed');
    } finally {
      await otherCloud.close();
    }
  });
});
