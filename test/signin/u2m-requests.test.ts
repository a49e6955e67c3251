import { randomUUID } from 'node:crypto';
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionerRuntime } from '../../src/runtime/provisioner-runtime.js';
import { type SignInHarness, startSignInHarness } from './sign-in-harness.js';

describe('U2M requests on the queue: one email per request, supersede, reauthorize', () => {
  let h: SignInHarness;
  const writes = (since: number) =>
    h.cloud.databricks.control
      .requestLog()
      .slice(since)
      .filter((call) => call.method !== 'GET')
      .map((call) => `${call.method} ${call.path}`);

  beforeAll(async () => {
    h = await startSignInHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends one email when the same U2M request is delivered twice, one after the other and concurrently', async () => {
    const sequential = h.u2mRequest('dup_sequential');
    await h.submit(sequential, { messageId: randomUUID() });
    const again = await h.submit(sequential, { messageId: randomUUID() });
    expect(again.status).toBe('awaiting_sign_in');

    const concurrent = h.u2mRequest('dup_concurrent');
    await h.driver.send(concurrent, { messageId: randomUUID() });
    await h.driver.send(concurrent, { messageId: randomUUID() });
    const deliveries = await h.driver.drain(h.handler, { concurrency: 2 });
    expect(deliveries.map((delivery) => delivery.settled)).toEqual(['completed', 'completed']);
    expect((await h.status(concurrent.requestId)).status).toBe('awaiting_sign_in');

    await h.linkFor(concurrent.requestId);
    expect(await h.mailsFor(sequential.requestId)).toHaveLength(1);
    expect(await h.mailsFor(concurrent.requestId)).toHaveLength(1);
  });

  it('after a sign-in succeeded, a resubmitted request that only adds grants needs no new sign-in, and an unchanged one no Databricks write', async () => {
    const first = h.u2mRequest('steady_u2m');
    await h.submit(first);
    expect((await h.browser().signInWith(await h.linkFor(first.requestId))).status).toBe(200);
    const before = h.cloud.databricks.control.requestLog().length;

    const again = h.u2mRequest('steady_u2m', {
      grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION'] }],
    });
    expect(await h.submit(again)).toMatchObject({ status: 'succeeded', flow: 'U2M' });
    expect(await h.mailsFor(again.requestId)).toEqual([]);
    expect(writes(before)).toEqual(['PATCH /api/2.1/unity-catalog/permissions/connection/steady_u2m']);

    const unchanged = { ...again, requestId: `u2m-${randomUUID()}` };
    const quiet = h.cloud.databricks.control.requestLog().length;
    expect(await h.submit(unchanged)).toMatchObject({ status: 'succeeded' });
    expect(h.cloud.databricks.control.requestLog().length).toBe(quiet);
    expect(await h.mailsFor(unchanged.requestId)).toEqual([]);
  });

  it('reauthorize emails a fresh link for an existing U2M connection and PATCHes it with the new grant and the current secret', async () => {
    const created = h.u2mRequest('reauth_u2m');
    await h.submit(created);
    expect((await h.browser().signInWith(await h.linkFor(created.requestId))).status).toBe(200);
    const firstGrant = h.cloud.databricks.control.storedConnection('reauth_u2m')?.refreshToken;

    const rotated = h.cloud.entra.directory.addPassword(h.cloud.sqlApp.appId, { displayName: 'rotated' });
    await h.cloud.secrets.setSecret(h.cloud.sqlApp.secretName, rotated.secretText ?? '');
    h.cloud.sqlApp.secretText = rotated.secretText ?? '';

    const reauthorize = {
      requestId: `reauth-${randomUUID()}`,
      action: 'reauthorize',
      requestedBy: 'secret rotation',
      connection: { name: 'REAUTH_U2M' },
    };
    expect(await h.submit(reauthorize)).toMatchObject({
      status: 'awaiting_sign_in',
      flow: 'U2M',
      action: 'reauthorize',
    });
    const [mail] = await h.mailsFor(reauthorize.requestId);
    expect(mail?.text).toContain(
      "asked to re-authorize the Databricks Unity Catalog connection 'reauth_u2m'",
    );
    expect(mail?.to).toEqual([expect.objectContaining({ address: h.cloud.admin.username })]);

    const before = h.cloud.databricks.control.requestLog().length;
    const page = await h.browser().signInWith(await h.linkFor(reauthorize.requestId));
    expect(page.status).toBe(200);
    expect(page.body).toContain('updated the Unity Catalog connection');
    expect(writes(before)).toEqual(['PATCH /api/2.1/unity-catalog/connections/reauth_u2m']);
    const stored = h.cloud.databricks.control.storedConnection('reauth_u2m');
    expect(stored?.options.client_secret).toBe(rotated.secretText);
    expect(stored?.refreshToken).not.toBe(firstGrant);
    await expect(h.cloud.databricks.control.testConnection('reauth_u2m')).resolves.toMatchObject({
      ok: true,
    });
    expect((await h.status(reauthorize.requestId)).status).toBe('succeeded');
    const inventory = await h.runtime.inventory.get(h.cloud.databricks.url, 'reauth_u2m');
    expect(inventory?.entry).toMatchObject({ lastRequestId: reauthorize.requestId, flow: 'U2M' });
  });

  it('reauthorize of a connection without a U2M sign-in on record is rejected before anyone is emailed', async () => {
    const status = await h.submit({
      requestId: `reauth-${randomUUID()}`,
      action: 'reauthorize',
      connection: { name: 'never_signed_in' },
    });
    expect(status).toMatchObject({
      status: 'rejected',
      reasons: [expect.objectContaining({ code: 'REAUTHORIZE_NOT_POSSIBLE', path: 'connection.name' })],
    });
  });

  it('a newer request arriving while the approver signs in supersedes the older one: its callback changes nothing', async () => {
    const older = h.u2mRequest('race_u2m');
    await h.submit(older);
    const browser = h.browser();
    const redirect = await browser.start(await h.linkFor(older.requestId));
    const newer = h.u2mRequest('race_u2m', {
      connection: { name: 'race_u2m', host: 'sales-srv.database.windows.net', applicationIntent: 'ReadOnly' },
    });
    await h.submit(newer);
    expect((await h.status(older.requestId)).status).toBe('superseded');

    const result = await browser.signInAtEntra(redirect);
    const before = h.cloud.databricks.control.requestLog().length;
    const page = await browser.postCallback(result.parameters);
    expect(page.status).toBe(409);
    expect(page.body).toContain('A newer request replaced this sign-in');
    expect(h.cloud.databricks.control.requestLog().length).toBe(before);
    expect((await h.status(older.requestId)).status).toBe('superseded');
    expect((await h.browser().signInWith(await h.linkFor(newer.requestId))).status).toBe(200);
  });

  it('a delete request withdraws the sign-in link still out for the connection, so a late sign-in cannot re-create it', async () => {
    const pending = h.u2mRequest('withdrawn_u2m');
    await h.submit(pending);
    const link = await h.linkFor(pending.requestId);
    const browser = h.browser();
    const page = await browser.get(link);
    const deletion = await h.submit({
      requestId: `delete-${randomUUID()}`,
      action: 'delete',
      connection: { name: 'withdrawn_u2m' },
    });
    expect(deletion.status).toBe('succeeded');
    expect((await h.status(pending.requestId)).status).toBe('superseded');
    const stale = await browser.confirm(page);
    expect(stale.status).toBe(410);
    expect(stale.body).toContain('A newer request replaced this sign-in link');
    expect(h.cloud.databricks.control.storedConnection('withdrawn_u2m')).toBeUndefined();
  });

  it('fails a U2M request at once, naming the settings, when the provisioner has no PUBLIC_BASE_URL', async () => {
    const unconfigured = await createProvisionerRuntime({ ...process.env, PUBLIC_BASE_URL: '' });
    try {
      const request = h.u2mRequest('unconfigured_u2m');
      const result = await unconfigured
        .provisioner(() => {})
        .handleMessage({
          body: JSON.stringify(request),
          messageId: request.requestId,
          deliveryCount: 1,
          enqueuedTimeUtc: new Date(),
        });
      expect(result.status).toBe('failed');
      const status = await h.status(request.requestId);
      expect(status.reasons).toEqual([expect.objectContaining({ code: 'SIGN_IN_NOT_CONFIGURED' })]);
      expect(status.reasons[0]?.message).toContain('PUBLIC_BASE_URL');
      expect(await h.mailsFor(request.requestId)).toEqual([]);

      const page = await unconfigured.signIn.endpoint.handle(
        new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/signin?t=x' }),
        unconfigured.logger(() => {}),
      );
      expect(page.status).toBe(503);
      expect(page.body).toContain('Sign-in is not configured');
    } finally {
      await unconfigured.close();
    }
  });
});
