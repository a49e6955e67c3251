import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '@azure/functions';
import { type AuthLevel, type HostKeys, isAuthorized, presentedKey } from '../host-keys.js';
import type { HostLog } from '../host-log.js';
import { createInvocationContext } from '../invocation-context.js';
import { describeError, runInvocation } from '../run-invocation.js';
import { compareRoutePrecedence, type RouteTemplate } from './route-template.js';
import { RequestBodyTooLargeError, toHttpRequest } from './to-http-request.js';
import { writeHttpResponse } from './write-http-response.js';

export interface HttpFunctionEntry {
  name: string;
  /** Upper-case methods the route accepts. */
  methods: ReadonlySet<string>;
  authLevel: AuthLevel;
  route: RouteTemplate;
  handler: HttpHandler;
}

/** What the admin API (`/admin/...`, master key) can do; the host supplies it. */
export interface AdminOperations {
  /** Starts a non-HTTP function with `input` in the background. */
  runFunction(name: string, input: string): 'accepted' | 'unknown-function' | 'http-function';
  hostStatus(): Record<string, unknown>;
}

export interface HttpListenerOptions {
  functions: readonly HttpFunctionEntry[];
  keys: HostKeys;
  log: HostLog;
  admin: AdminOperations;
  /** Default 7071, what `func start` uses; 0 picks a free port. */
  port: number;
}

const httpReason = 'This function was programmatically called via the host APIs.';

/**
 * The HTTP front of the local host on 127.0.0.1: function routes under the route prefix with method and
 * `authLevel` checks, and the admin API. Answers like the Functions host: 404 when no route matches (method
 * included), 401 without a valid key, 500 with an empty body when a handler throws.
 */
export class HttpListener {
  readonly url: string;
  readonly port: number;
  readonly #server: Server;
  readonly #inFlight = new Set<Promise<void>>();

  private constructor(server: Server) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  static async start(options: HttpListenerOptions): Promise<HttpListener> {
    const routes = [...options.functions].sort((a, b) => compareRoutePrecedence(a.route, b.route));
    let listener: HttpListener | undefined;
    const server = createServer((req, res) => {
      const handling = handle(req, res, routes, options).catch((error: unknown) => {
        options.log({
          at: new Date(),
          level: 'error',
          category: 'Host.Http',
          message: `Unhandled error for ${req.method} ${req.url}: ${describeError(error)}`,
        });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      if (listener) listener.#track(handling);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`Port ${options.port} on 127.0.0.1 is already in use: stop what is listening there.`)
            : error,
        ),
      );
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    listener = new HttpListener(server);
    return listener;
  }

  /** Stops accepting connections and waits for requests in flight. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await Promise.allSettled([...this.#inFlight]);
    this.#server.closeAllConnections();
    await closed;
  }

  #track(handling: Promise<void>): void {
    this.#inFlight.add(handling);
    void handling.finally(() => this.#inFlight.delete(handling));
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: readonly HttpFunctionEntry[],
  options: HttpListenerOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const method = (req.method ?? 'GET').toUpperCase();
  const { log, keys } = options;
  const reject = (status: number, reason: string) => {
    log({
      at: new Date(),
      level: 'warning',
      category: 'Host.Http',
      message: `${method} ${url.pathname} → ${status}: ${reason}`,
    });
    req.resume();
    res.writeHead(status).end();
  };

  if (/^\/admin(\/|$)/i.test(url.pathname)) {
    await handleAdmin(req, res, url, method, options, reject);
    return;
  }

  const pathname = url.pathname;
  let matchedPath = false;
  for (const route of routes) {
    const params = route.route.match(pathname);
    if (!params) continue;
    matchedPath = true;
    if (!route.methods.has(method)) continue;
    if (!isAuthorized(route.authLevel, presentedKey(req.headers, url), keys)) {
      reject(
        401,
        `function '${route.name}' has authLevel '${route.authLevel}': send a ${route.authLevel === 'admin' ? 'master' : 'function'} key in the x-functions-key header or the 'code' query parameter`,
      );
      return;
    }
    let request: Awaited<ReturnType<typeof toHttpRequest>>;
    try {
      request = await toHttpRequest(req, url, params);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) return reject(413, error.message);
      throw error;
    }
    const context = createInvocationContext({ functionName: route.name, triggerType: 'httpTrigger', log });
    let result: unknown;
    try {
      result = await runInvocation(log, context, httpReason, async () => route.handler(request, context));
    } catch {
      res.writeHead(500).end();
      return;
    }
    await writeHttpResponse(res, result);
    return;
  }
  reject(404, matchedPath ? `no function accepts ${method} on this route` : 'no function route matches');
}

/**
 * `POST /admin/functions/{name}` with `{"input": "…"}` starts a non-HTTP function and answers 202
 * (https://learn.microsoft.com/azure/azure-functions/functions-manually-run-non-http); `GET /admin/host/status`
 * reports the host state. Both need the master key; `GET /admin/host/ping` needs none.
 */
async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  method: string,
  options: HttpListenerOptions,
  reject: (status: number, reason: string) => void,
): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '').toLowerCase();
  if (path === '/admin/host/ping' && (method === 'GET' || method === 'POST')) {
    req.resume();
    res.writeHead(200).end();
    return;
  }
  if (!isAuthorized('admin', presentedKey(req.headers, url), options.keys)) {
    return reject(401, 'the admin API needs the master key in the x-functions-key header');
  }
  if (path === '/admin/host/status' && method === 'GET') {
    req.resume();
    return sendJson(res, 200, options.admin.hostStatus());
  }
  const run = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname.replace(/\/+$/, ''));
  if (run && method === 'POST') {
    const name = decodeURIComponent(run[1] ?? '');
    const input = await readManualRunInput(req);
    if (typeof input !== 'string') return sendJson(res, 400, { error: input.error });
    const outcome = options.admin.runFunction(name, input);
    if (outcome === 'unknown-function') return reject(404, `no function named '${name}'`);
    if (outcome === 'http-function') {
      return sendJson(res, 400, {
        error: `'${name}' is an HTTP function: call its route instead of the admin API.`,
      });
    }
    res.writeHead(202).end();
    return;
  }
  reject(404, 'unknown admin endpoint');
}

async function readManualRunInput(req: IncomingMessage): Promise<string | { error: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return '';
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const input = (body as { input?: unknown }).input;
      if (input === undefined) return '';
      if (typeof input === 'string') return input;
    }
  } catch {
    // fall through to the error below
  }
  return { error: 'The body must be JSON like {"input": "<trigger input as a string>"}.' };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
