import type { Settings } from '../config/settings.js';
import type { GraphClient } from '../graph/graph-client.js';
import type { Logger } from '../logger.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ProvisionerDependencies } from '../provisioning/provisioner-dependencies.js';
import type { Clock } from '../state/clock.js';
import type { ManagedConnection } from '../state/connection-inventory.js';
import type { LeaseStore } from '../state/lease-store.js';
import type { RotationStore } from '../state/rotation-store.js';
import type { RotationKey } from './rotation-record.js';
import type { RotationVault } from './rotation-vault.js';
import type { SecretVerificationOptions } from './verify-secret.js';

/**
 * Points right after a side effect and before the record says so (where a crash hurts most), plus the moment
 * just before the old credential's removal (where a fault of that call can be arranged).
 */
export type RotationCheckpoint =
  | 'password_added'
  | 'secret_stored'
  | 'secret_verified'
  | 'connection_updated'
  | 'removing_old_secret'
  | 'old_secret_removed';

export interface RotationHooks {
  /** Called at each checkpoint; a throw here is a crash at that point (tests inject failures with it). */
  atCheckpoint?(checkpoint: RotationCheckpoint, key: RotationKey): void | Promise<void>;
}

/**
 * Confirms that a connection's stored credentials work. Databricks has no public "test connection" API for
 * connections, so production has none and relies on the PATCH response (`credential_type`); the local cloud's
 * Databricks stand-in has one, which tests plug in here.
 */
export type ConnectionCheck = (
  workspace: string,
  name: string,
) => Promise<{ ok: true } | { ok: false; error: string }>;

/**
 * Sends the approver of a U2M connection a fresh sign-in link (policy `reconsent`); resolves to the request
 * id the sign-in is tracked under (`ucprov status <id>`) and the link's expiry.
 */
export type ReconsentRequester = (
  connection: ManagedConnection,
  context: { runId: string; reason: string },
) => Promise<{ requestId: string; signInExpiresAt?: string }>;

export interface RotationDependencies {
  settings: Settings;
  /** The M2M upsert's dependencies: rotation re-applies connections through it. */
  provisioning: ProvisionerDependencies;
  records: RotationStore;
  leases: LeaseStore;
  graph: Pick<GraphClient, 'listPasswordCredentials' | 'addPassword' | 'removePassword'>;
  vault: Pick<RotationVault, 'current' | 'version' | 'keyIdsOf' | 'store'>;
  verification: SecretVerificationOptions;
  scrubber: SecretScrubber;
  logger: Logger;
  now: Clock;
  connectionCheck?: ConnectionCheck;
  reconsent?: ReconsentRequester;
  hooks?: RotationHooks;
  /** How long one app's lock lasts between renewals. */
  lockDurationInMs: number;
}
