import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createStateTables, type StateTables, stateTableNames } from '../../src/state/tables.js';

/**
 * State tables in the run's Azurite under a random prefix, so test files can run in parallel without sharing
 * rows. `drop` deletes them again.
 */
export async function createTestStateTables(): Promise<StateTables & { drop(): Promise<void> }> {
  const tables = createStateTables({
    connectionString: inject('storageConnectionString'),
    tablePrefix: `t${randomBytes(6).toString('hex')}`,
  });
  await tables.ensureTablesExist();
  return {
    ...tables,
    drop: async () => {
      await Promise.all(stateTableNames.map((name) => tables[name].deleteTable()));
    },
  };
}
