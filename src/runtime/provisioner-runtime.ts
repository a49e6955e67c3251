import { parseSettings, type Settings } from '../config/settings.js';
import { DatabricksClient } from '../databricks/databricks-client.js';
import { createCredential } from '../identity/create-credential.js';
import { ClientSecretReader } from '../keyvault/client-secret-reader.js';
import { createLogger, type Logger, type LogSink } from '../logger.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { Provisioner } from '../provisioning/provisioner.js';
import type { ProvisionerDependencies } from '../provisioning/provisioner-dependencies.js';
import { ConnectionInventory } from '../state/connection-inventory.js';
import { LeaseStore } from '../state/lease-store.js';
import { RequestStatusStore } from '../state/request-status-store.js';
import { createStateTables } from '../state/tables.js';

/** The process-wide pieces: settings, identity, clients and stores, created once and shared by invocations. */
export interface ProvisionerRuntime {
  settings: Settings;
  statuses: RequestStatusStore;
  inventory: ConnectionInventory;
  scrubber: SecretScrubber;
  /** A provisioner whose logs go to `sink` (per invocation in Azure Functions). */
  provisioner(sink: LogSink): Provisioner;
  logger(sink: LogSink): Logger;
  close(): Promise<void>;
}

const defaultAuthorityHost = 'https://login.microsoftonline.com';

export async function createProvisionerRuntime(
  env: Record<string, string | undefined>,
): Promise<ProvisionerRuntime> {
  const settings = parseSettings(env);
  const scrubber = new SecretScrubber();
  const credential = await createCredential(settings.identity);
  const tables = createStateTables({ ...settings.state, credential });
  await tables.ensureTablesExist();
  const statuses = new RequestStatusStore(tables.requests);
  const inventory = new ConnectionInventory(tables.connections);
  const leases = new LeaseStore(tables.leases);
  const secrets = new ClientSecretReader({
    vaultUrl: settings.keyVaultUrl,
    credential,
    scrubber,
    maxRetries: settings.retry.maxAttempts - 1,
  });
  const clients = new Map<string, DatabricksClient>();
  const logger = (sink: LogSink) => createLogger(sink, scrubber.scrub);
  const processLogger = logger((level, line) => console[level](line));
  const databricks = (workspace: string): DatabricksClient => {
    let client = clients.get(workspace);
    if (!client) {
      client = new DatabricksClient({
        workspaceUrl: workspace,
        credential,
        retry: settings.retry,
        logger: processLogger,
      });
      clients.set(workspace, client);
    }
    return client;
  };
  const shared: Omit<ProvisionerDependencies, 'logger'> = {
    settings,
    statuses,
    inventory,
    leases,
    secrets,
    databricks,
    sqlAuthorityHost: settings.identity.authorityHost ?? defaultAuthorityHost,
  };
  return {
    settings,
    statuses,
    inventory,
    scrubber,
    provisioner: (sink) => new Provisioner({ ...shared, logger: logger(sink) }),
    logger,
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
