import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../config/settings.js';
import { GraphClient } from '../graph/graph-client.js';
import { keyVaultAccessFrom } from '../keyvault/key-vault-access.js';
import type { Logger } from '../logger.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ProvisionerDependencies } from '../provisioning/provisioner-dependencies.js';
import { type Clock, systemClock } from '../state/clock.js';
import { RotationStore } from '../state/rotation-store.js';
import type { ConnectionCheck, ReconsentRequester, RotationHooks } from './rotation-dependencies.js';
import { RotationVault } from './rotation-vault.js';
import { SecretRotation } from './secret-rotation.js';
import { reconsentThroughSignIn } from './u2m-secret-update.js';
import { defaultVerificationRetry, type SecretVerificationOptions } from './verify-secret.js';

/** The process-wide clients rotation uses; built once by the runtime. */
export interface RotationServices {
  graph: GraphClient;
  vault: RotationVault;
  records: RotationStore;
  close(): Promise<void>;
}

export function createRotationServices(options: {
  settings: Settings;
  credential: TokenCredential;
  rotationsTable: TableClient;
  scrubber: SecretScrubber;
  logger: Logger;
}): RotationServices {
  const { settings, credential, scrubber, logger } = options;
  const graph = new GraphClient({
    baseUrl: settings.graphBaseUrl,
    credential,
    retry: settings.retry,
    logger,
  });
  const vault = new RotationVault(keyVaultAccessFrom(settings, credential, scrubber));
  return { graph, vault, records: new RotationStore(options.rotationsTable), close: () => graph.close() };
}

/** What a test may change about one rotation instance; production uses none of these. */
export interface SecretRotationOverrides {
  now?: Clock;
  /** Verification backoff and budget (default: up to 2 minutes). */
  verificationRetry?: Partial<SecretVerificationOptions['retry']>;
  connectionCheck?: ConnectionCheck;
  reconsent?: ReconsentRequester;
  hooks?: RotationHooks;
  lockDurationInMs?: number;
}

/** Ten minutes between renewals: far more than one step (verification is bounded at 2 minutes). */
const defaultLockDurationInMs = 10 * 60_000;

export function createSecretRotation(
  services: RotationServices,
  parts: { provisioning: ProvisionerDependencies; scrubber: SecretScrubber },
  overrides: SecretRotationOverrides = {},
): SecretRotation {
  const { provisioning } = parts;
  return new SecretRotation({
    settings: provisioning.settings,
    provisioning,
    records: services.records,
    leases: provisioning.leases,
    graph: services.graph,
    vault: services.vault,
    verification: {
      authorityHost: provisioning.sqlAuthorityHost,
      retry: { ...defaultVerificationRetry, ...overrides.verificationRetry },
    },
    scrubber: parts.scrubber,
    logger: provisioning.logger,
    now: overrides.now ?? systemClock,
    lockDurationInMs: overrides.lockDurationInMs ?? defaultLockDurationInMs,
    ...(overrides.connectionCheck ? { connectionCheck: overrides.connectionCheck } : {}),
    ...withReconsent(overrides.reconsent ?? reconsentThroughSignIn(provisioning)),
    ...(overrides.hooks ? { hooks: overrides.hooks } : {}),
  });
}

function withReconsent(reconsent: ReconsentRequester | undefined): { reconsent?: ReconsentRequester } {
  return reconsent ? { reconsent } : {};
}
