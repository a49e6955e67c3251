import { invalidParameter } from './errors.js';

export interface ListingConfig {
  /** The "server configured value" that caps `max_results` (SDK `ListConnectionsRequest`); [inferred] 50. */
  serverPageSize: number;
  /** Every n-th page is empty but still carries `next_page_token` (SDK: "a page may contain zero results while still
   * providing a next_page_token"); 0 disables. Deterministic so tests can pin the client's loop. */
  emptyPageEvery: number;
}

interface Cursor {
  after: string | null;
  page: number;
}

/**
 * SDK `ListConnectionsRequest.max_results`: unset → everything in one response (no token); 0 → the server page size;
 * > 0 → min(value, server page size); < 0 → invalid parameter. `page_token` is opaque; this one is a keyset cursor
 * (the last name returned) so creates and deletes between pages neither skip nor repeat items.
 */
export function paginate<T>(
  sortedItems: T[],
  keyOf: (item: T) => string,
  query: URLSearchParams,
  config: ListingConfig,
): { items: T[]; nextPageToken?: string } {
  const maxResults = query.get('max_results');
  const pageToken = query.get('page_token');
  if (maxResults === null && !pageToken) return { items: sortedItems };
  const requested = maxResults === null ? 0 : Number(maxResults);
  if (!Number.isInteger(requested) || requested < 0) {
    throw invalidParameter(`max_results must be a non-negative integer, got '${maxResults}'.`);
  }
  const pageSize = requested === 0 ? config.serverPageSize : Math.min(requested, config.serverPageSize);
  const cursor = pageToken ? decodeCursor(pageToken) : { after: null, page: 0 };
  const remaining = sortedItems.filter((item) => cursor.after === null || keyOf(item) > cursor.after);
  const page = cursor.page + 1;
  if (remaining.length > 0 && config.emptyPageEvery > 0 && page % config.emptyPageEvery === 0) {
    return { items: [], nextPageToken: encodeCursor({ after: cursor.after, page }) };
  }
  const items = remaining.slice(0, pageSize);
  const last = items.at(-1);
  if (remaining.length <= pageSize || last === undefined) return { items };
  return { items, nextPageToken: encodeCursor({ after: keyOf(last), page }) };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if ((value.after === null || typeof value.after === 'string') && Number.isInteger(value.page)) {
      return value as Cursor;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidParameter(`Invalid page_token '${token}'.`);
}
