import { randomUUID } from 'node:crypto';
import { addAndStoreNewSecret } from './add-new-secret.js';
import { removeOrphanedCredentials } from './clean-up-orphans.js';
import { updateConnections } from './connections-step.js';
import { rotationRunIdOf } from './credential-marker.js';
import { checkDue } from './due-check.js';
import { RecordSession } from './record-session.js';
import { removeOldSecretWhenSafe } from './remove-old-secret.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { graphProblem, toProblem } from './rotation-problems.js';
import type { RotationKey, RotationProblem, RotationRecord, RotationState } from './rotation-record.js';
import type { VaultSecret } from './rotation-vault.js';
import { waitUntilSecretAuthenticates } from './verify-secret.js';

export type SecretRotationOutcome =
  /** Nothing to do: the secret is fresh and no rotation is in progress. */
  | 'not_due'
  /** The old secret was removed in this pass. */
  | 'completed'
  /** Connections use the new secret; the old one is removed after the grace period. */
  | 'waiting_for_grace'
  /** A person must act; the record's problem says what. */
  | 'needs_attention'
  /** A dependency was unavailable; the next run continues from the recorded step. */
  | 'retry_later'
  /** Another run holds this app's lock. */
  | 'locked';

export interface SecretRotationResult extends RotationKey {
  outcome: SecretRotationOutcome;
  state?: RotationState;
  problem?: RotationProblem;
  /** `not_due`: when it will be. */
  nextDueAt?: string;
}

export interface RotateSecretOptions {
  /** An operator asked: rotate even if not due (a rotation in progress just continues). */
  force: boolean;
  trigger: RotationRecord['trigger'];
  /** The app's other secret names, so orphan clean-up knows every vault copy of this app's credentials. */
  secretRefsOfApp: string[];
  /** Renews the app's lock; throws if it was lost. */
  keepLock: () => Promise<void>;
}

/**
 * Takes one app registration's secret as far as it can go in this pass, one recorded step at a time, resuming
 * from whatever state the record is in. The caller holds the app's lock. Never throws for a failed step: the
 * problem is recorded and returned, so the run goes on with other apps.
 */
export async function rotateSecret(
  deps: RotationDependencies,
  key: RotationKey,
  options: RotateSecretOptions,
): Promise<SecretRotationResult> {
  let session: RecordSession | undefined;
  try {
    const stored = await deps.records.get(key);
    const services = { now: deps.now, scrubber: deps.scrubber };
    if (stored && stored.record.state !== 'completed') {
      session = new RecordSession(deps.records, stored.record, stored.etag, services);
    } else {
      // A completed record takes the problem of a failed due check, so the report shows it.
      if (stored) session = new RecordSession(deps.records, stored.record, stored.etag, services);
      const current = await deps.vault.current(key.clientSecretRef);
      const due = options.force
        ? { due: true as const, reason: 'operator: immediate rotation requested' }
        : checkDue(current, deps.now(), deps.settings.rotation);
      if (!due.due) {
        if (session?.record.problem) await session.save({ problem: undefined }, 'due check passed');
        return {
          ...key,
          outcome: 'not_due',
          nextDueAt: due.nextDueAt,
          ...(stored ? { state: 'completed' } : {}),
        };
      }
      const previousKeyId = await identifyKeyId(deps, key.clientId, current);
      const record = newRecord(deps, key, {
        trigger: options.trigger,
        reason: due.reason,
        previousKeyId,
        current,
      });
      const started = new RecordSession(deps.records, record, stored?.etag, services);
      await started.save({}, `started (${due.reason})`);
      session = started;
      deps.logger.info('rotation.started', {
        clientId: key.clientId,
        secret: key.clientSecretRef,
        runId: started.record.runId,
        reason: due.reason,
      });
    }
    const outcome = await advance(deps, session, options);
    return { ...key, outcome, state: session.record.state };
  } catch (error) {
    const problem = toProblem(error, new Date(deps.now()).toISOString());
    deps.logger.warn('rotation.problem', {
      clientId: key.clientId,
      secret: key.clientSecretRef,
      code: problem.code,
      needsOperator: problem.needsOperator,
      message: problem.message,
    });
    await session?.save({ problem }, `problem: ${problem.code}`).catch((writeError: unknown) =>
      deps.logger.error('rotation.record_write_failed', {
        clientId: key.clientId,
        error: writeError instanceof Error ? writeError.message : String(writeError),
      }),
    );
    return {
      ...key,
      outcome: problem.needsOperator ? 'needs_attention' : 'retry_later',
      ...(session ? { state: session.record.state } : {}),
      problem: session?.record.problem ?? problem,
    };
  }
}

