import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RotationCloud, resultFor, startRotationCloud } from './rotation-harness.js';

describe('client-secret rotation: the due check and the happy path', () => {
  let rc: RotationCloud;
  const scenario = () => rc.scenario();

  beforeAll(async () => {
    rc = await startRotationCloud();
  });
  afterAll(() => rc?.close());

  it('leaves a secret younger than ROTATION_MAX_SECRET_AGE_DAYS alone and rotates it once the injected clock passes that age', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_due_sql');

    s.clock.advanceDays(89);
    const early = await s.rotation().runScheduled();
    expect(resultFor(early.results, app)).toMatchObject({
      outcome: 'not_due',
      nextDueAt: expect.any(String),
    });
    expect(rc.addPasswordCalls(app.appId)).toBe(0);

    s.clock.advanceDays(2);
    const due = await s.rotation().runScheduled();
    expect(resultFor(due.results, app)).toMatchObject({ outcome: 'waiting_for_grace' });
    expect(await s.record(app)).toMatchObject({
      reason: expect.stringMatching(/^age: the secret is 91 days old/),
    });
    expect(rc.addPasswordCalls(app.appId)).toBe(1);
  });

  it('rotates a secret whose Key Vault exp falls within ROTATION_EXPIRY_WARNING_DAYS, however young it is', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_expiring_sql');
    const current = await rc.cloud.secrets.getSecret(app.secretName);
    await rc.cloud.secrets.updateSecretProperties(app.secretName, current.properties.version ?? '', {
      expiresOn: new Date(s.clock.now() + 20 * 24 * 3600_000),
      tags: current.properties.tags ?? {},
    });

    const run = await s.rotation().runScheduled();
    expect(resultFor(run.results, app)).toMatchObject({ outcome: 'waiting_for_grace' });
    expect((await s.record(app))?.reason).toMatch(
      /^expiry: the secret expires at .* \(ROTATION_EXPIRY_WARNING_DAYS=30\)$/,
    );
  });

  it('moves every connection to a new, verified secret, and removes the old one only after the grace period', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_happy_a');
    await s.addConnection(app, 'rot_happy_b');
    s.clock.advanceDays(91);
    const rotatedAt = new Date(s.clock.now()).toISOString();

    const first = await s.rotation().runScheduled();
    expect(resultFor(first.results, app)).toMatchObject({
      outcome: 'waiting_for_grace',
      state: 'connections_updated',
    });
    const record = await s.record(app);
    const newSecret = rc.currentSecret(app.secretName);
    expect(newSecret).not.toBe(app.initialSecret);
    for (const name of ['rot_happy_a', 'rot_happy_b']) {
      expect(rc.cloud.databricks.control.storedConnection(name)?.options.client_secret).toBe(newSecret);
      await expect(rc.cloud.databricks.control.testConnection(name)).resolves.toMatchObject({ ok: true });
      const entry = await s.runtime.inventory.get(rc.cloud.databricks.url, name);
      expect(entry?.entry.secretVersion).toBe(record?.newSecretVersion);
    }
    expect(record).toMatchObject({
      state: 'connections_updated',
      previousKeyId: app.initialKeyId,
      newKeyId: expect.any(String),
      connections: [
        expect.objectContaining({ name: 'rot_happy_a', outcome: 'updated' }),
        expect.objectContaining({ name: 'rot_happy_b', outcome: 'updated' }),
      ],
    });

    // Key Vault convention (docs/secret-rotation.md): exp = Graph endDateTime, content type, tags.
    const stored = await rc.cloud.secrets.getSecret(app.secretName);
    expect(stored.properties).toMatchObject({
      version: record?.newSecretVersion,
      contentType: 'application/x-entra-client-secret',
      tags: expect.objectContaining({
        keyId: record?.newKeyId,
        previousKeyId: app.initialKeyId,
        rotatedAt,
        rotationRunId: record?.runId,
      }),
    });
    const added = rc.cloud.entra.directory.listPasswords(app.appId).find((p) => p.keyId === record?.newKeyId);
    expect(added).toMatchObject({ displayName: `ucprov-rotation:${record?.runId}` });
    const lifetimeInMs = 180 * 24 * 3600_000; // ROTATION_SECRET_LIFETIME_DAYS default
    expect(Date.parse(added?.endDateTime ?? '')).toBe(
      Math.floor((s.clock.now() + lifetimeInMs) / 1000) * 1000,
    );
    expect(stored.properties.expiresOn?.toISOString()).toBe(added?.endDateTime);

    // Grace period (24 h): the old secret keeps working, and stays.
    await expect(rc.authenticates(app.appId, app.initialSecret)).resolves.toBe(true);
    s.clock.advanceHours(23);
    const during = await s.rotation().runScheduled();
    expect(resultFor(during.results, app)).toMatchObject({ outcome: 'waiting_for_grace' });
    await expect(rc.authenticates(app.appId, app.initialSecret)).resolves.toBe(true);

    s.clock.advanceHours(2);
    const after = await s.rotation().runScheduled();
    expect(resultFor(after.results, app)).toMatchObject({ outcome: 'completed', state: 'completed' });
    await expect(rc.authenticates(app.appId, app.initialSecret)).resolves.toBe(false);
    await expect(rc.authenticates(app.appId, newSecret)).resolves.toBe(true);
    expect(rc.passwordKeyIds(app.appId)).toEqual([record?.newKeyId]);
    await expect(rc.cloud.databricks.control.testConnection('rot_happy_a')).resolves.toMatchObject({
      ok: true,
    });
    expect(await s.record(app)).toMatchObject({ state: 'completed', oldSecret: 'removed' });

    // Next day: nothing is due any more.
    s.clock.advanceDays(1);
    const calm = await s.rotation().runScheduled();
    expect(resultFor(calm.results, app)).toMatchObject({ outcome: 'not_due' });
    expect(rc.addPasswordCalls(app.appId)).toBe(1);
  });

  it('waits while Entra propagates the new secret (AADSTS7000215), then proceeds', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_propagation_sql');
    s.clock.advanceDays(91);
    const delayInMs = 1000;
    await rc.delayNewSecrets({ delayInMs, sparing: [app] });
    const startedAt = Date.now();
    try {
      const run = await s.rotation().runScheduled();
      expect(resultFor(run.results, app)).toMatchObject({ outcome: 'waiting_for_grace' });
    } finally {
      rc.resetPropagationDelay();
    }
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(delayInMs);
    const attempts = rc.cloud.entra.control
      .tokenRequests()
      .filter((request) => request.clientId === app.appId && request.grantType === 'client_credentials');
    expect(attempts.filter((request) => request.errorCode === 7000215).length).toBeGreaterThan(0);
    expect(attempts.at(-1)?.status).toBe(200);
    const record = await s.record(app);
    expect(record?.history.map((entry) => entry.event)).toContainEqual(
      expect.stringMatching(/^secret_verified after ([2-9]|\d\d+) attempt\(s\)$/),
    );
    await expect(rc.cloud.databricks.control.testConnection('rot_propagation_sql')).resolves.toMatchObject({
      ok: true,
    });
  });

  it('adds one client secret when two runs overlap (per-app lock)', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_overlap_sql');
    s.clock.advanceDays(91);

    const [one, two] = await Promise.all([s.rotation().runScheduled(), s.rotation().runScheduled()]);
    expect(rc.addPasswordCalls(app.appId)).toBe(1);
    const outcomes = [resultFor(one.results, app)?.outcome, resultFor(two.results, app)?.outcome];
    expect(outcomes).toContain('waiting_for_grace');
    expect(rc.passwordKeyIds(app.appId)).toHaveLength(2);
    await expect(rc.cloud.databricks.control.testConnection('rot_overlap_sql')).resolves.toMatchObject({
      ok: true,
    });
  });

  it('never writes a client secret into logs or rotation records', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_quiet_sql');
    s.clock.advanceDays(91);
    // A failed step too, so problem messages are part of what is checked.
    await rc.delayNewSecrets({ delayInMs: 1000, sparing: [app] });
    try {
      await s.rotation({ verificationRetry: { budgetInMs: 300 } }).runScheduled();
    } finally {
      rc.resetPropagationDelay();
    }
    await s.rotation().runScheduled();
    s.clock.advanceDays(2);
    await s.rotation().runScheduled();
    const record = await s.record(app);
    expect(record).toMatchObject({ state: 'completed' });
    expect(record?.history.map((entry) => entry.event)).toContain('problem: SECRET_NOT_PROPAGATED');

    const everything = [...s.logs, JSON.stringify(await s.rotation().records())].join('\n');
    expect(everything).toContain(record?.newKeyId);
    for (const secret of [app.initialSecret, rc.currentSecret(app.secretName)]) {
      expect(everything).not.toContain(secret);
    }
  });
});
