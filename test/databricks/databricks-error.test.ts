import { describe, expect, it } from 'vitest';
import { DatabricksApiError, isAlreadyExists, isNotFound } from '../../src/databricks/databricks-error.js';

const path = '/api/2.1/unity-catalog/connections';

function fromBody(status: number, body: unknown, headers: Record<string, string> = {}) {
  return DatabricksApiError.fromResponse({
    method: 'POST',
    path,
    status,
    headers,
    bodyText: typeof body === 'string' ? body : JSON.stringify(body),
    nowInMs: Date.UTC(2026, 0, 1),
  });
}

/**
 * The 400 a workspace answered to a U2M create without code and verifier, byte for byte apart from the
 * request id (shape: databricks-sdk-go apierr/errors.go; same message format as
 * terraform-provider-databricks#5200).
 */
const missingOptionsBody = {
  error_code: 'INVALID_PARAMETER_VALUE',
  message:
    'CONNECTION/CONNECTION_SQLSERVER_OAUTH_U2M must include the following option(s): pkce_verifier,authorization_code.',
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'MISSING_CONNECTION_OPTION',
      domain: 'unity-catalog.databricks.com',
      metadata: {
        securable_type: 'CONNECTION',
        securable_kind: 'CONNECTION_SQLSERVER_OAUTH_U2M',
        options: 'pkce_verifier,authorization_code',
      },
    },
    {
      '@type': 'type.googleapis.com/google.rpc.RequestInfo',
      request_id: '5f0f6a8e-1c1e-4d0a-9a57-0d4c1b1e2f33',
      serving_data: '',
    },
  ],
};

describe('DatabricksApiError.fromResponse', () => {
  it('maps the documented missing-options 400: status, error_code, request id, details, message', () => {
    const error = fromBody(400, missingOptionsBody, { 'x-request-id': 'header-id' });
    expect(error).toBeInstanceOf(DatabricksApiError);
    expect(error.status).toBe(400);
    expect(error.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(error.requestId).toBe('5f0f6a8e-1c1e-4d0a-9a57-0d4c1b1e2f33');
    expect(error.details).toEqual(missingOptionsBody.details);
    expect(error.apiMessage).toBe(missingOptionsBody.message);
    expect(error.retryAfterInMs).toBeUndefined();
    expect(error.message).toBe(
      `Databricks POST ${path} → 400 INVALID_PARAMETER_VALUE: CONNECTION/CONNECTION_SQLSERVER_OAUTH_U2M must include the following option(s): pkce_verifier,authorization_code.`,
    );
    expect(isNotFound(error) || isAlreadyExists(error)).toBe(false);
  });

  it('takes the request id from the x-request-id header when the body has no RequestInfo', () => {
    const error = fromBody(
      403,
      { error_code: 'PERMISSION_DENIED', message: 'no' },
      { 'x-request-id': 'abc-123' },
    );
    expect(error.requestId).toBe('abc-123');
  });

  it('reads Retry-After as the minimum wait', () => {
    const error = fromBody(
      429,
      { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' },
      { 'retry-after': '1' },
    );
    expect(error.retryAfterInMs).toBe(1_000);
  });

  it('reads RetryInfo.retry_delay ("1.5s", a protobuf Duration) as the minimum wait', () => {
    const error = fromBody(429, {
      error_code: 'REQUEST_LIMIT_EXCEEDED',
      message: 'slow down',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retry_delay: '1.5s' }],
    });
    expect(error.retryAfterInMs).toBe(1_500);
  });

  it('takes the larger wait when both Retry-After and RetryInfo are present', () => {
    const error = fromBody(
      503,
      {
        error_code: 'TEMPORARILY_UNAVAILABLE',
        message: 'later',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retry_delay: '3s' }],
      },
      { 'retry-after': '2' },
    );
    expect(error.retryAfterInMs).toBe(3_000);
  });

  it('ignores a malformed retry_delay', () => {
    for (const retryDelay of ['1.5', '-1s', 'soon', 2]) {
      const error = fromBody(429, {
        error_code: 'REQUEST_LIMIT_EXCEEDED',
        message: 'x',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retry_delay: retryDelay }],
      });
      expect(error.retryAfterInMs, String(retryDelay)).toBeUndefined();
    }
  });

  it('derives the code from the status text for a body that is not JSON, without echoing the body', () => {
    const error = fromBody(502, '<html><body>Bad gateway from the load balancer</body></html>');
    expect(error.errorCode).toBe('BAD_GATEWAY');
    expect(error.message).toBe(
      `Databricks POST ${path} → 502 BAD_GATEWAY: Bad Gateway (the response carried no Databricks error body)`,
    );
  });

  it('reads an API 1.2 style body that names the error in `error`', () => {
    const error = fromBody(400, { error: 'Invalid access token' });
    expect(error.apiMessage).toBe('Invalid access token');
    expect(error.errorCode).toBe('BAD_REQUEST');
  });
});

describe('isNotFound / isAlreadyExists (status first, any *_DOES_NOT_EXIST / *_ALREADY_EXISTS code)', () => {
  it.each(['RESOURCE_DOES_NOT_EXIST', 'CONNECTION_DOES_NOT_EXIST', 'CATALOG_DOES_NOT_EXIST'])(
    'treats 404 %s as missing',
    (code) => {
      expect(isNotFound(fromBody(404, { error_code: code, message: 'gone' }))).toBe(true);
    },
  );

  it('does not treat a 404 without a *_DOES_NOT_EXIST code (wrong URL, gateway page) as missing', () => {
    expect(isNotFound(fromBody(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API found' }))).toBe(
      false,
    );
    expect(isNotFound(fromBody(404, '<html>Not Found</html>'))).toBe(false);
  });

  it('branches on the status: a *_DOES_NOT_EXIST code on another status is not "missing"', () => {
    expect(isNotFound(fromBody(400, { error_code: 'CONNECTION_DOES_NOT_EXIST', message: 'x' }))).toBe(false);
  });

  it.each(['RESOURCE_ALREADY_EXISTS', 'ALREADY_EXISTS', 'CONNECTION_ALREADY_EXISTS'])(
    'treats 409 %s as a duplicate',
    (code) => {
      expect(isAlreadyExists(fromBody(409, { error_code: code, message: 'taken' }))).toBe(true);
    },
  );

  it('does not treat 409 ABORTED (a concurrent change) as a duplicate', () => {
    expect(isAlreadyExists(fromBody(409, { error_code: 'ABORTED', message: 'retry' }))).toBe(false);
  });

  it('answers false for errors that are not Databricks responses', () => {
    expect(isNotFound(new Error('404'))).toBe(false);
    expect(isAlreadyExists(undefined)).toBe(false);
  });
});
