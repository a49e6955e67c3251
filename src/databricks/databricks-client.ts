import type { TokenCredential } from '@azure/identity';
import { type Dispatcher, Pool } from 'undici';
import { TransientError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type RetryOptions, withRetries } from '../retry/retry-policy.js';
import { AccessTokenCache } from './access-token-cache.js';
import { AccessTokenError } from './access-token-error.js';
import { DatabricksApiError, isNotFound } from './databricks-error.js';
import { RequestRateLimiter } from './request-rate-limiter.js';
import { classifyDatabricksFailure } from './transient-failures.js';
import type {
  CatalogInfo,
  ConnectionInfo,
  CreateCatalogRequest,
  CreateConnectionRequest,
  PermissionsChange,
  PrivilegeAssignment,
  Securable,
  UpdateConnectionRequest,
} from './types.js';
import { userAgent } from './user-agent.js';

export interface DatabricksClientOptions {
  /** The workspace origin, e.g. `https://adb-1234567890123456.7.azuredatabricks.net`. */
  workspaceUrl: string;
  credential: TokenCredential;
  retry: RetryOptions;
  logger?: Logger;
  /** Longest one attempt (token, connect, response) may take. Default 30 s. */
  requestTimeoutInMs?: number;
  /** An undici dispatcher to send through instead of the client's own Pool; the client never closes it. */
  dispatcher?: Dispatcher;
  /**
   * Client-side pacing of every attempt to this workspace (see RequestRateLimiter); unset means no pacing.
   * The app sets it from DATABRICKS_MAX_REQUESTS_PER_SECOND.
   */
  maxRequestsPerSecond?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface MutationOptions extends CallOptions {
  /**
   * `'never'`: exactly one attempt. For a U2M create/PATCH, whose one-time authorization code must not be
   * replayed (Entra codes are single-use: RFC 6749 §4.1.2,
   * learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow): after a transient failure GET the
   * connection instead.
   */
  retry?: 'never';
}

export interface DeleteCatalogOptions extends CallOptions {
  /** Delete even if the catalog still has schemas (`force=true`). */
  force?: boolean;
}

const defaultRequestTimeoutInMs = 30_000;
/** Far more than Databricks' 30 s refusal window and the Go SDK's 40 s (SDK azureReuseTokenSource). */
const tokenRefreshMarginInMs = 5 * 60_000;
const unityCatalog = '/api/2.1/unity-catalog';

interface Call extends MutationOptions {
  query?: Record<string, string>;
  body?: unknown;
}

/**
 * The Unity Catalog REST API of one workspace: connections, grants, catalogs. Owns the wire format,
 * authentication, retries and error mapping. Failures surface as:
 * - `DatabricksApiError`: the service answered with a status that retrying cannot fix (4xx other than 429);
 * - `TransientError('databricks' | 'entra')`: retries ran out (429, 5xx, timeouts, network, Entra
 *   outages), with the last failure as `cause`, so the queue handler lets Service Bus redeliver;
 * - `AccessTokenError` (not transient): the credential itself is wrong;
 * - the signal's reason when the caller aborts.
 */
export class DatabricksClient {
  /** The normalised workspace origin. */
  readonly workspaceUrl: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #tokens: AccessTokenCache;
  readonly #retry: RetryOptions;
  readonly #logger: Logger;
  readonly #requestTimeoutInMs: number;
  readonly #rateLimiter: RequestRateLimiter | undefined;

