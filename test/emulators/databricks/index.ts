import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson } from '../shared/http-body.js';
import { startHttpsServer } from '../shared/https-server.js';
import { createAuthenticator } from './auth.js';
import { defaultM2mRule, type OptionRule } from './classify.js';
import { type ConnectionTestResult, testConnectionCredentials } from './connection-tokens.js';
import { WorkspaceDirectory, type WorkspacePrincipalInput } from './directory.js';
import { DatabricksApiError, endpointNotFound, malformedRequest } from './errors.js';
import { type InjectedFault, TrafficControl } from './limits.js';
import type { ListingConfig } from './pagination.js';
import { matchRoute } from './routes.js';
import { createWorkspaceState, newId, type WorkspaceConfig, type WorkspaceState } from './state.js';

export { azureDatabricksAppId } from './auth.js';
export { defaultM2mRule, type OptionRule, type SqlServerCredentialType } from './classify.js';

import type { SqlServerCredentialType } from './classify.js';

export type { InjectedFault } from './limits.js';

export interface DatabricksOptions {
  /** Trusted Entra stand-in (JWKS + issuers); U2M token exchange goes wherever `authorization_endpoint` points. */
  entraUrl: string;
  port?: number;
  /**
   * SQLSERVER OAuth M2M option set is unconfirmed (terraform-provider-databricks#5200): the rule that
   * classifies M2M is data.
   */
  m2mRule?: OptionRule;
  /**
   * The credential type a workspace reports for the M2M rule's option set. #5200 shows the server can pick a
   * different kind than the caller meant; set this to make it do so, so the provisioner's check is exercised.
   */
  m2mClassifiedAs?: SqlServerCredentialType;
  /**
   * What PATCHing a U2M connection without a new authorization_code does (undocumented; no public source).
   */
  u2mPatchWithoutCode?: 'require_new_code' | 'keep_grant';
  /** The exact codes are unconfirmed (no public source). */
  errorCodes?: { notFound?: string; alreadyExists?: string; catalogConnectionNotFound?: string };
  /** List paging; defaults `{ serverPageSize: 50, emptyPageEvery: 3 }`. */
  listing?: Partial<ListingConfig>;
  /** TF PR #5824 (unconfirmed): one PATCH may not both add and remove privileges of one principal. Default true. */
  rejectAddAndRemoveForOnePrincipal?: boolean;
  /** Appears in privilege errors (`… on Metastore '<name>'`). Default `primary`. */
  metastoreName?: string;
}

export interface StoredConnectionView {
  name: string;
  options: Record<string, string>;
  credentialType: string;
  owner: string;
  refreshToken?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  errorCode?: string;
}

export interface DatabricksStandIn {
  /** `https://127.0.0.1:PORT`, the workspace host. */
  url: string;
  /** Test-only surface: seeding, fault injection, inspection. Not part of the emulated API. */
  control: {
    /** Workspace membership + metastore privileges: callers (token appid/azp or upn) not added → 403. */
    addPrincipal(principal: WorkspacePrincipalInput): void;
    setLatency(ms: number): void;
    /** Token bucket over every API call; beyond it → 429 REQUEST_LIMIT_EXCEEDED. `undefined` lifts the limit. */
    setRateLimit(requestsPerSecond: number | undefined): void;
    injectFault(fault: InjectedFault): void;
    /** Ends every injected fault still pending (an outage that ends when the test says). */
    clearFaults(): void;
    /** Full stored connection incl. write-only secrets — for assertions only. */
    storedConnection(name: string): StoredConnectionView | undefined;
    /** Uses the stored credentials to get a token for the SQL resource: client_credentials for M2M, refresh_token for U2M. */
    testConnection(name: string): Promise<ConnectionTestResult>;
    requestLog(): RequestLogEntry[];
    counts(): { created: number; updated: number; deleted: number; rateLimited: number };
  };
  close(): Promise<void>;
}

