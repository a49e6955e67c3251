import { bringConnectionsToNewSecret } from './connections-step.js';
import type { RecordSession } from './record-session.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { RotationError } from './rotation-error.js';
import { graphProblem } from './rotation-problems.js';

/**
 * Step 6, once the grace period is over (in-flight queries and cached tokens drain; U2M approvers get that long
 * to sign in again): removePassword for the previous key id. Never while a connection still uses the old secret
 * (every connection is re-checked first), never the key Key Vault's current version references, and a key that
 * is already gone counts as removed. Resolves `waiting` before the grace period ends.
 */
export async function removeOldSecretWhenSafe(
  deps: RotationDependencies,
  session: RecordSession,
  keepLock: () => Promise<void>,
): Promise<'waiting' | 'completed'> {
  const { record } = session;
  if (record.removeOldSecretAfter && deps.now() < Date.parse(record.removeOldSecretAfter)) return 'waiting';

  const { awaitingSignIn } = await bringConnectionsToNewSecret(deps, session, keepLock);
  const { clientId, previousKeyId } = record;
  const context = { clientId, provisionerClientId: deps.settings.identity.clientId };
  const u2mNote =
    awaitingSignIn.length > 0
      ? `; U2M connection(s) ${awaitingSignIn.map((item) => `'${item.name}'`).join(', ')} were not re-consented within the grace period and fail until their approver signs in (reauthorize sends a new link)`
      : '';
  if (!previousKeyId) {
    await session.save(
      { state: 'completed', completedAt: session.nowIso(), oldSecret: 'unknown_key_id' },
      `completed; the previous credential is unknown (its Key Vault version had no keyId tag): remove it in Entra by hand once nothing uses it${u2mNote}`,
    );
    return 'completed';
  }
  const current = await deps.vault.current(record.clientSecretRef);
  if (current.tags.keyId?.toLowerCase() === previousKeyId.toLowerCase()) {
    throw new RotationError(
      'OLD_SECRET_STILL_CURRENT',
      `Key Vault secret '${record.clientSecretRef}' is back on key ${previousKeyId} (version ${current.version}), the credential this rotation was to remove; it stays. If that version was restored on purpose, start a new rotation (POST /api/rotations/${record.tenantId}/${clientId}); otherwise restore version ${record.newSecretVersion}.`,
      { needsOperator: true },
    );
  }
  const credentials = await deps.graph
    .listPasswordCredentials(clientId)
    .catch((error: unknown) =>
      Promise.reject(graphProblem(error, { ...context, action: 'read its client secrets' })),
    );
  let oldSecret: 'removed' | 'already_gone' = 'already_gone';
  if (credentials.some((credential) => credential.keyId.toLowerCase() === previousKeyId.toLowerCase())) {
    await deps.hooks?.atCheckpoint?.('removing_old_secret', record);
    await deps.graph
      .removePassword(clientId, previousKeyId)
      .catch((error: unknown) =>
        Promise.reject(graphProblem(error, { ...context, action: 'remove the old client secret' })),
      );
    oldSecret = 'removed';
    deps.logger.info('rotation.old_secret_removed', { clientId, keyId: previousKeyId, runId: record.runId });
    await deps.hooks?.atCheckpoint?.('old_secret_removed', record);
  }
  await session.save(
    { state: 'completed', completedAt: session.nowIso(), oldSecret },
    `completed; old credential ${previousKeyId} ${oldSecret === 'removed' ? 'removed' : 'was already gone'}${u2mNote}`,
  );
  return 'completed';
}
