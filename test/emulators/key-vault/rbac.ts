import { KeyVaultError } from './errors.js';

export type KeyVaultSecretsRole = 'Key Vault Secrets User' | 'Key Vault Secrets Officer';

/**
 * Data actions of the built-in roles.
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-user
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-secrets-officer
 */
const dataActionsOf: Record<KeyVaultSecretsRole, string[]> = {
  'Key Vault Secrets User': [
    'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  ],
  'Key Vault Secrets Officer': ['Microsoft.KeyVault/vaults/secrets/*'],
};

export interface RbacDenial {
  action: string;
  secretName?: string;
  caller: { appId?: string; objectId?: string; issuer?: string };
}

/** Role assignments at vault scope, keyed by the principal's object id (the token's `oid`). */
export class VaultRoleAssignments {
  readonly #roles = new Map<string, Set<KeyVaultSecretsRole>>();

  constructor(private readonly vaultName: string) {}

  grant(objectId: string, role: KeyVaultSecretsRole): void {
    const roles = this.#roles.get(objectId) ?? new Set();
    roles.add(role);
    this.#roles.set(objectId, roles);
  }

  allows(objectId: string | undefined, action: string): boolean {
    if (!objectId) return false;
    const roles = [...(this.#roles.get(objectId) ?? [])];
    return roles.some((role) => dataActionsOf[role].some((granted) => matches(granted, action)));
  }

  /**
   * 403 Forbidden / innererror ForbiddenByRbac with the service's multi-line message.
   * @see https://github.com/piyushsachdeva/Terraform_AKS/issues/2 (full message of a denied getSecret)
   */
  forbidden({ action, secretName, caller }: RbacDenial): KeyVaultError {
    const vault = this.vaultName.toLowerCase();
    const resource = `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/stand-in/providers/microsoft.keyvault/vaults/${vault}${secretName ? `/secrets/${secretName}` : ''}`;
    const message = [
      'Caller is not authorized to perform action on resource.',
      'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
      `Caller: appid=${caller.appId ?? ''};oid=${caller.objectId ?? ''};iss=${caller.issuer ?? ''}`,
      `Action: '${action}'`,
      `Resource: '${resource}'`,
      'Assignment: (not found)',
      'DenyAssignmentId: null',
      "DecisionReason: 'DeniedWithNoValidRBAC' ",
      `Vault: ${this.vaultName};location=local`,
      '',
    ].join('\r\n');
    return new KeyVaultError(403, 'Forbidden', message, 'ForbiddenByRbac');
  }
}

/** `Microsoft.KeyVault/vaults/secrets/*` grants every secret data action. */
function matches(granted: string, action: string): boolean {
  return granted.endsWith('/*') ? action.startsWith(granted.slice(0, -1)) : granted === action;
}
