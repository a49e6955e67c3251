import { PermanentError } from '../errors.js';
import type { DeleteRequest } from '../request/connection-request-schema.js';
import { mapDatabricksError } from './map-databricks-error.js';
import type { ProvisionerDependencies } from './provisioner-dependencies.js';

export type DeleteResult = { outcome: 'deleted' | 'absent'; connectionName: string };

/**
 * Removes a connection the provisioner manages: first the foreign catalog it created, then the
 * connection, then the inventory entry. Deleting what is already gone is a no-op; a connection the
 * provisioner did not create is left alone.
 */
export async function deleteManagedConnection(
  deps: ProvisionerDependencies,
  request: DeleteRequest & { requestId: string },
  workspace: string,
): Promise<DeleteResult> {
  const name = request.connection.name.toLowerCase();
  const client = deps.databricks(workspace);
  const stored = await deps.inventory.get(workspace, name);
  try {
    if (!stored) {
      if (!(await client.getConnection(name))) return { outcome: 'absent', connectionName: name };
      throw PermanentError.rejected(
        'CONNECTION_NOT_MANAGED',
        `connection.name: connection '${name}' was not created by the provisioner, so it will not delete it; remove it in Databricks instead.`,
        'connection.name',
      );
    }
    if (stored.entry.foreignCatalog)
      await client.deleteCatalog(stored.entry.foreignCatalog.name, { force: true });
    await client.deleteConnection(name);
  } catch (error) {
    throw mapDatabricksError(error, `deleting connection '${name}'`);
  }
  await deps.inventory.delete(workspace, name, { etag: stored.etag });
  deps.logger.info('connection.deleted', { requestId: request.requestId, workspace, connection: name });
  return { outcome: 'deleted', connectionName: name };
}
