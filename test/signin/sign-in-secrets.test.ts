import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SignInHarness, startSignInHarness } from './sign-in-harness.js';

describe('R14: no sign-in secret reaches a log, a status or a page', () => {
  let h: SignInHarness;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    h = await startSignInHarness();
  });
  afterAll(async () => {
    await h?.close();
    vi.restoreAllMocks();
  });

  it('R14: a full sign-in, a replayed callback and a refused one leave no code, verifier, state, cookie, link token or client secret behind', async () => {
    const request = h.u2mRequest('secrets_u2m');
    await h.submit(request);
    const link = await h.linkFor(request.requestId);
    const browser = h.browser();
    const confirmation = await browser.get(link);
    const csrf = browser.cookies.get('__Host-ucprov-csrf') ?? '';
    const redirect = await browser.confirm(confirmation);
    const transactionCookie = browser.cookies.get('__Host-ucprov-signin') ?? '';
    const state = new URL(redirect.headers.location ?? '').searchParams.get('state') ?? '';
    const result = await browser.signInAtEntra(redirect);
    expect((await browser.postCallback(result.parameters)).status).toBe(200);
    // The refusal paths log too: a replay of the same response, and one from a browser without the cookie.
    expect((await browser.postCallback(result.parameters)).status).toBe(400);
    expect((await h.browser().postCallback(result.parameters)).status).toBe(400);

    const stored = h.cloud.databricks.control.storedConnection('secrets_u2m');
    const secrets = {
      code: result.code ?? '',
      verifier: stored?.options.pkce_verifier ?? '',
      state,
      transactionCookie,
      csrf,
      clientSecret: h.cloud.sqlApp.secretText,
      linkToken: new URL(link).searchParams.get('t') ?? '',
    };
    expect(Object.values(secrets).every((value) => value.length >= 20)).toBe(true);
    expect(stored?.options.authorization_code).toBe(secrets.code);

    const logs = [
      ...consoleLines,
      ...h.driver.logs.map((log) => log.text),
      ...h.httpLogs.map((log) => log.text),
    ];
    expect(h.httpLogs.length).toBeGreaterThan(3);
    const statuses = JSON.stringify([
      await h.status(request.requestId),
      await h.runtime.statuses.getRequest(request.requestId),
    ]);
    const pagesOtherThanConfirmation = h.pages.filter((page) => page !== confirmation.body);
    for (const [name, value] of Object.entries(secrets)) {
      expect(
        logs.filter((line) => line.includes(value)),
        `${name} in a log`,
      ).toEqual([]);
      expect(statuses.includes(value), `${name} in a status`).toBe(false);
    }
    for (const [name, value] of Object.entries(secrets)) {
      expect(
        pagesOtherThanConfirmation.filter((page) => page.includes(value)),
        `${name} in a page`,
      ).toEqual([]);
    }
    // The confirmation page carries the link token and the anti-CSRF value in its form, and nothing else secret.
    for (const value of [
      secrets.code,
      secrets.verifier,
      secrets.state,
      secrets.transactionCookie,
      secrets.clientSecret,
    ]) {
      expect(confirmation.body.includes(value)).toBe(false);
    }
  });
});
