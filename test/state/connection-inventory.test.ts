import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyConflict } from '../../src/state/concurrency-conflict.js';
import { ConnectionInventory, type ManagedConnection } from '../../src/state/connection-inventory.js';
import { createTestStateTables } from './state-tables.js';

const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const clientId = '00000000-0000-0000-0000-00000000c11e';

function connection(overrides: Partial<ManagedConnection> = {}): ManagedConnection {
  return {
    workspace: 'https://adb-1111.11.azuredatabricks.net',
    name: 'sales_sql',
    flow: 'M2M',
    tenantId,
    clientId,
    clientSecretRef: 'sales-sql-secret',
    secretVersion: 'v1',
    optionsFingerprint: 'sha256:aaa',
    lastRequestId: 'req-1',
    lastRequestSequence: 1,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('ConnectionInventory (Azurite through @azure/data-tables)', () => {
  let tables: Awaited<ReturnType<typeof createTestStateTables>>;
  let inventory: ConnectionInventory;
  let workspaceNumber = 0;
  const newWorkspace = () => `https://adb-${++workspaceNumber}${Date.now()}.7.azuredatabricks.net`;

  beforeAll(async () => {
    tables = await createTestStateTables();
    inventory = new ConnectionInventory(tables.connections);
  });
  afterAll(() => tables?.drop());

  it('returns undefined for a connection it does not manage', async () => {
    await expect(inventory.get(newWorkspace(), 'unknown')).resolves.toBeUndefined();
  });

  it('inserts an entry and reads it back with its ETag, the name lower-cased', async () => {
    const entry = connection({ workspace: newWorkspace(), name: 'Sales_SQL', approver: 'admin@contoso.com' });
    const etag = await inventory.put(entry);
    const stored = await inventory.get(entry.workspace, 'SALES_sql');
    expect(stored).toEqual({ entry: { ...entry, name: 'sales_sql' }, etag });
  });

  it('round-trips a foreign catalog and a request sequence beyond 32 bits, and omits absent options', async () => {
    const entry = connection({
      workspace: newWorkspace(),
      flow: 'U2M',
      foreignCatalog: { name: 'sales', database: 'salesdb' },
      lastRequestSequence: 2 ** 40 + 1,
    });
    await inventory.put(entry);
    const stored = await inventory.get(entry.workspace, entry.name);
    expect(stored?.entry).toEqual(entry);
    expect(stored?.entry).not.toHaveProperty('approver');
  });

  it('refuses to insert over an existing entry (insert-only without an ETag)', async () => {
    const entry = connection({ workspace: newWorkspace() });
    await inventory.put(entry);
    const conflict = inventory.put({ ...entry, name: 'SALES_SQL', secretVersion: 'v2' });
    await expect(conflict).rejects.toBeInstanceOf(ConcurrencyConflict);
    await expect(conflict).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(inventory.get(entry.workspace, entry.name)).resolves.toMatchObject({
      entry: { secretVersion: 'v1' },
    });
  });

  it('updates with the current ETag and refuses a stale one', async () => {
    const entry = connection({ workspace: newWorkspace() });
    const first = await inventory.put(entry);
    const second = await inventory.put({ ...entry, secretVersion: 'v2' }, { etag: first });
    expect(second).not.toBe(first);
    const stale = inventory.put({ ...entry, secretVersion: 'v3' }, { etag: first });
    await expect(stale).rejects.toMatchObject({ name: 'ConcurrencyConflict', code: 'CHANGED_SINCE_READ' });
    await expect(inventory.get(entry.workspace, entry.name)).resolves.toEqual({
      entry: { ...entry, secretVersion: 'v2' },
      etag: second,
    });
  });

  it('treats an update of an entry deleted since it was read as a conflict, not a re-insert', async () => {
    const entry = connection({ workspace: newWorkspace() });
    const etag = await inventory.put(entry);
    await inventory.delete(entry.workspace, entry.name);
    await expect(inventory.put(entry, { etag })).rejects.toMatchObject({ code: 'CHANGED_SINCE_READ' });
    await expect(inventory.get(entry.workspace, entry.name)).resolves.toBeUndefined();
  });

  it('deletes idempotently, and refuses a delete with a stale ETag', async () => {
    const entry = connection({ workspace: newWorkspace() });
    const first = await inventory.put(entry);
    await inventory.put({ ...entry, secretVersion: 'v2' }, { etag: first });
    await expect(inventory.delete(entry.workspace, entry.name, { etag: first })).rejects.toMatchObject({
      code: 'CHANGED_SINCE_READ',
    });
    await inventory.delete(entry.workspace, entry.name);
    await inventory.delete(entry.workspace, entry.name);
    await expect(inventory.get(entry.workspace, entry.name)).resolves.toBeUndefined();
  });

  it('lists every connection of one app registration across workspaces, matching ids case-insensitively', async () => {
    const appClientId = crypto.randomUUID();
    const mine = [
      connection({ workspace: newWorkspace(), name: 'a', clientId: appClientId }),
      connection({ workspace: newWorkspace(), name: 'b', clientId: appClientId.toUpperCase() }),
      connection({ workspace: newWorkspace(), name: 'c', clientId: appClientId, flow: 'U2M' }),
    ];
    const others = [
      connection({ workspace: mine[0]?.workspace, name: 'other-app', clientId: crypto.randomUUID() }),
      connection({
        workspace: newWorkspace(),
        name: 'other-tenant',
        tenantId: crypto.randomUUID(),
        clientId: appClientId,
      }),
    ];
    for (const entry of [...mine, ...others]) await inventory.put(entry);
    const found = await inventory.listByClientId(tenantId.toUpperCase(), appClientId);
    expect(found.map((entry) => `${entry.workspace} ${entry.name}`).sort()).toEqual(
      mine.map((entry) => `${entry.workspace} ${entry.name}`).sort(),
    );
    expect(found.every((entry) => entry.clientId === appClientId)).toBe(true);
  });

  it('round-trips https workspace URLs and names with characters that are illegal or fragile in table keys', async () => {
    const workspace = `${newWorkspace()}/?o=123#frag`;
    const names = [
      'sales/eu#1?',
      "o'brien%20x",
      'back\\slash',
      'tab\there',
      'données_ünïcode',
      'a!2fb',
      'a/b',
    ];
    for (const name of names) await inventory.put(connection({ workspace, name }));
    for (const name of names) {
      await expect(inventory.get(workspace, name)).resolves.toMatchObject({ entry: { workspace, name } });
    }
    const listed = [];
    for await (const entry of inventory.list()) if (entry.workspace === workspace) listed.push(entry.name);
    expect(listed.sort()).toEqual([...names].sort());
  });

  it('keeps the same name in two workspaces apart', async () => {
    const [first, second] = [newWorkspace(), newWorkspace()];
    await inventory.put(connection({ workspace: first, secretVersion: 'first' }));
    await inventory.put(connection({ workspace: second, secretVersion: 'second' }));
    await expect(inventory.get(first, 'sales_sql')).resolves.toMatchObject({
      entry: { secretVersion: 'first' },
    });
    await expect(inventory.get(second, 'sales_sql')).resolves.toMatchObject({
      entry: { secretVersion: 'second' },
    });
  });
});
