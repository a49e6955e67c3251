import { parseSettings, type Settings } from '../config/settings.js';
import { DatabricksClientCache } from '../databricks/databricks-client-cache.js';
import { createCredential } from '../identity/create-credential.js';
import { ClientSecretReader } from '../keyvault/client-secret-reader.js';
import { keyVaultAccessFrom } from '../keyvault/key-vault-access.js';
import { createLogger, type Logger, type LogSink } from '../logger.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { Provisioner } from '../provisioning/provisioner.js';
import type { ProvisionerDependencies } from '../provisioning/provisioner-dependencies.js';
import {
  createRotationServices,
  createSecretRotation,
  type SecretRotationOverrides,
} from '../rotation/create-secret-rotation.js';
import type { SecretRotation } from '../rotation/secret-rotation.js';
import { createSignInServices, type SignInServices } from '../signin/create-sign-in-services.js';
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
  /** U2M: `/api/signin`, `/api/oauth/callback` and the expiry sweep (each takes the invocation's logger). */
  signIn: Pick<SignInServices, 'endpoint' | 'callback' | 'expiry'>;
  /** Client-secret rotation whose logs go to `sink`; tests pass overrides (clock, step hooks, connection test). */
  secretRotation(sink: LogSink, overrides?: SecretRotationOverrides): SecretRotation;
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
  const secrets = new ClientSecretReader(keyVaultAccessFrom(settings, credential, scrubber));
  const logger = (sink: LogSink) => createLogger(sink, scrubber.scrub);
  const processLogger = logger((level, line) => console[level](line));
  const clients = new DatabricksClientCache({
    credential,
    retry: settings.retry,
    logger: processLogger,
    maxRequestsPerSecond: settings.databricks.maxRequestsPerSecond,
  });
  const shared: Omit<ProvisionerDependencies, 'logger'> = {
    settings,
    statuses,
    inventory,
    leases,
    secrets,
    databricks: (workspace) => clients.get(workspace),
    sqlAuthorityHost: settings.identity.authorityHost ?? defaultAuthorityHost,
  };
  const signIn = createSignInServices({
    ...shared,
    signinsTable: tables.signins,
    scrubber,
  });
  shared.signIns = signIn.requests;
  const rotation = createRotationServices({
    settings,
    credential,
    rotationsTable: tables.rotations,
    scrubber,
    logger: processLogger,
  });
  return {
    settings,
    statuses,
    inventory,
    scrubber,
    provisioner: (sink) => new Provisioner({ ...shared, logger: logger(sink) }),
    logger,
    signIn,
    secretRotation: (sink, overrides) =>
      createSecretRotation(
        rotation,
        { provisioning: { ...shared, logger: logger(sink) }, scrubber },
        overrides,
      ),
    async close() {
      await rotation.close();
      await clients.close();
    },
  };
}
