import type { Reason } from '../errors.js';
import { keyVaultSecretNamePattern } from './connection-request-schema.js';
import { formatJsonPath } from './json-path.js';

// Field names that say "this is a credential". `clientSecretRef` is the one allowed way to name a secret.
const secretLikeKey =
  /secret|password|passwd|pwd|token|credential|private_?key|api_?key|connection_?string|sas/i;
const secretReferenceKey = 'clientSecretRef';

// Entra client secrets contain "~" (e.g. "abc8Q~…"); Key Vault names cannot, so a "~" in a reference
// means someone pasted the secret itself.
const looksLikeEntraSecret = /~/;

/**
 * The shape of an Entra ID client secret: three characters, a version digit, `Q~`, then 31–34 more
 * (gitleaks rule `azure-ad-client-secret`, cmd/generate/config/rules/azure.go; Microsoft
 * security-utilities SEC101/156 AadClientAppSecret). Found in any field, it is a pasted secret.
 */
const entraClientSecretShape = /(?:^|[^\w~.-])[\w~.]{3}\dQ~[\w~.-]{31,34}(?:$|[^\w~.-])/;

export interface SecretFindings {
  reasons: Reason[];
  /** The body with every offending value replaced, safe to store and show. */
  redacted: unknown;
}

const removed = '[removed]';

/**
 * Finds secret values a request carries instead of Key Vault references. Runs before schema
 * validation so a request that leaks a secret is never stored or echoed with it.
 */
export function findSecretValues(body: unknown): SecretFindings {
  const reasons: Reason[] = [];
  const redacted = walk(body, [], reasons);
  return { reasons, redacted };
}

function walk(value: unknown, path: Array<string | number>, reasons: Reason[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index], reasons));
  if (typeof value === 'string' && entraClientSecretShape.test(value)) {
    const where = formatJsonPath(path) || '(request)';
    reasons.push({
      code: 'SECRET_IN_REQUEST',
      path: formatJsonPath(path),
      message: `${where}: looks like an Entra client secret; requests must not carry secrets: store it in Key Vault and name it in auth.clientSecretRef.`,
    });
    return removed;
  }
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    const where = formatJsonPath(childPath);
    if (key === secretReferenceKey) {
      result[key] = referenceOrRemoved(child, where, reasons);
    } else if (secretLikeKey.test(key) && child !== undefined && child !== null && child !== '') {
      reasons.push({
        code: 'SECRET_IN_REQUEST',
        path: where,
        message: `${where}: requests must not carry secrets; store the secret in Key Vault and name it in auth.clientSecretRef.`,
      });
      result[key] = removed;
    } else {
      result[key] = walk(child, childPath, reasons);
    }
  }
  return result;
}

/**
 * A reference that is not a Key Vault secret name may be the secret itself, so it is never kept; the
 * schema still reports it. One with a "~" certainly is.
 */
function referenceOrRemoved(value: unknown, where: string, reasons: Reason[]): unknown {
  if (typeof value !== 'string') return value;
  if (looksLikeEntraSecret.test(value)) {
    reasons.push({
      code: 'SECRET_IN_REQUEST',
      path: where,
      message: `${where}: looks like a client secret value; store the secret in Key Vault and put the secret's name here.`,
    });
    return removed;
  }
  return keyVaultSecretNamePattern.test(value) ? value : removed;
}
