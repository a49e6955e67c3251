import type { TableClient, TableEntity } from '@azure/data-tables';
import { storageStatus } from './storage-errors.js';

/**
 * An optimistic-concurrency write lost: the entity changed (or appeared, or vanished) since the caller read
 * it. The caller re-reads and decides again; it is never retried blindly.
 */
export class ConcurrencyConflict extends Error {
  /** `ALREADY_EXISTS`: an insert-only write found an entity. `CHANGED_SINCE_READ`: the ETag no longer matches. */
  readonly code: 'ALREADY_EXISTS' | 'CHANGED_SINCE_READ';

  constructor(code: ConcurrencyConflict['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConcurrencyConflict';
    this.code = code;
  }
}

/**
 * The one optimistic write every store uses. Without `etag`: insert only (409 → ALREADY_EXISTS). With `etag`:
 * replace if unchanged (412, or 404 because it was deleted meanwhile → CHANGED_SINCE_READ). Resolves to the new
 * ETag. Semantics of If-Match and Insert Entity: https://learn.microsoft.com/rest/api/storageservices/update-entity2
 * and https://learn.microsoft.com/rest/api/storageservices/insert-entity
 */
export async function writeOptimistically<T extends object>(
  table: TableClient,
  entity: TableEntity<T>,
  options: { etag?: string; abortSignal?: AbortSignal },
  what: string,
): Promise<string> {
  const { etag, abortSignal } = options;
  try {
    const response = etag
      ? await table.updateEntity(entity, 'Replace', { etag, abortSignal })
      : await table.createEntity(entity, { abortSignal });
    if (!response.etag) throw new Error('Table storage returned no ETag for a written entity.');
    return response.etag;
  } catch (error) {
    const status = storageStatus(error);
    if (!etag && status === 409) {
      throw new ConcurrencyConflict('ALREADY_EXISTS', `${what} already exists.`, { cause: error });
    }
    if (etag && (status === 412 || status === 404)) {
      throw new ConcurrencyConflict('CHANGED_SINCE_READ', `${what} changed since it was read.`, {
        cause: error,
      });
    }
    throw error;
  }
}