export async function startDatabricks(options: DatabricksOptions): Promise<DatabricksStandIn> {
  const directory = new WorkspaceDirectory();
  const state = createWorkspaceState(resolveConfig(options), directory);
  const traffic = new TrafficControl();
  const log: RequestLogEntry[] = [];
  const handle = createApiHandler(state, traffic, options.entraUrl, log);
  const server = await startHttpsServer(handle, { port: options.port ?? 0 });

  return {
    url: server.url,
    control: {
      addPrincipal: (principal) => void directory.add(principal),
      setLatency: (ms) => traffic.setLatency(ms),
      setRateLimit: (requestsPerSecond) => traffic.setRateLimit(requestsPerSecond),
      injectFault: (fault) => traffic.injectFault(fault),
      clearFaults: () => traffic.clearFaults(),
      storedConnection: (name) => {
        const connection = state.connections.get(name.toLowerCase());
        if (!connection) return undefined;
        return {
          name: connection.name,
          options: { ...connection.options },
          credentialType: connection.credentialType,
          owner: connection.owner,
          refreshToken: connection.oauthGrant?.refreshToken,
        };
      },
      testConnection: async (name) => {
        const connection = state.connections.get(name.toLowerCase());
        if (!connection) return { ok: false, error: `Connection '${name}' does not exist.` };
        return testConnectionCredentials(connection);
      },
      requestLog: () => log.map((entry) => ({ ...entry })),
      counts: () => ({ ...state.counts }),
    },
    close: () => server.close(),
  };
}

function resolveConfig(options: DatabricksOptions): WorkspaceConfig {
  return {
    m2mRule: options.m2mRule ?? defaultM2mRule,
    m2mClassifiedAs: options.m2mClassifiedAs ?? 'OAUTH_M2M',
    u2mPatchWithoutCode: options.u2mPatchWithoutCode ?? 'require_new_code',
    errorCodes: {
      notFound: options.errorCodes?.notFound ?? 'RESOURCE_DOES_NOT_EXIST',
      alreadyExists: options.errorCodes?.alreadyExists ?? 'RESOURCE_ALREADY_EXISTS',
      catalogConnectionNotFound: options.errorCodes?.catalogConnectionNotFound ?? 'CONNECTION_NOT_FOUND',
    },
    listing: { serverPageSize: 50, emptyPageEvery: 3, ...options.listing },
    rejectAddAndRemoveForOnePrincipal: options.rejectAddAndRemoveForOnePrincipal ?? true,
    metastoreName: options.metastoreName ?? 'primary',
    metastoreId: newId(),
  };
}

/**
 * One API call: latency → rate limit → injected fault → bearer auth → route → handler → (optional lost response).
 * Throttling and faults come before auth because they happen at the gateway [inferred].
 */
function createApiHandler(
  state: WorkspaceState,
  traffic: TrafficControl,
  entraUrl: string,
  log: RequestLogEntry[],
) {
  const authenticate = createAuthenticator(entraUrl, state.directory);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://workspace.invalid');
    try {
      await traffic.delay();
      traffic.takeRateToken();
      const fault = traffic.takeFault(method, url.pathname, 'before');
      if (fault) throw fault;
      const caller = await authenticate(req);
      const route = matchRoute(method, url.pathname);
      if (!route) throw endpointNotFound(method, url.pathname);
      const body = await readJson(req).catch(() => {
        throw malformedRequest('Invalid JSON given in the body of the request');
      });
      const result = await route.handler(
        { caller, state },
        { params: route.params, query: url.searchParams, body },
      );
      const lostResponse = traffic.takeFault(method, url.pathname, 'after');
      if (lostResponse) throw lostResponse;
      sendJson(res, 200, result);
      log.push({ method, path: url.pathname, status: 200 });
    } catch (error) {
      if (!(error instanceof DatabricksApiError)) {
        log.push({ method, path: url.pathname, status: 500 });
        throw error;
      }
      if (error.status === 429) state.counts.rateLimited += 1;
      sendJson(res, error.status, error.toBody(), error.headers);
      log.push({ method, path: url.pathname, status: error.status, errorCode: error.errorCode });
    }
  };
}
