import { ClientSecretCredential } from '@azure/identity';
import { buildOptions, m2mOptionTable } from '../../src/provisioning/connection-options.js';
import { validateRequest } from '../../src/request/validate-request.js';
import type { LocalCloud } from '../../test/local-cloud/start-local-cloud.js';

export interface LoopResult {
  created: number;
  failed: number;
  elapsedInMs: number;
}

/**
 * What a pipeline script without the provisioner would do: create connections one after another with the UC REST
 * API (`POST /api/2.1/unity-catalog/connections`), each with the same option set the provisioner sends.
 */
export async function runSequentialLoop(
  cloud: LocalCloud,
  count: number,
  namePrefix: string,
): Promise<LoopResult> {
  const credential = new ClientSecretCredential(
    cloud.tenantId,
    cloud.provisioner.appId,
    cloud.provisioner.secretText,
    {
      authorityHost: cloud.entra.url,
      disableInstanceDiscovery: true,
    },
  );
  const secret = await cloud.secrets.getSecret(cloud.sqlApp.secretName);
  const token = await credential.getToken('2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default');
  let created = 0;
  let failed = 0;
  const startedAt = performance.now();
  for (let i = 0; i < count; i++) {
    const name = `${namePrefix}${i}`;
    const validation = validateRequest(
      {
        action: 'upsert',
        connection: { name, host: 'sales-srv.database.windows.net' },
        auth: {
          flow: 'M2M',
          tenantId: cloud.tenantId,
          clientId: cloud.sqlApp.appId,
          clientSecretRef: cloud.sqlApp.secretName,
        },
      },
      name,
    );
    if (!validation.ok || validation.request.action !== 'upsert')
      throw new Error('the loop request is invalid');
    const options = buildOptions(m2mOptionTable, {
      request: validation.request,
      clientSecret: secret.value ?? '',
      authorityHost: cloud.entra.url,
    });
    const response = await fetch(`${cloud.databricks.url}/api/2.1/unity-catalog/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token?.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, connection_type: 'SQLSERVER', options }),
    });
    await response.arrayBuffer();
    if (response.ok) created++;
    else failed++;
  }
  return { created, failed, elapsedInMs: performance.now() - startedAt };
}