  constructor(options: DatabricksClientOptions) {
    this.workspaceUrl = workspaceOrigin(options.workspaceUrl);
    this.#requestTimeoutInMs = options.requestTimeoutInMs ?? defaultRequestTimeoutInMs;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Pool(this.workspaceUrl, {
        connectTimeout: Math.min(10_000, this.#requestTimeoutInMs),
        headersTimeout: this.#requestTimeoutInMs,
        bodyTimeout: this.#requestTimeoutInMs,
      });
    this.#tokens = new AccessTokenCache(options.credential, {
      refreshMarginInMs: tokenRefreshMarginInMs,
      timeoutInMs: this.#requestTimeoutInMs,
    });
    this.#retry = options.retry;
    this.#logger = options.logger ?? silentLogger;
    this.#rateLimiter =
      options.maxRequestsPerSecond === undefined
        ? undefined
        : new RequestRateLimiter(options.maxRequestsPerSecond);
  }

  /** `undefined` when the connection does not exist. Secret options are never returned. */
  getConnection(name: string, options: CallOptions = {}): Promise<ConnectionInfo | undefined> {
    return undefinedIfMissing(this.#call<ConnectionInfo>('GET', connectionPath(name), options));
  }

  /** Throws a 409 `DatabricksApiError` (`isAlreadyExists`) when the name is taken. */
  createConnection(request: CreateConnectionRequest, options: MutationOptions = {}): Promise<ConnectionInfo> {
    return this.#call('POST', `${unityCatalog}/connections`, { ...options, body: request });
  }

  /**
   * Replaces the whole option map (Databricks ALTER CONNECTION docs; ai-dev-kit lakehouse-federation notes):
   * send every option, secrets included.
   */
  updateConnection(
    name: string,
    request: UpdateConnectionRequest,
    options: MutationOptions = {},
  ): Promise<ConnectionInfo> {
    return this.#call('PATCH', connectionPath(name), { ...options, body: request });
  }

  /** `false` when there was nothing to delete. */
  deleteConnection(name: string, options: CallOptions = {}): Promise<boolean> {
    return falseIfMissing(this.#call('DELETE', connectionPath(name), options));
  }

  /**
   * Every connection, page by page. Always sends `max_results=0` (server-chosen page size; leaving it out
   * selects a deprecated unpaginated mode) and stops only when `next_page_token` is absent: a page may be
   * empty and still carry a token (databricks-sdk-go service/catalog ListConnectionsRequest).
   */
  async *listConnections(options: CallOptions = {}): AsyncIterable<ConnectionInfo> {
    let pageToken: string | undefined;
    do {
      const page = await this.#call<{ connections?: ConnectionInfo[]; next_page_token?: string }>(
        'GET',
        `${unityCatalog}/connections`,
        { ...options, query: { max_results: '0', ...(pageToken ? { page_token: pageToken } : {}) } },
      );
      yield* page.connections ?? [];
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
  }

  /** Every privilege assignment on the securable, following `next_page_token` if the server pages. */
  async getPermissions(
    securable: Securable,
    name: string,
    options: CallOptions = {},
  ): Promise<PrivilegeAssignment[]> {
    const assignments: PrivilegeAssignment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call<{
        privilege_assignments?: PrivilegeAssignment[];
        next_page_token?: string;
      }>('GET', permissionsPath(securable, name), {
        ...options,
        ...(pageToken ? { query: { page_token: pageToken } } : {}),
      });
      assignments.push(...(page.privilege_assignments ?? []));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return assignments;
  }

  /** Applies grant/revoke changes; returns the assignments after the change. */
  async updatePermissions(
    securable: Securable,
    name: string,
    changes: PermissionsChange[],
    options: CallOptions = {},
  ): Promise<PrivilegeAssignment[]> {
    const result = await this.#call<{ privilege_assignments?: PrivilegeAssignment[] }>(
      'PATCH',
      permissionsPath(securable, name),
      { ...options, body: { changes } },
    );
    return result.privilege_assignments ?? [];
  }

  getCatalog(name: string, options: CallOptions = {}): Promise<CatalogInfo | undefined> {
    return undefinedIfMissing(this.#call<CatalogInfo>('GET', catalogPath(name), options));
  }

  createCatalog(request: CreateCatalogRequest, options: CallOptions = {}): Promise<CatalogInfo> {
    return this.#call('POST', `${unityCatalog}/catalogs`, { ...options, body: request });
  }

  /** `false` when there was nothing to delete. */
  deleteCatalog(name: string, options: DeleteCatalogOptions = {}): Promise<boolean> {
    const { force, ...rest } = options;
    return falseIfMissing(
      this.#call('DELETE', catalogPath(name), { ...rest, ...(force ? { query: { force: 'true' } } : {}) }),
    );
  }

  /** Releases the pooled connections (only the client's own Pool, never an injected dispatcher). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #call<T>(method: Dispatcher.HttpMethod, path: string, call: Call): Promise<T> {
    const { signal } = call;
    let attempts = 0;
    const attempt = (attemptNumber: number): Promise<T> => {
      attempts = attemptNumber;
      return this.#send<T>(method, path, call);
    };
    try {
      return await withRetries(attempt, classifyDatabricksFailure, {
        ...this.#retry,
        ...(call.retry === 'never' ? { maxAttempts: 1 } : {}),
        ...(signal ? { signal } : {}),
        onRetry: ({ attempt: failed, delayInMs, error }) =>
          this.#logger.warn('databricks.retry', {
            method,
            path,
            attempt: failed,
            delayInMs,
            ...describe(error),
          }),
      });
    } catch (error) {
      if (signal?.aborted || !classifyDatabricksFailure(error).retry) throw error;
      const service = error instanceof AccessTokenError ? 'entra' : 'databricks';
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransientError(
        service,
        `Databricks ${method} ${path} did not succeed in ${attempts} attempt(s): ${reason}`,
        { cause: error },
      );
    }
  }

  /** One attempt. The request body is serialised here and never kept anywhere else: it holds secrets. */
  async #send<T>(method: Dispatcher.HttpMethod, path: string, call: Call): Promise<T> {
    // Every attempt takes a slot, retries included, as in the Go SDK: the workspace counts each one.
    await this.#rateLimiter?.acquire(call.signal);
    // The token cache applies its own timeout, so a hung Entra surfaces as a (transient) AccessTokenError.
    const token = await this.#tokens.token(call.signal);
    const timeout = AbortSignal.timeout(this.#requestTimeoutInMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const query = call.query ? `?${new URLSearchParams(call.query)}` : '';
    const response = await this.#dispatcher.request({
      origin: this.workspaceUrl,
      path: `${path}${query}`,
      method,
      signal,
      // Headers as the Databricks SDKs send them (databricks-sdk-go) plus our product token.
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'content-type': 'application/json',
        'user-agent': userAgent,
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw DatabricksApiError.fromResponse({
        method,
        path,
        status: response.statusCode,
        headers: response.headers,
        bodyText: text,
      });
    }
    return parseSuccessBody<T>(method, path, response.statusCode, text);
  }
}

