import type { DatabricksClient } from '../databricks/databricks-client.js';
import { DatabricksApiError, isAlreadyExists, isNotFound } from '../databricks/databricks-error.js';
import type { ConnectionInfo } from '../databricks/types.js';
import { PermanentError, TransientError } from '../errors.js';
import type { UpsertRequest } from '../request/connection-request-schema.js';
import type { ManagedConnection } from '../state/connection-inventory.js';
import { grantMissingPrivileges } from './apply-grants.js';
import {
  buildOptions,
  expectedCredentialType,
  m2mOptionTable,
  writeOnlyOptions,
} from './connection-options.js';
import { isPendingClaim, pendingClaimFingerprint, wasCreatedUnderClaim } from './creation-claim.js';
import { ensureForeignCatalog } from './ensure-foreign-catalog.js';
import { fingerprint } from './fingerprint.js';
import { mapDatabricksError } from './map-databricks-error.js';
import type { ProvisionerDependencies } from './provisioner-dependencies.js';

export interface UpsertContext {
  request: UpsertRequest & { requestId: string };
  workspace: string;
  ordering: number;
}

export type UpsertResult = {
  outcome: 'created' | 'updated' | 'unchanged' | 'adopted';
  connectionName: string;
};

/**
 * Brings one M2M connection, its grants and its foreign catalog to what the request asks for, in as
 * few Databricks calls as possible (the workspace rate limit is the ceiling): a request whose fingerprint
 * matches what was last applied costs none.
 */
export async function upsertM2mConnection(
  deps: ProvisionerDependencies,
  context: UpsertContext,
): Promise<UpsertResult> {
  const { request, workspace } = context;
  const name = request.connection.name.toLowerCase();
  const client = deps.databricks(workspace);
  const secret = await deps.secrets.read(request.auth.clientSecretRef);
  const options = buildOptions(m2mOptionTable, {
    request,
    clientSecret: secret.value,
    authorityHost: deps.sqlAuthorityHost,
  });
  // Two parts, so a change of grants alone does not re-send the connection's options.
  const connectionPart = fingerprint({
    options: Object.fromEntries(Object.entries(options).filter(([key]) => !writeOnlyOptions.has(key))),
    secretRef: request.auth.clientSecretRef,
    secretVersion: secret.version,
    owner: request.connection.owner,
  });
  const extrasPart = fingerprint({ grants: request.grants, foreignCatalog: request.foreignCatalog });
  const applied = `${connectionPart}.${extrasPart}`;

  const stored = await deps.inventory.get(workspace, name);
  if (stored?.entry.optionsFingerprint === applied) {
    await recordApplied(deps, stored, {
      ...entryFor(context, secret.version, applied),
      foreignCatalog: stored.entry.foreignCatalog,
    });
    return { outcome: 'unchanged', connectionName: name };
  }

  let outcome: UpsertResult['outcome'];
  let connection: ConnectionInfo | undefined;
  let etag = stored?.etag;
  if (stored && !isPendingClaim(stored.entry)) {
    outcome = 'updated';
    if (!stored.entry.optionsFingerprint.startsWith(`${connectionPart}.`)) {
      connection = await patchOrRecreate(client, name, request, options);
    }
  } else {
    // Claim the name before creating (creation-claim.ts). An earlier attempt's claim is kept as it is:
    // its time is what tells the connection that attempt created from a stranger's.
    const claim =
      stored ?? (await claimName(deps, entryFor(context, secret.version, pendingClaimFingerprint)));
    etag = claim.etag;
    const created = await createUnderClaim(deps, { client, name, request, options, claim, workspace });
    outcome = created.outcome;
    connection = created.connection;
  }
  if (connection) {
    const owner = request.connection.owner;
    if (owner && connection.owner !== owner) {
      connection = await call(
        () => client.updateConnection(name, { owner }),
        `setting the owner of '${name}'`,
      );
    }
    verifyCredentialType(connection, 'M2M');
  }

  await call(
    () => grantMissingPrivileges(client, 'connection', name, request.grants ?? []),
    `granting privileges on '${name}'`,
  );
  const foreignCatalog = request.foreignCatalog
    ? await ensureForeignCatalog(client, name, request.foreignCatalog)
    : stored?.entry.foreignCatalog;

  await deps.inventory.put({ ...entryFor(context, secret.version, applied), foreignCatalog }, { etag });
  deps.logger.info('connection.applied', {
    requestId: request.requestId,
    workspace,
    connection: name,
    outcome,
  });
  return { outcome, connectionName: name };
}

function entryFor(
  context: UpsertContext,
  secretVersion: string,
  optionsFingerprint: string,
): ManagedConnection {
  const { request, workspace, ordering } = context;
  return {
    workspace,
    name: request.connection.name.toLowerCase(),
    flow: request.auth.flow,
    tenantId: request.auth.tenantId,
    clientId: request.auth.clientId,
    clientSecretRef: request.auth.clientSecretRef,
    secretVersion,
    optionsFingerprint,
    lastRequestId: request.requestId,
    lastRequestSequence: ordering,
    approver: request.auth.approver,
    updatedAt: new Date().toISOString(),
  };
}

