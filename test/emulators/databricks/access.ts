import type { MetastorePrivilege, WorkspacePrincipal } from './directory.js';
import { permissionDenied } from './errors.js';
import { type ApiContext, grantKey, type SecurableType } from './state.js';

/**
 * Authorisation rules (Learn query-federation/sql-server; TF `docs/resources/grants.md`: "The principal that
 * creates an object becomes its owner. Owners receive ALL_PRIVILEGES … as well as the permission to grant
 * privileges"; `MANAGE` delegates managing without ownership). Group membership is not modelled: grants to
 * groups never reach a caller.
 */
export function isOwner(caller: WorkspacePrincipal, owner: string): boolean {
  return caller.name.toLowerCase() === owner.toLowerCase();
}

export function privilegesOf(ctx: ApiContext, type: SecurableType, name: string): Set<string> {
  const assignments = ctx.state.grants.get(grantKey(type, name));
  for (const [principal, privileges] of assignments ?? []) {
    if (principal.toLowerCase() === ctx.caller.name.toLowerCase()) return privileges;
  }
  return new Set();
}

/** Metastore admins hold the metastore-level privileges implicitly [inferred]. */
export function requireMetastorePrivilege(ctx: ApiContext, privilege: MetastorePrivilege): void {
  const { caller, state } = ctx;
  if (caller.metastoreAdmin || caller.metastorePrivileges.has(privilege)) return;
  // ai-dev-kit (verified): `PERMISSION_DENIED: User does not have CREATE CATALOG on Metastore '<name>'`.
  throw permissionDenied(
    `User does not have ${privilege.replaceAll('_', ' ')} on Metastore '${state.config.metastoreName}'`,
  );
}

/** Seeing a securable: metastore admin, owner, or any privilege on it [inferred]. */
export function isVisible(ctx: ApiContext, type: SecurableType, name: string, owner: string): boolean {
  return ctx.caller.metastoreAdmin || isOwner(ctx.caller, owner) || privilegesOf(ctx, type, name).size > 0;
}

export function requireVisible(ctx: ApiContext, type: SecurableType, name: string, owner: string): void {
  if (isVisible(ctx, type, name, owner)) return;
  throw permissionDenied(`User does not have any privilege on ${label(type)} '${name}'.`);
}

/** Altering, dropping, re-owning or granting: metastore admin, owner, or `MANAGE` [inferred wording]. */
export function requireManage(ctx: ApiContext, type: SecurableType, name: string, owner: string): void {
  if (ctx.caller.metastoreAdmin || isOwner(ctx.caller, owner) || privilegesOf(ctx, type, name).has('MANAGE'))
    return;
  throw permissionDenied(`User is not an owner of ${label(type)} '${name}'.`);
}

/** A privilege on the securable itself, granted directly or through ALL_PRIVILEGES, or ownership. */
export function requirePrivilege(
  ctx: ApiContext,
  type: SecurableType,
  name: string,
  owner: string,
  privilege: string,
) {
  const held = privilegesOf(ctx, type, name);
  if (isOwner(ctx.caller, owner) || held.has(privilege) || held.has('ALL_PRIVILEGES')) return;
  throw permissionDenied(`User does not have ${privilege.replaceAll('_', ' ')} on ${label(type)} '${name}'.`);
}

const label = (type: SecurableType) => (type === 'connection' ? 'Connection' : 'Catalog');
