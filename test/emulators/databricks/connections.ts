import { isVisible, requireManage, requireMetastorePrivilege, requireVisible } from './access.js';
import {
  assertOptionsComplete,
  authorizationCodeOptions,
  classifySqlServerOptions,
  sqlServerRules,
  writeOnlyOptions,
} from './classify.js';
import { redeemAuthorizationCode } from './connection-tokens.js';
import { alreadyExists, invalidParameter, notFound } from './errors.js';
import { normalizeObjectName } from './names.js';
import { paginate } from './pagination.js';
import { asObject, optionalString, optionalStringMap } from './request-fields.js';
import { type ApiContext, grantKey, newId, type StoredConnection, type WorkspaceState } from './state.js';

/** `ConnectionInfo` (SDK `service/catalog/model.go`; response sample verified by ai-dev-kit). */
export function toConnectionInfo(connection: StoredConnection, state: WorkspaceState) {
  const options = Object.fromEntries(
    Object.entries(connection.options).filter(([key]) => !writeOnlyOptions.has(key)),
  );
  // TF `computedOptions`: after a U2M create the server adds `access_token_expiration` (epoch ms here, [inferred]).
  if (connection.oauthGrant)
    options.access_token_expiration = String(connection.oauthGrant.accessTokenExpiresAt);
  return {
    name: connection.name,
    connection_id: connection.id,
    connection_type: connection.connectionType,
    ...(connection.comment === undefined ? {} : { comment: connection.comment }),
    credential_type: connection.credentialType,
    full_name: connection.name,
    metastore_id: state.config.metastoreId,
    options,
    owner: connection.owner,
    ...(connection.properties === undefined ? {} : { properties: connection.properties }),
    provisioning_info: { state: 'ACTIVE' },
    read_only: true,
    securable_type: 'CONNECTION',
    created_at: connection.createdAt,
    created_by: connection.createdBy,
    updated_at: connection.updatedAt,
    updated_by: connection.updatedBy,
    url: `jdbc://${connection.options.host}:${connection.options.port}/`,
  };
}

/**
 * Missing connection: `Connection '<name>' does not exist.` (ai-dev-kit); code configurable (no public source
 * gives it).
 */
export function findConnection(state: WorkspaceState, name: string): StoredConnection {
  const connection = state.connections.get(name.toLowerCase());
  if (!connection) {
    throw notFound(state.config.errorCodes.notFound, `Connection '${name}' does not exist.`);
  }
  return connection;
}

function assertNameFree(state: WorkspaceState, name: string): void {
  if (state.connections.has(name)) {
    throw alreadyExists(state.config.errorCodes.alreadyExists, `Connection '${name}' already exists`);
  }
}

/** Classifies, validates and (U2M with a code) redeems; returns what to store. */
async function resolveCredentials(
  state: WorkspaceState,
  options: Record<string, string>,
  previous?: StoredConnection,
): Promise<Pick<StoredConnection, 'credentialType' | 'oauthGrant'>> {
  const { m2mRule, u2mPatchWithoutCode } = state.config;
  const credentialType = classifySqlServerOptions(Object.keys(options), m2mRule);
  const rule = sqlServerRules(m2mRule)[credentialType];
  const hasCode = authorizationCodeOptions.some((key) => key in options);
  // Undocumented (no public source): whether a PATCH without a new code keeps the stored grant is
  // configurable.
  const keepGrant =
    credentialType === 'OAUTH_U2M' &&
    !hasCode &&
    u2mPatchWithoutCode === 'keep_grant' &&
    previous?.oauthGrant;
  assertOptionsComplete(options, credentialType, rule, keepGrant ? authorizationCodeOptions : []);
  if (keepGrant) return { credentialType, oauthGrant: previous.oauthGrant };
  if (credentialType === 'OAUTH_U2M')
    return { credentialType, oauthGrant: await redeemAuthorizationCode(options) };
  if (credentialType === 'OAUTH_M2M') return { credentialType: state.config.m2mClassifiedAs };
  return { credentialType };
}

/**
 * POST /connections. Only `SQLSERVER` is emulated (others → 400, a stand-in limit). Order of checks [inferred]:
 * body → privilege → options → name free → code redemption (the name is checked again after the exchange).
 */
