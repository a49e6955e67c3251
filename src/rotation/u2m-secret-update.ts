import { createHash } from 'node:crypto';
import { TransientError } from '../errors.js';
import { acquireConnectionLease } from '../provisioning/connection-lease.js';
import { buildOptions, u2mOptionTable } from '../provisioning/connection-options.js';
import { mapDatabricksError } from '../provisioning/map-databricks-error.js';
import type { ProvisionerDependencies } from '../provisioning/provisioner-dependencies.js';
import { verifyCredentialType } from '../provisioning/upsert-connection.js';
import type { UpsertRequest } from '../request/connection-request-schema.js';
import { validateRequest } from '../request/validate-request.js';
import { redirectUriFor } from '../signin/redirect-uri.js';
import { appliedExtrasOf, u2mConnectionFingerprint } from '../signin/u2m-fingerprint.js';
import type { ManagedConnection } from '../state/connection-inventory.js';
import type { ReconsentRequester } from './rotation-dependencies.js';
import { RotationError } from './rotation-error.js';

/**
 * Policy `reconsent` (the default): whether Databricks keeps a U2M connection's grant when only its
 * `client_secret` changes is undocumented (unconfirmed; no public source), so the approver gets a fresh
 * sign-in link — the U2M `reauthorize` flow of src/signin — and the callback re-applies the connection with
 * the latest secret. The request id is derived from the run and the connection, so a resumed run never emails
 * twice (the sign-in side sends one email per request id). Its status is recorded like any request's, so
 * `ucprov status <id>` and the status endpoint follow it.
 */
export function reconsentThroughSignIn(
  provisioning: ProvisionerDependencies,
): ReconsentRequester | undefined {
  const { signIns } = provisioning;
  if (!signIns) return undefined;
  return async (connection, { runId }) => {
    const requestId = `rotation-${runId}-${createHash('sha256').update(`${connection.workspace}|${connection.name}`).digest('hex').slice(0, 12)}`;
    const request = {
      requestId,
      action: 'reauthorize' as const,
      requestedBy: `client-secret rotation ${runId}`,
      connection: { name: connection.name },
    };
    return withConnectionLease(provisioning, connection, requestId, async () => {
      // Orders this sign-in after every request so far; real time, as Service Bus enqueue times are.
      const ordering = Math.max(Date.now(), connection.lastRequestSequence + 1);
      const result = await signIns.request(
        { request, workspace: connection.workspace, ordering },
        provisioning.logger,
      );
      if (result.status !== 'awaiting_sign_in') return { requestId };
      await provisioning.statuses.record(requestId, {
        status: 'awaiting_sign_in',
        action: 'reauthorize',
        workspace: connection.workspace,
        connectionName: connection.name,
        flow: 'U2M',
        signInExpiresAt: result.signInExpiresAt,
        request,
      });
      return { requestId, signInExpiresAt: result.signInExpiresAt };
    });
  };
}

/**
 * Policy `patch`, for tenants that verified that PATCHing a U2M connection without a new code keeps its grant:
 * the full U2M option set (PATCH replaces all options) with the new secret and no code or verifier, rebuilt from
 * the connection's last upsert request and the redirect URI of its sign-in; then the inventory records the new
 * version, keeping the fingerprint format of src/signin/u2m-fingerprint.ts.
 */
export async function patchU2mConnection(
  provisioning: ProvisionerDependencies,
  connection: ManagedConnection,
  target: { newSecretVersion: string; runId: string },
): Promise<'updated' | 'removed'> {
  return withConnectionLease(provisioning, connection, `rotation-${target.runId}`, async () => {
    const { inventory, statuses, secrets, settings } = provisioning;
    const stored = await inventory.get(connection.workspace, connection.name);
    if (!stored) return 'removed';
    if (stored.entry.secretVersion === target.newSecretVersion) return 'updated';
    const saved = await statuses.getRequest(stored.entry.lastRequestId);
    const validation = saved === undefined ? undefined : validateRequest(saved, stored.entry.lastRequestId);
    const publicBaseUrl = settings.signIn.publicBaseUrl;
    if (!validation?.ok || validation.request.action !== 'upsert' || !publicBaseUrl) {
      throw new RotationError(
        'CONNECTION_UPDATE_FAILED',
        `U2M connection '${connection.name}' cannot be PATCHed under ROTATION_U2M_POLICY=patch: ${publicBaseUrl ? `its last request (${stored.entry.lastRequestId}) is not a recorded upsert` : 'PUBLIC_BASE_URL (its redirect URI) is not set'}. Use ROTATION_U2M_POLICY=reconsent, or re-submit the connection's upsert request.`,
        { needsOperator: true },
      );
    }
    const request = validation.request as UpsertRequest & { requestId: string };
    const secret = await secrets.read(connection.clientSecretRef);
    const redirectUri = redirectUriFor(publicBaseUrl);
    const intent = { connection: { ...request.connection, name: connection.name }, auth: request.auth };
    const options = buildOptions(u2mOptionTable, {
      request: intent,
      clientSecret: secret.value,
      authorityHost: provisioning.sqlAuthorityHost,
      signIn: { redirectUri },
    });
    const client = provisioning.databricks(connection.workspace);
    let updated: Awaited<ReturnType<typeof client.updateConnection>>;
    try {
      updated = await client.updateConnection(connection.name, { options });
    } catch (error) {
      throw mapDatabricksError(error, `PATCHing U2M connection '${connection.name}' with the new secret`);
    }
    verifyCredentialType(updated, 'U2M');
    const connectionPart = u2mConnectionFingerprint({
      intent: {
        connection: intent.connection,
        auth: { ...request.auth, clientSecretRef: connection.clientSecretRef },
      },
      secretVersion: secret.version,
      authorityHost: provisioning.sqlAuthorityHost,
      redirectUri,
    });
    const extras = appliedExtrasOf(stored.entry.optionsFingerprint) ?? '';
    await inventory.put(
      {
        ...stored.entry,
        secretVersion: secret.version,
        optionsFingerprint: `${connectionPart}.${extras}`,
        updatedAt: new Date().toISOString(),
      },
      { etag: stored.etag },
    );
    return 'updated';
  });
}

/**
 * Under the lease the queue consumer and the OAuth callback take for a connection (`connection|<workspace>|<name>`,
 * src/provisioning/provisioner.ts), so rotation never interleaves with a request for the same connection.
 */
export async function withConnectionLease<T>(
  provisioning: ProvisionerDependencies,
  connection: Pick<ManagedConnection, 'workspace' | 'name'>,
  holder: string,
  work: () => Promise<T>,
): Promise<T> {
  const { leases } = provisioning;
  const lease = await acquireConnectionLease(provisioning, connection, `${holder}|${connection.name}`);
  if (!lease) {
    throw new TransientError(
      'lease',
      `A request is still working on connection '${connection.name}'; the next rotation run updates it.`,
    );
  }
  try {
    return await work();
  } finally {
    await leases.release(lease).catch(() => undefined);
  }
}
