import type { AccessToken, TokenCredential } from '@azure/identity';
import { abortable } from '../retry/abortable.js';
import { AccessTokenError } from './access-token-error.js';

/**
 * Azure Databricks' first-party application; its `.default` scope yields tokens the workspace accepts
 * (databricks-sdk-go common/environment/environments.go;
 * https://learn.microsoft.com/azure/databricks/dev-tools/service-prin-aad-token).
 */
export const azureDatabricksScope = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default';

export interface AccessTokenCacheOptions {
  /** Fetch a new token once the cached one has less than this left. */
  refreshMarginInMs: number;
  /** Give up on one token request after this long (a hung Entra must not hang the call). */
  timeoutInMs: number;
  now?: () => number;
}

/**
 * Keeps one Databricks access token and refreshes it well before it expires: Azure Databricks rejects
 * tokens that expire in 30 seconds or less, and the Go SDK refreshes 40 s early (databricks-sdk-go
 * azureReuseTokenSource). Concurrent callers share one in-flight request.
 */
export class AccessTokenCache {
  readonly #credential: TokenCredential;
  readonly #options: AccessTokenCacheOptions;
  #cached: AccessToken | undefined;
  #pending: Promise<AccessToken> | undefined;

  constructor(credential: TokenCredential, options: AccessTokenCacheOptions) {
    this.#credential = credential;
    this.#options = options;
  }

  /** The bearer token to send now; throws AccessTokenError. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.#cached && this.#isFresh(this.#cached)) return this.#cached.token;
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    // One caller giving up must not cancel the shared request for the others.
    return (await abortable(this.#pending, signal)).token;
  }

  #isFresh(token: AccessToken): boolean {
    const now = (this.#options.now ?? Date.now)();
    // refreshAfterTimestamp: the credential's own hint (core-auth AccessToken) to refresh earlier.
    if (token.refreshAfterTimestamp !== undefined && now >= token.refreshAfterTimestamp) return false;
    return token.expiresOnTimestamp - now > this.#options.refreshMarginInMs;
  }

  async #fetch(): Promise<AccessToken> {
    const timeout = AbortSignal.timeout(this.#options.timeoutInMs);
    try {
      // The credential may ignore abortSignal (ClientSecretCredential waits on a hung token endpoint,
      // observed with @azure/identity 4.13.1), hence the race as well.
      const token = await abortable(
        this.#credential.getToken(azureDatabricksScope, { abortSignal: timeout }),
        timeout,
      );
      if (!token) throw new Error('the credential returned no token');
      this.#cached = token;
      return token;
    } catch (error) {
      throw AccessTokenError.from(error);
    }
  }
}
