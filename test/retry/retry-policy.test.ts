import { describe, expect, it } from 'vitest';
import {
  backoffInMs,
  type RetryDecision,
  type WithRetriesOptions,
  withRetries,
} from '../../src/retry/retry-policy.js';

const retryable: RetryDecision = { retry: true };
const always = () => retryable;

/** A fake clock whose sleep advances time instantly and records every wait. */
function fakeTime() {
  let clock = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
    sleep: async (ms: number) => {
      waits.push(ms);
      clock += ms;
    },
  };
}

function options(
  time: ReturnType<typeof fakeTime>,
  overrides: Partial<WithRetriesOptions> = {},
): WithRetriesOptions {
  return {
    maxAttempts: 5,
    baseDelayInMs: 100,
    maxDelayInMs: 1_000,
    budgetInMs: 60_000,
    sleep: time.sleep,
    now: time.now,
    random: () => 0.5,
    ...overrides,
  };
}

/** An operation that fails `failures` times with numbered errors, then returns 'ok'. */
function failing(failures: number) {
  const attempts: number[] = [];
  const operation = async (attempt: number) => {
    attempts.push(attempt);
    if (attempts.length <= failures) throw new Error(`failure ${attempts.length}`);
    return 'ok';
  };
  return { attempts, operation };
}