export async function createConnection(ctx: ApiContext, body: unknown) {
  const { state, caller } = ctx;
  const request = asObject(body);
  const name = normalizeObjectName(request.name, 'connection');
  const connectionType = optionalString(request, 'connection_type');
  if (connectionType !== 'SQLSERVER') {
    throw invalidParameter(
      `connection_type '${connectionType ?? ''}' is not supported by this stand-in (only SQLSERVER).`,
    );
  }
  // SDK `CreateConnection.options` is required.
  const options = optionalStringMap(request, 'options');
  if (!options) throw invalidParameter('options is required.');
  const comment = optionalString(request, 'comment');
  const properties = optionalStringMap(request, 'properties');
  // Learn query-federation/sql-server: metastore admin or CREATE CONNECTION on the metastore.
  requireMetastorePrivilege(ctx, 'CREATE_CONNECTION');
  assertNameFree(state, name);
  const credentials = await resolveCredentials(state, options);
  assertNameFree(state, name);
  const now = Date.now();
  const connection: StoredConnection = {
    id: newId(),
    name,
    connectionType,
    options: { ...options },
    comment,
    properties,
    owner: caller.name,
    createdAt: now,
    createdBy: caller.name,
    updatedAt: now,
    updatedBy: caller.name,
    ...credentials,
  };
  state.connections.set(name, connection);
  state.counts.created += 1;
  return toConnectionInfo(connection, state);
}

export function getConnection(ctx: ApiContext, name: string) {
  const connection = findConnection(ctx.state, name);
  requireVisible(ctx, 'connection', connection.name, connection.owner);
  return toConnectionInfo(connection, ctx.state);
}

/** GET /connections: only what the caller can see, by name, paginated per SDK `ListConnectionsRequest`. */
export function listConnections(ctx: ApiContext, query: URLSearchParams) {
  const visible = [...ctx.state.connections.values()]
    .filter((connection) => isVisible(ctx, 'connection', connection.name, connection.owner))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const { items, nextPageToken } = paginate(visible, (c) => c.name, query, ctx.state.config.listing);
  return {
    connections: items.map((connection) => toConnectionInfo(connection, ctx.state)),
    ...(nextPageToken ? { next_page_token: nextPageToken } : {}),
  };
}

/**
 * PATCH /connections/{name} (SDK `UpdateConnection`: `options` required, `new_name`, `owner`). `options`
 * replaces the whole map (ALTER CONNECTION docs); an owner-only body is accepted (TF re-owns after create).
 */
export async function updateConnection(ctx: ApiContext, name: string, body: unknown) {
  const { state, caller } = ctx;
  const connection = findConnection(state, name);
  requireManage(ctx, 'connection', connection.name, connection.owner);
  const request = asObject(body);
  const options = optionalStringMap(request, 'options');
  const owner = optionalString(request, 'owner');
  const newName = request.new_name == null ? undefined : normalizeObjectName(request.new_name, 'new_name');
  if (!options && (owner === undefined || newName !== undefined))
    throw invalidParameter('options is required.');
  if (owner !== undefined && !state.directory.find(owner)) {
    throw invalidParameter(`Could not find principal with name ${owner}`);
  }
  if (newName !== undefined && newName !== connection.name) assertNameFree(state, newName);
  const credentials = options ? await resolveCredentials(state, options, connection) : undefined;
  if (newName !== undefined && newName !== connection.name) {
    assertNameFree(state, newName);
    rename(state, connection, newName);
  }
  if (options && credentials) {
    connection.options = { ...options };
    connection.credentialType = credentials.credentialType;
    connection.oauthGrant = credentials.oauthGrant;
  }
  if (owner !== undefined) connection.owner = owner;
  connection.updatedAt = Date.now();
  connection.updatedBy = caller.name;
  state.counts.updated += 1;
  return toConnectionInfo(connection, state);
}

/** Grants and foreign catalogs follow a renamed connection (UC refers to securables by id) [inferred]. */
function rename(state: WorkspaceState, connection: StoredConnection, newName: string): void {
  state.connections.delete(connection.name);
  const grants = state.grants.get(grantKey('connection', connection.name));
  state.grants.delete(grantKey('connection', connection.name));
  if (grants) state.grants.set(grantKey('connection', newName), grants);
  for (const catalog of state.catalogs.values()) {
    if (catalog.connectionName === connection.name) catalog.connectionName = newName;
  }
  connection.name = newName;
  state.connections.set(newName, connection);
}

/** DELETE /connections/{name} → `{}` ([inferred] body: no public source gives it). */
export function deleteConnection(ctx: ApiContext, name: string) {
  const { state } = ctx;
  const connection = findConnection(state, name);
  requireManage(ctx, 'connection', connection.name, connection.owner);
  state.connections.delete(connection.name);
  state.grants.delete(grantKey('connection', connection.name));
  state.counts.deleted += 1;
  return {};
}
