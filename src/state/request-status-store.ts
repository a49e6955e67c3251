import { setTimeout as sleep } from 'node:timers/promises';
import type { TableClient } from '@azure/data-tables';
import { type Reason, TransientError } from '../errors.js';
import { type RequestStatus, type RequestStatusView, terminalStatuses } from '../request-status.js';
import { type Clock, systemClock } from './clock.js';
import { callTableStorage, storageStatus } from './storage-errors.js';
import { toTableKey } from './table-key.js';

export interface RequestStatusUpdate {
  status: RequestStatus;
  /** Why the request has this status; replaces the previous reasons (none when omitted). */
  reasons?: Reason[];
  action?: string;
  workspace?: string;
  connectionName?: string;
  flow?: 'M2M' | 'U2M';
  deliveryCount?: number;
  signInExpiresAt?: string;
  /** The secret-free request as received; kept for operators and replays, never part of the view. */
  request?: unknown;
}

export interface RecordOptions {
  /**
   * Lets a terminal status change again, e.g. `reauthorize` turning `succeeded` into `awaiting_sign_in`.
   * Without it a terminal status is final, so a redelivered duplicate cannot undo an outcome.
   */
  allowReopen?: boolean;
  abortSignal?: AbortSignal;
}

export interface RequestStatusStoreOptions {
  now?: Clock;
}

/** The stored shape: lists and the request are JSON strings, since Table properties are scalars. */
interface RequestStatusEntity {
  partitionKey: string;
  rowKey: string;
  requestId: string;
  status: RequestStatus;
  action?: string;
  workspace?: string;
  connectionName?: string;
  flow?: 'M2M' | 'U2M';
  deliveryCount?: number;
  signInExpiresAt?: string;
  reasonsJson: string;
  historyJson: string;
  requestJson?: string;
  createdAt: string;
  updatedAt: string;
}

// A string property holds at most 64 KiB of UTF-16, i.e. 32 Ki JS string units; an entity at most 1 MiB:
// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#property-types
const maxStringPropertyLength = 32 * 1024;
const maxHistoryEntries = 50;
// Ten workers racing on one request settle within a few rounds; past this the store is the problem.
const maxWriteAttempts = 30;
const statusRowKey = 'status';

/**
 * The status of every request, one entity per request id (its own partition, so requests never contend).
 * Writes are read-modify-write with ETags: concurrent `record` calls all land, none overwrites another.
 */
export class RequestStatusStore {
  readonly #table: TableClient;
  readonly #now: Clock;

  constructor(table: TableClient, options: RequestStatusStoreOptions = {}) {
    this.#table = table;
    this.#now = options.now ?? systemClock;
  }

