import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretRotation } from '../../src/rotation/secret-rotation.js';
import { type SignInHarness, startSignInHarness } from '../signin/sign-in-harness.js';

/**
 * U2M connections under ROTATION_U2M_POLICY=reconsent (the default): whether Databricks keeps a U2M grant when only
 * client_secret changes is undocumented, so the approver gets a fresh sign-in link; the old secret stays until the
 * sign-in completes, at the latest until the grace period ends.
 */
describe('rotation of a secret that U2M connections use', () => {
  let h: SignInHarness;
  let now = Date.now();
  const logs: string[] = [];
  const rotation = (): SecretRotation =>
    h.runtime.secretRotation((_level, line) => logs.push(line), {
      now: () => now,
      verificationRetry: { baseDelayInMs: 50, maxDelayInMs: 400, budgetInMs: 10_000 },
    });
  const authenticates = async (secret: string) => {
    const response = await fetch(h.cloud.entra.tokenEndpoint(h.cloud.tenantId), {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: h.cloud.sqlApp.appId,
        client_secret: secret,
        scope: 'https://database.windows.net/.default',
      }),
    });
    await response.body?.cancel();
    return response.ok;
  };
  const recordOfSqlApp = async () =>
    (await rotation().records()).find((record) => record.clientId === h.cloud.sqlApp.appId);
  const signInRequestId = (detail: string | undefined) =>
    /\(request id ([^)]+)\)/.exec(detail ?? '')?.[1] ?? '';

  beforeAll(async () => {
    h = await startSignInHarness();
    const u2m = h.u2mRequest('rot_u2m_sql');
    expect((await h.submit(u2m)).status).toBe('awaiting_sign_in');
    const page = await h.browser().signInWith(await h.linkFor(u2m.requestId));
    expect(page.status).toBe(200);
    expect((await h.submit(h.m2mRequest('rot_u2m_neighbour_sql'))).status).toBe('succeeded');
    await expect(h.cloud.databricks.control.testConnection('rot_u2m_sql')).resolves.toMatchObject({
      ok: true,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('emails the approver a fresh sign-in link, keeps the old secret until the sign-in completes and the grace period ends', async () => {
    const oldSecret = h.cloud.sqlApp.secretText;
    now += 91 * 24 * 3600_000;
    const [result] = (await rotation().runScheduled()).results;
    expect(result).toMatchObject({ outcome: 'waiting_for_grace', state: 'connections_updated' });
    const record = await recordOfSqlApp();
    const u2mProgress = record?.connections.find((item) => item.name === 'rot_u2m_sql');
    expect(u2mProgress).toMatchObject({
      flow: 'U2M',
      outcome: 'sign_in_sent',
      detail: expect.stringContaining(`sign-in link sent to ${h.cloud.admin.username}`),
    });
    expect(record?.connections.find((item) => item.name === 'rot_u2m_neighbour_sql')).toMatchObject({
      outcome: 'updated',
    });
    const requestId = signInRequestId(u2mProgress?.detail);
    const link = await h.linkFor(requestId);
    expect(await h.status(requestId)).toMatchObject({ status: 'awaiting_sign_in', action: 'reauthorize' });

    // Before the sign-in: the U2M connection still holds the old secret, which still works.
    expect(h.cloud.databricks.control.storedConnection('rot_u2m_sql')?.options.client_secret).toBe(oldSecret);
    await expect(h.cloud.databricks.control.testConnection('rot_u2m_sql')).resolves.toMatchObject({
      ok: true,
    });
    now += 3600_000;
    await rotation().runScheduled();
    await expect(authenticates(oldSecret)).resolves.toBe(true);
    expect(await h.mailsFor(requestId)).toHaveLength(1); // a resumed run does not email again

    // The approver signs in: the callback PATCHes the connection with the newest secret.
    const page = await h.browser().signInWith(link);
    expect(page.status).toBe(200);
    const newSecret = (await h.cloud.secrets.getSecret(h.cloud.sqlApp.secretName)).value ?? '';
    expect(h.cloud.databricks.control.storedConnection('rot_u2m_sql')?.options.client_secret).toBe(newSecret);
    await expect(authenticates(oldSecret)).resolves.toBe(true); // the grace period is not over yet

    now += 24 * 3600_000;
    const [done] = (await rotation().runScheduled()).results;
    expect(done).toMatchObject({ outcome: 'completed' });
    expect((await recordOfSqlApp())?.connections.find((item) => item.name === 'rot_u2m_sql')).toMatchObject({
      outcome: 'reconsented',
    });
    await expect(authenticates(oldSecret)).resolves.toBe(false);
    await expect(h.cloud.databricks.control.testConnection('rot_u2m_sql')).resolves.toMatchObject({
      ok: true,
    });
    await expect(h.cloud.databricks.control.testConnection('rot_u2m_neighbour_sql')).resolves.toMatchObject({
      ok: true,
    });
    h.cloud.sqlApp.secretText = newSecret;
  });

  it('removes the old secret when the grace period ends without a sign-in, and the record names the connection that needs one', async () => {
    now += 91 * 24 * 3600_000;
    await rotation().runScheduled();
    const record = await recordOfSqlApp();
    expect(record?.connections.find((item) => item.name === 'rot_u2m_sql')).toMatchObject({
      outcome: 'sign_in_sent',
    });
    await expect(authenticates(h.cloud.sqlApp.secretText)).resolves.toBe(true);

    now += 25 * 3600_000;
    const [done] = (await rotation().runScheduled()).results;
    expect(done).toMatchObject({ outcome: 'completed' });
    const events = (await recordOfSqlApp())?.history.map((entry) => entry.event) ?? [];
    expect(events.at(-1)).toContain(
      "U2M connection(s) 'rot_u2m_sql' were not re-consented within the grace period and fail until their approver signs in",
    );
    await expect(authenticates(h.cloud.sqlApp.secretText)).resolves.toBe(false);
  });
});
