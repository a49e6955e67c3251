import type { DatabricksClient } from '../databricks/databricks-client.js';

export interface Grant {
  principal: string;
  privileges: string[];
}

/**
 * Grants what is missing and nothing else: one GET, then at most one PATCH that only adds. Privileges
 * the request does not mention are never revoked.
 */
export async function grantMissingPrivileges(
  client: DatabricksClient,
  securable: 'connection' | 'catalog',
  name: string,
  grants: readonly Grant[],
): Promise<number> {
  if (grants.length === 0) return 0;
  const current = await client.getPermissions(securable, name);
  const held = new Map(
    current.map((assignment) => [assignment.principal, new Set(assignment.privileges ?? [])]),
  );
  const changes = grants
    .map(({ principal, privileges }) => ({
      principal,
      add: [...new Set(privileges)].filter((privilege) => !held.get(principal)?.has(privilege)),
    }))
    .filter((change) => change.add.length > 0);
  if (changes.length > 0) await client.updatePermissions(securable, name, changes);
  return changes.reduce((count, change) => count + change.add.length, 0);
}
