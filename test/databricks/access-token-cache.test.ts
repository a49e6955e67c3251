import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { AccessTokenCache, azureDatabricksScope } from '../../src/databricks/access-token-cache.js';
import { AccessTokenError } from '../../src/databricks/access-token-error.js';

const minute = 60_000;

/** A credential that issues `token-1`, `token-2`, … each valid for `lifetimeInMs` on the fake clock. */
function countingCredential(clock: { now: number }, lifetimeInMs: number) {
  const scopes: string[] = [];
  const credential: TokenCredential = {
    async getToken(scope) {
      scopes.push(String(scope));
      return {
        token: `token-${scopes.length}`,
        expiresOnTimestamp: clock.now + lifetimeInMs,
      } satisfies AccessToken;
    },
  };
  return { credential, scopes };
}

describe('AccessTokenCache', () => {
  it('asks for the Azure Databricks scope and reuses the token while it has more than the margin left', async () => {
    const clock = { now: 0 };
    const { credential, scopes } = countingCredential(clock, 60 * minute);
    const cache = new AccessTokenCache(credential, {
      refreshMarginInMs: 5 * minute,
      timeoutInMs: 1_000,
      now: () => clock.now,
    });

    expect(await cache.token()).toBe('token-1');
    clock.now += 54 * minute;
    expect(await cache.token()).toBe('token-1');
    expect(scopes).toEqual([azureDatabricksScope]);
  });

  it('fetches a new token once the cached one is within the refresh margin of expiry', async () => {
    const clock = { now: 0 };
    const { credential } = countingCredential(clock, 60 * minute);
    const cache = new AccessTokenCache(credential, {
      refreshMarginInMs: 5 * minute,
      timeoutInMs: 1_000,
      now: () => clock.now,
    });

    await cache.token();
    clock.now += 55 * minute;
    expect(await cache.token()).toBe('token-2');
  });

  it('shares one in-flight request between concurrent callers', async () => {
    const clock = { now: 0 };
    const { credential, scopes } = countingCredential(clock, 60 * minute);
    const cache = new AccessTokenCache(credential, {
      refreshMarginInMs: 5 * minute,
      timeoutInMs: 1_000,
      now: () => clock.now,
    });

    const tokens = await Promise.all([cache.token(), cache.token(), cache.token()]);
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    expect(scopes).toHaveLength(1);
  });

  it('gives up on a credential that never answers with a transient AccessTokenError', async () => {
    const hanging: TokenCredential = { getToken: () => new Promise(() => {}) };
    const cache = new AccessTokenCache(hanging, { refreshMarginInMs: 5 * minute, timeoutInMs: 50 });

    const error = await cache.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).transient).toBe(true);
  });

  it("lets one caller stop waiting without failing the others' shared request", async () => {
    let issue: (token: AccessToken) => void = () => {};
    const slow: TokenCredential = { getToken: () => new Promise((resolve) => (issue = resolve)) };
    const cache = new AccessTokenCache(slow, { refreshMarginInMs: 5 * minute, timeoutInMs: 5_000 });
    const controller = new AbortController();

    const impatient = cache.token(controller.signal);
    const patient = cache.token();
    controller.abort(new Error('caller gave up'));
    issue({ token: 'late-token', expiresOnTimestamp: Date.now() + 60 * minute });

    await expect(impatient).rejects.toThrow('caller gave up');
    await expect(patient).resolves.toBe('late-token');
  });
});
