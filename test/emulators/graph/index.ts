import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppRegistration, EntraStandIn } from '../entra/index.js';
import { readBody, sendJson } from '../shared/http-body.js';
import { startHttpsServer } from '../shared/https-server.js';
import { PasswordAdditionPolicy } from './app-management-policy.js';
import { applicationResource, passwordCredentialResource } from './application-resource.js';
import { createGraphAuthenticator } from './authentication.js';
import { type GraphCaller, mayAttempt, permits } from './authorization.js';
import { badRequest, GraphError, insufficientPrivileges, resourceNotFound } from './errors.js';
import { type GraphFault, GraphFaultPlan } from './faults.js';
import {
  defaultUnknownKeyIdError,
  parseAddPasswordBody,
  parseRemovePasswordBody,
  type UnknownKeyIdError,
  unknownKeyId,
} from './password-requests.js';
import { type ApplicationKey, type GraphRoute, resolveRoute } from './routes.js';

export type { GraphFault } from './faults.js';
export type { UnknownKeyIdError } from './password-requests.js';

export interface GraphStandInOptions {
  /** The in-process Entra stand-in: applications and their password credentials live in its directory. */
  entra: EntraStandIn;
  port?: number;
  /** What removePassword answers for a keyId the application does not have (undocumented; see password-requests.ts). */
  unknownKeyIdError?: UnknownKeyIdError;
}

export interface GraphRequestLogEntry {
  method: string;
  path: string;
  status: number;
}

export interface GraphStandIn {
  /** `https://127.0.0.1:PORT`; the API is under `/v1.0`. */
  url: string;
  /** Test-only levers; not part of the emulated wire API. */
  control: {
    /** Tenant app-management policy: block new password credentials for an app (or every app when appId omitted). */
    blockPasswordAddition(options?: { appId?: string }): void;
    injectFault(fault: GraphFault): void;
    /** Method, path and status of every request so far; never bodies or tokens. */
    requestLog(): GraphRequestLogEntry[];
  };
  close(): Promise<void>;
}

interface GraphResponse {
  status: number;
  body?: unknown;
}

export async function startGraph(options: GraphStandInOptions): Promise<GraphStandIn> {
  const { entra } = options;
  const authenticate = createGraphAuthenticator(entra.url);
  const policy = new PasswordAdditionPolicy();
  const faults = new GraphFaultPlan();
  const unknownKeyIdError = options.unknownKeyIdError ?? defaultUnknownKeyIdError;
  const log: GraphRequestLogEntry[] = [];
  let graphUrl = '';

  /** Authentication → faults → route → permission → lookup in the caller's tenant → ownership → action. */
  async function respond(req: IncomingMessage): Promise<GraphResponse> {
    const rawBody = (await readBody(req)).toString('utf8');
    const claims = await authenticate(req);
    const fault = faults.take();
    if (fault) throw fault;
    const url = new URL(req.url ?? '/', graphUrl);
    const route = resolveRoute(req.method ?? 'GET', url.pathname);
    const caller: GraphCaller = { appId: claims.appid ?? claims.azp, roles: claims.roles ?? [] };
    if (!mayAttempt(caller, route.action)) throw insufficientPrivileges();
    const application = findApplication(route.application, claims.tid);
    if (!permits(caller, route.action, application)) throw insufficientPrivileges();
    return perform(route, application, url.searchParams, parseJson(rawBody));
  }

  /** Applications are visible only in their own tenant: another tenant's app is "not found". */
  function findApplication(key: ApplicationKey, tenantId: string): AppRegistration {
    const wanted = key.by === 'id' ? key.id : key.appId;
    const app = entra.directory.getApp(wanted);
    const matches = app && (key.by === 'id' ? app.objectId === key.id : app.appId === key.appId);
    if (!app || !matches || app.tenantId !== tenantId) throw resourceNotFound(wanted);
    return app;
  }

  function perform(
    route: GraphRoute,
    app: AppRegistration,
    query: URLSearchParams,
    body: unknown,
  ): GraphResponse {
    switch (route.action) {
      case 'getApplication':
        return {
          status: 200,
          body: applicationResource(
            graphUrl,
            app,
            entra.directory.listPasswords(app.objectId),
            query.get('$select'),
          ),
        };
      case 'addPassword': {
        const input = parseAddPasswordBody(body);
        if (policy.blocks(app.appId)) throw policy.error();
        const credential = entra.directory.addPassword(app.objectId, input);
        return {
          status: 200,
          body: {
            '@odata.context': `${graphUrl}/v1.0/$metadata#microsoft.graph.passwordCredential`,
            ...passwordCredentialResource(credential, { withSecret: true }),
          },
        };
      }
      case 'removePassword': {
        const keyId = parseRemovePasswordBody(body);
        if (!entra.directory.removePassword(app.objectId, keyId)) throw unknownKeyId(unknownKeyIdError);
        return { status: 204 };
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: GraphRequestLogEntry = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'https://stand-in').pathname,
      status: 0,
    };
    log.push(entry);
    const requestId = randomUUID();
    const clientRequestId = headerValue(req, 'client-request-id') ?? requestId;
    const headers: Record<string, string> = { 'request-id': requestId, 'client-request-id': clientRequestId };
    let response: GraphResponse;
    try {
      response = await respond(req);
    } catch (error) {
      if (!(error instanceof GraphError)) {
        entry.status = 500; // the shared server answers 500 for a stand-in bug
        throw error;
      }
      Object.assign(headers, error.headers);
      response = { status: error.status, body: error.toBody(requestId, clientRequestId) };
    }
    entry.status = response.status;
    if (response.body === undefined) res.writeHead(response.status, headers).end();
    else sendJson(res, response.status, response.body, headers);
  }

  const server = await startHttpsServer(handle, { port: options.port ?? 0 });
  graphUrl = server.url;
  return {
    url: server.url,
    control: {
      blockPasswordAddition: (blockOptions) => policy.block(blockOptions?.appId),
      injectFault: (fault) => faults.inject(fault),
      requestLog: () => log.map((entry) => ({ ...entry })),
    },
    close: () => server.close(),
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Unable to read JSON request payload.');
  }
}
