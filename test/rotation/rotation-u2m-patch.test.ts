import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabricksStandIn, startDatabricks } from '../emulators/databricks/index.js';
import { type SignInHarness, startSignInHarness } from '../signin/sign-in-harness.js';

/**
 * ROTATION_U2M_POLICY=patch, for tenants that verified that a PATCH without a new authorization code keeps a U2M
 * grant. Two workspaces: one that keeps the grant (the connection moves to the new secret and still works) and
 * one that demands a new code (the PATCH is refused, so the connection and the old secret stay as they were).
 */
describe('rotation of U2M connections under ROTATION_U2M_POLICY=patch', () => {
  let h: SignInHarness;
  let keepsGrant: DatabricksStandIn;
  let now = Date.now();

  beforeAll(async () => {
    h = await startSignInHarness({
      extraSettings: async (cloud) => {
        keepsGrant = await startDatabricks({ entraUrl: cloud.entra.url, u2mPatchWithoutCode: 'keep_grant' });
        keepsGrant.control.addPrincipal({
          applicationId: cloud.provisioner.appId,
          metastorePrivileges: ['CREATE_CONNECTION', 'CREATE_CATALOG'],
        });
        return {
          DATABRICKS_ALLOWED_WORKSPACES: `${cloud.databricks.url},${keepsGrant.url}`,
          ROTATION_U2M_POLICY: 'patch',
        };
      },
    });
    for (const [name, workspace] of [
      ['rot_patch_kept_sql', keepsGrant.url],
      ['rot_patch_refused_sql', h.cloud.databricks.url],
    ] as const) {
      const request = h.u2mRequest(name, { workspace });
      expect((await h.submit(request)).status).toBe('awaiting_sign_in');
      expect((await h.browser().signInWith(await h.linkFor(request.requestId))).status).toBe(200);
    }
  });
  afterAll(async () => {
    await h?.close();
    await keepsGrant?.close();
  });

  it('PATCHes where the workspace keeps the grant, and keeps the old secret while another workspace refuses', async () => {
    const oldSecret = h.cloud.sqlApp.secretText;
    now += 91 * 24 * 3600_000;
    const rotation = h.runtime.secretRotation(() => {}, {
      now: () => now,
      verificationRetry: { baseDelayInMs: 50, maxDelayInMs: 400, budgetInMs: 10_000 },
    });
    const [result] = (await rotation.runScheduled()).results;
    expect(result).toMatchObject({
      outcome: 'needs_attention',
      state: 'secret_verified',
      problem: { code: 'CONNECTION_UPDATE_FAILED' },
    });
    const record = (await rotation.records()).find(
      (candidate) => candidate.clientId === h.cloud.sqlApp.appId,
    );
    expect(record?.connections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'rot_patch_kept_sql', outcome: 'updated' }),
        expect.objectContaining({ name: 'rot_patch_refused_sql', outcome: 'failed' }),
      ]),
    );
    const newSecret = (await h.cloud.secrets.getSecret(h.cloud.sqlApp.secretName)).value;
    const kept = keepsGrant.control.storedConnection('rot_patch_kept_sql');
    expect(kept).toMatchObject({ credentialType: 'OAUTH_U2M', options: { client_secret: newSecret } });
    await expect(keepsGrant.control.testConnection('rot_patch_kept_sql')).resolves.toMatchObject({
      ok: true,
    });

    expect(h.cloud.databricks.control.storedConnection('rot_patch_refused_sql')?.options.client_secret).toBe(
      oldSecret,
    );
    await expect(h.cloud.databricks.control.testConnection('rot_patch_refused_sql')).resolves.toMatchObject({
      ok: true,
    });
    // Past the grace period the old secret still stays: a connection still uses it.
    now += 2 * 24 * 3600_000;
    await rotation.runScheduled();
    expect(h.cloud.entra.directory.listPasswords(h.cloud.sqlApp.appId)).toHaveLength(2);
  });
});
