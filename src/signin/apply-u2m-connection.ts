import { randomUUID } from 'node:crypto';
import type { DatabricksClient } from '../databricks/databricks-client.js';
import { DatabricksApiError, isNotFound } from '../databricks/databricks-error.js';
import type { ConnectionInfo } from '../databricks/types.js';
import { PermanentError, type Reason, TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import { grantMissingPrivileges } from '../provisioning/apply-grants.js';
import { acquireConnectionLease } from '../provisioning/connection-lease.js';
import { buildOptions, u2mOptionTable } from '../provisioning/connection-options.js';
import {
  isPendingClaim,
  pendingClaimFingerprint,
  wasCreatedUnderClaim,
} from '../provisioning/creation-claim.js';
import { ensureForeignCatalog } from '../provisioning/ensure-foreign-catalog.js';
import { mapDatabricksError } from '../provisioning/map-databricks-error.js';
import { verifyCredentialType } from '../provisioning/upsert-connection.js';
import type { ManagedConnection } from '../state/connection-inventory.js';
import { retryAdvice } from './retry-advice.js';
import type { SignInDependencies } from './sign-in-dependencies.js';
import { extrasFingerprint, u2mConnectionFingerprint } from './u2m-fingerprint.js';
import type { U2mIntent } from './u2m-intent.js';

/** What the sign-in produced, for Databricks to redeem. Never logged, stored or shown (R14). */
export interface AuthorizationResult {
  code: string;
  verifier: string;
  /** Byte-identical to the authorize request's `redirect_uri` (R12). */
  redirectUri: string;
}

export type ApplyOutcome =
  | { status: 'succeeded' }
  | { status: 'superseded' }
  | {
      status: 'failed' | 'rejected';
      reasons: Reason[];
      /** `databricks`: Databricks refused or did not answer (a 502 page); `provisioner`: anything else (400). */
      failedAt: 'databricks' | 'provisioner';
    };

/** How long the callback waits for another request on the same connection; the browser is waiting too. */
const leaseWaitInMs = 20_000;
const extrasPending = 'extras-pending';
/** Databricks' wording when its token exchange fails (terraform-provider-databricks#4771). */
const tokenExchangeFailure = /OAuth token exchange failed/i;

/**
 * The callback's one Databricks write: create or PATCH the connection with the full U2M option set and the
 * fresh code + verifier (R12), exactly once — `retry: 'never'`, because Entra codes redeem once (RFC 6749
 * §4.1.2) — then owner, grants, foreign catalog and inventory. Runs under the connection's lease, so it
 * never interleaves with another request for the same connection, and an older request never overwrites a
 * newer one (status `superseded`, docs/statuses.md). Never throws for an outcome: every failure becomes
 * reasons the page and status show.
 */
export async function applyU2mConnection(
  deps: SignInDependencies,
  intent: U2mIntent,
  authorization: AuthorizationResult,
  logger: Logger,
): Promise<ApplyOutcome> {
  const { workspace } = intent;
  const name = intent.connection.name;
  const lease = await acquireConnectionLease(
    deps,
    { workspace, name },
    `signin|${intent.requestId}|${randomUUID()}`,
    leaseWaitInMs,
  );
  if (!lease) {
    return failed(
      `Another request was still changing connection '${name}', so your sign-in was not applied. ${retryAdvice(intent)}`,
    );
  }
  const progress = { connectionWritten: false };
  try {
    return await apply(deps, intent, authorization, logger, progress);
  } catch (error) {
    logger.warn('signin.apply_failed', {
      requestId: intent.requestId,
      connection: name,
      error: error instanceof Error ? error.name : typeof error,
      connectionWritten: progress.connectionWritten,
    });
    return outcomeOf(error, intent, progress.connectionWritten);
  } finally {
    await deps.leases.release(lease).catch(() => undefined);
  }
}

async function apply(
  deps: SignInDependencies,
  intent: U2mIntent,
  authorization: AuthorizationResult,
  logger: Logger,
  progress: { connectionWritten: boolean },
): Promise<ApplyOutcome> {
  const { workspace, requestId } = intent;
  const name = intent.connection.name;
  const stored = await deps.inventory.get(workspace, name);
  if (
    stored &&
    stored.entry.lastRequestId !== requestId &&
    stored.entry.lastRequestSequence > intent.ordering
  ) {
    return { status: 'superseded' };
  }
  // Read now, not when the link was sent: a rotation in between must reach the connection.
  const secret = await deps.secrets.read(intent.auth.clientSecretRef);
  const options = buildOptions(u2mOptionTable, {
    request: intent,
    clientSecret: secret.value,
    authorityHost: deps.sqlAuthorityHost,
    signIn: {
      redirectUri: authorization.redirectUri,
      authorizationCode: authorization.code,
      pkceVerifier: authorization.verifier,
    },
  });
  const connectionPart = u2mConnectionFingerprint({
    intent,
    secretVersion: secret.version,
    authorityHost: deps.sqlAuthorityHost,
    redirectUri: authorization.redirectUri,
  });
  const client = deps.databricks(workspace);
  const entry = (optionsFingerprint: string): ManagedConnection => ({
    workspace,
    name,
    flow: 'U2M',
    tenantId: intent.auth.tenantId,
    clientId: intent.auth.clientId,
    clientSecretRef: intent.auth.clientSecretRef,
    secretVersion: secret.version,
    optionsFingerprint,
    foreignCatalog: stored?.entry.foreignCatalog,
    lastRequestId: requestId,
    lastRequestSequence: intent.ordering,
    approver: intent.approver,
    updatedAt: new Date(deps.now()).toISOString(),
  });

  let etag: string;
  let connection: ConnectionInfo;
  if (stored && !isPendingClaim(stored.entry)) {
    etag = stored.etag;
    connection = await patchOnce(deps, client, intent, options, etag);
  } else if (intent.write === 'patch') {
    // Adopted, or created by an earlier attempt whose inventory write was lost (creation-claim.ts).
    etag =
      stored?.etag ??
      (await deps.inventory.put({ ...entry(pendingClaimFingerprint), foreignCatalog: undefined }));
    connection = await patchOnce(deps, client, intent, options, etag);
  } else {
    // Claim the name before creating, as the M2M path does, so a crash after the create converges.
    const claim = stored ?? {
      entry: entry(pendingClaimFingerprint),
      etag: await deps.inventory.put({ ...entry(pendingClaimFingerprint), foreignCatalog: undefined }),
    };
    etag = claim.etag;
    connection = await createOnce(deps, client, intent, options, claim);
  }
  verifyCredentialType(connection, 'U2M');
  // The connection holds the new grant: record it before anything else can fail, so a retry of the
  // grants or catalog does not need another sign-in.
  etag = await deps.inventory.put({ ...entry(`${connectionPart}.${extrasPending}`) }, { etag });
  progress.connectionWritten = true;
  logger.info('signin.connection_written', { requestId, workspace, connection: name });

  const owner = intent.connection.owner;
  if (owner && connection.owner !== owner) {
    await call(() => client.updateConnection(name, { owner }), `setting the owner of '${name}'`);
  }
  let foreignCatalog = stored?.entry.foreignCatalog;
  if (intent.action === 'upsert') {
    foreignCatalog = await applyExtras(client, intent, foreignCatalog);
  }
  const extrasPart = intent.appliedExtrasFingerprint ?? extrasFingerprint(intent);
  await deps.inventory.put({ ...entry(`${connectionPart}.${extrasPart}`), foreignCatalog }, { etag });
  await deps.store.putProfile({
    workspace,
    approver: intent.approver,
    connection: intent.connection,
    auth: intent.auth,
    ...(intent.requestedBy ? { requestedBy: intent.requestedBy } : {}),
  });
  return { status: 'succeeded' };
}

/** Grants on the connection, then the foreign catalog and its grants: only what is missing is added. */
export async function applyExtras(
  client: DatabricksClient,
  intent: Pick<U2mIntent, 'connection' | 'grants' | 'foreignCatalog'>,
  applied: ManagedConnection['foreignCatalog'],
): Promise<ManagedConnection['foreignCatalog']> {
  const name = intent.connection.name;
  await call(
    () => grantMissingPrivileges(client, 'connection', name, intent.grants ?? []),
    `granting privileges on '${name}'`,
  );
  return intent.foreignCatalog ? await ensureForeignCatalog(client, name, intent.foreignCatalog) : applied;
}

/**
 * PATCH with the code. A connection deleted in Databricks since it was applied leaves the inventory: the
 * entry is dropped, so submitting the request again creates the connection instead of PATCHing nothing.
 */
async function patchOnce(
  deps: SignInDependencies,
  client: DatabricksClient,
  intent: U2mIntent,
  options: Record<string, string>,
  etag: string,
): Promise<ConnectionInfo> {
  const name = intent.connection.name;
  try {
    return await client.updateConnection(name, { options }, { retry: 'never' });
  } catch (error) {
    if (isNotFound(error)) {
      await deps.inventory.delete(intent.workspace, name, { etag }).catch(() => undefined);
      throw new UpstreamFailure(
        `Connection '${name}' no longer exists in Databricks (it was deleted after the sign-in link was sent), so your sign-in was not used. Submit an upsert request for it to create it again; that sends a new link.`,
      );
    }
    throw explainWriteFailure(error, intent);
  }
}

/**
 * POST with the code. If Databricks' answer was lost (`retry: 'never'` surfaces a timeout or 5xx as
 * TransientError), the code may or may not have been redeemed: a GET tells, because a connection created
 * after our claim with our options is ours. A refusal withdraws the claim, so the name stays free.
 */
async function createOnce(
  deps: SignInDependencies,
  client: DatabricksClient,
  intent: U2mIntent,
  options: Record<string, string>,
  claim: { entry: ManagedConnection; etag: string },
): Promise<ConnectionInfo> {
  const name = intent.connection.name;
  try {
    return await client.createConnection(
      {
        name,
        connection_type: 'SQLSERVER',
        options,
        ...(intent.connection.comment ? { comment: intent.connection.comment } : {}),
      },
      { retry: 'never' },
    );
  } catch (error) {
    if (error instanceof TransientError) {
      const existing = await client.getConnection(name).catch(() => undefined);
      if (
        existing &&
        existing.credential_type === 'OAUTH_U2M' &&
        wasCreatedUnderClaim(existing, claim.entry)
      ) {
        return existing;
      }
    }
    if (error instanceof DatabricksApiError) {
      await deps.inventory.delete(intent.workspace, name, { etag: claim.etag }).catch(() => undefined);
    }
    throw explainWriteFailure(error, intent);
  }
}

function explainWriteFailure(error: unknown, intent: U2mIntent): unknown {
  const name = intent.connection.name;
  if (
    error instanceof DatabricksApiError &&
    error.status === 400 &&
    tokenExchangeFailure.test(error.apiMessage)
  ) {
    return new UpstreamFailure(
      `Databricks could not redeem your sign-in for connection '${name}': ${error.apiMessage}${error.requestId ? ` (request id ${error.requestId})` : ''}. ` +
        `A sign-in code works once and for about 10 minutes, so it may have expired or been used already. ${retryAdvice(intent)}`,
    );
  }
  if (error instanceof TransientError) {
    return new UpstreamFailure(
      `Databricks did not confirm the ${intent.write === 'create' ? 'creation' : 'update'} of connection '${name}' (${error.message}). ` +
        `Your sign-in code cannot be sent twice, so it was not retried. Check the connection in Databricks; ${retryAdvice(intent)}`,
    );
  }
  return mapDatabricksError(
    error,
    `${intent.write === 'create' ? 'creating' : 'updating'} connection '${name}'`,
  );
}

/** Databricks refused or did not answer the write that carried the code: shown as a 502 page. */
class UpstreamFailure extends Error {
  override readonly name = 'UpstreamFailure';
}

async function call<T>(operation: () => Promise<T>, what: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw mapDatabricksError(error, what);
  }
}

