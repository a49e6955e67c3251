import { randomUUID } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { inject } from 'vitest';
import { QueueDriver } from '../local-cloud/deliver-to-handler.js';
import {
  type LocalCloud,
  type LocalCloudOptions,
  startLocalCloud,
} from '../local-cloud/start-local-cloud.js';

export interface ProvisioningHarness {
  cloud: LocalCloud;
  driver: QueueDriver;
  handler: typeof import('../../functions/provision-connection.js').provisionConnection;
  runtime: Awaited<ReturnType<typeof import('../../functions/shared/runtime.js').getRuntime>>;
  /** Sends a request through the queue, delivers until the queue is empty, returns the request's status. */
  submit(
    body: Record<string, unknown>,
    options?: { messageId?: string },
  ): ReturnType<ProvisioningHarness['status']>;
  status(
    requestId: string,
  ): Promise<NonNullable<Awaited<ReturnType<ProvisioningHarness['runtime']['statuses']['get']>>>>;
  /** An M2M upsert for the demo SQL app; `overrides` replace top-level fields. */
  m2mRequest(
    name: string,
    overrides?: Record<string, unknown>,
  ): Record<string, unknown> & { requestId: string };
  /** A bearer token for the provisioner's identity at Databricks, for arranging state behind its back. */
  databricksToken(): Promise<string>;
  /** Creates a SQL Server connection with a username and password over the REST API, as another tool would. */
  createForeignConnection(
    name: string,
    options: { host: string; user: string; password: string },
  ): Promise<void>;
  close(): Promise<void>;
}

/**
 * One local cloud per test file, with the function app's settings pointing at it, and the registered
 * Service Bus handler fed by real messages from the broker.
 */
export async function startProvisioningHarness(
  options: Partial<LocalCloudOptions> & {
    /** Settings added to (or replacing) the local cloud's; may start more stand-ins first. */
    extraSettings?: (cloud: LocalCloud) => Record<string, string> | Promise<Record<string, string>>;
  } = {},
): Promise<ProvisioningHarness> {
  const cloud = await startLocalCloud({
    storageConnectionString: inject('storageConnectionString'),
    tablePrefix: `t${randomUUID().replaceAll('-', '').slice(0, 12)}`,
    ...options,
  });
  Object.assign(process.env, cloud.appSettings, await options.extraSettings?.(cloud));
  const { provisionConnection } = await import('../../functions/provision-connection.js');
  const { getRuntime } = await import('../../functions/shared/runtime.js');
  const runtime = await getRuntime();
  const driver = new QueueDriver(cloud.serviceBus.connectionString, cloud.requestQueue);
  const credential = new ClientSecretCredential(
    cloud.tenantId,
    cloud.provisioner.appId,
    cloud.provisioner.secretText,
    {
      authorityHost: cloud.entra.url,
      disableInstanceDiscovery: true,
    },
  );

  const status: ProvisioningHarness['status'] = async (requestId) => {
    const view = await runtime.statuses.get(requestId);
    if (!view) throw new Error(`no status recorded for ${requestId}`);
    return view;
  };
  const databricksToken = async () =>
    (await credential.getToken('2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default')).token;
  return {
    cloud,
    driver,
    handler: provisionConnection,
    runtime,
    status,
    async submit(body, { messageId = randomUUID() } = {}) {
      await driver.send(body, { messageId });
      await driver.drain(provisionConnection);
      return status(typeof body.requestId === 'string' ? body.requestId : messageId);
    },
    m2mRequest(name, overrides = {}) {
      return {
        requestId: `req-${randomUUID()}`,
        action: 'upsert',
        requestedBy: 'pipeline: tests',
        connection: { name, host: 'sales-srv.database.windows.net' },
        auth: {
          flow: 'M2M',
          tenantId: cloud.tenantId,
          clientId: cloud.sqlApp.appId,
          clientSecretRef: cloud.sqlApp.secretName,
        },
        ...overrides,
      };
    },
    databricksToken,
    async createForeignConnection(name, { host, user, password }) {
      const response = await fetch(`${cloud.databricks.url}/api/2.1/unity-catalog/connections`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await databricksToken()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          name,
          connection_type: 'SQLSERVER',
          options: { host, port: '1433', user, password },
        }),
      });
      if (response.status !== 200)
        throw new Error(`creating ${name}: HTTP ${response.status} ${await response.text()}`);
    },
    async close() {
      await driver.close();
      await runtime.close();
      await cloud.close();
    },
  };
}
