import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProvisioningHarness, startProvisioningHarness } from '../provisioning/provisioning-harness.js';

/** The timer and HTTP functions, called through their registered handlers with the production wiring. */
describe('rotation functions', () => {
  let h: ProvisioningHarness;
  let functions: {
    rotateSecrets: typeof import('../../functions/rotate-secrets.js').rotateSecrets;
    rotationReport: typeof import('../../functions/rotation-report.js').rotationReport;
    requestRotation: typeof import('../../functions/rotation-report.js').requestRotation;
    registered: typeof import('../../functions/shared/define-function.js').registeredFunctions;
  };
  const logs: string[] = [];
  const context = () =>
    new InvocationContext({
      functionName: 'test',
      logHandler: (_level, ...args) => logs.push(args.join(' ')),
    });
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  const http = (method: string, path: string) =>
    new HttpRequest({ method, url: `http://localhost:7071/api/${path}`, params: paramsOf(path) });

  beforeAll(async () => {
    h = await startProvisioningHarness();
    const rotation = await import('../../functions/rotate-secrets.js');
    const report = await import('../../functions/rotation-report.js');
    const { registeredFunctions } = await import('../../functions/shared/define-function.js');
    functions = { ...rotation, ...report, registered: registeredFunctions };
    expect((await h.submit(h.m2mRequest('rot_fn_sql'))).status).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers the timer on %ROTATION_SCHEDULE% and the report routes behind the function key', () => {
    const byName = Object.fromEntries(
      functions.registered.map((definition) => [definition.name, definition]),
    );
    expect(byName.rotateSecrets).toMatchObject({
      trigger: 'timer',
      options: { schedule: '%ROTATION_SCHEDULE%' },
    });
    expect(byName.rotationReport).toMatchObject({
      trigger: 'http',
      options: { methods: ['GET'], authLevel: 'function', route: 'rotations' },
    });
    expect(byName.requestRotation).toMatchObject({
      trigger: 'http',
      options: { methods: ['POST'], authLevel: 'function', route: 'rotations/{tenantId}/{clientId}' },
    });
  });

  it('the timer rotates a secret whose Key Vault exp is near, and the report shows the record without secrets', async () => {
    const { secrets, sqlApp } = h.cloud;
    const current = await secrets.getSecret(sqlApp.secretName);
    await secrets.updateSecretProperties(sqlApp.secretName, current.properties.version ?? '', {
      expiresOn: new Date(Date.now() + 10 * 24 * 3600_000),
      tags: current.properties.tags ?? {},
    });

    await functions.rotateSecrets(timer, context());

    const rotated = await secrets.getSecret(sqlApp.secretName);
    expect(rotated.value).not.toBe(sqlApp.secretText);
    expect(h.cloud.databricks.control.storedConnection('rot_fn_sql')?.options.client_secret).toBe(
      rotated.value,
    );
    await expect(h.cloud.databricks.control.testConnection('rot_fn_sql')).resolves.toMatchObject({
      ok: true,
    });

    const response = await functions.rotationReport(http('GET', 'rotations'), context());
    expect(response).toMatchObject({ status: 200, headers: { 'cache-control': 'no-store' } });
    const body = response.jsonBody as { rotations: Array<Record<string, unknown>>; apps: unknown[] };
    expect(body.rotations).toContainEqual(
      expect.objectContaining({
        clientId: sqlApp.appId,
        clientSecretRef: sqlApp.secretName,
        state: 'connections_updated',
        trigger: 'schedule',
        reason: expect.stringMatching(/^expiry: /),
        newSecretVersion: rotated.properties.version,
        connections: [expect.objectContaining({ name: 'rot_fn_sql', outcome: 'updated' })],
      }),
    );
    expect(response.jsonBody).toMatchObject({
      apps: [{ clientId: sqlApp.appId, clientSecretRefs: [sqlApp.secretName], connections: 1 }],
    });
    const text = JSON.stringify(body) + logs.join('\n');
    for (const secret of [sqlApp.secretText, rotated.value ?? '']) expect(text).not.toContain(secret);
  });

  it('POST /api/rotations/{tenantId}/{clientId} rotates an app now, even though it is not due', async () => {
    const { entra, secrets, tenantId, provisioner } = h.cloud;
    const app = entra.directory.registerApp({ displayName: 'rotate-on-request' });
    entra.directory.addOwner(app.appId, provisioner.appId);
    const initial = entra.directory.addPassword(app.appId, { displayName: 'initial' });
    await secrets.setSecret('rotate-on-request', initial.secretText ?? '', {
      tags: { keyId: initial.keyId },
    });
    const request = h.m2mRequest('rot_fn_now_sql', {
      auth: { flow: 'M2M', tenantId, clientId: app.appId, clientSecretRef: 'rotate-on-request' },
    });
    expect((await h.submit(request)).status).toBe('succeeded');

    const response = await functions.requestRotation(
      http('POST', `rotations/${tenantId}/${app.appId}`),
      context(),
    );
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      results: [{ clientId: app.appId, outcome: 'waiting_for_grace', state: 'connections_updated' }],
      rotations: [
        expect.objectContaining({ trigger: 'operator', reason: 'operator: immediate rotation requested' }),
      ],
    });
    const rotated = await secrets.getSecret('rotate-on-request');
    expect(h.cloud.databricks.control.storedConnection('rot_fn_now_sql')?.options.client_secret).toBe(
      rotated.value,
    );
    expect(entra.directory.listPasswords(app.appId)).toHaveLength(2);

    // Asking again continues the same rotation: the old secret still waits for the grace period.
    const again = await functions.requestRotation(
      http('POST', `rotations/${tenantId}/${app.appId}`),
      context(),
    );
    expect(again.jsonBody).toMatchObject({ results: [{ outcome: 'waiting_for_grace' }] });
    expect(entra.directory.listPasswords(app.appId)).toHaveLength(2);
  });

  it('POST /api/rotations answers 400 naming a malformed id, and 404 for an app no connection uses', async () => {
    const malformed = await functions.requestRotation(http('POST', 'rotations/not-a-tenant/1234'), context());
    expect(malformed).toMatchObject({ status: 400, jsonBody: { error: { code: 'InvalidAppRegistration' } } });
    const message = (malformed.jsonBody as { error: { message: string } }).error.message;
    expect(message).toContain(
      "tenantId: expected a GUID such as 00000000-0000-0000-0000-000000000000, got 'not-a-tenant'",
    );
    expect(message).toContain("clientId: expected an application (client) id GUID, got '1234'");

    const unknown = await functions.requestRotation(
      http('POST', `rotations/${h.cloud.tenantId}/00000000-0000-0000-0000-000000000001`),
      context(),
    );
    expect(unknown).toMatchObject({ status: 404, jsonBody: { error: { code: 'AppNotManaged' } } });
  });
});

/** The route parameters the host would bind for `rotations/{tenantId}/{clientId}`. */
function paramsOf(path: string): Record<string, string> {
  const [, tenantId, clientId] = path.split('/');
  return tenantId && clientId ? { tenantId, clientId } : {};
}
