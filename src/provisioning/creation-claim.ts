import type { ConnectionInfo } from '../databricks/types.js';
import type { ManagedConnection } from '../state/connection-inventory.js';

/**
 * Before creating a connection the provisioner writes an inventory entry with an empty fingerprint: a
 * claim. If the process dies, or the create's response is lost, after Databricks created the connection
 * but before the final inventory write, the claim is what lets the next attempt recognise the connection
 * as its own instead of refusing it as "not managed" (a crash after a side effect converges on redelivery).
 */
export const pendingClaimFingerprint = '';

export function isPendingClaim(entry: ManagedConnection): boolean {
  return entry.optionsFingerprint === pendingClaimFingerprint;
}

/**
 * Tolerated clock difference between this host and Databricks when comparing `created_at` with the claim
 * time. Both sides are NTP-synchronised; a few seconds covers it without widening the window in which a
 * stranger's connection could be mistaken for ours.
 */
const clockToleranceInMs = 5_000;

/**
 * Whether an existing connection is the one an earlier attempt created under `claim`: Databricks created it
 * after the claim was written (`created_at`, epoch ms, databricks-sdk-go ConnectionInfo) and, when
 * `expectedOptions` is given, it carries exactly the non-secret options we would send. A connection that
 * predates the claim, or differs, belongs to someone else.
 */
export function wasCreatedUnderClaim(
  connection: ConnectionInfo,
  claim: ManagedConnection,
  expectedOptions?: Record<string, string>,
): boolean {
  const claimedAt = Date.parse(claim.updatedAt);
  if (connection.created_at === undefined || Number.isNaN(claimedAt)) return false;
  if (connection.created_at < claimedAt - clockToleranceInMs) return false;
  if (!expectedOptions) return true;
  const actual = connection.options ?? {};
  return Object.entries(expectedOptions).every(([key, value]) => actual[key] === value);
}
