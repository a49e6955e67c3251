import type { TokenCredential } from '@azure/identity';
import { type Dispatcher, Pool } from 'undici';
import { AccessTokenError } from '../databricks/access-token-error.js';
import { isTransientNetworkError } from '../databricks/network-errors.js';
import { isRetryableStatus } from '../databricks/transient-failures.js';
import { userAgent } from '../databricks/user-agent.js';
import { TransientError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { abortable } from '../retry/abortable.js';
import { type RetryDecision, type RetryOptions, withRetries } from '../retry/retry-policy.js';
import { GraphApiError, GraphTokenError } from './graph-error.js';

/** A `passwordCredential` as Graph lists it: never with its secret text (passwordcredential.md). */
export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  /** The first three characters of the secret. */
  hint: string | null;
  startDateTime: string;
  endDateTime: string;
}

/** What addPassword returns: the only time Graph ever returns `secretText` (application-addpassword.md). */
export interface AddedPasswordCredential extends PasswordCredential {
  secretText: string;
}

export interface AddPasswordInput {
  displayName: string;
  /** Explicit, so the lifetime is ours and not Graph's two-year default. ISO 8601. */
  endDateTime: string;
}

export interface GraphClientOptions {
  /** `https://graph.microsoft.com` (national clouds have their own host); the API is under `/v1.0`. */
  baseUrl: string;
  credential: TokenCredential;
  retry: RetryOptions;
  /** Default `https://graph.microsoft.com/.default`: app-only tokens carry the app's granted application permissions. */
  scope?: string;
  logger?: Logger;
  /** Longest one attempt (token, connect, response) may take. Default 30 s. */
  requestTimeoutInMs?: number;
  /** An undici dispatcher to send through instead of the client's own Pool; the client never closes it. */
  dispatcher?: Dispatcher;
}

export interface GraphCallOptions {
  signal?: AbortSignal;
}

const defaultScope = 'https://graph.microsoft.com/.default';
const defaultRequestTimeoutInMs = 30_000;
const appIdPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

interface Call extends GraphCallOptions {
  body?: unknown;
  /** Which failures may be retried: `all-transient`, or only `refused` ones (429/503: the server did nothing). */
  retry: 'all-transient' | 'refused-only';
}

/**
 * The slice of Microsoft Graph v1.0 that rotation needs: an application's password credentials, addressed
 * by appId (`/applications(appId='…')`, documented for get, addPassword and removePassword). Owns the wire
 * format, the app-only token, retries and error mapping. Failures surface as:
 * - `GraphApiError`: Graph answered with a status retrying cannot fix (403 missing permission, 400 policy, 404);
 * - `TransientError('graph')`: retries ran out (429, 5xx, network, a transient token failure), last failure as `cause`;
 * - `GraphTokenError` (not transient): the app's own identity cannot get a Graph token.
 */
export class GraphClient {
  readonly #origin: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #credential: TokenCredential;
  readonly #scope: string;
  readonly #retry: RetryOptions;
  readonly #logger: Logger;
  readonly #requestTimeoutInMs: number;

