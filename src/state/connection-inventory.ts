import { odata, type TableClient } from '@azure/data-tables';
import { ConcurrencyConflict, writeOptimistically } from './concurrency-conflict.js';
import { callTableStorage, storageStatus } from './storage-errors.js';
import { toTableKey } from './table-key.js';

/** A Unity Catalog connection this app created or adopted, as last applied. Never holds a secret value. */
export interface ManagedConnection {
  workspace: string;
  /** Stored lower-case: Unity Catalog names are case-insensitive. */
  name: string;
  flow: 'M2M' | 'U2M';
  /** Stored lower-case, like `clientId`: Entra ids (GUIDs or domain names) are case-insensitive. */
  tenantId: string;
  clientId: string;
  clientSecretRef: string;
  /** Key Vault version of the secret applied to the connection. */
  secretVersion: string;
  /** Hash of the applied non-secret options and the secret version; secrets are write-only in Databricks. */
  optionsFingerprint: string;
  /** Created by this app. */
  foreignCatalog?: { name: string; database: string };
  /** Ordering key of the last applied request, so an older request never overwrites a newer one. */
  lastRequestId: string;
  lastRequestSequence: number;
  approver?: string;
  updatedAt: string;
}

export interface InventoryWriteOptions {
  /** From `get`: the write succeeds only if nobody changed the entry since. Omitted: insert-only. */
  etag?: string;
  abortSignal?: AbortSignal;
}

interface ConnectionEntity {
  partitionKey: string;
  rowKey: string;
  workspace: string;
  name: string;
  flow: 'M2M' | 'U2M';
  tenantId: string;
  clientId: string;
  clientSecretRef: string;
  secretVersion: string;
  optionsFingerprint: string;
  foreignCatalogName?: string;
  foreignCatalogDatabase?: string;
  lastRequestId: string;
  /** Edm.Int64 (bigint in the SDK): Service Bus sequence numbers outgrow Int32. */
  lastRequestSequence: bigint;
  approver?: string;
  updatedAt: string;
}

/**
 * The connections this app manages, one entity per workspace (partition) and connection name (row).
 * Writes use optimistic concurrency and surface a lost race as ConcurrencyConflict.
 */
export class ConnectionInventory {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  get(
    workspace: string,
    name: string,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<{ entry: ManagedConnection; etag: string } | undefined> {
    return callTableStorage('reading the connection inventory', async () => {
      try {
        const { partitionKey, rowKey } = keysOf(workspace, name);
        const entity = await this.#table.getEntity<ConnectionEntity>(partitionKey, rowKey, options);
        return { entry: fromEntity(entity), etag: entity.etag };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /**
   * With `etag`: replaces the entry only if unchanged since read (412 → ConcurrencyConflict). Without: inserts
   * only if absent (409 → ConcurrencyConflict). Semantics of If-Match and Insert Entity:
   * https://learn.microsoft.com/rest/api/storageservices/update-entity2 and …/insert-entity
   * Resolves to the new ETag.
   */
  put(entry: ManagedConnection, options: InventoryWriteOptions = {}): Promise<string> {
    return callTableStorage('writing the connection inventory', () => {
      const entity = toEntity(entry);
      return writeOptimistically(
        this.#table,
        entity,
        options,
        `The inventory entry for connection '${entity.name}' in ${entry.workspace}`,
      );
    });
  }

  /** Idempotent: an absent entry is already deleted. With `etag`, a changed entry → ConcurrencyConflict. */
  delete(workspace: string, name: string, options: InventoryWriteOptions = {}): Promise<void> {
    return callTableStorage('deleting from the connection inventory', async () => {
      const { partitionKey, rowKey } = keysOf(workspace, name);
      try {
        await this.#table.deleteEntity(partitionKey, rowKey, options);
      } catch (error) {
        const status = storageStatus(error);
        if (status === 404) return;
        if (status === 412) {
          throw new ConcurrencyConflict(
            'CHANGED_SINCE_READ',
            `The inventory entry for connection '${name.toLowerCase()}' in ${workspace} changed since it was read.`,
            { cause: error },
          );
        }
        throw error;
      }
    });
  }

  /** Every connection that authenticates as one app registration, across workspaces (what rotation patches). */
  listByClientId(
    tenantId: string,
    clientId: string,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<ManagedConnection[]> {
    return callTableStorage('listing connections by client id', async () => {
      const filter = odata`tenantId eq ${tenantId.toLowerCase()} and clientId eq ${clientId.toLowerCase()}`;
      const found: ManagedConnection[] = [];
      for await (const entity of this.#table.listEntities<ConnectionEntity>({
        queryOptions: { filter },
        ...options,
      })) {
        found.push(fromEntity(entity));
      }
      return found;
    });
  }

  async *list(options: { abortSignal?: AbortSignal } = {}): AsyncIterable<ManagedConnection> {
    const pages = this.#table.listEntities<ConnectionEntity>(options).byPage();
    while (true) {
      const page = await callTableStorage('listing the connection inventory', () => pages.next());
      if (page.done) return;
      yield* page.value.map(fromEntity);
    }
  }
}

function keysOf(workspace: string, name: string) {
  return { partitionKey: toTableKey(workspace), rowKey: toTableKey(name.toLowerCase()) };
}

function toEntity(entry: ManagedConnection): ConnectionEntity {
  if (!Number.isSafeInteger(entry.lastRequestSequence)) {
    throw new RangeError(`lastRequestSequence must be a safe integer, got ${entry.lastRequestSequence}.`);
  }
  const { foreignCatalog, ...fields } = entry;
  const entity: ConnectionEntity = {
    ...keysOf(entry.workspace, entry.name),
    ...fields,
    name: entry.name.toLowerCase(),
    tenantId: entry.tenantId.toLowerCase(),
    clientId: entry.clientId.toLowerCase(),
    lastRequestSequence: BigInt(entry.lastRequestSequence),
  };
  if (foreignCatalog) {
    entity.foreignCatalogName = foreignCatalog.name;
    entity.foreignCatalogDatabase = foreignCatalog.database;
  }
  return entity;
}

function fromEntity(entity: ConnectionEntity): ManagedConnection {
  const entry: ManagedConnection = {
    workspace: entity.workspace,
    name: entity.name,
    flow: entity.flow,
    tenantId: entity.tenantId,
    clientId: entity.clientId,
    clientSecretRef: entity.clientSecretRef,
    secretVersion: entity.secretVersion,
    optionsFingerprint: entity.optionsFingerprint,
    lastRequestId: entity.lastRequestId,
    lastRequestSequence: Number(entity.lastRequestSequence),
    updatedAt: entity.updatedAt,
  };
  if (entity.foreignCatalogName !== undefined && entity.foreignCatalogDatabase !== undefined) {
    entry.foreignCatalog = { name: entity.foreignCatalogName, database: entity.foreignCatalogDatabase };
  }
  if (entity.approver !== undefined) entry.approver = entity.approver;
  return entry;
}
