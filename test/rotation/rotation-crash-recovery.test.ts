import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RotationCheckpoint, RotationHooks } from '../../src/rotation/rotation-dependencies.js';
import {
  type RotationCloud,
  type RotationScenario,
  startRotationCloud,
  type TestApp,
} from './rotation-harness.js';

/**
 * A crash (or a real fault injected through a stand-in) after each step 2–6 leaves every connection working and
 * at most one extra credential, and the next runs converge: one credential left, the new one, used everywhere.
 */
describe('client-secret rotation converges after a crash at any step', () => {
  let rc: RotationCloud;

  beforeAll(async () => {
    rc = await startRotationCloud();
  });
  afterAll(() => rc?.close());

  interface Arranged {
    s: RotationScenario;
    app: TestApp;
    names: string[];
    /** Connection tests that failed at any checkpoint of any run. */
    brokenAt: string[];
    /** Hooks that test every connection at every checkpoint, and optionally act at one. */
    hooks(at?: RotationCheckpoint, act?: () => void | Promise<void>): RotationHooks;
  }

  async function arrange(label: string, connections = 1): Promise<Arranged> {
    const s = await rc.scenario();
    const app = await s.addApp();
    const names = Array.from({ length: connections }, (_, index) => `rot_${label}_${index}`);
    for (const name of names) await s.addConnection(app, name);
    s.clock.advanceDays(91);
    const brokenAt: string[] = [];
    return {
      s,
      app,
      names,
      brokenAt,
      hooks: (at, act) => ({
        async atCheckpoint(checkpoint) {
          for (const name of names) {
            const result = await rc.cloud.databricks.control.testConnection(name);
            if (!result.ok) brokenAt.push(`${name} at ${checkpoint}: ${result.error}`);
          }
          if (checkpoint === at) await act?.();
        },
      }),
    };
  }

  const crash = (checkpoint: RotationCheckpoint) => () => {
    throw new Error(`simulated crash at ${checkpoint}`);
  };

  /** Right after the fault: nothing broken, at most one credential more than old + new. */
  async function expectSafe(a: Arranged) {
    for (const name of a.names) {
      await expect(rc.cloud.databricks.control.testConnection(name)).resolves.toMatchObject({ ok: true });
    }
    expect(rc.passwordKeyIds(a.app.appId).length).toBeLessThanOrEqual(3);
    expect(a.brokenAt).toEqual([]);
  }

  /** Runs on (past the grace period) until done, then checks the end state. */
  async function expectConverged(a: Arranged) {
    const run = async () => (await a.s.rotation({ hooks: a.hooks() }).runScheduled()).results[0];
    let result = await run();
    if (result?.outcome === 'waiting_for_grace') {
      expect(rc.passwordKeyIds(a.app.appId).length).toBeLessThanOrEqual(3);
      a.s.clock.advanceHours(25);
      result = await run();
    }
    expect(result).toMatchObject({ outcome: 'completed' });
    const record = await a.s.record(a.app);
    const newSecret = rc.currentSecret(a.app.secretName);
    expect(rc.passwordKeyIds(a.app.appId)).toEqual([record?.newKeyId]);
    for (const name of a.names) {
      expect(rc.cloud.databricks.control.storedConnection(name)?.options.client_secret).toBe(newSecret);
      await expect(rc.cloud.databricks.control.testConnection(name)).resolves.toMatchObject({ ok: true });
    }
    await expect(rc.authenticates(a.app.appId, a.app.initialSecret)).resolves.toBe(false);
    expect(a.brokenAt).toEqual([]);
    return record;
  }

  it('step 2 — crash right after addPassword: the next run removes the orphaned credential, then rotates', async () => {
    const a = await arrange('crash_added');
    const first = await a.s
      .rotation({ hooks: a.hooks('password_added', crash('password_added')) })
      .runScheduled();
    expect(first.results[0]).toMatchObject({ state: 'started', problem: { code: 'UNEXPECTED_FAILURE' } });
    const orphan = rc.passwordKeyIds(a.app.appId).find((keyId) => keyId !== a.app.initialKeyId);
    expect(rc.currentSecret(a.app.secretName)).toBe(a.app.initialSecret);
    await expectSafe(a);

    const record = await expectConverged(a);
    expect(record?.orphansRemoved).toEqual([orphan]);
    expect(rc.addPasswordCalls(a.app.appId)).toBe(2);
  });

  it('step 2 — Key Vault outage right after addPassword: the unstored credential is removed at once; the next run rotates', async () => {
    const a = await arrange('kv_outage');
    try {
      const first = await a.s
        .rotation({ hooks: a.hooks('password_added', () => rc.cloud.keyVault.control.setAvailable(false)) })
        .runScheduled();
      expect(first.results[0]).toMatchObject({
        outcome: 'retry_later',
        state: 'started',
        problem: { code: 'TRANSIENT_FAILURE', needsOperator: false },
      });
    } finally {
      rc.cloud.keyVault.control.setAvailable(true);
    }
    expect(rc.passwordKeyIds(a.app.appId)).toEqual([a.app.initialKeyId]);
    expect(a.s.logs.some((line) => line.includes('"rotation.unstored_secret_removed"'))).toBe(true);
    await expectSafe(a);
    await expectConverged(a);
  });

  it('step 3 — crash after the Key Vault write: the next run adopts that version instead of adding another secret', async () => {
    const a = await arrange('crash_stored');
    await a.s.rotation({ hooks: a.hooks('secret_stored', crash('secret_stored')) }).runScheduled();
    expect(await a.s.record(a.app)).toMatchObject({ state: 'started' });
    expect(rc.currentSecret(a.app.secretName)).not.toBe(a.app.initialSecret);
    await expectSafe(a);

    const record = await expectConverged(a);
    expect(rc.addPasswordCalls(a.app.appId)).toBe(1);
    expect(record?.history.map((entry) => entry.event)).toContain(
      'secret_stored (found this run’s Key Vault version)',
    );
  });

  it('step 4 — the new secret does not authenticate within the budget: connections keep the old one; the next run continues', async () => {
    const a = await arrange('not_propagated');
    await rc.delayNewSecrets({ delayInMs: 1000, sparing: [a.app] });
    try {
      const first = await a.s
        .rotation({ hooks: a.hooks(), verificationRetry: { budgetInMs: 300 } })
        .runScheduled();
      expect(first.results[0]).toMatchObject({
        outcome: 'retry_later',
        state: 'secret_stored',
        problem: { code: 'SECRET_NOT_PROPAGATED', needsOperator: false },
      });
      await expectSafe(a);
      expect(rc.cloud.databricks.control.storedConnection(a.names[0] ?? '')?.options.client_secret).toBe(
        a.app.initialSecret,
      );
    } finally {
      rc.resetPropagationDelay();
    }
    await expectConverged(a);
  });

  it('step 4 — crash after the secret was verified: the next run verifies again and continues', async () => {
    const a = await arrange('crash_verified');
    await a.s.rotation({ hooks: a.hooks('secret_verified', crash('secret_verified')) }).runScheduled();
    expect(await a.s.record(a.app)).toMatchObject({ state: 'secret_stored' });
    await expectSafe(a);
    await expectConverged(a);
  });

  it('step 5 — Databricks answers 503 to one PATCH: that connection keeps the old secret until the next run', async () => {
    const a = await arrange('dbx_503', 2);
    rc.cloud.databricks.control.injectFault({
      status: 503,
      count: 5, // RETRY_MAX_ATTEMPTS: every attempt of this run
      method: 'PATCH',
      path: new RegExp(`/connections/${a.names[1]}$`),
    });
    const first = await a.s.rotation({ hooks: a.hooks() }).runScheduled();
    expect(first.results[0]).toMatchObject({
      outcome: 'retry_later',
      state: 'secret_verified',
      problem: { code: 'TRANSIENT_FAILURE' },
    });
    const record = await a.s.record(a.app);
    expect(record?.connections.map((item) => [item.name, item.outcome])).toEqual([
      [a.names[0], 'updated'],
      [a.names[1], 'failed'],
    ]);
    expect(rc.cloud.databricks.control.storedConnection(a.names[1] ?? '')?.options.client_secret).toBe(
      a.app.initialSecret,
    );
    await expectSafe(a);
    await expectConverged(a);
  });

  it('step 5 — crash after the first of two connections was updated: the next run updates the second', async () => {
    const a = await arrange('crash_connection', 2);
    await a.s.rotation({ hooks: a.hooks('connection_updated', crash('connection_updated')) }).runScheduled();
    expect(await a.s.record(a.app)).toMatchObject({ state: 'secret_verified' });
    await expectSafe(a);
    await expectConverged(a);
  });

  it('step 6 — Graph answers 503 to removePassword: the old secret stays until the next run removes it', async () => {
    const a = await arrange('graph_503');
    await a.s.rotation({ hooks: a.hooks() }).runScheduled();
    a.s.clock.advanceHours(25);
    const failed = await a.s
      .rotation({
        hooks: a.hooks('removing_old_secret', () =>
          rc.cloud.graph.control.injectFault({ status: 503, count: 5 }),
        ),
      })
      .runScheduled();
    expect(failed.results[0]).toMatchObject({
      outcome: 'retry_later',
      state: 'connections_updated',
      problem: { code: 'TRANSIENT_FAILURE' },
    });
    await expect(rc.authenticates(a.app.appId, a.app.initialSecret)).resolves.toBe(true);
    await expectSafe(a);
    expect(await expectConverged(a)).toMatchObject({ oldSecret: 'removed' });
  });

  it('step 6 — crash after removePassword: the next run finds the old credential gone and completes', async () => {
    const a = await arrange('crash_removed');
    await a.s.rotation({ hooks: a.hooks() }).runScheduled();
    a.s.clock.advanceHours(25);
    await a.s.rotation({ hooks: a.hooks('old_secret_removed', crash('old_secret_removed')) }).runScheduled();
    expect(await a.s.record(a.app)).toMatchObject({ state: 'connections_updated' });
    await expectSafe(a);
    expect(await expectConverged(a)).toMatchObject({ oldSecret: 'already_gone' });
  });
});