/**
 * A DELETE may answer with an empty body (databricks-sdk-go: no response type; exact body unconfirmed);
 * anything else must be JSON.
 */
function parseSuccessBody<T>(method: string, path: string, status: number, text: string): T {
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    // e.g. a login page served with 200 to a private-link workspace reached from outside.
    throw new DatabricksApiError({
      method,
      path,
      status,
      errorCode: 'INVALID_RESPONSE',
      message: 'the body is not JSON',
    });
  }
}

function workspaceOrigin(workspaceUrl: string): string {
  const url = URL.canParse(workspaceUrl) ? new URL(workspaceUrl) : undefined;
  const isHttpsOrigin =
    url?.protocol === 'https:' && url.pathname === '/' && !url.search && !url.username && !url.password;
  if (!url || !isHttpsOrigin) {
    throw new TypeError(
      `workspaceUrl must be an https origin such as https://adb-1234567890123456.7.azuredatabricks.net, got '${workspaceUrl}'.`,
    );
  }
  return url.origin;
}

const connectionPath = (name: string) => `${unityCatalog}/connections/${encodeURIComponent(name)}`;
const catalogPath = (name: string) => `${unityCatalog}/catalogs/${encodeURIComponent(name)}`;
const permissionsPath = (securable: Securable, name: string) =>
  `${unityCatalog}/permissions/${securable}/${encodeURIComponent(name)}`;

async function undefinedIfMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function falseIfMissing(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Log properties for a failed attempt: what and where, never a request body. */
function describe(error: unknown): Record<string, string | number | undefined> {
  if (error instanceof DatabricksApiError) {
    return { status: error.status, errorCode: error.errorCode, requestId: error.requestId };
  }
  return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
