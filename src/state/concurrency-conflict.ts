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