function failed(message: string, failedAt: 'databricks' | 'provisioner' = 'provisioner'): ApplyOutcome {
  return { status: 'failed', reasons: [{ code: 'SIGN_IN_FAILED', message }], failedAt };
}

/**
 * Every error becomes an outcome: the state is burned, so there is no redelivery to leave it to. Once the
 * connection holds the new grant, a later failure (grants, catalog) says so: resubmitting fixes it without
 * another sign-in, because the inventory already records the connection as applied.
 */
function outcomeOf(error: unknown, intent: U2mIntent, connectionWritten: boolean): ApplyOutcome {
  if (error instanceof UpstreamFailure) return failed(error.message, 'databricks');
  const name = intent.connection.name;
  const written = `Connection '${name}' was ${intent.write === 'create' ? 'created' : 'updated'} with your sign-in, but the rest of the request failed; submit the request again to finish it (no new sign-in is needed).`;
  if (error instanceof PermanentError) {
    const reasons = connectionWritten
      ? [...error.reasons, { code: 'SIGN_IN_FAILED' as const, message: written }]
      : error.reasons;
    return {
      status: error.outcome,
      reasons,
      failedAt: error.reasons.some(isDatabricksReason) ? 'databricks' : 'provisioner',
    };
  }
  const detail =
    error instanceof TransientError ? `${error.service}: ${error.message}` : 'an unexpected error';
  return failed(
    connectionWritten
      ? `${written} (${detail})`
      : `Applying your sign-in to connection '${name}' failed (${detail}). ${retryAdvice(intent)}`,
  );
}

function isDatabricksReason(reason: Reason): boolean {
  return reason.code === 'DATABRICKS_REJECTED' || reason.code === 'DATABRICKS_PERMISSION_DENIED';
}
