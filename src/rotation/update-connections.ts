import { PermanentError, TransientError } from '../errors.js';
import { upsertM2mConnection } from '../provisioning/upsert-connection.js';
import type { UpsertRequest } from '../request/connection-request-schema.js';
import { validateRequest } from '../request/validate-request.js';
import type { ManagedConnection } from '../state/connection-inventory.js';
import type { RotationDependencies } from './rotation-dependencies.js';
import { RotationError } from './rotation-error.js';
import type { ConnectionRotation } from './rotation-record.js';
import { patchU2mConnection, withConnectionLease } from './u2m-secret-update.js';

export interface ConnectionUpdateResult {
  progress: ConnectionRotation;
  /** Why the connection could not be moved to the new secret; absent on success. */
  failure?: unknown;
}

/**
 * Moves one connection to the secret version rotation stored, the way a request would: M2M connections are
 * re-applied through the M2M upsert with the request that last applied them, so the PATCH carries the full
 * option set (PATCH replaces all options) and the inventory records the new version and fingerprint. U2M
 * connections get a fresh sign-in link (policy `reconsent`) or a PATCH without a new code (policy `patch`).
 * Idempotent: a connection already on the new version costs no Databricks call.
 */
export async function moveConnectionToNewSecret(
  deps: RotationDependencies,
  entry: ManagedConnection,
  target: { newSecretVersion: string; runId: string; reason: string },
): Promise<ConnectionUpdateResult> {
  const at = new Date(deps.now()).toISOString();
  const base = { workspace: entry.workspace, name: entry.name, flow: entry.flow, at };
  try {
    if (entry.flow === 'U2M' && deps.settings.rotation.u2mPolicy === 'reconsent') {
      return { progress: { ...base, ...(await requestReconsent(deps, entry, target)) } };
    }
    const outcome =
      entry.flow === 'U2M'
        ? await patchU2mConnection(deps.provisioning, entry, target)
        : await reapplyM2m(deps, entry, target);
    if (outcome === 'removed') return { progress: { ...base, outcome: 'removed' } };
    const check = await deps.connectionCheck?.(entry.workspace, entry.name);
    if (check && !check.ok) {
      throw new RotationError(
        'CONNECTION_UPDATE_FAILED',
        `Connection '${entry.name}' in ${entry.workspace} was updated but its test failed: ${check.error}`,
        { needsOperator: true },
      );
    }
    return { progress: { ...base, outcome: 'updated' } };
  } catch (error) {
    return { progress: { ...base, outcome: 'failed', detail: describeFailure(error) }, failure: error };
  }
}

async function requestReconsent(
  deps: RotationDependencies,
  entry: ManagedConnection,
  target: { runId: string; reason: string },
): Promise<Pick<ConnectionRotation, 'outcome' | 'detail'>> {
  if (!deps.reconsent) {
    throw new RotationError(
      'CONNECTION_UPDATE_FAILED',
      `U2M connection '${entry.name}' needs its approver to sign in again, but this runtime cannot send sign-in links; set ROTATION_U2M_POLICY=patch only if PATCHing U2M connections is verified to keep their grant.`,
      { needsOperator: true },
    );
  }
  const { requestId, signInExpiresAt } = await deps.reconsent(entry, target);
  return {
    outcome: 'sign_in_sent',
    detail: `sign-in link sent to ${entry.approver ?? 'the approver'} (request id ${requestId})${signInExpiresAt ? `, valid until ${signInExpiresAt}` : ''}`,
  };
}

/** Re-applies an M2M connection with the request that last applied it; the upsert reads the newest secret. */
async function reapplyM2m(
  deps: RotationDependencies,
  entry: ManagedConnection,
  target: { newSecretVersion: string; runId: string },
): Promise<'updated' | 'removed'> {
  const { inventory } = deps.provisioning;
  return withConnectionLease(deps.provisioning, entry, `rotation-${target.runId}`, async () => {
    const current = await inventory.get(entry.workspace, entry.name);
    if (!current) return 'removed';
    if (current.entry.secretVersion === target.newSecretVersion) return 'updated';
    const request = await lastAppliedRequest(deps, current.entry);
    await upsertM2mConnection(deps.provisioning, {
      request,
      workspace: current.entry.workspace,
      ordering: current.entry.lastRequestSequence,
    });
    return 'updated';
  });
}

/**
 * The request that last applied the connection, as the status store kept it (secret-free by construction).
 * Connection options are rebuilt from it: Databricks never returns the secret, and PATCH replaces every option.
 */
async function lastAppliedRequest(
  deps: RotationDependencies,
  entry: ManagedConnection,
): Promise<UpsertRequest & { requestId: string }> {
  const stored = await deps.provisioning.statuses.getRequest(entry.lastRequestId);
  const validation = stored === undefined ? undefined : validateRequest(stored, entry.lastRequestId);
  if (validation?.ok && validation.request.action === 'upsert') {
    return validation.request as UpsertRequest & { requestId: string };
  }
  throw new RotationError(
    'CONNECTION_UPDATE_FAILED',
    `The request that last applied connection '${entry.name}' in ${entry.workspace} (request id ${entry.lastRequestId}) is no longer recorded in full, so its option set cannot be rebuilt: re-submit that connection's request unchanged (it then reads the new secret) and the next rotation run continues.`,
    { needsOperator: true },
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof RotationError || error instanceof PermanentError) return error.message;
  if (error instanceof TransientError) return `${error.service} unavailable: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
