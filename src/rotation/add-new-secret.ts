import { credentialDisplayName } from './credential-marker.js';
import type { RecordSession } from './record-session.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { graphProblem } from './rotation-problems.js';

const dayInMs = 24 * 60 * 60 * 1000;

/**
 * Steps 2 and 3: addPassword with a display name that marks the credential as this run's and an explicit end
 * date, then the secret text straight into Key Vault as a new version — the only copy there will ever be
 * (Graph returns it once). If the vault write fails the credential is removed again at once; if even that
 * fails (or the process dies in between) the orphan clean-up of a later run removes it.
 * A run that died after the vault write but before the record said so finds its own version (tag
 * `rotationRunId`) and adopts it instead of adding another credential.
 */
export async function addAndStoreNewSecret(
  deps: RotationDependencies,
  session: RecordSession,
): Promise<void> {
  const { record } = session;
  const { clientId, clientSecretRef, runId } = record;
  const current = await deps.vault.current(clientSecretRef);
  if (current.tags.rotationRunId === runId && current.tags.keyId) {
    await session.save(
      {
        state: 'secret_stored',
        newKeyId: current.tags.keyId,
        newSecretVersion: current.version,
        ...(current.expiresOn ? { newSecretExpiresAt: current.expiresOn.toISOString() } : {}),
      },
      'secret_stored (found this run’s Key Vault version)',
    );
    return;
  }

  const now = deps.now();
  // Whole seconds: Key Vault keeps `exp` in seconds, and both copies of the end date should read the same.
  const endInMs = Math.floor((now + deps.settings.rotation.secretLifetimeInDays * dayInMs) / 1000) * 1000;
  const endDateTime = new Date(endInMs).toISOString();
  const context = { clientId, provisionerClientId: deps.settings.identity.clientId };
  const added = await deps.graph
    .addPassword(clientId, { displayName: credentialDisplayName(runId), endDateTime })
    .catch((error: unknown) =>
      Promise.reject(graphProblem(error, { ...context, action: 'add a client secret' })),
    );
  deps.scrubber.remember(added.secretText);
  deps.logger.info('rotation.password_added', {
    clientId,
    keyId: added.keyId,
    runId,
    endDateTime: added.endDateTime,
  });
  await deps.hooks?.atCheckpoint?.('password_added', record);

  let version: string;
  try {
    version = await deps.vault.store(clientSecretRef, {
      value: added.secretText,
      expiresOn: new Date(added.endDateTime),
      tags: {
        keyId: added.keyId,
        ...(record.previousKeyId ? { previousKeyId: record.previousKeyId } : {}),
        rotatedAt: new Date(now).toISOString(),
        rotationRunId: runId,
        clientId,
      },
    });
  } catch (error) {
    await removeUnstoredCredential(deps, clientId, added.keyId);
    throw error;
  }
  await deps.hooks?.atCheckpoint?.('secret_stored', record);
  await session.save(
    {
      state: 'secret_stored',
      newKeyId: added.keyId,
      newSecretVersion: version,
      newSecretExpiresAt: added.endDateTime,
    },
    'secret_stored',
  );
}

/** Compensation: a credential whose text never reached the vault is useless; remove it now if Graph lets us. */
async function removeUnstoredCredential(deps: RotationDependencies, clientId: string, keyId: string) {
  try {
    await deps.graph.removePassword(clientId, keyId);
    deps.logger.warn('rotation.unstored_secret_removed', { clientId, keyId });
  } catch (error) {
    deps.logger.warn('rotation.orphan_left', {
      clientId,
      keyId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
