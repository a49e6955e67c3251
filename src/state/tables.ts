import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

/** Every table the app keeps its state in; each is `<tablePrefix><name>` in one storage account. */
export const stateTableNames = ['requests', 'connections', 'leases', 'signins', 'rotations'] as const;
export type StateTableName = (typeof stateTableNames)[number];

export interface StateTablesOptions {
  /** Account or SAS connection string, or `UseDevelopmentStorage=true` for Azurite. */
  connectionString?: string;
  /** `https://<account>.table.core.windows.net`, used with `credential` (managed identity in Azure). */
  tableServiceUrl?: string;
  /** Required with `tableServiceUrl`; not used with `connectionString`. */
  credential?: TokenCredential;
  /** Letters and digits, starting with a letter; lets several deployments or test runs share an account. */
  tablePrefix?: string;
}

export type StateTables = Record<StateTableName, TableClient> & {
  /**
   * Creates any missing table. Call once at startup: the first call's outcome is shared by later calls, and
   * a failure is forgotten so the next call tries again.
   */
  ensureTablesExist(): Promise<void>;
};

// Table names: alphanumeric, not starting with a digit, 3–63 characters, case-insensitive:
// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#table-names
const tablePrefixPattern = /^([A-Za-z][A-Za-z0-9]*)?$/;
const maxTableNameLength = 63;

export function createStateTables(options: StateTablesOptions): StateTables {
  const prefix = options.tablePrefix ?? '';
  const longestName = Math.max(...stateTableNames.map((name) => name.length));
  if (!tablePrefixPattern.test(prefix) || prefix.length + longestName > maxTableNameLength) {
    throw new Error(
      `tablePrefix '${prefix}' must be letters and digits starting with a letter, at most ${maxTableNameLength - longestName} characters, e.g. 'ucprov'.`,
    );
  }
  const connect = tableConnector(options);
  const tables = Object.fromEntries(
    stateTableNames.map((name) => [name, connect(`${prefix}${name}`)]),
  ) as Record<StateTableName, TableClient>;
  let created: Promise<void> | undefined;
  return {
    ...tables,
    ensureTablesExist() {
      // createTable treats 409 TableAlreadyExists as success (@azure/data-tables TableClient.createTable).
      created ??= Promise.all(Object.values(tables).map((table) => table.createTable())).then(
        () => undefined,
        (error: unknown) => {
          created = undefined;
          throw error;
        },
      );
      return created;
    },
  };
}

function tableConnector(options: StateTablesOptions): (tableName: string) => TableClient {
  const { connectionString, tableServiceUrl, credential } = options;
  if (tableServiceUrl && credential && !connectionString) {
    return (tableName) => new TableClient(tableServiceUrl, tableName, credential);
  }
  // A connection string carries its own key or SAS, so a credential passed alongside it is not used.
  if (connectionString && !tableServiceUrl) {
    return (tableName) => {
      // The SDK refuses plain http unless told otherwise (it only does so itself for UseDevelopmentStorage=true,
      // @azure/data-tables utils/connectionString.js). Allow it for a loopback Azurite only, never over a network.
      const { url } = TableClient.fromConnectionString(connectionString, tableName);
      return TableClient.fromConnectionString(connectionString, tableName, {
        allowInsecureConnection: isLoopbackHttp(url),
      });
    };
  }
  throw new Error(
    'Pass either connectionString (e.g. UseDevelopmentStorage=true) or tableServiceUrl with credential (e.g. https://mystorage.table.core.windows.net), not both or neither.',
  );
}

function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
}
