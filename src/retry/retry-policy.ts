import { setTimeout as delay } from 'node:timers/promises';

/** How hard to retry one call. Durations in milliseconds. */
export interface RetryOptions {
  /** Attempts in total, the first one included (1 = never retry). */
  maxAttempts: number;
  /** Cap of the first backoff window; it doubles per attempt. */
  baseDelayInMs: number;
  /** Largest backoff window. A server-given delay may exceed it; the budget still applies. */
  maxDelayInMs: number;
  /**
   * Wall-clock time the whole call may spend, attempts and waits included. No retry starts whose wait
   * would end past it, which keeps one Service Bus delivery well inside its message lock. An attempt
   * that is already running is bounded by the caller's own request timeout, not by the budget.
   */
  budgetInMs: number;
}

/** What `classify` says about a failed attempt; `afterInMs` is the server's minimum wait (Retry-After). */
export type RetryDecision = { retry: false } | { retry: true; afterInMs?: number };

export interface RetryNotice {
  /** The attempt that just failed (1-based). */
  attempt: number;
  delayInMs: number;
  error: unknown;
}

export interface WithRetriesOptions extends RetryOptions {
  signal?: AbortSignal;
  /** Injectable for tests; must reject with `signal.reason` when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
  onRetry?: (notice: RetryNotice) => void;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {}).catch((error: unknown) => {
    // timers/promises rejects with its own AbortError; callers expect the signal's reason.
    throw signal?.aborted ? signal.reason : error;
  });

/**
 * Runs `operation` until it succeeds, `classify` says a failure is final, attempts run out, or the next
 * wait would overrun the time budget; then rethrows the last error unchanged. Abort stops at once with
 * `signal.reason`.
 *
 * Backoff is "full jitter": a uniform random wait in [0, min(maxDelay, base · 2^(attempt-1))), which
 * spreads competing clients best.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 *
 * A server-given delay (Retry-After, RetryInfo) is a floor: the wait is the larger of it and the jittered
 * backoff, so we never come back sooner than asked — as the Databricks Go SDK's auth retrier does.
 * @see https://github.com/databricks/databricks-sdk-go/blob/main/config/experimental/auth/retry.go
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  options: WithRetriesOptions,
): Promise<T> {
  const { signal, sleep = realSleep, now = Date.now, random = Math.random, onRetry } = options;
  const startedAt = now();
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const decision = classify(error);
      if (!decision.retry || attempt >= options.maxAttempts) throw error;
      const delayInMs = Math.max(
        backoffInMs(attempt, options, random),
        decision.afterInMs ?? 0, // the server's delay is a floor
      );
      if (now() - startedAt + delayInMs > options.budgetInMs) throw error;
      onRetry?.({ attempt, delayInMs, error });
      await sleep(delayInMs, signal);
    }
  }
}

/** Full-jitter exponential backoff before attempt `failedAttempt + 1`. */
export function backoffInMs(
  failedAttempt: number,
  options: Pick<RetryOptions, 'baseDelayInMs' | 'maxDelayInMs'>,
  random: () => number = Math.random,
): number {
  const window = Math.min(options.maxDelayInMs, options.baseDelayInMs * 2 ** (failedAttempt - 1));
  return Math.floor(random() * window);
}
