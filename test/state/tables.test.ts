import { TableServiceClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStateTables, stateTableNames } from '../../src/state/tables.js';
import { createTestStateTables } from './state-tables.js';

describe('createStateTables', () => {
  let tables: Awaited<ReturnType<typeof createTestStateTables>>;
  beforeAll(async () => {
    tables = await createTestStateTables();
  });
  afterAll(() => tables?.drop());

  it('names each table <prefix><name> and creates all of them', async () => {
    const prefix = tables.requests.tableName.replace(/requests$/, '');
    expect(stateTableNames.map((name) => tables[name].tableName)).toEqual(
      stateTableNames.map((name) => `${prefix}${name}`),
    );
    const service = TableServiceClient.fromConnectionString(inject('storageConnectionString'), {
      allowInsecureConnection: true,
    });
    const existing: string[] = [];
    for await (const table of service.listTables())
      if (table.name?.startsWith(prefix)) existing.push(table.name);
    expect(existing.sort()).toEqual(stateTableNames.map((name) => `${prefix}${name}`).sort());
  });

  it('ensureTablesExist succeeds again when the tables already exist', async () => {
    const again = createStateTables({
      connectionString: inject('storageConnectionString'),
      tablePrefix: tables.requests.tableName.replace(/requests$/, ''),
    });
    await expect(again.ensureTablesExist()).resolves.toBeUndefined();
    await expect(again.ensureTablesExist()).resolves.toBeUndefined();
  });

  it.each([
    ['a hyphen', 'uc-prov'],
    ['a leading digit', '1ucprov'],
    ['an underscore', 'uc_prov'],
    ['too many characters for a 63-character table name', `a${'b'.repeat(52)}`],
  ])('rejects a table prefix with %s, naming an example', (_, tablePrefix) => {
    expect(() => createStateTables({ connectionString: 'UseDevelopmentStorage=true', tablePrefix })).toThrow(
      /tablePrefix .* e\.g\. 'ucprov'/,
    );
  });

  it('connects to a table service URL with a token credential, as with managed identity in Azure', () => {
    const credential = {
      getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 60_000 }),
    };
    const tables = createStateTables({
      tableServiceUrl: 'https://mystorage.table.core.windows.net',
      credential,
      tablePrefix: 'ucprov',
    });
    expect(tables.rotations.url).toBe('https://mystorage.table.core.windows.net');
    expect(tables.rotations.tableName).toBe('ucprovrotations');
  });

  it('requires exactly one of connectionString or tableServiceUrl with credential', () => {
    expect(() => createStateTables({})).toThrow(/connectionString .* or tableServiceUrl with credential/);
    expect(() => createStateTables({ tableServiceUrl: 'https://mystorage.table.core.windows.net' })).toThrow(
      /tableServiceUrl with credential/,
    );
  });
});
