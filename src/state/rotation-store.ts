import { odata, type TableClient } from '@azure/data-tables';
import type { RotationKey, RotationRecord } from '../rotation/rotation-record.js';
import { writeOptimistically } from './concurrency-conflict.js';
import { callTableStorage, storageStatus } from './storage-errors.js';
import { toTableKey } from './table-key.js';

/** Lists and objects are JSON strings: Table properties are scalars. */
interface RotationEntity
  extends Omit<RotationRecord, 'connections' | 'orphansRemoved' | 'problem' | 'history'> {
  partitionKey: string;
  rowKey: string;
  connectionsJson: string;
  orphansRemovedJson: string;
  problemJson?: string;
  historyJson: string;
}

// A string property holds at most 32 Ki JS string units (64 KiB of UTF-16):
// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#property-types
const maxStringPropertyLength = 32 * 1024;
const maxHistoryEntries = 40;

/**
 * Rotation records, one per app registration (partition: tenant and client id) and Key Vault secret (row).
 * Writes use ETags like the other stores: insert-only without one, replace-if-unchanged with one; a lost race
 * surfaces as ConcurrencyConflict. https://learn.microsoft.com/rest/api/storageservices/update-entity2
 */
export class RotationStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  get(
    key: RotationKey,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<{ record: RotationRecord; etag: string } | undefined> {
    return callTableStorage('reading a rotation record', async () => {
      const { partitionKey, rowKey } = keysOf(key);
      try {
        const entity = await this.#table.getEntity<RotationEntity>(partitionKey, rowKey, options);
        return { record: fromEntity(entity), etag: entity.etag };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Without `etag`: insert only (409 → ConcurrencyConflict). With: replace if unchanged (412 → ConcurrencyConflict). */
  put(record: RotationRecord, options: { etag?: string; abortSignal?: AbortSignal } = {}): Promise<string> {
    return callTableStorage('writing a rotation record', () => {
      const entity = toEntity(record);
      return writeOptimistically(
        this.#table,
        entity,
        options,
        `The rotation record of ${record.clientId} / ${record.clientSecretRef}`,
      );
    });
  }

  /** Every record, for the report. */
  list(options: { abortSignal?: AbortSignal } = {}): Promise<RotationRecord[]> {
    return this.#query(undefined, options);
  }

  /** The records of one app registration (one per secret name its connections use). */
  listByApp(
    tenantId: string,
    clientId: string,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<RotationRecord[]> {
    const partitionKey = keysOf({ tenantId, clientId, clientSecretRef: '' }).partitionKey;
    return this.#query(odata`PartitionKey eq ${partitionKey}`, options);
  }

  #query(filter: string | undefined, options: { abortSignal?: AbortSignal }): Promise<RotationRecord[]> {
    return callTableStorage('listing rotation records', async () => {
      const records: RotationRecord[] = [];
      for await (const entity of this.#table.listEntities<RotationEntity>({
        ...(filter ? { queryOptions: { filter } } : {}),
        ...options,
      })) {
        records.push(fromEntity(entity));
      }
      return records;
    });
  }
}

/** Entra ids and Key Vault names are case-insensitive: keys are lower-case, properties keep what was given. */
function keysOf(key: RotationKey) {
  return {
    partitionKey: toTableKey(`${key.tenantId.toLowerCase()}|${key.clientId.toLowerCase()}`),
    rowKey: toTableKey(key.clientSecretRef.toLowerCase()),
  };
}

function toEntity(record: RotationRecord): RotationEntity {
  const { connections, orphansRemoved, problem, history, ...scalars } = record;
  const connectionsJson = JSON.stringify(connections);
  if (connectionsJson.length > maxStringPropertyLength) {
    throw new RangeError(
      `The rotation record of ${record.clientId} lists too many connections (${connections.length}) for one Table property.`,
    );
  }
  let kept = history.slice(-maxHistoryEntries);
  while (JSON.stringify(kept).length > maxStringPropertyLength) kept = kept.slice(1);
  const entity: RotationEntity = {
    ...keysOf(record),
    ...scalars,
    connectionsJson,
    orphansRemovedJson: JSON.stringify(orphansRemoved),
    historyJson: JSON.stringify(kept),
    ...(problem ? { problemJson: JSON.stringify(problem) } : {}),
  };
  // Replace semantics: an absent optional field must be absent from the entity, not `undefined`.
  return Object.fromEntries(
    Object.entries(entity).filter(([, value]) => value !== undefined),
  ) as RotationEntity;
}

function fromEntity(entity: RotationEntity & { etag?: string; timestamp?: string }): RotationRecord {
  const {
    partitionKey: _p,
    rowKey: _r,
    etag: _e,
    timestamp: _t,
    connectionsJson,
    orphansRemovedJson,
    problemJson,
    historyJson,
    ...scalars
  } = entity;
  // The SDK passes service metadata such as `odata.metadata` through as properties; a record has none.
  const properties = Object.fromEntries(
    Object.entries(scalars).filter(([name]) => !name.startsWith('odata.')),
  );
  return {
    ...(properties as typeof scalars),
    connections: JSON.parse(connectionsJson) as RotationRecord['connections'],
    orphansRemoved: JSON.parse(orphansRemovedJson) as string[],
    history: JSON.parse(historyJson) as RotationRecord['history'],
    ...(problemJson ? { problem: JSON.parse(problemJson) as RotationRecord['problem'] } : {}),
  };
}
