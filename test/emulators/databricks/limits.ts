import { setTimeout as sleep } from 'node:timers/promises';
import { DatabricksApiError, requestLimitExceededMessage, retryInfo } from './errors.js';

export interface InjectedFault {
  status: 429 | 500 | 503;
  /** How many matching requests fail; default 1. */
  count?: number;
  /**
   * Sent as `Retry-After`; secondary sources disagree on whether Databricks sends it (no Databricks doc
   * says).
   */
  retryAfterInSeconds?: number;
  /** Adds a `google.rpc.RetryInfo` detail with `retry_delay: "<n>s"` (SDK `apierr/details.go`). */
  retryInfoDelayInSeconds?: number;
  /** Matched against the request path (no query string). */
  path?: RegExp;
  method?: string;
  /**
   * 'before' (default): fail without doing anything. 'after': do the work, then fail — a lost response, the case
   * where a client must not blindly retry a U2M create (Entra codes are single-use, RFC 6749 §4.1.2).
   */
  when?: 'before' | 'after';
}

/**
 * Per-call latency, a token-bucket rate limit over every API call, and injected faults. Databricks publishes no
 * per-endpoint limit for the UC connections API
 * (https://learn.microsoft.com/azure/databricks/resources/limits); throttled calls get 429
 * `REQUEST_LIMIT_EXCEEDED` with the KB message and no `Retry-After` (clients must back off on their own).
 */
export class TrafficControl {
  #latencyInMs = 0;
  #rate: { perSecond: number; tokens: number; refilledAt: number } | undefined;
  #faults: Array<InjectedFault & { remaining: number }> = [];

  setLatency(ms: number): void {
    this.#latencyInMs = ms;
  }

  setRateLimit(requestsPerSecond: number | undefined): void {
    this.#rate =
      requestsPerSecond === undefined
        ? undefined
        : { perSecond: requestsPerSecond, tokens: Math.max(1, requestsPerSecond), refilledAt: Date.now() };
  }

  injectFault(fault: InjectedFault): void {
    this.#faults.push({ ...fault, remaining: fault.count ?? 1 });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  async delay(): Promise<void> {
    if (this.#latencyInMs > 0) await sleep(this.#latencyInMs);
  }

  /** Throws 429 when the bucket (capacity: one second's worth, at least 1) is empty. */
  takeRateToken(): void {
    const rate = this.#rate;
    if (!rate) return;
    const now = Date.now();
    const capacity = Math.max(1, rate.perSecond);
    rate.tokens = Math.min(capacity, rate.tokens + ((now - rate.refilledAt) / 1000) * rate.perSecond);
    rate.refilledAt = now;
    if (rate.tokens < 1)
      throw new DatabricksApiError(429, 'REQUEST_LIMIT_EXCEEDED', requestLimitExceededMessage);
    rate.tokens -= 1;
  }

  /** Consumes and returns the first matching fault scheduled for `when`, as the error to answer with. */
  takeFault(method: string, path: string, when: 'before' | 'after'): DatabricksApiError | undefined {
    const fault = this.#faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.when ?? 'before') === when &&
        (candidate.method === undefined || candidate.method.toUpperCase() === method) &&
        (candidate.path === undefined || candidate.path.test(path)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    return faultError(fault);
  }
}

function faultError(fault: InjectedFault): DatabricksApiError {
  const headers: Record<string, string> =
    fault.retryAfterInSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterInSeconds) };
  const details =
    fault.retryInfoDelayInSeconds === undefined ? [] : [retryInfo(fault.retryInfoDelayInSeconds)];
  switch (fault.status) {
    case 429:
      return new DatabricksApiError(
        429,
        'REQUEST_LIMIT_EXCEEDED',
        requestLimitExceededMessage,
        details,
        headers,
      );
    case 503:
      return new DatabricksApiError(
        503,
        'TEMPORARILY_UNAVAILABLE',
        'The service is temporarily unavailable.',
        details,
        headers,
      );
    case 500:
      return new DatabricksApiError(500, 'INTERNAL_ERROR', 'Internal error.', details, headers);
  }
}