  get(
    requestId: string,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<RequestStatusView | undefined> {
    return callTableStorage('reading a request status', async () => {
      const entity = await this.#read(requestId, options.abortSignal);
      return entity && toView(entity);
    });
  }

  /** The request as recorded, parsed; undefined if none was recorded or it exceeded one property's size. */
  getRequest(requestId: string, options: { abortSignal?: AbortSignal } = {}): Promise<unknown> {
    return callTableStorage('reading a stored request', async () => {
      const entity = await this.#read(requestId, options.abortSignal);
      return entity?.requestJson === undefined ? undefined : JSON.parse(entity.requestJson);
    });
  }

  /**
   * Creates or updates the status and appends it to the history. Returns the stored view, which is the
   * unchanged one when the status is already terminal and `allowReopen` is not set.
   */
  record(
    requestId: string,
    update: RequestStatusUpdate,
    options: RecordOptions = {},
  ): Promise<RequestStatusView> {
    return callTableStorage('recording a request status', async () => {
      for (let attempt = 1; attempt <= maxWriteAttempts; attempt++) {
        const current = await this.#read(requestId, options.abortSignal);
        if (current && terminalStatuses.has(current.status) && !options.allowReopen) return toView(current);
        const next = this.#apply(requestId, current, update);
        try {
          if (current) {
            // Replace, not Merge: the entity is recomputed whole, and If-Match makes the read-modify-write atomic.
            // https://learn.microsoft.com/rest/api/storageservices/update-entity2
            await this.#table.updateEntity(next, 'Replace', {
              etag: current.etag,
              abortSignal: options.abortSignal,
            });
          } else {
            // Insert Entity answers 409 EntityAlreadyExists when another writer created it first.
            // https://learn.microsoft.com/rest/api/storageservices/insert-entity
            await this.#table.createEntity(next, { abortSignal: options.abortSignal });
          }
          return toView(next);
        } catch (error) {
          const status = storageStatus(error);
          // 412: someone wrote since we read; 409: someone created it first; 404: it was deleted. Re-read.
          if (status !== 412 && status !== 409 && status !== 404) throw error;
          await sleep(Math.random() * 10 * attempt, undefined, { signal: options.abortSignal });
        }
      }
      throw new TransientError(
        'table-storage',
        `Gave up recording status '${update.status}' for request ${requestId} after ${maxWriteAttempts} conflicting writes.`,
      );
    });
  }

  async #read(requestId: string, abortSignal: AbortSignal | undefined) {
    try {
      return await this.#table.getEntity<RequestStatusEntity>(toTableKey(requestId), statusRowKey, {
        abortSignal,
      });
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  #apply(requestId: string, current: RequestStatusEntity | undefined, update: RequestStatusUpdate) {
    const at = new Date(this.#now()).toISOString();
    const history = [...(current ? parseHistory(current.historyJson) : []), { status: update.status, at }];
    const requestJson = update.request === undefined ? current?.requestJson : JSON.stringify(update.request);
    const next: RequestStatusEntity = {
      partitionKey: toTableKey(requestId),
      rowKey: statusRowKey,
      requestId,
      status: update.status,
      action: update.action ?? current?.action,
      workspace: update.workspace ?? current?.workspace,
      connectionName: update.connectionName ?? current?.connectionName,
      flow: update.flow ?? current?.flow,
      deliveryCount: update.deliveryCount ?? current?.deliveryCount,
      signInExpiresAt: update.signInExpiresAt ?? current?.signInExpiresAt,
      reasonsJson: jsonArrayWithin(update.reasons ?? [], 'keep-first'),
      historyJson: jsonArrayWithin(history.slice(-maxHistoryEntries), 'keep-last'),
      // A request too large for one property (Service Bus allows 256 KB) is not kept rather than failing the status.
      requestJson:
        requestJson !== undefined && requestJson.length <= maxStringPropertyLength ? requestJson : undefined,
      createdAt: current?.createdAt ?? at,
      updatedAt: at,
    };
    return withoutUndefined(next);
  }
}

function toView(entity: RequestStatusEntity): RequestStatusView {
  return withoutUndefined({
    requestId: entity.requestId,
    status: entity.status,
    action: entity.action,
    workspace: entity.workspace,
    connectionName: entity.connectionName,
    flow: entity.flow,
    reasons: JSON.parse(entity.reasonsJson) as Reason[],
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
    deliveryCount: entity.deliveryCount,
    signInExpiresAt: entity.signInExpiresAt,
    history: parseHistory(entity.historyJson),
  });
}

function parseHistory(json: string): RequestStatusView['history'] {
  return JSON.parse(json) as RequestStatusView['history'];
}

/** Serializes a list into one string property, dropping entries from the far end until it fits. */
function jsonArrayWithin(items: unknown[], policy: 'keep-first' | 'keep-last'): string {
  let kept = items;
  let json = JSON.stringify(kept);
  while (json.length > maxStringPropertyLength) {
    kept = policy === 'keep-first' ? kept.slice(0, -1) : kept.slice(1);
    json = JSON.stringify(kept);
  }
  return json;
}

/** Drops absent optional fields, so a view has exactly the fields that are set and a Replace clears the rest. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
