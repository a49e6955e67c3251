import type { AppRegistration } from '../entra/index.js';
import type { GraphAction } from './routes.js';

/**
 * Application permissions (app roles in the token's `roles`) that allow each action on any application, from the
 * permission tables of application-get, application-addpassword and application-removepassword (Graph v1.0).
 * `Application.ReadWrite.OwnedBy` is handled apart: it covers only applications the caller owns.
 */
const tenantWideRoles: Record<GraphAction, string[]> = {
  getApplication: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
  addPassword: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  removePassword: ['Application.ReadWrite.All', 'Directory.ReadWrite.All'],
};
const ownedByRole = 'Application.ReadWrite.OwnedBy';

export interface GraphCaller {
  appId?: string;
  roles: string[];
}

/** Whether the caller holds any permission that could allow `action` (checked before the lookup). */
export function mayAttempt(caller: GraphCaller, action: GraphAction): boolean {
  return (
    caller.roles.includes(ownedByRole) || caller.roles.some((role) => tenantWideRoles[action].includes(role))
  );
}

/**
 * Whether the caller may perform `action` on `application`. OwnedBy covers only apps the caller owns (Graph
 * application-addpassword.md, permissions); the stand-in's owners are the owning service principals' appIds.
 */
export function permits(caller: GraphCaller, action: GraphAction, application: AppRegistration): boolean {
  if (caller.roles.some((role) => tenantWideRoles[action].includes(role))) return true;
  return (
    caller.roles.includes(ownedByRole) &&
    caller.appId !== undefined &&
    application.owners.includes(caller.appId)
  );
}
