import type { SecretOperationName } from './operations.js';

export interface KeyVaultFault {
  status: 429 | 500 | 503;
  /** How many matching requests fail; default 1. */
  count?: number;
  /**
   * `Retry-After` in seconds: always sent with 429 (default 0), since the SDK retries a 429 only when it carries
   * one (core-rest-pipeline throttlingRetryStrategy); with 500/503 only when given (5xx are retried regardless).
   */
  retryAfterInSeconds?: number;
  /** Only requests for this operation; default any. */
  operation?: SecretOperationName;
}

export interface FaultResponse {
  status: number;
  body: { error: { code: string; message: string } };
  headers: Record<string, string>;
}

/**
 * Throttling body observed from the service: https://github.com/vcsjones/AzureSignTool/issues/219.
 * The 500 and 503 bodies are [inferred]; clients key off the status.
 */
const bodies: Record<KeyVaultFault['status'], FaultResponse['body']> = {
  429: {
    error: {
      code: 'Throttled',
      message:
        'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
    },
  },
  500: { error: { code: 'InternalServerError', message: 'The server encountered an internal error.' } },
  503: { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' } },
};

/** Queued faults plus an outage switch; an outage answers 503 without `Retry-After` to every request. */
export class FaultPlan {
  readonly #pending: Array<KeyVaultFault & { remaining: number }> = [];
  #available = true;

  inject(fault: KeyVaultFault): void {
    this.#pending.push({ ...fault, remaining: fault.count ?? 1 });
  }

  setAvailable(available: boolean): void {
    this.#available = available;
  }

  outage(): FaultResponse | undefined {
    return this.#available ? undefined : { status: 503, body: bodies[503], headers: {} };
  }

  /** Consumes one matching fault, if any. */
  take(operation: SecretOperationName): FaultResponse | undefined {
    const fault = this.#pending.find(
      (candidate) => !candidate.operation || candidate.operation === operation,
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#pending.splice(this.#pending.indexOf(fault), 1);
    const retryAfter = fault.status === 429 ? (fault.retryAfterInSeconds ?? 0) : fault.retryAfterInSeconds;
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    return { status: fault.status, body: bodies[fault.status], headers };
  }
}
