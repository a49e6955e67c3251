import { RestError } from '@azure/data-tables';
import { TransientError } from '../errors.js';

/** The HTTP status of a failed Table storage call, if the service answered at all. */
export function storageStatus(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

/**
 * Runs a Table storage operation and classifies what escapes it: throttling (429), timeouts (408), server
 * errors (5xx) and network failures (no status) survived the SDK's own retries and become TransientError so
 * the message is redelivered; anything else (a bug, a permission problem) propagates unchanged.
 * Status codes: https://learn.microsoft.com/rest/api/storageservices/table-service-error-codes
 */
export async function callTableStorage<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof RestError)) throw error;
    const status = error.statusCode;
    if (status === undefined || status === 408 || status === 429 || status >= 500) {
      throw new TransientError(
        'table-storage',
        `Table storage is unavailable while ${operation} (${status ?? error.code ?? 'no response'}).`,
        { cause: error },
      );
    }
    throw error;
  }
}