/** The state machine: each step runs only from the state before it, and records its own completion. */
async function advance(
  deps: RotationDependencies,
  session: RecordSession,
  options: RotateSecretOptions,
): Promise<'completed' | 'waiting_for_grace'> {
  await removeOrphanedCredentials(deps, session, options.secretRefsOfApp);
  if (session.record.state === 'started') {
    await addAndStoreNewSecret(deps, session);
    await options.keepLock();
  }
  if (session.record.state === 'secret_stored') {
    const { record } = session;
    const secret = await deps.vault.version(record.clientSecretRef, record.newSecretVersion as string);
    const { attempts } = await waitUntilSecretAuthenticates(
      { tenantId: record.tenantId, clientId: record.clientId, secret: secret.value },
      deps.verification,
    );
    await deps.hooks?.atCheckpoint?.('secret_verified', record);
    await session.save(
      { state: 'secret_verified', verifiedAt: session.nowIso() },
      `secret_verified after ${attempts} attempt(s)`,
    );
    await options.keepLock();
  }
  if (session.record.state === 'secret_verified') {
    await updateConnections(deps, session, options.keepLock);
    await options.keepLock();
  }
  const removal = await removeOldSecretWhenSafe(deps, session, options.keepLock);
  if (removal === 'waiting') {
    if (session.record.problem) await session.save({ problem: undefined }, 'waiting for the grace period');
    return 'waiting_for_grace';
  }
  deps.logger.info('rotation.completed', {
    clientId: session.record.clientId,
    secret: session.record.clientSecretRef,
    runId: session.record.runId,
    oldSecret: session.record.oldSecret,
  });
  return 'completed';
}

/**
 * The key id of the credential whose text Key Vault holds now: its `keyId` tag, or — for a secret stored by
 * hand without tags — the one credential whose `hint` (first three characters) matches and that rotation did
 * not add. Ambiguous or none: undefined, and the old credential is left for a person to remove.
 */
async function identifyKeyId(
  deps: RotationDependencies,
  clientId: string,
  current: VaultSecret,
): Promise<string | undefined> {
  if (current.tags.keyId) return current.tags.keyId;
  const credentials = await deps.graph.listPasswordCredentials(clientId).catch((error: unknown) =>
    Promise.reject(
      graphProblem(error, {
        clientId,
        action: 'read its client secrets',
        provisionerClientId: deps.settings.identity.clientId,
      }),
    ),
  );
  const matches = credentials.filter(
    (credential) =>
      credential.hint === current.value.slice(0, 3) && rotationRunIdOf(credential.displayName) === undefined,
  );
  return matches.length === 1 ? matches[0]?.keyId : undefined;
}

function newRecord(
  deps: RotationDependencies,
  key: RotationKey,
  start: {
    trigger: RotationRecord['trigger'];
    reason: string;
    previousKeyId: string | undefined;
    current: VaultSecret;
  },
): RotationRecord {
  const at = new Date(deps.now()).toISOString();
  return {
    ...key,
    runId: randomUUID(),
    trigger: start.trigger,
    reason: start.reason,
    state: 'started',
    startedAt: at,
    updatedAt: at,
    ...(start.previousKeyId ? { previousKeyId: start.previousKeyId } : {}),
    previousSecretVersion: start.current.version,
    connections: [],
    orphansRemoved: [],
    history: [],
  };
}
