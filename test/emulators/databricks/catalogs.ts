import { requireManage, requireMetastorePrivilege, requirePrivilege, requireVisible } from './access.js';
import { alreadyExists, invalidParameter, notFound } from './errors.js';
import { normalizeObjectName } from './names.js';
import { asObject, optionalString, optionalStringMap } from './request-fields.js';
import { type ApiContext, grantKey, newId, type StoredCatalog, type WorkspaceState } from './state.js';

/** `CatalogInfo` for a foreign catalog (SDK `service/catalog/model.go`); the stand-in only creates foreign catalogs. */
function toCatalogInfo(catalog: StoredCatalog, state: WorkspaceState) {
  return {
    name: catalog.name,
    full_name: catalog.name,
    catalog_type: 'FOREIGN_CATALOG',
    connection_name: catalog.connectionName,
    options: catalog.options,
    ...(catalog.comment === undefined ? {} : { comment: catalog.comment }),
    owner: catalog.owner,
    isolation_mode: 'OPEN',
    metastore_id: state.config.metastoreId,
    securable_type: 'CATALOG',
    provisioning_info: { state: 'ACTIVE' },
    created_at: catalog.createdAt,
    created_by: catalog.createdBy,
    updated_at: catalog.updatedAt,
    updated_by: catalog.updatedBy,
  };
}

/**
 * Same shapes as connections: `Catalog '<name>' does not exist.`, code configurable (no public source gives
 * it).
 */
export function findCatalog(state: WorkspaceState, name: string): StoredCatalog {
  const catalog = state.catalogs.get(name.toLowerCase());
  if (!catalog) throw notFound(state.config.errorCodes.notFound, `Catalog '${name}' does not exist.`);
  return catalog;
}

/**
 * POST /catalogs `{name, connection_name, options:{database}, comment}` (SDK `CreateCatalog`).
 * Needs CREATE CATALOG on the metastore plus ownership of the connection or CREATE FOREIGN CATALOG on it
 * (Learn query-federation/sql-server). A missing connection → `CONNECTION_NOT_FOUND`, "Cannot execute this
 * command because the connection name <name> was not found" (ai-dev-kit, verified on the SQL path; 404 on
 * REST is [inferred]). `database` is the only option [inferred for SQLSERVER; ai-dev-kit: `database` belongs
 * to the catalog, not the connection].
 */
export function createCatalog(ctx: ApiContext, body: unknown) {
  const { state, caller } = ctx;
  const request = asObject(body);
  const name = normalizeObjectName(request.name, 'catalog');
  const connectionName = optionalString(request, 'connection_name');
  if (!connectionName)
    throw invalidParameter('This stand-in only creates foreign catalogs: connection_name is required.');
  const options = optionalStringMap(request, 'options') ?? {};
  const comment = optionalString(request, 'comment');
  requireMetastorePrivilege(ctx, 'CREATE_CATALOG');
  const connection = state.connections.get(connectionName.toLowerCase());
  if (!connection) {
    throw notFound(
      state.config.errorCodes.catalogConnectionNotFound,
      `Cannot execute this command because the connection name ${connectionName} was not found`,
    );
  }
  requirePrivilege(ctx, 'connection', connection.name, connection.owner, 'CREATE_FOREIGN_CATALOG');
  const unsupported = Object.keys(options).filter((key) => key !== 'database');
  if (unsupported.length > 0) {
    throw invalidParameter(
      `CATALOG/CATALOG_FOREIGN_SQLSERVER does not support the following option(s): ${unsupported.join(',')}.`,
    );
  }
  if (!options.database)
    throw invalidParameter(
      'CATALOG/CATALOG_FOREIGN_SQLSERVER must include the following option(s): database.',
    );
  if (state.catalogs.has(name)) {
    throw alreadyExists(state.config.errorCodes.alreadyExists, `Catalog '${name}' already exists`);
  }
  const now = Date.now();
  const catalog: StoredCatalog = {
    id: newId(),
    name,
    connectionName: connection.name,
    options: { ...options },
    comment,
    owner: caller.name,
    createdAt: now,
    createdBy: caller.name,
    updatedAt: now,
    updatedBy: caller.name,
  };
  state.catalogs.set(name, catalog);
  return toCatalogInfo(catalog, state);
}

export function getCatalog(ctx: ApiContext, name: string) {
  const catalog = findCatalog(ctx.state, name);
  requireVisible(ctx, 'catalog', catalog.name, catalog.owner);
  return toCatalogInfo(catalog, ctx.state);
}

/** DELETE /catalogs/{name} → `{}`. A foreign catalog has no managed data, so `force` changes nothing here. */
export function deleteCatalog(ctx: ApiContext, name: string) {
  const catalog = findCatalog(ctx.state, name);
  requireManage(ctx, 'catalog', catalog.name, catalog.owner);
  ctx.state.catalogs.delete(catalog.name);
  ctx.state.grants.delete(grantKey('catalog', catalog.name));
  return {};
}
