import { TransientError } from '../errors.js';
import type { ManagedConnection } from '../state/connection-inventory.js';
import type { RecordSession } from './record-session.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { RotationError } from './rotation-error.js';
import type { ConnectionRotation } from './rotation-record.js';
import { moveConnectionToNewSecret } from './update-connections.js';

const hourInMs = 60 * 60 * 1000;

/**
 * Step 5: every connection that uses this app and secret moves to the new version (or, U2M under `reconsent`,
 * gets a sign-in link), one at a time, each recorded as it completes. Then the grace period starts.
 */
export async function updateConnections(
  deps: RotationDependencies,
  session: RecordSession,
  keepLock: () => Promise<void>,
): Promise<void> {
  await bringConnectionsToNewSecret(deps, session, keepLock);
  const now = deps.now();
  await session.save(
    {
      state: 'connections_updated',
      connectionsUpdatedAt: new Date(now).toISOString(),
      removeOldSecretAfter: new Date(
        now + deps.settings.rotation.gracePeriodInHours * hourInMs,
      ).toISOString(),
    },
    'connections_updated',
  );
}

/**
 * Visits every connection in the inventory for this app and secret, skipping those already done, and throws if
 * any could not be moved (the old secret then stays). Also used right before the old secret is removed, which
 * catches connections added or changed since step 5 and notices U2M re-consents.
 */
export async function bringConnectionsToNewSecret(
  deps: RotationDependencies,
  session: RecordSession,
  keepLock: () => Promise<void>,
): Promise<{ awaitingSignIn: ConnectionRotation[] }> {
  const { record } = session;
  const newSecretVersion = record.newSecretVersion as string;
  const entries = await connectionsUsing(deps, record);
  const failures: Array<{ name: string; failure: unknown }> = [];
  const progress = new Map(record.connections.map((item) => [keyOf(item), item]));
  for (const item of progress.values()) {
    if (!entries.some((entry) => keyOf(entry) === keyOf(item)) && item.outcome !== 'removed') {
      progress.set(keyOf(item), { ...item, outcome: 'removed', at: session.nowIso() });
    }
  }

  for (const entry of entries) {
    const previous = progress.get(keyOf(entry));
    const onNewSecret = entry.secretVersion === newSecretVersion;
    if (onNewSecret && previous?.outcome !== 'sign_in_sent') {
      if (previous?.outcome !== 'updated' && previous?.outcome !== 'reconsented') {
        progress.set(keyOf(entry), { ...base(entry, session), outcome: 'updated' });
      }
      continue;
    }
    if (previous?.outcome === 'sign_in_sent') {
      // The approver's sign-in re-applied the connection, which read the latest (rotated) secret.
      if (onNewSecret)
        progress.set(keyOf(entry), { ...previous, outcome: 'reconsented', at: session.nowIso() });
      continue;
    }
    const result = await moveConnectionToNewSecret(deps, entry, {
      newSecretVersion,
      runId: record.runId,
      reason: record.reason,
    });
    progress.set(keyOf(entry), result.progress);
    if (result.failure !== undefined) failures.push({ name: entry.name, failure: result.failure });
    else await deps.hooks?.atCheckpoint?.('connection_updated', record);
    await session.save(
      { connections: [...progress.values()] },
      `connection ${entry.workspace}/${entry.name}: ${result.progress.outcome}`,
    );
    await keepLock();
  }
  if (progress.size !== session.record.connections.length || changed(progress, session.record.connections)) {
    await session.save({ connections: [...progress.values()] });
  }
  if (failures.length > 0) throw combine(failures);
  return { awaitingSignIn: [...progress.values()].filter((item) => item.outcome === 'sign_in_sent') };
}

/** The inventory's connections that authenticate as this app with this Key Vault secret. */
export async function connectionsUsing(
  deps: RotationDependencies,
  key: { tenantId: string; clientId: string; clientSecretRef: string },
): Promise<ManagedConnection[]> {
  const all = await deps.provisioning.inventory.listByClientId(key.tenantId, key.clientId);
  const ref = key.clientSecretRef.toLowerCase();
  return all.filter((entry) => entry.clientSecretRef.toLowerCase() === ref);
}

function combine(failures: Array<{ name: string; failure: unknown }>): Error {
  const names = failures.map((item) => `'${item.name}'`).join(', ');
  if (failures.every((item) => item.failure instanceof TransientError)) {
    return new TransientError(
      'databricks',
      `Connection(s) ${names} could not be updated yet (${messageOf(failures[0]?.failure)}); they keep the old secret, which stays valid.`,
    );
  }
  const first = failures.find((item) => !(item.failure instanceof TransientError));
  return new RotationError(
    'CONNECTION_UPDATE_FAILED',
    `Connection(s) ${names} could not be moved to the new secret, so the old secret stays: ${messageOf(first?.failure)}`,
    { needsOperator: true, cause: first?.failure },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function keyOf(item: { workspace: string; name: string }): string {
  return `${item.workspace}|${item.name.toLowerCase()}`;
}

function base(entry: ManagedConnection, session: RecordSession) {
  return { workspace: entry.workspace, name: entry.name, flow: entry.flow, at: session.nowIso() };
}

function changed(progress: Map<string, ConnectionRotation>, before: ConnectionRotation[]): boolean {
  return before.some((item) => progress.get(keyOf(item)) !== item);
}
