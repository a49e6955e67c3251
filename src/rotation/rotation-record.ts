/**
 * The durable record of one client-secret rotation: one per app registration and Key Vault secret, in the
 * `rotations` table. Every step writes it before moving on, so a run that dies anywhere resumes from here.
 * It never holds a secret value: only key ids, Key Vault versions and timestamps.
 */

/**
 * The last step that completed (docs/secret-rotation.md has the state machine):
 * `started` (run id chosen; addPassword may have happened) → `secret_stored` (new credential in Entra, its
 * text in Key Vault) → `secret_verified` (it authenticates) → `connections_updated` (every connection uses
 * it or was sent a re-consent link; the grace period runs) → `completed` (the old credential is removed).
 */
export const rotationStates = [
  'started',
  'secret_stored',
  'secret_verified',
  'connections_updated',
  'completed',
] as const;
export type RotationState = (typeof rotationStates)[number];

/** Why the last attempt stopped short; a person acts when `needsOperator`, otherwise the next run retries. */
export const rotationProblemCodes = [
  /** Graph 403: the provisioner's identity lacks the permission or is not an owner of the app. */
  'GRAPH_PERMISSION_MISSING',
  /** A tenant app-management policy blocks new client secrets (or their lifetime) for this app. */
  'SECRET_POLICY_BLOCKED',
  /** Graph 404: the app registration is not visible in the provisioner's tenant. */
  'APPLICATION_NOT_FOUND',
  /** Key Vault 403: the provisioner's identity may not read or write the secret. */
  'KEY_VAULT_FORBIDDEN',
  /** The Key Vault secret the connections reference does not exist. */
  'SECRET_NOT_FOUND',
  /** The new secret did not authenticate within the verification budget (Entra propagation). */
  'SECRET_NOT_PROPAGATED',
  /** The new secret was refused for a reason other than propagation. */
  'SECRET_REJECTED',
  /** A connection could not be updated for a reason a retry will not fix. */
  'CONNECTION_UPDATE_FAILED',
  /** Key Vault's current version still references the old key id: removing it would break every reader. */
  'OLD_SECRET_STILL_CURRENT',
  /** Graph, Key Vault, Databricks or Table storage were unavailable; the next run continues. */
  'TRANSIENT_FAILURE',
  /** Anything unexpected; the message has the detail. */
  'UNEXPECTED_FAILURE',
] as const;
export type RotationProblemCode = (typeof rotationProblemCodes)[number];

export interface RotationProblem {
  code: RotationProblemCode;
  /** What happened and exactly what to grant or change. Never contains a secret. */
  message: string;
  needsOperator: boolean;
  at: string;
}

/** What happened to one connection that uses the rotated secret. */
export interface ConnectionRotation {
  workspace: string;
  name: string;
  flow: 'M2M' | 'U2M';
  /**
   * `updated`: PATCHed with the new secret and confirmed; `sign_in_sent`: U2M re-consent link emailed (policy
   * `reconsent`); `reconsented`: the approver signed in, so the connection uses the new secret; `failed`: see
   * `detail`; `removed`: the connection left the inventory meanwhile.
   */
  outcome: 'updated' | 'sign_in_sent' | 'reconsented' | 'failed' | 'removed';
  detail?: string;
  at: string;
}

export interface RotationRecord {
  tenantId: string;
  clientId: string;
  /** The Key Vault secret name the connections reference. */
  clientSecretRef: string;
  /** Identifies the run; part of the new credential's display name in Entra. */
  runId: string;
  trigger: 'schedule' | 'operator';
  /** Why the rotation started: `age`, `expiry` or `operator`, with the numbers. */
  reason: string;
  state: RotationState;
  startedAt: string;
  updatedAt: string;
  /** Key id and Key Vault version in use before this rotation; the key is removed at the end. */
  previousKeyId?: string;
  previousSecretVersion?: string;
  newKeyId?: string;
  newSecretVersion?: string;
  /** The new credential's Graph `endDateTime`, also the Key Vault version's `exp`. */
  newSecretExpiresAt?: string;
  verifiedAt?: string;
  connectionsUpdatedAt?: string;
  /** Earliest time the old credential may be removed (connections updated + grace period). */
  removeOldSecretAfter?: string;
  completedAt?: string;
  /** What happened to the old credential at the end. */
  oldSecret?: 'removed' | 'already_gone' | 'unknown_key_id';
  connections: ConnectionRotation[];
  /** Credentials marked as ours whose secret text was lost (a crash between addPassword and Key Vault), removed. */
  orphansRemoved: string[];
  problem?: RotationProblem;
  /** Steps and problems with their times, oldest first (capped). */
  history: Array<{ event: string; at: string }>;
}

/** Rotation records are addressed by app registration and secret name. */
export interface RotationKey {
  tenantId: string;
  clientId: string;
  clientSecretRef: string;
}
