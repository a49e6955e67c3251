import { transientNetworkCodes } from './network-errors.js';

/**
 * Entra did not issue the Databricks access token. `transient` says whether the failure may clear by
 * itself (Entra 5xx or throttling, network failure, timeout) or needs a fix (a wrong or expired client
 * secret, a missing consent). The credential's own error travels as `cause`.
 */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
  readonly transient: boolean;

  constructor(message: string, options: { transient: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.transient = options.transient;
  }

  static from(error: unknown): AccessTokenError {
    const detail = error instanceof Error ? error.message : String(error);
    return new AccessTokenError(`Could not get a Databricks access token from Entra ID: ${detail}`, {
      transient: isTransientCredentialFailure(error),
      cause: error,
    });
  }
}

/**
 * `@azure/identity` hides the HTTP status of token-endpoint failures: its MSAL-based credentials turn
 * them into `AuthenticationRequiredError`/`CredentialUnavailableError` whose message starts with the
 * OAuth or MSAL error code (observed with @azure/identity 4.13.1, see msal/utils.js handleMsalError).
 * - `network_error`: MSAL could not reach the endpoint or read a non-JSON (e.g. 5xx) answer
 *   (https://aka.ms/msal.js.errors#network_error);
 * - `endpoints_resolution_error`: the OpenID metadata request failed;
 * - `temporarily_unavailable`, `server_error`: RFC 6749 §4.1.2.1 codes Entra sends with 5xx.
 * Credentials built on IdentityClient (managed identity) throw `AuthenticationError` with a status, and
 * the HTTP pipeline throws `RestError` with a Node error code for network failures.
 */
function isTransientCredentialFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (error.name === 'AuthenticationError' || error.name === 'RestError') {
    if (typeof statusCode === 'number' && (statusCode === 429 || statusCode >= 500)) return true;
  }
  if (error.name === 'RestError' && typeof code === 'string' && transientNetworkCodes.has(code)) return true;
  return /^(network_error|endpoints_resolution_error|temporarily_unavailable|server_error)\b/.test(
    error.message,
  );
}
