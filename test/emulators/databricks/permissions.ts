import { requireManage, requireVisible } from './access.js';
import { findCatalog } from './catalogs.js';
import { findConnection } from './connections.js';
import { invalidParameter } from './errors.js';
import { asObject, optionalString, optionalStringArray } from './request-fields.js';
import { type ApiContext, grantKey, type SecurableType } from './state.js';

/** Grantable privileges per securable type, as TF `docs/resources/grants.md` lists them ("Connection grants", "Catalog grants"). */
const grantable: Record<SecurableType, Set<string>> = {
  connection: new Set('ALL_PRIVILEGES MANAGE USE_CONNECTION CREATE_FOREIGN_CATALOG'.split(' ')),
  catalog: new Set(
    (
      'ALL_PRIVILEGES APPLY_TAG CREATE_CONNECTION CREATE_SCHEMA MANAGE USE_CATALOG CREATE_FUNCTION CREATE_TABLE ' +
      'CREATE_VOLUME EXECUTE MODIFY REFRESH SELECT READ_VOLUME WRITE_VOLUME USE_SCHEMA'
    ).split(' '),
  ),
};

/** `/permissions/{securable_type}/{full_name}` (SDK `grantsImpl`); only the two securables this project uses. */
function securable(
  ctx: ApiContext,
  type: string,
  name: string,
): { type: SecurableType; name: string; owner: string } {
  if (type === 'connection') {
    const connection = findConnection(ctx.state, name);
    return { type, name: connection.name, owner: connection.owner };
  }
  if (type === 'catalog') {
    const catalog = findCatalog(ctx.state, name);
    return { type, name: catalog.name, owner: catalog.owner };
  }
  throw invalidParameter(
    `Securable type '${type}' is not supported by this stand-in (only connection, catalog).`,
  );
}

/** SDK `PrivilegeAssignment`; empty lists are omitted, as the SDK's `omitempty` allows [inferred]. */
function assignments(ctx: ApiContext, type: SecurableType, name: string, principal?: string | null) {
  const list = [...(ctx.state.grants.get(grantKey(type, name)) ?? [])]
    .filter(([grantee, privileges]) => privileges.size > 0 && (!principal || grantee === principal))
    .map(([grantee, privileges]) => ({ principal: grantee, privileges: [...privileges].sort() }));
  return list.length === 0 ? {} : { privilege_assignments: list };
}

export function getPermissions(ctx: ApiContext, type: string, name: string, query: URLSearchParams) {
  const target = securable(ctx, type, name);
  requireVisible(ctx, target.type, target.name, target.owner);
  return assignments(ctx, target.type, target.name, query.get('principal'));
}

/**
 * PATCH `{changes:[{principal, add, remove}]}` (SDK `UpdatePermissions`). Validates everything before applying
 * anything: unknown principal → "Could not find principal with name …" (TF #1773, #5045; status [inferred]);
 * a privilege not grantable on the securable → 400 (wording [inferred]). Spaces in privilege names become
 * underscores (TF `NormalizePrivilege`: "Unity Catalog accepts privileges with spaces").
 */
export function updatePermissions(ctx: ApiContext, type: string, name: string, body: unknown) {
  const target = securable(ctx, type, name);
  requireManage(ctx, target.type, target.name, target.owner);
  const request = asObject(body);
  const rawChanges = request.changes;
  if (rawChanges !== undefined && !Array.isArray(rawChanges))
    throw invalidParameter('changes must be an array.');
  const changes = (rawChanges ?? []).map((raw: unknown) => {
    const change = asObject(raw);
    const principal = optionalString(change, 'principal');
    if (!principal || !ctx.state.directory.find(principal)) {
      throw invalidParameter(`Could not find principal with name ${principal ?? ''}`);
    }
    const normalize = (privilege: string) => {
      const normalized = privilege.replaceAll(' ', '_');
      if (!grantable[target.type].has(normalized)) {
        throw invalidParameter(
          `Privilege ${privilege} is not applicable to this entity [${target.type}:${target.name}].`,
        );
      }
      return normalized;
    };
    return {
      principal,
      add: optionalStringArray(change, 'add').map(normalize),
      remove: optionalStringArray(change, 'remove').map(normalize),
    };
  });
  // TF PR #5824 reports the API rejects adding and removing privileges for one principal in one call [unconfirmed].
  if (ctx.state.config.rejectAddAndRemoveForOnePrincipal) {
    for (const { principal } of changes) {
      const mine = changes.filter((change) => change.principal === principal);
      if (mine.some((c) => c.add.length > 0) && mine.some((c) => c.remove.length > 0)) {
        throw invalidParameter(
          `Cannot add and remove privileges for principal ${principal} in the same request.`,
        );
      }
    }
  }
  const key = grantKey(target.type, target.name);
  const grants = ctx.state.grants.get(key) ?? new Map<string, Set<string>>();
  ctx.state.grants.set(key, grants);
  for (const change of changes) {
    const held = grants.get(change.principal) ?? new Set<string>();
    for (const privilege of change.add) held.add(privilege);
    for (const privilege of change.remove) held.delete(privilege);
    grants.set(change.principal, held);
  }
  return request.omit_permissions_in_response === true ? {} : assignments(ctx, target.type, target.name);
}
