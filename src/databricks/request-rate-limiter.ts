import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Paces the calls to one workspace: at most `requestsPerSecond`, evenly spaced, no burst. This is the Databricks
 * Go SDK's limiter — a token bucket of capacity 1 waited on before every attempt, retries included
 * (databricks-sdk-go httpclient/api_client.go: `rate.NewLimiter(rateLimit, 1)`, `c.rateLimiter.Wait(ctx)` in
 * `attempt`). Workspaces throttle with 429 and publish no limit for the UC API
 * (https://learn.microsoft.com/azure/databricks/resources/limits lists none); pacing below the
 * workspace's limit spends the budget on work instead of on 429s and their backoff.
 */
export class RequestRateLimiter {
  readonly #intervalInMs: number;
  readonly #now: () => number;
  #nextSlotAt = Number.NEGATIVE_INFINITY;

  constructor(requestsPerSecond: number, now: () => number = Date.now) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}.`);
    }
    this.#intervalInMs = 1000 / requestsPerSecond;
    this.#now = now;
  }

  /**
   * Resolves when the caller may send. Slots are handed out in call order. An abort while waiting rejects with
   * the signal's reason and gives the slot back when no later caller has taken one behind it.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.#now();
    const slot = Math.max(now, this.#nextSlotAt);
    this.#nextSlotAt = slot + this.#intervalInMs;
    const waitInMs = slot - now;
    if (waitInMs <= 0) return;
    try {
      await sleep(waitInMs, undefined, signal ? { signal } : {});
    } catch (error) {
      if (this.#nextSlotAt === slot + this.#intervalInMs) this.#nextSlotAt = slot;
      throw signal?.aborted ? signal.reason : error;
    }
  }
}
