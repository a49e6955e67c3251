import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseStore } from '../../src/state/lease-store.js';
import { createTestStateTables } from './state-tables.js';

describe('LeaseStore (Azurite through @azure/data-tables)', () => {
  let tables: Awaited<ReturnType<typeof createTestStateTables>>;
  let clock = Date.parse('2025-01-01T00:00:00.000Z');
  let leases: LeaseStore;
  let keyNumber = 0;
  const newKey = () => `https://adb-1.azuredatabricks.net/connection-${++keyNumber}`;

  beforeAll(async () => {
    tables = await createTestStateTables();
    leases = new LeaseStore(tables.leases, { now: () => clock });
  });
  afterAll(() => tables?.drop());

  it('grants a free key until now + duration', async () => {
    const key = newKey();
    const lease = await leases.tryAcquire(key, 'worker-a', 60_000);
    expect(lease).toMatchObject({ key, holder: 'worker-a', expiresAt: new Date(clock + 60_000) });
    expect(lease?.etag).toBeTruthy();
  });

  it('refuses a second holder while the lease is live', async () => {
    const key = newKey();
    await leases.tryAcquire(key, 'worker-a', 60_000);
    clock += 59_000;
    await expect(leases.tryAcquire(key, 'worker-b', 60_000)).resolves.toBeUndefined();
  });

  it('grants the key to another holder once the lease has expired', async () => {
    const key = newKey();
    await leases.tryAcquire(key, 'worker-a', 60_000);
    clock += 60_001;
    await expect(leases.tryAcquire(key, 'worker-b', 60_000)).resolves.toMatchObject({ holder: 'worker-b' });
  });

  it('lets the current holder take its own live lease again, extending it', async () => {
    const key = newKey();
    await leases.tryAcquire(key, 'worker-a', 60_000);
    clock += 30_000;
    const again = await leases.tryAcquire(key, 'worker-a', 60_000);
    expect(again?.expiresAt).toEqual(new Date(clock + 60_000));
  });

  it('ignores a release by a former holder whose lease was taken over', async () => {
    const key = newKey();
    const stale = await leases.tryAcquire(key, 'worker-a', 60_000);
    clock += 60_001;
    const current = await leases.tryAcquire(key, 'worker-b', 60_000);
    if (!stale || !current) throw new Error('both acquisitions should have succeeded');
    await expect(leases.release(stale)).resolves.toBe(false);
    await expect(leases.release({ ...current, holder: 'worker-c', etag: stale.etag })).resolves.toBe(false);
    await expect(leases.tryAcquire(key, 'worker-c', 60_000)).resolves.toBeUndefined();
  });

  it('frees the key when the holder releases it', async () => {
    const key = newKey();
    const lease = await leases.tryAcquire(key, 'worker-a', 60_000);
    if (!lease) throw new Error('acquisition should have succeeded');
    await expect(leases.release(lease)).resolves.toBe(true);
    await expect(leases.tryAcquire(key, 'worker-b', 60_000)).resolves.toMatchObject({ holder: 'worker-b' });
  });

  it('renews a lease still held and refuses to renew one taken over', async () => {
    const key = newKey();
    const lease = await leases.tryAcquire(key, 'worker-a', 60_000);
    if (!lease) throw new Error('acquisition should have succeeded');
    clock += 50_000;
    const renewed = await leases.renew(lease, 60_000);
    expect(renewed?.expiresAt).toEqual(new Date(clock + 60_000));
    clock += 50_000;
    await expect(leases.tryAcquire(key, 'worker-b', 60_000)).resolves.toBeUndefined();
    clock += 10_001;
    await leases.tryAcquire(key, 'worker-b', 60_000);
    if (!renewed) throw new Error('renewal should have succeeded');
    await expect(leases.renew(renewed, 60_000)).resolves.toBeUndefined();
    await expect(leases.renew(lease, 60_000)).resolves.toBeUndefined();
  });

  it('gives a free key to exactly one of 20 concurrent tryAcquire calls', async () => {
    const key = newKey();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => leases.tryAcquire(key, `worker-${index}`, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('gives an expired key to exactly one of 20 concurrent tryAcquire calls', async () => {
    const key = newKey();
    await leases.tryAcquire(key, 'crashed-worker', 60_000);
    clock += 60_001;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => leases.tryAcquire(key, `worker-${index}`, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('acquire waits for the holder to release and then takes the key', async () => {
    const key = newKey();
    const held = await leases.tryAcquire(key, 'worker-a', 60_000);
    if (!held) throw new Error('acquisition should have succeeded');
    const waiting = leases.acquire(key, 'worker-b', { durationInMs: 60_000, waitInMs: 5_000, pollInMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await leases.release(held);
    await expect(waiting).resolves.toMatchObject({ holder: 'worker-b' });
  });

  it('acquire gives up after waitInMs while the key stays held', async () => {
    const key = newKey();
    await leases.tryAcquire(key, 'worker-a', 60_000);
    const started = Date.now();
    await expect(
      leases.acquire(key, 'worker-b', { durationInMs: 60_000, waitInMs: 150, pollInMs: 50 }),
    ).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
