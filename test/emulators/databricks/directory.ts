/**
 * Metastore-level privileges this stand-in checks
 * (https://learn.microsoft.com/azure/databricks/query-federation/sql-server).
 */
export type MetastorePrivilege = 'CREATE_CONNECTION' | 'CREATE_CATALOG';

export interface WorkspacePrincipalInput {
  /** A service principal, identified in UC by its application (client) id. */
  applicationId?: string;
  /** A user, identified by user name (the UPN / e-mail). */
  userName?: string;
  /** A group: only a grant target; callers never authenticate as a group. */
  groupName?: string;
  metastorePrivileges?: MetastorePrivilege[];
  metastoreAdmin?: boolean;
}

export interface WorkspacePrincipal {
  /** The name UC shows in `owner`, `created_by` and grants. */
  name: string;
  kind: 'service_principal' | 'user' | 'group';
  metastorePrivileges: Set<MetastorePrivilege>;
  metastoreAdmin: boolean;
}

/**
 * Workspace membership. Application ids and user names compare case-insensitively; group names exactly [inferred].
 * A principal UC does not know fails grants with "Could not find principal with name …"
 * (terraform-provider-databricks#1773, #5045).
 */
export class WorkspaceDirectory {
  readonly #principals = new Map<string, WorkspacePrincipal>();

  add(input: WorkspacePrincipalInput): WorkspacePrincipal {
    const identities = [input.applicationId, input.userName, input.groupName].filter(
      (value) => value !== undefined,
    );
    if (identities.length !== 1)
      throw new Error('addPrincipal needs exactly one of applicationId, userName, groupName');
    const name = identities[0] as string;
    const kind = input.applicationId ? 'service_principal' : input.userName ? 'user' : 'group';
    const principal: WorkspacePrincipal = {
      name,
      kind,
      metastorePrivileges: new Set(input.metastorePrivileges ?? []),
      metastoreAdmin: input.metastoreAdmin ?? false,
    };
    this.#principals.set(directoryKey(name, kind), principal);
    return principal;
  }

  /** Finds a principal by the name a request uses (grants, `owner`). */
  find(name: string): WorkspacePrincipal | undefined {
    return (
      this.#principals.get(directoryKey(name, 'group')) ??
      this.#principals.get(directoryKey(name, 'user')) ??
      this.#principals.get(directoryKey(name, 'service_principal'))
    );
  }

  findCaller(identity: { applicationId?: string; userName?: string }): WorkspacePrincipal | undefined {
    if (identity.userName) return this.#principals.get(directoryKey(identity.userName, 'user'));
    if (identity.applicationId)
      return this.#principals.get(directoryKey(identity.applicationId, 'service_principal'));
    return undefined;
  }
}

function directoryKey(name: string, kind: WorkspacePrincipal['kind']): string {
  return `${kind}:${kind === 'group' ? name : name.toLowerCase()}`;
}
