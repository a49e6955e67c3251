import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpFunctionOptions } from '@azure/functions';

/**
 * The keys the host accepts. `functionKey` plays the host's `default` host key (valid for every function);
 * `masterKey` (`_master`) is also valid for every function and alone opens the admin API.
 * https://learn.microsoft.com/azure/azure-functions/function-keys-how-to#understand-keys
 */
export interface HostKeys {
  functionKey: string;
  masterKey: string;
}

export type AuthLevel = NonNullable<HttpFunctionOptions['authLevel']>;

/** Random keys of the same strength as the host's generated ones (40 random bytes). */
export function generateHostKeys(): HostKeys {
  return { functionKey: newKey(), masterKey: newKey() };
}

function newKey(): string {
  return randomBytes(40).toString('base64url');
}

/**
 * The key a request presents: the `x-functions-key` header, else the `code` query parameter.
 * https://learn.microsoft.com/azure/azure-functions/function-keys-how-to#use-access-keys
 */
export function presentedKey(headers: Headers | Record<string, unknown>, url: URL): string | undefined {
  const header =
    headers instanceof Headers ? headers.get('x-functions-key') : (headers['x-functions-key'] as unknown);
  if (typeof header === 'string' && header !== '') return header;
  return url.searchParams.get('code') ?? undefined;
}

/**
 * `anonymous`: no key. `function`: a function, host or master key. `admin`: the master key only.
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger#http-auth
 */
export function isAuthorized(level: AuthLevel, presented: string | undefined, keys: HostKeys): boolean {
  if (level === 'anonymous') return true;
  if (presented === undefined) return false;
  if (sameKey(presented, keys.masterKey)) return true;
  return level === 'function' && sameKey(presented, keys.functionKey);
}

/** Constant-time comparison (hashing first makes the lengths equal). */
function sameKey(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