describe('withRetries', () => {
  it('returns the first success without waiting', async () => {
    const time = fakeTime();
    const { attempts, operation } = failing(0);
    await expect(withRetries(operation, always, options(time))).resolves.toBe('ok');
    expect(attempts).toEqual([1]);
    expect(time.waits).toEqual([]);
  });

  it('retries a retryable failure, numbering the attempts from 1, and returns the later success', async () => {
    const time = fakeTime();
    const { attempts, operation } = failing(2);
    await expect(withRetries(operation, always, options(time))).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(time.waits).toHaveLength(2);
  });

  it('rethrows a failure the classifier calls final, unchanged and without retrying', async () => {
    const time = fakeTime();
    const final = new Error('400 bad request');
    const operation = async () => {
      throw final;
    };
    await expect(withRetries(operation, () => ({ retry: false }), options(time))).rejects.toBe(final);
    expect(time.waits).toEqual([]);
  });

  it('stops after maxAttempts and rethrows the last error', async () => {
    const time = fakeTime();
    const { attempts, operation } = failing(10);
    await expect(withRetries(operation, always, options(time, { maxAttempts: 3 }))).rejects.toThrow(
      'failure 3',
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(time.waits).toHaveLength(2);
  });

  it('makes exactly one attempt when maxAttempts is 1', async () => {
    const time = fakeTime();
    const { attempts, operation } = failing(1);
    await expect(withRetries(operation, always, options(time, { maxAttempts: 1 }))).rejects.toThrow(
      'failure 1',
    );
    expect(attempts).toEqual([1]);
  });

  it('doubles the backoff window per attempt and caps it at maxDelayInMs', async () => {
    const time = fakeTime();
    const { operation } = failing(6);
    await withRetries(operation, always, options(time, { maxAttempts: 7, random: () => 0.999_999 }));
    // The largest draw from [0, window) for windows 100, 200, 400, 800, 1000, 1000.
    expect(time.waits).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('draws a full-jitter wait uniformly from [0, window)', () => {
    const window = { baseDelayInMs: 100, maxDelayInMs: 10_000 };
    expect(backoffInMs(1, window, () => 0)).toBe(0);
    expect(backoffInMs(3, window, () => 0.5)).toBe(200);
    for (let sample = 0; sample < 1_000; sample++) {
      const wait = backoffInMs(4, window);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(800);
    }
  });

  it('treats a server-given delay as a floor: it wins over a shorter backoff', async () => {
    const time = fakeTime();
    const { operation } = failing(1);
    await withRetries(
      operation,
      () => ({ retry: true, afterInMs: 1_000 }),
      options(time, { random: () => 0 }),
    );
    expect(time.waits).toEqual([1_000]);
  });

  it('keeps the backoff when it is longer than the server-given delay', async () => {
    const time = fakeTime();
    const { operation } = failing(1);
    const longBackoff = { baseDelayInMs: 5_000, maxDelayInMs: 5_000, random: () => 0.5 };
    await withRetries(operation, () => ({ retry: true, afterInMs: 1_000 }), options(time, longBackoff));
    expect(time.waits).toEqual([2_500]);
  });

  it('honours a server-given delay above maxDelayInMs', async () => {
    const time = fakeTime();
    const { operation } = failing(1);
    await withRetries(
      operation,
      () => ({ retry: true, afterInMs: 5_000 }),
      options(time, { maxDelayInMs: 1_000 }),
    );
    expect(time.waits).toEqual([5_000]);
  });

  it('stops when the next wait would overrun the time budget, counting the time attempts took', async () => {
    const time = fakeTime();
    const attempts: number[] = [];
    const slowFailure = async (attempt: number) => {
      attempts.push(attempt);
      time.advance(5_000);
      throw new Error(`slow failure ${attempt}`);
    };
    const budget = {
      budgetInMs: 10_000,
      maxAttempts: 10,
      baseDelayInMs: 1_000,
      maxDelayInMs: 1_000,
      random: () => 0.5,
    };
    // 5 s + 0.5 s wait + 5 s = 10.5 s: a further 0.5 s wait would end past the 10 s budget.
    await expect(withRetries(slowFailure, always, options(time, budget))).rejects.toThrow('slow failure 2');
    expect(attempts).toEqual([1, 2]);
    expect(time.waits).toEqual([500]);
  });

  it('gives up at once when the server asks for a wait longer than the whole budget', async () => {
    const time = fakeTime();
    const { attempts, operation } = failing(5);
    const retryLater = () => ({ retry: true, afterInMs: 120_000 }) as const;
    await expect(withRetries(operation, retryLater, options(time, { budgetInMs: 60_000 }))).rejects.toThrow(
      'failure 1',
    );
    expect(attempts).toEqual([1]);
    expect(time.waits).toEqual([]);
  });

  it('reports each retry with the failed attempt, the wait and the error', async () => {
    const time = fakeTime();
    const { operation } = failing(2);
    const notices: Array<{ attempt: number; delayInMs: number; error: string }> = [];
    await withRetries(
      operation,
      always,
      options(time, {
        onRetry: ({ attempt, delayInMs, error }) =>
          notices.push({ attempt, delayInMs, error: String(error) }),
      }),
    );
    expect(notices).toEqual([
      { attempt: 1, delayInMs: 50, error: 'Error: failure 1' },
      { attempt: 2, delayInMs: 100, error: 'Error: failure 2' },
    ]);
  });

  it('never calls the operation when the signal is already aborted', async () => {
    const time = fakeTime();
    const { attempts, operation } = failing(0);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(withRetries(operation, always, options(time, { signal: controller.signal }))).rejects.toBe(
      reason,
    );
    expect(attempts).toEqual([]);
  });

  it('does not retry a failure that happened because the caller aborted', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const attempts: number[] = [];
    const abortedMidway = async (attempt: number) => {
      attempts.push(attempt);
      controller.abort(reason);
      throw new Error('socket closed');
    };
    await expect(
      withRetries(abortedMidway, always, options(time, { signal: controller.signal })),
    ).rejects.toBe(reason);
    expect(attempts).toEqual([1]);
  });

  it('stops waiting as soon as the signal aborts during a backoff (real timer)', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const { attempts, operation } = failing(5);
    const startedAt = Date.now();
    const pending = withRetries(operation, always, {
      maxAttempts: 5,
      baseDelayInMs: 60_000,
      maxDelayInMs: 60_000,
      budgetInMs: 600_000,
      random: () => 0.99,
      signal: controller.signal,
      onRetry: () => queueMicrotask(() => controller.abort(reason)),
    });
    await expect(pending).rejects.toBe(reason);
    expect(attempts).toEqual([1]);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
