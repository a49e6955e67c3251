import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toTableKey } from '../../src/state/table-key.js';
import { wellKnownResources } from '../emulators/entra/index.js';
import { type RotationCloud, resultFor, startRotationCloud } from './rotation-harness.js';

/** Failures only a person can fix are recorded with what to grant or change, and never stop the other apps. */
describe('client-secret rotation problems that need an operator', () => {
  let rc: RotationCloud;
  const scenario = (env?: Record<string, string>) => rc.scenario(env ? { env } : {});

  beforeAll(async () => {
    rc = await startRotationCloud();
  });
  afterAll(() => rc?.close());

  it('Graph 403 (the provisioner does not own the app): the record says which permission and ownership to grant; other apps still rotate', async () => {
    const s = await scenario();
    const notOwned = await s.addApp({ owned: false });
    const owned = await s.addApp();
    await s.addConnection(notOwned, 'rot_403_sql');
    await s.addConnection(owned, 'rot_403_neighbour_sql');
    s.clock.advanceDays(91);

    const run = await s.rotation().runScheduled();
    expect(resultFor(run.results, notOwned)).toMatchObject({
      outcome: 'needs_attention',
      problem: { code: 'GRAPH_PERMISSION_MISSING', needsOperator: true },
    });
    const message = (await s.record(notOwned))?.problem?.message ?? '';
    expect(message).toContain('Application.ReadWrite.OwnedBy');
    expect(message).toContain(`add it as an owner of app registration ${notOwned.appId}`);
    expect(message).toContain(`client id ${rc.cloud.provisioner.appId}`);
    expect(rc.passwordKeyIds(notOwned.appId)).toEqual([notOwned.initialKeyId]);
    await expect(rc.cloud.databricks.control.testConnection('rot_403_sql')).resolves.toMatchObject({
      ok: true,
    });

    expect(resultFor(run.results, owned)).toMatchObject({ outcome: 'waiting_for_grace' });

    // Once the ownership is granted, the next run continues the same rotation.
    rc.cloud.entra.directory.addOwner(notOwned.appId, rc.cloud.provisioner.appId);
    const retried = await s.rotation().runScheduled();
    expect(resultFor(retried.results, notOwned)).toMatchObject({ outcome: 'waiting_for_grace' });
    expect(await s.record(notOwned)).not.toHaveProperty('problem');
  });

  it('a tenant policy blocking new client secrets: the record says what to change; other apps still rotate', async () => {
    const s = await scenario();
    const blocked = await s.addApp();
    const neighbour = await s.addApp();
    await s.addConnection(blocked, 'rot_policy_sql');
    await s.addConnection(neighbour, 'rot_policy_neighbour_sql');
    rc.cloud.graph.control.blockPasswordAddition({ appId: blocked.appId });
    s.clock.advanceDays(91);

    const run = await s.rotation().runScheduled();
    expect(resultFor(run.results, blocked)).toMatchObject({
      outcome: 'needs_attention',
      state: 'started',
      problem: { code: 'SECRET_POLICY_BLOCKED', needsOperator: true },
    });
    const message = (await s.record(blocked))?.problem?.message ?? '';
    expect(message).toContain('CredentialTypeNotAllowedAsPerAppPolicy');
    expect(message).toMatch(/Exempt the app from the policy's passwordCredentials restrictions/);
    expect(rc.passwordKeyIds(blocked.appId)).toEqual([blocked.initialKeyId]);
    await expect(rc.cloud.databricks.control.testConnection('rot_policy_sql')).resolves.toMatchObject({
      ok: true,
    });
    expect(resultFor(run.results, neighbour)).toMatchObject({ outcome: 'waiting_for_grace' });
  });

  it('Key Vault forbids writing: the record names the role to grant, and the credential just added is removed again', async () => {
    // A provisioner identity that may read secrets but not write them.
    const reader = rc.cloud.entra.directory.registerApp({ displayName: 'provisioner-without-write' });
    const readerSecret = rc.cloud.entra.directory.addPassword(reader.appId, { displayName: 'test' });
    rc.cloud.entra.directory.grantAppRole(
      reader.appId,
      wellKnownResources.graph,
      'Application.ReadWrite.OwnedBy',
    );
    rc.cloud.keyVault.control.grantRole(reader.servicePrincipalObjectId, 'Key Vault Secrets User');
    rc.cloud.databricks.control.addPrincipal({
      applicationId: reader.appId,
      metastorePrivileges: ['CREATE_CONNECTION', 'CREATE_CATALOG'],
    });
    const s = await scenario({
      AZURE_CLIENT_ID: reader.appId,
      AZURE_CLIENT_SECRET: readerSecret.secretText ?? '',
    });
    const app = await s.addApp({ owned: false });
    rc.cloud.entra.directory.addOwner(app.appId, reader.appId);
    await s.addConnection(app, 'rot_kv_forbidden_sql');
    s.clock.advanceDays(91);

    const run = await s.rotation().runScheduled();
    expect(resultFor(run.results, app)).toMatchObject({
      outcome: 'needs_attention',
      state: 'started',
      problem: { code: 'KEY_VAULT_FORBIDDEN', needsOperator: true },
    });
    expect((await s.record(app))?.problem?.message).toMatch(
      /grant the provisioner's identity the 'Key Vault Secrets Officer' role .* on the vault/,
    );
    expect(rc.passwordKeyIds(app.appId)).toEqual([app.initialKeyId]);
    await expect(rc.cloud.databricks.control.testConnection('rot_kv_forbidden_sql')).resolves.toMatchObject({
      ok: true,
    });
  });

  it('a connection whose last request is no longer recorded: the record says to re-submit it, and the old secret stays', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_forgotten_sql');
    const entry = await s.runtime.inventory.get(rc.cloud.databricks.url, 'rot_forgotten_sql');
    const requests = TableClient.fromConnectionString(
      inject('storageConnectionString'),
      `${s.tablePrefix}requests`,
      {
        allowInsecureConnection: true,
      },
    );
    await requests.deleteEntity(toTableKey(entry?.entry.lastRequestId ?? ''), 'status');
    s.clock.advanceDays(91);

    const run = await s.rotation().runScheduled();
    expect(resultFor(run.results, app)).toMatchObject({
      outcome: 'needs_attention',
      state: 'secret_verified',
      problem: { code: 'CONNECTION_UPDATE_FAILED' },
    });
    expect((await s.record(app))?.problem?.message).toContain(
      `re-submit that connection's request unchanged (it then reads the new secret)`,
    );
    s.clock.advanceDays(2);
    await s.rotation().runScheduled();
    await expect(rc.authenticates(app.appId, app.initialSecret)).resolves.toBe(true);
    await expect(rc.cloud.databricks.control.testConnection('rot_forgotten_sql')).resolves.toMatchObject({
      ok: true,
    });
  });

  it('never removes the old credential while Key Vault’s current version references it again', async () => {
    const s = await scenario();
    const app = await s.addApp();
    await s.addConnection(app, 'rot_restored_sql');
    s.clock.advanceDays(91);
    await s.rotation().runScheduled();
    // Someone puts the old secret back as the current version.
    await rc.cloud.secrets.setSecret(app.secretName, app.initialSecret, {
      tags: { keyId: app.initialKeyId },
    });

    s.clock.advanceDays(2);
    const run = await s.rotation().runScheduled();
    expect(resultFor(run.results, app)).toMatchObject({
      outcome: 'needs_attention',
      state: 'connections_updated',
      problem: { code: 'OLD_SECRET_STILL_CURRENT' },
    });
    await expect(rc.authenticates(app.appId, app.initialSecret)).resolves.toBe(true);
    expect(rc.passwordKeyIds(app.appId)).toHaveLength(2);
  });
});
