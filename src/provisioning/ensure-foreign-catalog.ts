import type { DatabricksClient } from '../databricks/databricks-client.js';
import { isAlreadyExists } from '../databricks/databricks-error.js';
import { PermanentError } from '../errors.js';
import type { UpsertRequest } from '../request/connection-request-schema.js';
import { grantMissingPrivileges } from './apply-grants.js';
import { mapDatabricksError } from './map-databricks-error.js';

type ForeignCatalogRequest = NonNullable<UpsertRequest['foreignCatalog']>;

/** Creates the foreign catalog if it is missing, refuses one that points elsewhere, then grants on it. */
export async function ensureForeignCatalog(
  client: DatabricksClient,
  connectionName: string,
  catalog: ForeignCatalogRequest,
): Promise<{ name: string; database: string }> {
  const name = catalog.name.toLowerCase();
  try {
    let existing = await client.getCatalog(name);
    if (!existing) {
      try {
        existing = await client.createCatalog({
          name,
          connection_name: connectionName,
          options: { database: catalog.database },
          ...(catalog.comment ? { comment: catalog.comment } : {}),
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        existing = await client.getCatalog(name);
      }
    }
    if (existing?.connection_name?.toLowerCase() !== connectionName) {
      throw PermanentError.rejected(
        'CATALOG_NOT_MANAGED',
        `foreignCatalog.name: catalog '${name}' already exists and does not use connection '${connectionName}'; choose another catalog name.`,
        'foreignCatalog.name',
      );
    }
    await grantMissingPrivileges(client, 'catalog', name, catalog.grants ?? []);
    return { name, database: catalog.database };
  } catch (error) {
    throw mapDatabricksError(error, `creating foreign catalog '${name}'`);
  }
}
