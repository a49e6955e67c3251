import { rotationRunIdOf } from './credential-marker.js';
import type { RecordSession } from './record-session.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { graphProblem } from './rotation-problems.js';

/**
 * Crash recovery (docs/secret-rotation.md; Graph returns `secretText` only once): a credential rotation added
 * whose key id is in no Key Vault version of this app's secrets lost its secret text (the run died between
 * addPassword and the vault write, or addPassword's response was lost), so nothing can ever use it: remove
 * it. Only credentials carrying the run id of one of this app's own rotation records are considered, so
 * another deployment's (or a person's) credentials are never touched; anything Key Vault references — its
 * current version above all — is never an orphan.
 */
export async function removeOrphanedCredentials(
  deps: RotationDependencies,
  session: RecordSession,
  secretRefsOfApp: string[],
): Promise<void> {
  const { tenantId, clientId } = session.record;
  const context = { clientId, provisionerClientId: deps.settings.identity.clientId };
  const ownRunIds = new Set((await deps.records.listByApp(tenantId, clientId)).map((record) => record.runId));
  ownRunIds.add(session.record.runId);
  const credentials = await deps.graph
    .listPasswordCredentials(clientId)
    .catch((error: unknown) =>
      Promise.reject(graphProblem(error, { ...context, action: 'read its client secrets' })),
    );
  const ours = credentials.filter((credential) =>
    ownRunIds.has(rotationRunIdOf(credential.displayName) ?? ''),
  );
  if (ours.length === 0) return;

  const inVault = new Set<string>();
  for (const ref of new Set([session.record.clientSecretRef, ...secretRefsOfApp])) {
    for (const keyId of await deps.vault.keyIdsOf(ref)) inVault.add(keyId);
  }
  const orphans = ours.filter((credential) => !inVault.has(credential.keyId.toLowerCase()));
  for (const orphan of orphans) {
    await deps.graph
      .removePassword(clientId, orphan.keyId)
      .catch((error: unknown) =>
        Promise.reject(graphProblem(error, { ...context, action: 'remove an orphaned client secret' })),
      );
    deps.logger.warn('rotation.orphan_removed', {
      clientId,
      keyId: orphan.keyId,
      runId: rotationRunIdOf(orphan.displayName),
    });
  }
  if (orphans.length > 0) {
    await session.save(
      { orphansRemoved: [...session.record.orphansRemoved, ...orphans.map((orphan) => orphan.keyId)] },
      `orphaned credential(s) removed: ${orphans.map((orphan) => orphan.keyId).join(', ')}`,
    );
  }
}
