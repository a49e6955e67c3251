import type { Reason } from '../errors.js';

// Field names that say "this is a credential". `clientSecretRef` is the one allowed way to name a secret.
const secretLikeKey =
  /secret|password|passwd|pwd|token|credential|private_?key|api_?key|connection_?string|sas/i;
const allowedKeys = new Set(['clientSecretRef']);

// Entra client secrets contain "~" (e.g. "abc8Q~…"); Key Vault names cannot, so a "~" in a reference
// means someone pasted the secret itself.
const looksLikeEntraSecret = /~/;

export interface SecretFindings {
  reasons: Reason[];
  /** The body with every offending value replaced, safe to store and show. */
  redacted: unknown;
}

/**
 * Finds secret values a request carries instead of Key Vault references. Runs before schema
 * validation so a request that leaks a secret is never stored or echoed with it.
 */
export function findSecretValues(body: unknown): SecretFindings {
  const reasons: Reason[] = [];
  const redacted = walk(body, [], reasons);
  return { reasons, redacted };
}

function walk(value: unknown, path: string[], reasons: Reason[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, String(index)], reasons));
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    const where = childPath.join('.');
    if (allowedKeys.has(key)) {
      if (typeof child === 'string' && looksLikeEntraSecret.test(child)) {
        reasons.push({
          code: 'SECRET_IN_REQUEST',
          path: where,
          message: `${where}: looks like a client secret value; store the secret in Key Vault and put the secret's name here.`,
        });
        result[key] = '[removed]';
      } else {
        result[key] = child;
      }
    } else if (secretLikeKey.test(key) && child !== undefined && child !== null && child !== '') {
      reasons.push({
        code: 'SECRET_IN_REQUEST',
        path: where,
        message: `${where}: requests must not carry secrets; store the secret in Key Vault and name it in auth.clientSecretRef.`,
      });
      result[key] = '[removed]';
    } else {
      result[key] = walk(child, childPath, reasons);
    }
  }
  return result;
}