async function recordApplied(
  deps: ProvisionerDependencies,
  stored: { entry: ManagedConnection; etag: string },
  entry: ManagedConnection,
): Promise<void> {
  if (stored.entry.lastRequestId === entry.lastRequestId) return;
  await deps.inventory.put(entry, { etag: stored.etag });
}

async function patchOrRecreate(
  client: DatabricksClient,
  name: string,
  request: UpsertRequest,
  options: Record<string, string>,
): Promise<ConnectionInfo> {
  try {
    return await client.updateConnection(name, { options });
  } catch (error) {
    // Deleted outside the provisioner since we last applied it: create it again.
    if (isNotFound(error)) return (await createOrAdopt(client, name, request, options)).connection;
    throw mapDatabricksError(error, `updating connection '${name}'`);
  }
}

async function claimName(
  deps: ProvisionerDependencies,
  entry: ManagedConnection,
): Promise<{ entry: ManagedConnection; etag: string }> {
  return { entry, etag: await deps.inventory.put({ ...entry, foreignCatalog: undefined }) };
}

/**
 * Creates the connection under the inventory claim. A 409 is either a connection an earlier attempt
 * created under this claim whose response or inventory write was lost (ours: re-send the full option
 * set, the secret may have a newer version by now), or someone else's (refused unless `adopt`). When
 * nothing of ours exists, the claim is withdrawn so a later request or delete does not take the name for
 * one the provisioner manages.
 */
async function createUnderClaim(
  deps: ProvisionerDependencies,
  target: {
    client: DatabricksClient;
    name: string;
    request: UpsertRequest;
    options: Record<string, string>;
    claim: { entry: ManagedConnection; etag: string };
    workspace: string;
  },
): Promise<{ connection: ConnectionInfo; outcome: 'created' | 'adopted' }> {
  const { client, name, request, options, claim, workspace } = target;
  const withdrawClaim = () => deps.inventory.delete(workspace, name, { etag: claim.etag });
  try {
    const connection = await client.createConnection(createBody(name, request, options));
    return { connection, outcome: 'created' };
  } catch (error) {
    if (!isAlreadyExists(error)) {
      if (error instanceof DatabricksApiError) await withdrawClaim();
      throw mapDatabricksError(error, `creating connection '${name}'`);
    }
  }
  const existing = await call(() => client.getConnection(name), `reading connection '${name}'`);
  if (!existing) {
    throw new TransientError('databricks', `Connection '${name}' was deleted while being created; retrying.`);
  }
  const nonSecretOptions = Object.fromEntries(
    Object.entries(options).filter(([key]) => !writeOnlyOptions.has(key)),
  );
  const ours = wasCreatedUnderClaim(existing, claim.entry, nonSecretOptions);
  if (!ours && !request.adopt) {
    await withdrawClaim();
    throw notManaged(name);
  }
  const connection = await call(
    () => client.updateConnection(name, { options }),
    ours ? `completing the creation of connection '${name}'` : `adopting connection '${name}'`,
  );
  return { connection, outcome: ours ? 'created' : 'adopted' };
}

function createBody(name: string, request: UpsertRequest, options: Record<string, string>) {
  return {
    name,
    connection_type: 'SQLSERVER',
    options,
    ...(request.connection.comment ? { comment: request.connection.comment } : {}),
  };
}

function notManaged(name: string): PermanentError {
  return PermanentError.rejected(
    'CONNECTION_NOT_MANAGED',
    `connection.name: a connection named '${name}' already exists in this workspace and was not created by the provisioner; choose another name, or set "adopt": true to take it over (its options will be replaced).`,
    'connection.name',
  );
}

async function createOrAdopt(
  client: DatabricksClient,
  name: string,
  request: UpsertRequest,
  options: Record<string, string>,
): Promise<{ connection: ConnectionInfo; adopted: boolean }> {
  try {
    const connection = await client.createConnection(createBody(name, request, options));
    return { connection, adopted: false };
  } catch (error) {
    if (!isAlreadyExists(error)) throw mapDatabricksError(error, `creating connection '${name}'`);
  }
  if (!request.adopt) throw notManaged(name);
  const connection = await call(
    () => client.updateConnection(name, { options }),
    `adopting connection '${name}'`,
  );
  return { connection, adopted: true };
}

export function verifyCredentialType(connection: ConnectionInfo, flow: 'M2M' | 'U2M'): void {
  const expected = expectedCredentialType[flow];
  if (connection.credential_type === expected) return;
  throw PermanentError.failed(
    'CREDENTIAL_TYPE_MISMATCH',
    `Databricks classified connection '${connection.name}' as ${connection.credential_type ?? 'an unknown credential type'}, not ${expected}: the ${flow} option set in src/provisioning/connection-options.ts does not match what this workspace expects for SQLSERVER. Adjust the option table; the connection was left in place for inspection.`,
  );
}

async function call<T>(operation: () => Promise<T>, what: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw mapDatabricksError(error, what);
  }
}
