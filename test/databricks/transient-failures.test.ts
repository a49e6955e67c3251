import { describe, expect, it } from 'vitest';
import { AccessTokenError } from '../../src/databricks/access-token-error.js';
import { DatabricksApiError } from '../../src/databricks/databricks-error.js';
import { classifyDatabricksFailure } from '../../src/databricks/transient-failures.js';

function apiError(status: number, retryAfterInMs?: number) {
  return new DatabricksApiError({
    method: 'GET',
    path: '/api/2.1/unity-catalog/connections',
    status,
    errorCode: 'X',
    message: 'x',
    ...(retryAfterInMs === undefined ? {} : { retryAfterInMs }),
  });
}

/** An error shaped like the ones @azure/identity 4.13.1 throws (observed against a local token endpoint). */
function identityError(name: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('classifyDatabricksFailure', () => {
  it.each([429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(classifyDatabricksFailure(apiError(status))).toEqual({ retry: true });
  });

  it.each([400, 401, 403, 404, 409, 501])('does not retry HTTP %i', (status) => {
    expect(classifyDatabricksFailure(apiError(status))).toEqual({ retry: false });
  });

  it("passes the server's wait on as the floor", () => {
    expect(classifyDatabricksFailure(apiError(429, 1_500))).toEqual({ retry: true, afterInMs: 1_500 });
  });

  it('retries connection resets, refusals and undici timeouts, also when wrapped as a cause', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const wrapped = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const headersTimeout = Object.assign(new Error('Headers Timeout Error'), {
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    for (const error of [reset, refused, wrapped, headersTimeout]) {
      expect(classifyDatabricksFailure(error), error.message).toEqual({ retry: true });
    }
  });

  it('retries our own per-attempt timeout', () => {
    expect(classifyDatabricksFailure(new DOMException('timed out', 'TimeoutError'))).toEqual({ retry: true });
  });

  it('does not retry TLS failures or programming errors', () => {
    const badCertificate = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(classifyDatabricksFailure(badCertificate)).toEqual({ retry: false });
    expect(classifyDatabricksFailure(new TypeError('x is not a function'))).toEqual({ retry: false });
  });
});

describe('AccessTokenError.from: which Entra failures are transient', () => {
  it.each([
    [
      'an unreachable or 5xx token endpoint',
      identityError(
        'AuthenticationRequiredError',
        'network_error: See https://aka.ms/msal.js.errors#network_error for details',
      ),
    ],
    [
      'a failed metadata request',
      identityError(
        'CredentialUnavailableError',
        'endpoints_resolution_error: See https://aka.ms/msal.js.errors#endpoints_resolution_error for details',
      ),
    ],
    [
      'temporarily_unavailable',
      identityError(
        'AuthenticationRequiredError',
        'temporarily_unavailable: Error(s): Not Available - Description: AADSTS90033: A transient error has occurred.',
      ),
    ],
    [
      'server_error',
      identityError(
        'AuthenticationRequiredError',
        'server_error: Error(s): Not Available - Description: AADSTS90100',
      ),
    ],
    [
      'a managed identity 503',
      identityError('AuthenticationError', 'Service unavailable', { statusCode: 503 }),
    ],
    [
      'a throttled managed identity',
      identityError('AuthenticationError', 'Too many requests', { statusCode: 429 }),
    ],
    [
      'a network failure in the pipeline',
      identityError('RestError', 'connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
    ],
    ['our token timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
  ])('%s is transient', (_case, error) => {
    const tokenError = AccessTokenError.from(error);
    expect(tokenError.transient).toBe(true);
    expect(tokenError.cause).toBe(error);
    expect(classifyDatabricksFailure(tokenError)).toEqual({ retry: true });
  });

  it.each([
    [
      'a wrong client secret',
      identityError(
        'AuthenticationRequiredError',
        'invalid_client: Error(s): 7000215 - Description: AADSTS7000215: Invalid client secret provided.',
      ),
    ],
    ['a managed identity 400', identityError('AuthenticationError', 'Bad request', { statusCode: 400 })],
    ['an unknown scope', identityError('AuthenticationRequiredError', 'invalid_scope: AADSTS70011')],
  ])('%s is permanent', (_case, error) => {
    const tokenError = AccessTokenError.from(error);
    expect(tokenError.transient).toBe(false);
    expect(classifyDatabricksFailure(tokenError)).toEqual({ retry: false });
  });
});
