import { badParameter } from './errors.js';

/** Key Vault returns at most 25 items per page; `maxresults` may lower that (REST reference "Get Secrets"). */
const maxPageSize = 25;

interface SkipToken {
  NextMarker: string;
  TargetLocation: number;
}

export interface PageRequest {
  /** Absolute URL of the collection, without a query (`https://host/secrets`). */
  collectionUrl: string;
  apiVersion: string;
  query: URLSearchParams;
}

/**
 * One page of `items` (already sorted by `keyOf`) and the `nextLink` the SDK follows verbatim
 * (`buildPagedAsyncIterator` → `client.pathUnchecked(nextLink).get()` in `@azure/keyvault-secrets`).
 * The link has the service's shape: `…/secrets?api-version=V&$skiptoken=<base64 JSON {NextMarker,TargetLocation}>&maxresults=N`
 * (nextLink values quoted in public issues, e.g. `"…:443/secrets?api-version=7.3&$skiptoken=eyJOZXh0TWFya2VyIjoi…"`).
 */
export function paginate<T>(items: T[], keyOf: (item: T) => string, request: PageRequest) {
  const requestedSize = request.query.get('maxresults');
  const pageSize = requestedSize === null ? maxPageSize : parsePageSize(requestedSize);
  const marker = decodeSkipToken(request.query.get('$skiptoken'));
  const start = marker === undefined ? 0 : items.findIndex((item) => keyOf(item) >= marker);
  const remaining = start < 0 ? [] : items.slice(start);
  const value = remaining.slice(0, pageSize);
  const next = remaining[pageSize];
  if (next === undefined) return { value, nextLink: null };
  // Written by hand: URLSearchParams would escape the `$` of `$skiptoken`, which the service sends literally.
  const sizeParameter = requestedSize === null ? '' : `&maxresults=${pageSize}`;
  const nextLink = `${request.collectionUrl}?api-version=${encodeURIComponent(request.apiVersion)}&$skiptoken=${encodeSkipToken(keyOf(next))}${sizeParameter}`;
  return { value, nextLink };
}

/** Range 1–25 per the REST reference; the error text for other values is [inferred]. */
function parsePageSize(raw: string): number {
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw badParameter(`maxresults must be an integer between 1 and ${maxPageSize}; got '${raw}'.`);
  }
  return size;
}

function encodeSkipToken(marker: string): string {
  const token: SkipToken = { NextMarker: marker, TargetLocation: 0 };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeSkipToken(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<SkipToken>;
    if (typeof token.NextMarker === 'string') return token.NextMarker;
  } catch {
    // fall through to the error below
  }
  throw badParameter('The $skiptoken is invalid.');
}