  constructor(options: GraphClientOptions) {
    this.#origin = new URL(options.baseUrl).origin;
    this.#requestTimeoutInMs = options.requestTimeoutInMs ?? defaultRequestTimeoutInMs;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Pool(this.#origin, {
        connectTimeout: Math.min(10_000, this.#requestTimeoutInMs),
        headersTimeout: this.#requestTimeoutInMs,
        bodyTimeout: this.#requestTimeoutInMs,
      });
    this.#credential = options.credential;
    this.#scope = options.scope ?? defaultScope;
    this.#retry = options.retry;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The application's password credentials (metadata only). */
  async listPasswordCredentials(
    appId: string,
    options: GraphCallOptions = {},
  ): Promise<PasswordCredential[]> {
    const application = await this.#call<{ passwordCredentials?: PasswordCredential[] }>(
      'GET',
      `${applicationPath(appId)}?$select=id,appId,passwordCredentials`,
      { ...options, retry: 'all-transient' },
    );
    return (application.passwordCredentials ?? []).map(toPasswordCredential);
  }

  /**
   * Adds a client secret. Not idempotent, so only answers that say Graph did nothing (429, 503) are retried:
   * after a lost response the credential may exist with its text gone, which rotation's orphan clean-up removes.
   * @see https://learn.microsoft.com/graph/api/application-addpassword
   */
  async addPassword(
    appId: string,
    input: AddPasswordInput,
    options: GraphCallOptions = {},
  ): Promise<AddedPasswordCredential> {
    const added = await this.#call<Partial<AddedPasswordCredential>>(
      'POST',
      `${applicationPath(appId)}/addPassword`,
      {
        ...options,
        retry: 'refused-only',
        body: { passwordCredential: { displayName: input.displayName, endDateTime: input.endDateTime } },
      },
    );
    if (typeof added.secretText !== 'string' || typeof added.keyId !== 'string') {
      throw new GraphApiError({
        method: 'POST',
        path: `${applicationPath(appId)}/addPassword`,
        status: 200,
        code: 'INVALID_RESPONSE',
        message: 'the response has no keyId or secretText',
      });
    }
    return { ...toPasswordCredential(added), secretText: added.secretText };
  }

  /**
   * Removes a client secret by key id. Retrying is safe: a second removal of the same key changes nothing.
   * @see https://learn.microsoft.com/graph/api/application-removepassword
   */
  async removePassword(appId: string, keyId: string, options: GraphCallOptions = {}): Promise<void> {
    await this.#call('POST', `${applicationPath(appId)}/removePassword`, {
      ...options,
      retry: 'all-transient',
      body: { keyId },
    });
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #call<T>(method: Dispatcher.HttpMethod, path: string, call: Call): Promise<T> {
    const classify = call.retry === 'refused-only' ? classifyRefusal : classifyGraphFailure;
    let attempts = 0;
    try {
      return await withRetries(
        (attempt) => {
          attempts = attempt;
          return this.#send<T>(method, path, call);
        },
        classify,
        {
          ...this.#retry,
          ...(call.signal ? { signal: call.signal } : {}),
          onRetry: ({ attempt, delayInMs, error }) =>
            this.#logger.warn('graph.retry', {
              method,
              path: withoutQuery(path),
              attempt,
              delayInMs,
              ...describe(error),
            }),
        },
      );
    } catch (error) {
      if (call.signal?.aborted || !classify(error).retry) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransientError(
        'graph',
        `Microsoft Graph ${method} ${withoutQuery(path)} did not succeed in ${attempts} attempt(s): ${reason}`,
        { cause: error },
      );
    }
  }

  /** One attempt. Response bodies are parsed here and never logged: addPassword's holds the secret. */
  async #send<T>(method: Dispatcher.HttpMethod, path: string, call: Call): Promise<T> {
    const token = await this.#token(call.signal);
    const timeout = AbortSignal.timeout(this.#requestTimeoutInMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const response = await this.#dispatcher.request({
      origin: this.#origin,
      path,
      method,
      signal,
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
      throw GraphApiError.fromResponse({
        method,
        path: withoutQuery(path),
        status: response.statusCode,
        headers: response.headers,
        bodyText: text,
      });
    }
    if (text.trim() === '') return {} as T; // removePassword answers 204 No Content
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new GraphApiError({
        method,
        path: withoutQuery(path),
        status: response.statusCode,
        code: 'INVALID_RESPONSE',
        message: 'the body is not JSON',
      });
    }
  }

  /** The credential caches tokens itself (MSAL's cache, or the managed identity endpoint's). */
  async #token(signal: AbortSignal | undefined): Promise<string> {
    const timeout = AbortSignal.timeout(this.#requestTimeoutInMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      // The credential may ignore abortSignal (see src/databricks/access-token-cache.ts), hence the race.
      const token = await abortable(this.#credential.getToken(this.#scope, { abortSignal }), abortSignal);
      if (!token) throw new Error('the credential returned no token');
      return token.token;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const detail = error instanceof Error ? error.message : String(error);
      throw new GraphTokenError(`Could not get a Microsoft Graph access token from Entra ID: ${detail}`, {
        transient: AccessTokenError.from(error).transient,
        cause: error,
      });
    }
  }
}

/** Every failure that may clear by itself: 429, 5xx (but 501/505), network failures, transient token failures. */
export function classifyGraphFailure(error: unknown): RetryDecision {
  if (error instanceof GraphApiError) {
    if (!isRetryableStatus(error.status)) return { retry: false };
    return error.retryAfterInMs === undefined
      ? { retry: true }
      : { retry: true, afterInMs: error.retryAfterInMs };
  }
  if (error instanceof GraphTokenError) return { retry: error.transient };
  return { retry: isTransientNetworkError(error) };
}

/**
 * For calls that must not run twice: only answers that say the request was not processed. 429 "the request
 * was throttled" and 503 "service unavailable" (https://learn.microsoft.com/graph/throttling,
 * https://learn.microsoft.com/graph/best-practices-concept#handling-expected-errors) and token failures, which
 * happen before the request is sent.
 */
function classifyRefusal(error: unknown): RetryDecision {
  if (error instanceof GraphApiError && (error.status === 429 || error.status === 503)) {
    return classifyGraphFailure(error);
  }
  if (error instanceof GraphTokenError) return { retry: error.transient };
  return { retry: false };
}

function applicationPath(appId: string): string {
  // The appId lands inside an OData key literal: accept only a GUID, never a quote.
  if (!appIdPattern.test(appId)) {
    throw new TypeError(`appId must be an application (client) id GUID, got '${appId}'.`);
  }
  return `/v1.0/applications(appId='${appId}')`;
}

function toPasswordCredential(credential: Partial<PasswordCredential>): PasswordCredential {
  return {
    keyId: String(credential.keyId),
    displayName: credential.displayName ?? null,
    hint: credential.hint ?? null,
    startDateTime: String(credential.startDateTime),
    endDateTime: String(credential.endDateTime),
  };
}

function withoutQuery(path: string): string {
  return path.split('?')[0] ?? path;
}

/** Log properties for a failed attempt: what and where, never a body. */
function describe(error: unknown): Record<string, string | number | undefined> {
  if (error instanceof GraphApiError) {
    return { status: error.status, code: error.code, requestId: error.requestId };
  }
  return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
