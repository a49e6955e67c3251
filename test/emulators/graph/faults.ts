import { GraphError } from './errors.js';

export interface GraphFault {
  status: 429 | 503;
  /** How many requests fail; default 1. */
  count?: number;
  /** `Retry-After` in seconds: always sent with 429 (default 0), with 503 only when given. */
  retryAfterInSeconds?: number;
}

/**
 * 429 as in https://learn.microsoft.com/graph/throttling ("TooManyRequests", "Please retry again later.",
 * `Retry-After`); 503 uses the `serviceNotAvailable` code from https://learn.microsoft.com/graph/errors, text [inferred].
 */
export class GraphFaultPlan {
  readonly #pending: Array<GraphFault & { remaining: number }> = [];

  inject(fault: GraphFault): void {
    this.#pending.push({ ...fault, remaining: fault.count ?? 1 });
  }

  /** Consumes the next queued fault, if any, as the error to answer with. */
  take(): GraphError | undefined {
    const fault = this.#pending[0];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#pending.shift();
    if (fault.status === 429) {
      const retryAfter = { 'retry-after': String(fault.retryAfterInSeconds ?? 0) };
      return new GraphError(429, 'TooManyRequests', 'Please retry again later.', retryAfter);
    }
    const retryAfter: Record<string, string> =
      fault.retryAfterInSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterInSeconds) };
    return new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable.', retryAfter);
  }
}
