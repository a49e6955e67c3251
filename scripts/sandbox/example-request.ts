import { writeFileSync } from 'node:fs';
import type { LocalCloud } from '../../test/local-cloud/start-local-cloud.js';

/**
 * An M2M request that works against the seeded demo tenant (the examples/ files name a real-looking tenant and
 * workspace that do not exist here). No `requestId`: `ucprov submit` assigns a fresh one per submission, and
 * no `workspace`: the sandbox's DATABRICKS_DEFAULT_WORKSPACE is its Databricks stand-in.
 */
export function exampleM2mRequest(cloud: LocalCloud): Record<string, unknown> {
  return {
    action: 'upsert',
    requestedBy: 'sandbox: example',
    connection: {
      name: 'sales_sql',
      host: 'sales-srv.database.windows.net',
      port: 1433,
      applicationIntent: 'ReadOnly',
      comment: 'Created in the sandbox',
    },
    auth: {
      flow: 'M2M',
      tenantId: cloud.tenantId,
      clientId: cloud.sqlApp.appId,
      clientSecretRef: cloud.sqlApp.secretName,
    },
    grants: [{ principal: 'analysts', privileges: ['USE_CONNECTION'] }],
  };
}

export function writeExampleRequest(cloud: LocalCloud, path: string): void {
  writeFileSync(path, `${JSON.stringify(exampleM2mRequest(cloud), null, 2)}\n`);
}
