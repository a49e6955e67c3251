import { randomUUID } from 'node:crypto';

/** A `google.rpc` detail as Databricks serialises it inside `details` (SDK `apierr/details.go`). */
export type ErrorDetail = { '@type': string } & Record<string, unknown>;

/** The wire shape of every Databricks REST error (SDK `apierr/errors.go`). */
export interface DatabricksErrorBody {
  error_code: string;
  message: string;
  details: ErrorDetail[];
}

/**
 * An API failure the stand-in answers with. Status codes and `error_code`s follow the SDK mapping
 * (`apierr/error_mapping.go`): 400 INVALID_PARAMETER_VALUE, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
 * 404 *_DOES_NOT_EXIST, 409 *_ALREADY_EXISTS, 429 REQUEST_LIMIT_EXCEEDED, 500 INTERNAL_ERROR, 503 TEMPORARILY_UNAVAILABLE.
 */
export class DatabricksApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /**
   * Every error carries a fresh `RequestInfo` with a uuid `request_id` and empty `serving_data` (as recorded
   * workspace errors do).
   */
  toBody(): DatabricksErrorBody {
    const requestInfo: ErrorDetail = {
      '@type': 'type.googleapis.com/google.rpc.RequestInfo',
      request_id: randomUUID(),
      serving_data: '',
    };
    return { error_code: this.errorCode, message: this.message, details: [...this.details, requestInfo] };
  }
}

export const invalidParameter = (message: string, details: ErrorDetail[] = []) =>
  new DatabricksApiError(400, 'INVALID_PARAMETER_VALUE', message, details);

/** Bodies that are not the JSON the endpoint expects (wrong types, not an object, unparsable). */
export const malformedRequest = (message: string) =>
  new DatabricksApiError(400, 'MALFORMED_REQUEST', message);

/** 404/409 codes are configurable (no public source gives them), so the caller passes the code. */
export const notFound = (errorCode: string, message: string) =>
  new DatabricksApiError(404, errorCode, message);

export const alreadyExists = (errorCode: string, message: string) =>
  new DatabricksApiError(409, errorCode, message);

export const unauthenticated = (message: string) => new DatabricksApiError(401, 'UNAUTHENTICATED', message);

export const permissionDenied = (message: string) =>
  new DatabricksApiError(403, 'PERMISSION_DENIED', message);

/** Not a route of this API; the real gateway answers `ENDPOINT_NOT_FOUND` with "No API found for …". */
export const endpointNotFound = (method: string, path: string) =>
  new DatabricksApiError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${path}'`);

/**
 * The UC throttling message from the Databricks KB
 * https://kb.databricks.com/dbsql/getting-request_limit_exceeded-when-using-catalog-information-schema
 */
export const requestLimitExceededMessage =
  'Your request was rejected since your organization has exceeded the rate limit. Please retry your request later.';

/** `RetryInfo.retry_delay` is a protobuf Duration in JSON form, e.g. `"1s"` (SDK `apierr/details.go`). */
export function retryInfo(delayInSeconds: number): ErrorDetail {
  return { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retry_delay: `${delayInSeconds}s` };
}
