import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ProvisioningHarness, startProvisioningHarness } from './provisioning-harness.js';

describe('M2M provisioning through the queue', () => {
  let h: ProvisioningHarness;
  const consoleLines: string[] = [];
  const databricksCalls = () => h.cloud.databricks.control.requestLog().length;

  beforeAll(async () => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    h = await startProvisioningHarness();
  });
  afterAll(async () => {
    await h?.close();
    vi.restoreAllMocks();
  });

  it('creates an M2M connection whose stored secret is the one in Key Vault and whose credentials work', async () => {
    const request = h.m2mRequest('Sales_SQL');
    const status = await h.submit(request);

    expect(status).toMatchObject({
      status: 'succeeded',
      connectionName: 'sales_sql',
      flow: 'M2M',
      reasons: [],
    });
    const stored = h.cloud.databricks.control.storedConnection('sales_sql');
    expect(stored?.credentialType).toBe('OAUTH_M2M');
    expect(stored?.options.client_secret).toBe(h.cloud.sqlApp.secretText);
    expect(stored?.options.token_endpoint).toBe(`${h.cloud.entra.url}/${h.cloud.tenantId}/oauth2/v2.0/token`);
    await expect(h.cloud.databricks.control.testConnection('sales_sql')).resolves.toEqual({
      ok: true,
      audience: 'https://database.windows.net',
    });
    const inventory = await h.runtime.inventory.get(h.cloud.databricks.url, 'sales_sql');
    expect(inventory?.entry).toMatchObject({ flow: 'M2M', lastRequestId: request.requestId });
  });

  it('treats a redelivered request as done: same status, no Databricks call', async () => {
    const request = h.m2mRequest('dup_sql');
    await h.submit(request);
    const before = databricksCalls();
    const again = await h.submit(request);
    expect(again.status).toBe('succeeded');
    expect(databricksCalls()).toBe(before);
  });

  it('spends no Databricks call on a new request that changes nothing', async () => {
    await h.submit(h.m2mRequest('steady_sql'));
    const before = databricksCalls();
    const status = await h.submit(h.m2mRequest('steady_sql'));
    expect(status.status).toBe('succeeded');
    expect(databricksCalls()).toBe(before);
  });

  it('applies a changed option with one PATCH that carries the full option set, secret included', async () => {
    await h.submit(h.m2mRequest('intent_sql'));
    const before = h.cloud.databricks.control.requestLog().length;
    const changed = h.m2mRequest('intent_sql', {
      connection: {
        name: 'intent_sql',
        host: 'sales-srv.database.windows.net',
        applicationIntent: 'ReadOnly',
      },
    });
    expect((await h.submit(changed)).status).toBe('succeeded');
    const calls = h.cloud.databricks.control.requestLog().slice(before);
    expect(calls.map((call) => `${call.method} ${call.status}`)).toEqual(['PATCH 200']);
    const stored = h.cloud.databricks.control.storedConnection('intent_sql');
    expect(stored?.options).toMatchObject({
      applicationIntent: 'ReadOnly',
      client_secret: h.cloud.sqlApp.secretText,
    });
  });

  it('re-applies the connection when Key Vault holds a new version of its secret', async () => {
    await h.submit(h.m2mRequest('rotated_sql'));
    const fresh = h.cloud.entra.directory.addPassword(h.cloud.sqlApp.appId, {
      displayName: 'manual rotation',
    });
    await h.cloud.secrets.setSecret(h.cloud.sqlApp.secretName, fresh.secretText ?? '');
    expect((await h.submit(h.m2mRequest('rotated_sql'))).status).toBe('succeeded');
    expect(h.cloud.databricks.control.storedConnection('rotated_sql')?.options.client_secret).toBe(
      fresh.secretText,
    );
    await expect(h.cloud.databricks.control.testConnection('rotated_sql')).resolves.toMatchObject({
      ok: true,
    });
    h.cloud.sqlApp.secretText = fresh.secretText ?? '';
  });

  it('refuses to take over a connection it did not create, unless the request says adopt', async () => {
    await h.createForeignConnection('legacy_sql', {
      host: 'legacy.database.windows.net',
      user: 'sa',
      password: 'legacy-password-1',
    });

    const refused = await h.submit(h.m2mRequest('legacy_sql'));
    expect(refused).toMatchObject({
      status: 'rejected',
      reasons: [expect.objectContaining({ code: 'CONNECTION_NOT_MANAGED', path: 'connection.name' })],
    });
    expect(h.cloud.databricks.control.storedConnection('legacy_sql')?.credentialType).toBe(
      'USERNAME_PASSWORD',
    );

    const adopted = await h.submit(h.m2mRequest('legacy_sql', { adopt: true }));
    expect(adopted.status).toBe('succeeded');
    expect(h.cloud.databricks.control.storedConnection('legacy_sql')?.credentialType).toBe('OAUTH_M2M');
  });

  it('grants privileges and creates the foreign catalog, never revoking grants it was not asked about', async () => {
    const request = h.m2mRequest('finance_sql', {
      grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION'] }],
      foreignCatalog: {
        name: 'finance',
        database: 'financedb',
        grants: [{ principal: 'analysts', privileges: ['USE_CATALOG', 'USE_SCHEMA', 'SELECT'] }],
      },
    });
    expect((await h.submit(request)).status).toBe('succeeded');

    const token = await h.databricksToken();
    const get = async (path: string) =>
      (await fetch(`${h.cloud.databricks.url}/api/2.1/unity-catalog/${path}`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((response) => response.json())) as Record<string, unknown>;
    await fetch(`${h.cloud.databricks.url}/api/2.1/unity-catalog/permissions/connection/finance_sql`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        changes: [{ principal: 'data-platform-admins', add: ['CREATE_FOREIGN_CATALOG'] }],
      }),
    });

    expect(await get('catalogs/finance')).toMatchObject({
      name: 'finance',
      connection_name: 'finance_sql',
      options: { database: 'financedb' },
    });
    const more = h.m2mRequest('finance_sql', {
      grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION', 'CREATE_FOREIGN_CATALOG'] }],
      foreignCatalog: request.foreignCatalog,
    });
    expect((await h.submit(more)).status).toBe('succeeded');
    const grants = (await get('permissions/connection/finance_sql')).privilege_assignments;
    expect(grants).toEqual(
      expect.arrayContaining([
        {
          principal: 'analysts',
          privileges: expect.arrayContaining(['USE_CONNECTION', 'CREATE_FOREIGN_CATALOG']),
        },
        { principal: 'data-platform-admins', privileges: ['CREATE_FOREIGN_CATALOG'] },
      ]),
    );
    const catalogGrants = (await get('permissions/catalog/finance')).privilege_assignments;
    expect(catalogGrants).toEqual([
      { principal: 'analysts', privileges: expect.arrayContaining(['USE_CATALOG', 'USE_SCHEMA', 'SELECT']) },
    ]);
  });

  it('deletes the foreign catalog it created, then the connection; deleting again is a no-op', async () => {
    const before = h.cloud.databricks.control.requestLog().length;
    const remove = { requestId: 'delete-finance', action: 'delete', connection: { name: 'finance_sql' } };
    expect((await h.submit(remove)).status).toBe('succeeded');
    const deletes = h.cloud.databricks.control
      .requestLog()
      .slice(before)
      .filter((call) => call.method === 'DELETE')
      .map((call) => call.path.replace('/api/2.1/unity-catalog/', ''));
    expect(deletes).toEqual(['catalogs/finance', 'connections/finance_sql']);
    expect(h.cloud.databricks.control.storedConnection('finance_sql')).toBeUndefined();
    expect(await h.runtime.inventory.get(h.cloud.databricks.url, 'finance_sql')).toBeUndefined();

    const again = await h.submit({
      requestId: 'delete-finance-again',
      action: 'delete',
      connection: { name: 'finance_sql' },
    });
    expect(again.status).toBe('succeeded');
  });

  it('does not delete a connection it did not create', async () => {
    const status = await h.submit({
      requestId: 'delete-legacy',
      action: 'delete',
      connection: { name: 'never_ours' },
    });
    expect(status.status).toBe('succeeded');
    const token = await h.databricksToken();
    await fetch(`${h.cloud.databricks.url}/api/2.1/unity-catalog/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'never_ours',
        connection_type: 'SQLSERVER',
        options: { host: 'x.database.windows.net', port: '1433', user: 'u', password: 'not-ours-password' },
      }),
    });
    const refused = await h.submit({
      requestId: 'delete-legacy-2',
      action: 'delete',
      connection: { name: 'never_ours' },
    });
    expect(refused.reasons).toEqual([expect.objectContaining({ code: 'CONNECTION_NOT_MANAGED' })]);
    expect(h.cloud.databricks.control.storedConnection('never_ours')).toBeDefined();
  });

  it('creates one connection when the same request arrives twice at once', async () => {
    const created = h.cloud.databricks.control.counts().created;
    const request = h.m2mRequest('twice_sql');
    await h.driver.send(request, { messageId: 'twice-a' });
    await h.driver.send(request, { messageId: 'twice-b' });
    const deliveries = await h.driver.deliver(h.handler, 2);
    expect(deliveries.map((delivery) => delivery.settled)).toEqual(['completed', 'completed']);
    expect(h.cloud.databricks.control.counts().created).toBe(created + 1);
    expect((await h.status(request.requestId)).status).toBe('succeeded');
  });

  it('never lets two requests for one connection interleave: the newer one wins', async () => {
    await h.submit(h.m2mRequest('race_sql'));
    const older = h.m2mRequest('race_sql', {
      connection: { name: 'race_sql', host: 'sales-srv.database.windows.net', applicationIntent: 'ReadOnly' },
    });
    const newer = h.m2mRequest('race_sql', {
      connection: {
        name: 'race_sql',
        host: 'sales-srv.database.windows.net',
        applicationIntent: 'ReadWrite',
      },
    });
    await h.driver.send(older, { messageId: 'race-older' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await h.driver.send(newer, { messageId: 'race-newer' });
    await h.driver.deliver(h.handler, 2);

    expect((await h.status(newer.requestId)).status).toBe('succeeded');
    expect(['succeeded', 'superseded']).toContain((await h.status(older.requestId)).status);
    expect(h.cloud.databricks.control.storedConnection('race_sql')?.options.applicationIntent).toBe(
      'ReadWrite',
    );
  });

  it('marks an older request superseded when a newer one for the same connection was already applied', async () => {
    const { InvocationContext } = await import('@azure/functions');
    const deliver = (body: unknown, enqueuedTimeUtc: Date, messageId: string) =>
      h.handler(
        JSON.stringify(body),
        new InvocationContext({
          triggerMetadata: { messageId, deliveryCount: 1, enqueuedTimeUtc: enqueuedTimeUtc.toISOString() },
        }),
      );
    const newer = h.m2mRequest('order_sql', {
      connection: {
        name: 'order_sql',
        host: 'sales-srv.database.windows.net',
        applicationIntent: 'ReadWrite',
      },
    });
    const older = h.m2mRequest('order_sql', {
      connection: {
        name: 'order_sql',
        host: 'sales-srv.database.windows.net',
        applicationIntent: 'ReadOnly',
      },
    });
    await deliver(newer, new Date(), 'order-newer');
    const before = databricksCalls();
    await deliver(older, new Date(Date.now() - 60_000), 'order-older');

    expect((await h.status(older.requestId)).status).toBe('superseded');
    expect(databricksCalls()).toBe(before);
    expect(h.cloud.databricks.control.storedConnection('order_sql')?.options.applicationIntent).toBe(
      'ReadWrite',
    );
  });

  it('rejects a request whose Key Vault secret does not exist, or is disabled, without retrying', async () => {
    const missing = await h.submit(
      h.m2mRequest('nosecret_sql', {
        auth: {
          flow: 'M2M',
          tenantId: h.cloud.tenantId,
          clientId: h.cloud.sqlApp.appId,
          clientSecretRef: 'no-such-secret',
        },
      }),
    );
    expect(missing.reasons).toEqual([
      expect.objectContaining({
        code: 'SECRET_NOT_FOUND',
        path: 'auth.clientSecretRef',
        message: expect.stringContaining('no-such-secret'),
      }),
    ]);
    expect(missing.history.map((entry) => entry.status)).toEqual(['in_progress', 'rejected']);

    await h.cloud.secrets.setSecret('disabled-secret', 'disabled-secret-value', { enabled: false });
    const disabled = await h.submit(
      h.m2mRequest('disabled_sql', {
        auth: {
          flow: 'M2M',
          tenantId: h.cloud.tenantId,
          clientId: h.cloud.sqlApp.appId,
          clientSecretRef: 'disabled-secret',
        },
      }),
    );
    expect(disabled.reasons).toEqual([expect.objectContaining({ code: 'KEY_VAULT_FORBIDDEN' })]);
  });

  it('leaves nothing behind when it refuses a take-over: the next request is refused too, and a delete leaves it alone', async () => {
    await h.createForeignConnection('foreign_sql', {
      host: 'foreign.database.windows.net',
      user: 'u',
      password: 'foreign-password-1',
    });

    for (const attempt of [1, 2]) {
      const refused = await h.submit(h.m2mRequest('foreign_sql'));
      expect(refused.reasons, `attempt ${attempt}`).toEqual([
        expect.objectContaining({ code: 'CONNECTION_NOT_MANAGED', path: 'connection.name' }),
      ]);
    }
    const removal = await h.submit({
      requestId: 'delete-foreign',
      action: 'delete',
      connection: { name: 'foreign_sql' },
    });
    expect(removal.reasons).toEqual([expect.objectContaining({ code: 'CONNECTION_NOT_MANAGED' })]);
    expect(h.cloud.databricks.control.storedConnection('foreign_sql')).toMatchObject({
      credentialType: 'USERNAME_PASSWORD',
      options: { host: 'foreign.database.windows.net', password: 'foreign-password-1' },
    });
    expect(await h.runtime.inventory.get(h.cloud.databricks.url, 'foreign_sql')).toBeUndefined();
  });

  it('refuses a foreign catalog name already used by a catalog on another connection, and leaves that catalog alone', async () => {
    const first = h.m2mRequest('catalog_owner_sql', {
      foreignCatalog: { name: 'shared_cat', database: 'db1' },
    });
    expect((await h.submit(first)).status).toBe('succeeded');

    const second = h.m2mRequest('catalog_taker_sql', {
      foreignCatalog: { name: 'Shared_Cat', database: 'db2' },
    });
    const status = await h.submit(second);

    expect(status).toMatchObject({
      status: 'rejected',
      reasons: [
        {
          code: 'CATALOG_NOT_MANAGED',
          path: 'foreignCatalog.name',
          message:
            "foreignCatalog.name: catalog 'shared_cat' already exists and does not use connection 'catalog_taker_sql'; choose another catalog name.",
        },
      ],
    });
    const token = await h.databricksToken();
    const catalog = await fetch(`${h.cloud.databricks.url}/api/2.1/unity-catalog/catalogs/shared_cat`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((response) => response.json());
    expect(catalog).toMatchObject({ connection_name: 'catalog_owner_sql', options: { database: 'db1' } });

    // With another catalog name the same connection converges (it was created before the refusal).
    const renamed = h.m2mRequest('catalog_taker_sql', {
      foreignCatalog: { name: 'taker_cat', database: 'db2' },
    });
    expect((await h.submit(renamed)).status).toBe('succeeded');
    expect(await h.runtime.inventory.get(h.cloud.databricks.url, 'catalog_taker_sql')).toMatchObject({
      entry: { foreignCatalog: { name: 'taker_cat', database: 'db2' } },
    });
  });

  it('never writes a secret value to a log line or a status', async () => {
    const secrets = [
      h.cloud.sqlApp.secretText,
      h.cloud.provisioner.secretText,
      'legacy-password-1',
      'disabled-secret-value',
      'foreign-password-1',
    ];
    const statuses = await Promise.all(
      ['delete-finance', 'delete-legacy-2', 'delete-foreign'].map((id) =>
        h.runtime.statuses.get(id).then((view) => JSON.stringify(view)),
      ),
    );
    const everything = [...consoleLines, ...h.driver.logs.map((line) => line.text), ...statuses].join('\n');
    expect(h.driver.logs.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
