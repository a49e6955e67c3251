import type { RetryDecision } from '../retry/retry-policy.js';
import { AccessTokenError } from './access-token-error.js';
import { DatabricksApiError } from './databricks-error.js';
import { isTransientNetworkError } from './network-errors.js';

/**
 * Which Databricks failures may clear by themselves. 429 and 503 are the statuses the Go SDK retries
 * (databricks-sdk-go apierr/errors.go IsRetriable); like the Azure SDK we also retry the other 5xx except 501
 * Not Implemented and 505 HTTP Version Not Supported, which never heal
 * (@azure/core-rest-pipeline exponentialRetryStrategy). No other 4xx is retried: the request must change.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** The retry classifier for every Databricks call, token acquisition included. */
export function classifyDatabricksFailure(error: unknown): RetryDecision {
  if (error instanceof DatabricksApiError) {
    if (!isRetryableStatus(error.status)) return { retry: false };
    return error.retryAfterInMs === undefined
      ? { retry: true }
      : { retry: true, afterInMs: error.retryAfterInMs };
  }
  if (error instanceof AccessTokenError) return { retry: error.transient };
  return { retry: isTransientNetworkError(error) };
}
