import { setTimeout as sleep } from 'node:timers/promises';
import type { TableClient } from '@azure/data-tables';
import { type Clock, systemClock } from './clock.js';
import { callTableStorage, storageStatus } from './storage-errors.js';
import { toTableKey } from './table-key.js';

/** Proof of holding a key until `expiresAt`; `etag` is the version we wrote, so only we can renew or release it. */
export interface Lease {
  key: string;
  holder: string;
  expiresAt: Date;
  etag: string;
}

export interface AcquireLeaseOptions {
  durationInMs: number;
  /** How long to keep trying while someone else holds the key; 0 tries once. */
  waitInMs: number;
  pollInMs?: number;
  abortSignal?: AbortSignal;
}

export interface LeaseStoreOptions {
  now?: Clock;
}

interface LeaseEntity {
  partitionKey: string;
  rowKey: string;
  key: string;
  holder: string;
  expiresAt: Date;
}

const leaseRowKey = 'lease';
const defaultPollInMs = 500;

/**
 * Mutual exclusion per key (one connection, one rotation run) across function instances. Every change is an
 * ETag-conditional write, so of any number of racing writers exactly one wins; the rest see 409 (insert) or
 * 412 (update/delete) and back off. Expiry compares instance clocks, so durations must dwarf clock skew.
 * https://learn.microsoft.com/rest/api/storageservices/update-entity2 (If-Match), …/insert-entity (409)
 */
export class LeaseStore {
  readonly #table: TableClient;
  readonly #now: Clock;

  constructor(table: TableClient, options: LeaseStoreOptions = {}) {
    this.#table = table;
    this.#now = options.now ?? systemClock;
  }

  /**
   * Takes the lease if it is free, expired, or already ours (which extends it); undefined if someone else
   * holds it or wins the race. `holder` must name one attempt (an invocation), not the work item: two
   * deliveries of one message must not share a lease.
   */
  tryAcquire(
    key: string,
    holder: string,
    durationInMs: number,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<Lease | undefined> {
    return callTableStorage(`acquiring lease '${key}'`, async () => {
      const now = this.#now();
      const entity: LeaseEntity = {
        partitionKey: toTableKey(key),
        rowKey: leaseRowKey,
        key,
        holder,
        expiresAt: new Date(now + durationInMs),
      };
      const current = await this.#read(key, options.abortSignal);
      try {
        if (!current) {
          const { etag } = await this.#table.createEntity(entity, { abortSignal: options.abortSignal });
          return toLease(entity, etag);
        }
        // DateTime properties come back as Date (@azure/data-tables serialization.js), an ISO string if untyped.
        if (current.holder !== holder && new Date(current.expiresAt).getTime() > now) return undefined;
        const { etag } = await this.#table.updateEntity(entity, 'Replace', {
          etag: current.etag,
          abortSignal: options.abortSignal,
        });
        return toLease(entity, etag);
      } catch (error) {
        // 409: another holder created it first; 412/404: it changed or was released since we read it.
        if ([409, 412, 404].includes(storageStatus(error) ?? 0)) return undefined;
        throw error;
      }
    });
  }

  /** Tries until the lease is ours or `waitInMs` of polling has passed (measured in sleeps, not the clock). */
  async acquire(key: string, holder: string, options: AcquireLeaseOptions): Promise<Lease | undefined> {
    const pollInMs = options.pollInMs ?? defaultPollInMs;
    let waitedInMs = 0;
    while (true) {
      const lease = await this.tryAcquire(key, holder, options.durationInMs, {
        abortSignal: options.abortSignal,
      });
      if (lease || waitedInMs >= options.waitInMs) return lease;
      const pause = Math.min(pollInMs, options.waitInMs - waitedInMs);
      await sleep(pause, undefined, { signal: options.abortSignal });
      waitedInMs += pause;
    }
  }

  /** Extends a lease we still hold; undefined if it was taken over or released meanwhile. */
  renew(
    lease: Lease,
    durationInMs: number,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<Lease | undefined> {
    return callTableStorage(`renewing lease '${lease.key}'`, async () => {
      const entity: LeaseEntity = {
        partitionKey: toTableKey(lease.key),
        rowKey: leaseRowKey,
        key: lease.key,
        holder: lease.holder,
        expiresAt: new Date(this.#now() + durationInMs),
      };
      try {
        const { etag } = await this.#table.updateEntity(entity, 'Replace', {
          etag: lease.etag,
          abortSignal: options.abortSignal,
        });
        return toLease(entity, etag);
      } catch (error) {
        if ([412, 404].includes(storageStatus(error) ?? 0)) return undefined;
        throw error;
      }
    });
  }

  /** Frees the key if the lease is still ours; false (and no change) if someone else holds it by now. */
  release(lease: Lease, options: { abortSignal?: AbortSignal } = {}): Promise<boolean> {
    return callTableStorage(`releasing lease '${lease.key}'`, async () => {
      try {
        await this.#table.deleteEntity(toTableKey(lease.key), leaseRowKey, {
          etag: lease.etag,
          abortSignal: options.abortSignal,
        });
        return true;
      } catch (error) {
        if ([412, 404].includes(storageStatus(error) ?? 0)) return false;
        throw error;
      }
    });
  }

  async #read(key: string, abortSignal: AbortSignal | undefined) {
    try {
      return await this.#table.getEntity<LeaseEntity>(toTableKey(key), leaseRowKey, { abortSignal });
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }
}

function toLease(entity: LeaseEntity, etag: string | undefined): Lease {
  if (!etag) throw new Error('Table storage returned no ETag for a written lease.');
  return { key: entity.key, holder: entity.holder, expiresAt: entity.expiresAt, etag };
}
