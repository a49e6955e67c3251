import type { IncomingHttpHeaders } from 'node:http';
import { parseRetryAfter } from '../retry/retry-after.js';

export interface GraphApiErrorInit {
  method: string;
  /** Request path without the query string. */
  path: string;
  status: number;
  /** Graph's `error.code`, e.g. `Authorization_RequestDenied`. */
  code: string;
  message: string;
  requestId?: string;
  retryAfterInMs?: number;
}

/**
 * Microsoft Graph answered with a non-2xx status. Carries what a caller needs to act (status, Graph's
 * `error.code`) and what support needs to trace (`request-id`). Built from the response only: addPassword's
 * response body holds a secret, but an error response never does, and request bodies are never kept.
 * Error shape: `{"error":{"code","message","innerError":{"request-id",…}}}`, https://learn.microsoft.com/graph/errors
 */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: string;
  /** Graph's own `error.message`, without our prefix. */
  readonly graphMessage: string;
  readonly requestId: string | undefined;
  /** The server's minimum wait before retrying (`Retry-After`), if it gave one. */
  readonly retryAfterInMs: number | undefined;

  constructor(init: GraphApiErrorInit) {
    super(`Microsoft Graph ${init.method} ${init.path} → ${init.status} ${init.code}: ${init.message}`);
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.code = init.code;
    this.graphMessage = init.message;
    this.requestId = init.requestId;
    this.retryAfterInMs = init.retryAfterInMs;
  }

  static fromResponse(response: {
    method: string;
    path: string;
    status: number;
    headers: IncomingHttpHeaders;
    bodyText: string;
  }): GraphApiError {
    const body = parseErrorBody(response.bodyText);
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return new GraphApiError({
      method: response.method,
      path: response.path,
      status: response.status,
      code: body?.code ?? `HTTP_${response.status}`,
      message: body?.message ?? 'the response carried no Graph error body',
      requestId: body?.requestId ?? header('request-id'),
      retryAfterInMs: parseRetryAfter(header('retry-after')),
    });
  }
}

function parseErrorBody(text: string): { code?: string; message?: string; requestId?: string } | undefined {
  try {
    const { error } = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; innerError?: { 'request-id'?: unknown } };
    };
    if (!error || typeof error !== 'object') return undefined;
    const requestId = error.innerError?.['request-id'];
    return {
      ...(typeof error.code === 'string' ? { code: error.code } : {}),
      ...(typeof error.message === 'string' ? { message: error.message } : {}),
      ...(typeof requestId === 'string' ? { requestId } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The identity could not get a Microsoft Graph token. `transient` says whether it may clear by itself (Entra
 * outage, network) or needs a fix (no such identity, wrong secret). The credential's error travels as `cause`.
 */
export class GraphTokenError extends Error {
  override readonly name = 'GraphTokenError';
  readonly transient: boolean;

  constructor(message: string, options: { transient: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.transient = options.transient;
  }
}
