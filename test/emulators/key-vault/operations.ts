import { KeyVaultError, methodNotAllowed } from './errors.js';

/** The secret operations the stand-in serves, named after the REST API reference (learn.microsoft.com/rest/api/keyvault/secrets). */
export type SecretOperationName =
  | 'setSecret'
  | 'getSecret'
  | 'getSecrets'
  | 'getSecretVersions'
  | 'updateSecret'
  | 'deleteSecret'
  | 'getDeletedSecret'
  | 'getDeletedSecrets'
  | 'recoverDeletedSecret'
  | 'purgeDeletedSecret';

export interface SecretOperation {
  name: SecretOperationName;
  secretName?: string;
  /** '' means "the latest version" (`GET /secrets/{name}/`). */
  version?: string;
}

/**
 * Data action each operation needs under Key Vault RBAC.
 * @see https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault
 */
export const dataActionOf: Record<SecretOperationName, string> = {
  setSecret: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
  getSecret: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  getSecrets: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  getSecretVersions: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  updateSecret: 'Microsoft.KeyVault/vaults/secrets/update/action',
  deleteSecret: 'Microsoft.KeyVault/vaults/secrets/delete',
  getDeletedSecret: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  getDeletedSecrets: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  recoverDeletedSecret: 'Microsoft.KeyVault/vaults/secrets/recover/action',
  purgeDeletedSecret: 'Microsoft.KeyVault/vaults/secrets/purge/action',
};

/**
 * Maps method + path to an operation. Paths follow the SDK's URL templates
 * (`@azure/keyvault-secrets` api/operations.js): `/secrets/{name}/{version}`, `/deletedsecrets/{name}/recover`, …
 * Keys, certificates, backup and restore are not served: they answer 501 so a test relying on them fails loudly.
 */
export function resolveOperation(method: string, pathname: string): SecretOperation {
  const segments = pathname.split('/').slice(1).map(decodeURIComponent);
  const [collection, secretName, rest] = segments;
  const depth = segments.length;
  if (collection === 'secrets') {
    if (depth === 1 && method === 'GET') return { name: 'getSecrets' };
    if (method === 'POST' && (secretName === 'restore' || rest === 'backup'))
      throw notServed(method, pathname);
    // `PUT /secrets/` (empty name) → 405, as observed.
    if (!secretName) throw methodNotAllowed(method);
    if (depth === 2 && method === 'PUT') return { name: 'setSecret', secretName };
    if (depth === 2 && method === 'DELETE') return { name: 'deleteSecret', secretName };
    // GET /secrets/{name} without the trailing slash also returns the latest version.
    if (depth === 2 && method === 'GET') return { name: 'getSecret', secretName, version: '' };
    if (depth === 3 && method === 'GET' && rest === 'versions')
      return { name: 'getSecretVersions', secretName };
    if (depth === 3 && method === 'GET') return { name: 'getSecret', secretName, version: rest ?? '' };
    // The REST reference makes secret-version required for Update Secret; answering 405 without it is [inferred].
    if (depth === 3 && method === 'PATCH' && rest) return { name: 'updateSecret', secretName, version: rest };
    throw methodNotAllowed(method);
  }
  if (collection === 'deletedsecrets') {
    if (depth === 1 && method === 'GET') return { name: 'getDeletedSecrets' };
    if (!secretName) throw methodNotAllowed(method);
    if (depth === 2 && method === 'GET') return { name: 'getDeletedSecret', secretName };
    if (depth === 2 && method === 'DELETE') return { name: 'purgeDeletedSecret', secretName };
    if (depth === 3 && method === 'POST' && rest === 'recover')
      return { name: 'recoverDeletedSecret', secretName };
    throw methodNotAllowed(method);
  }
  throw notServed(method, pathname);
}

function notServed(method: string, pathname: string): KeyVaultError {
  return new KeyVaultError(
    501,
    'NotImplemented',
    `The Key Vault stand-in does not serve ${method} ${pathname}.`,
  );
}
