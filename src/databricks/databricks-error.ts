import { type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import { parseRetryAfter } from '../retry/retry-after.js';

/**
 * One entry of the `details` array: a google.rpc message tagged by `@type` (ErrorInfo, RequestInfo,
 * RetryInfo, QuotaFailure, …).
 * @see https://github.com/databricks/databricks-sdk-go/blob/main/apierr/details.go
 */
export interface ErrorDetail {
  '@type'?: string;
  [field: string]: unknown;
}

export interface DatabricksApiErrorInit {
  method: string;
  /** Request path without the query string. */
  path: string;
  status: number;
  errorCode: string;
  message: string;
  requestId?: string;
  retryAfterInMs?: number;
  details?: ErrorDetail[];
}

/**
 * A Databricks REST call answered with a non-2xx status. Carries what a caller needs to act and what
 * support needs to trace (status, `error_code`, request id). Built from the response only: request bodies
 * carry `client_secret`, so they never reach an error or a log line.
 */
export class DatabricksApiError extends Error {
  override readonly name = 'DatabricksApiError';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly errorCode: string;
  /** The server's own `message`, without our prefix. */
  readonly apiMessage: string;
  readonly requestId: string | undefined;
  /** The server's minimum wait before retrying (Retry-After header or RetryInfo detail), if it gave one. */
  readonly retryAfterInMs: number | undefined;
  readonly details: ErrorDetail[];

  constructor(init: DatabricksApiErrorInit) {
    super(`Databricks ${init.method} ${init.path} → ${init.status} ${init.errorCode}: ${init.message}`);
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.apiMessage = init.message;
    this.requestId = init.requestId;
    this.retryAfterInMs = init.retryAfterInMs;
    this.details = init.details ?? [];
  }

  /**
   * Maps an error response. Body shape `{error_code, message, details[]}` per the Go SDK
   * (`apierr/errors.go` parseErrorFromResponse); API 1.2 bodies put the message in `error`. A body that is
   * not JSON (a gateway's HTML page) gets its code from the status text, as the SDK's unknownAPIError does.
   */
  static fromResponse(response: {
    method: string;
    path: string;
    status: number;
    headers: IncomingHttpHeaders;
    bodyText: string;
    nowInMs?: number;
  }): DatabricksApiError {
    const body = parseErrorBody(response.bodyText);
    const details = body?.details ?? [];
    const statusText = STATUS_CODES[response.status] ?? 'Unknown';
    return new DatabricksApiError({
      method: response.method,
      path: response.path,
      status: response.status,
      errorCode: body?.errorCode ?? statusText.toUpperCase().replaceAll(/[^A-Z0-9]+/g, '_'),
      message: body?.message ?? `${statusText} (the response carried no Databricks error body)`,
      requestId: requestInfoId(details) ?? headerValue(response.headers, 'x-request-id'),
      retryAfterInMs: largest(
        parseRetryAfter(headerValue(response.headers, 'retry-after'), response.nowInMs),
        retryInfoDelayInMs(details),
      ),
      details,
    });
  }
}

/**
 * A 404 about a missing object. Branches on the status and accepts any `*_DOES_NOT_EXIST` code
 * (`RESOURCE_DOES_NOT_EXIST`, `CONNECTION_DOES_NOT_EXIST`, `CATALOG_DOES_NOT_EXIST`): the exact code for
 * connections is not documented (unconfirmed; no public source names it). A bare 404 without such a code (a
 * wrong workspace URL behind a gateway) is not "missing" — treating it so would make a delete look done.
 */
export function isNotFound(error: unknown): error is DatabricksApiError {
  return (
    error instanceof DatabricksApiError &&
    error.status === 404 &&
    /(^|_)DOES_NOT_EXIST$/.test(error.errorCode)
  );
}

/**
 * A 409 about a duplicate: `ALREADY_EXISTS`, `RESOURCE_ALREADY_EXISTS`, `CONNECTION_ALREADY_EXISTS`
 * (the first two per databricks-sdk-go apierr/errors.go; the third is unconfirmed). Other 409s (`ABORTED`: a
 * concurrent change) are not duplicates.
 */
export function isAlreadyExists(error: unknown): error is DatabricksApiError {
  return (
    error instanceof DatabricksApiError &&
    error.status === 409 &&
    /(^|_)ALREADY_EXISTS$/.test(error.errorCode)
  );
}

function parseErrorBody(
  text: string,
): { errorCode?: string; message?: string; details: ErrorDetail[] } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { error_code: errorCode, message, error, details } = json as Record<string, unknown>;
  const apiMessage =
    typeof message === 'string' && message ? message : typeof error === 'string' ? error : undefined;
  return {
    // error_code is a string, or an int on some older APIs (SDK: `ErrorCode any`).
    ...(typeof errorCode === 'string' || typeof errorCode === 'number'
      ? { errorCode: String(errorCode) }
      : {}),
    ...(apiMessage ? { message: apiMessage } : {}),
    details: Array.isArray(details) ? details.filter(isDetail) : [],
  };
}

function isDetail(value: unknown): value is ErrorDetail {
  return typeof value === 'object' && value !== null;
}

function detailOfType(details: ErrorDetail[], type: string): ErrorDetail | undefined {
  return details.find((detail) => detail['@type'] === `type.googleapis.com/google.rpc.${type}`);
}

function requestInfoId(details: ErrorDetail[]): string | undefined {
  const id = detailOfType(details, 'RequestInfo')?.request_id;
  return typeof id === 'string' && id ? id : undefined;
}

/**
 * `RetryInfo.retry_delay` is a protobuf Duration in its JSON form: decimal seconds with up to nine
 * fractional digits and an `s` suffix (`"1.5s"`).
 * @see https://protobuf.dev/programming-guides/json/ (Duration)
 */
function retryInfoDelayInMs(details: ErrorDetail[]): number | undefined {
  const delay = detailOfType(details, 'RetryInfo')?.retry_delay;
  if (typeof delay !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(delay)) return undefined;
  return Math.ceil(Number(delay.slice(0, -1)) * 1000);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function largest(...values: Array<number | undefined>): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length === 0 ? undefined : Math.max(...defined);
}
