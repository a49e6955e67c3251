import { createCatalog, deleteCatalog, getCatalog } from './catalogs.js';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from './connections.js';
import { invalidParameter } from './errors.js';
import { getPermissions, updatePermissions } from './permissions.js';
import type { ApiContext } from './state.js';

export interface ApiRequest {
  /** Decoded path parameters, in pattern order. */
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

type Handler = (ctx: ApiContext, request: ApiRequest) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const base = '/api/2.1/unity-catalog';
const segment = '([^/]+)';

/** The UC endpoints the project calls (SDK `service/catalog/impl.go` paths). */
const routes: Route[] = [
  { method: 'POST', pattern: path('/connections'), handler: (ctx, r) => createConnection(ctx, r.body) },
  { method: 'GET', pattern: path('/connections'), handler: (ctx, r) => listConnections(ctx, r.query) },
  {
    method: 'GET',
    pattern: path(`/connections/${segment}`),
    handler: (ctx, r) => getConnection(ctx, at(r, 0)),
  },
  {
    method: 'PATCH',
    pattern: path(`/connections/${segment}`),
    handler: (ctx, r) => updateConnection(ctx, at(r, 0), r.body),
  },
  {
    method: 'DELETE',
    pattern: path(`/connections/${segment}`),
    handler: (ctx, r) => deleteConnection(ctx, at(r, 0)),
  },
  {
    method: 'GET',
    pattern: path(`/permissions/${segment}/${segment}`),
    handler: (ctx, r) => getPermissions(ctx, at(r, 0), at(r, 1), r.query),
  },
  {
    method: 'PATCH',
    pattern: path(`/permissions/${segment}/${segment}`),
    handler: (ctx, r) => updatePermissions(ctx, at(r, 0), at(r, 1), r.body),
  },
  { method: 'POST', pattern: path('/catalogs'), handler: (ctx, r) => createCatalog(ctx, r.body) },
  { method: 'GET', pattern: path(`/catalogs/${segment}`), handler: (ctx, r) => getCatalog(ctx, at(r, 0)) },
  {
    method: 'DELETE',
    pattern: path(`/catalogs/${segment}`),
    handler: (ctx, r) => deleteCatalog(ctx, at(r, 0)),
  },
];

export function matchRoute(
  method: string,
  pathname: string,
): { handler: Handler; params: string[] } | undefined {
  for (const route of routes) {
    const match = route.method === method ? route.pattern.exec(pathname) : null;
    if (match) return { handler: route.handler, params: match.slice(1).map(decodeSegment) };
  }
  return undefined;
}

function path(suffix: string): RegExp {
  return new RegExp(`^${base}${suffix}$`);
}

function at(request: ApiRequest, index: number): string {
  return request.params[index] ?? '';
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalidParameter(`Invalid path segment '${value}'.`);
  }
}
