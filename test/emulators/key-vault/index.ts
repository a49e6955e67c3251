import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../shared/http-body.js';
import { startHttpsServer } from '../shared/https-server.js';
import { createKeyVaultAuthenticator } from './authentication.js';
import { badParameter, invalidName, KeyVaultError } from './errors.js';
import { executeOperation, type OperationResult } from './execute-operation.js';
import { FaultPlan, type KeyVaultFault } from './faults.js';
import { dataActionOf, resolveOperation } from './operations.js';
import { type KeyVaultSecretsRole, VaultRoleAssignments } from './rbac.js';
import { SecretStore } from './secret-store.js';
import { SecretWireFormat } from './wire-format.js';

export type { KeyVaultFault } from './faults.js';
export type { SecretOperationName } from './operations.js';
export type { KeyVaultSecretsRole } from './rbac.js';

/**
 * api-versions the vault accepts: what `@azure/keyvault-secrets` 4.11 can send (`serviceVersion` "7.0"–"7.6",
 * default "2025-07-01") plus the older 2016-10-01.
 */
const defaultApiVersions = ['2016-10-01', '7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01'];

export interface KeyVaultStandInOptions {
  /** The Entra stand-in's URL (authority host); tokens are verified against its JWKS. */
  entraUrl: string;
  /** The vault's tenant, named in the 401 challenge; tokens from other tenants are refused. */
  tenantId: string;
  port?: number;
  vaultName?: string;
  /** 7–90 (default 90); below 90 the recovery level is "CustomizedRecoverable+Purgeable". */
  softDeleteRetentionInDays?: number;
  /**
   * How long delete and recover take to complete; meanwhile `GET /deletedsecrets/{name}` (after delete) or
   * `GET /secrets/{name}/` (after recover) answer 404, as the real service does for a few seconds
   * (azure-sdk-for-js recordings `recording_can_recover_a_deleted_secret.js`). Default 0.
   */
  lifecycleDelayInMs?: number;
  apiVersions?: string[];
}

export interface KeyVaultRequestLogEntry {
  method: string;
  path: string;
  status: number;
  callerObjectId?: string;
}

export interface KeyVaultSecretVersionSnapshot {
  version: string;
  value: string;
  tags: Record<string, string>;
  enabled: boolean;
  expiresOn?: Date;
}

export interface KeyVaultStandIn {
  /** `https://127.0.0.1:PORT`, the vault URL for `SecretClient`. */
  url: string;
  /** Test-only levers; not part of the emulated wire API. */
  control: {
    /** Key Vault RBAC at vault scope for a principal (the token's `oid`). */
    grantRole(objectId: string, role: KeyVaultSecretsRole): void;
    /** The next `count` matching requests (after authentication) answer with this status. */
    injectFault(fault: KeyVaultFault): void;
    /** `false` → every request answers 503 (an outage) until set back to `true`. */
    setAvailable(available: boolean): void;
    /** Every version of a live or soft-deleted secret, in creation order. */
    secretVersions(name: string): KeyVaultSecretVersionSnapshot[];
    /** Method, path, status and caller of every request so far; never values or tokens. */
    requestLog(): KeyVaultRequestLogEntry[];
  };
  close(): Promise<void>;
}

/** Secret names: 1–127 characters of 0-9, a-z, A-Z and '-' (about-keys-secrets-certificates, "Object identifiers"). */
const secretNamePattern = /^[0-9a-zA-Z-]{1,127}$/;

export async function startKeyVault(options: KeyVaultStandInOptions): Promise<KeyVaultStandIn> {
  const vaultName = options.vaultName ?? 'stand-in-vault';
  const retentionInDays = options.softDeleteRetentionInDays ?? 90;
  if (retentionInDays < 7 || retentionInDays > 90) {
    throw new RangeError(`softDeleteRetentionInDays must be 7–90; got ${retentionInDays}.`);
  }
  const apiVersions = options.apiVersions ?? defaultApiVersions;
  const store = new SecretStore({
    softDeleteRetentionInDays: retentionInDays,
    lifecycleDelayInMs: options.lifecycleDelayInMs ?? 0,
  });
  const roles = new VaultRoleAssignments(vaultName);
  const faults = new FaultPlan();
  const log: KeyVaultRequestLogEntry[] = [];
  const authenticator = createKeyVaultAuthenticator({
    entraUrl: options.entraUrl,
    tenantId: options.tenantId,
  });
  let vaultUrl = '';

  /** Outage → authentication (the challenge precedes routing, as recorded for `PUT /secrets/`) → route → faults → RBAC. */
  async function respond(req: IncomingMessage, entry: KeyVaultRequestLogEntry): Promise<OperationResult> {
    const outage = faults.outage();
    if (outage) return outage;
    const rawBody = (await readBody(req)).toString('utf8');
    const authentication = await authenticator.authenticate(req);
    if (!authentication.ok) throw authentication.error;
    const { caller } = authentication;
    entry.callerObjectId = caller.objectId;

    const url = new URL(req.url ?? '/', vaultUrl);
    const operation = resolveOperation(req.method ?? 'GET', url.pathname);
    const apiVersion = requireApiVersion(url.searchParams.get('api-version'), apiVersions);
    if (operation.secretName !== undefined && !secretNamePattern.test(operation.secretName)) {
      throw invalidName(operation.secretName);
    }
    const fault = faults.take(operation.name);
    if (fault) return fault;
    const action = dataActionOf[operation.name];
    if (!roles.allows(caller.objectId, action)) {
      throw roles.forbidden({ action, secretName: operation.secretName, caller });
    }
    return executeOperation(operation, {
      store,
      wire: new SecretWireFormat(vaultUrl, retentionInDays),
      vaultUrl,
      apiVersion,
      query: url.searchParams,
      body: parseJson(rawBody),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: KeyVaultRequestLogEntry = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'https://stand-in').pathname,
      status: 0,
    };
    log.push(entry);
    let result: OperationResult;
    try {
      result = await respond(req, entry);
    } catch (error) {
      if (!(error instanceof KeyVaultError)) {
        entry.status = 500; // the shared server answers 500 for a stand-in bug
        throw error;
      }
      const challenge: Record<string, string> =
        error.status === 401 ? { 'www-authenticate': authenticator.challenge } : {};
      result = { status: error.status, body: error.toBody(), headers: challenge };
    }
    entry.status = result.status;
    const headers = { 'x-ms-request-id': randomUUID(), ...result.headers };
    if (result.body === undefined) {
      res.writeHead(result.status, headers).end();
    } else {
      sendJson(res, result.status, result.body, headers);
    }
  }

  const server = await startHttpsServer(handle, { port: options.port ?? 0 });
  vaultUrl = server.url;
  return {
    url: server.url,
    control: {
      grantRole: (objectId, role) => roles.grant(objectId, role),
      injectFault: (fault) => faults.inject(fault),
      setAvailable: (available) => faults.setAvailable(available),
      secretVersions: (name) =>
        store.allVersions(name).map((version) => ({
          version: version.version,
          value: version.value,
          tags: { ...version.tags },
          enabled: version.enabled,
          ...(version.exp !== undefined ? { expiresOn: new Date(version.exp * 1000) } : {}),
        })),
      requestLog: () => log.map((entry) => ({ ...entry })),
    },
    close: () => server.close(),
  };
}

/**
 * api-version is mandatory. An unknown version gets the service's text
 * (https://github.com/Azure/azure-sdk-for-python/issues/28595); the text for a missing one is [inferred].
 */
function requireApiVersion(apiVersion: string | null, accepted: string[]): string {
  if (!apiVersion) throw badParameter("The 'api-version' query parameter is required.");
  if (!accepted.includes(apiVersion)) {
    throw badParameter(
      `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${accepted.at(-1)}).`,
    );
  }
  return apiVersion;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badParameter('The request body is not valid JSON.');
  }
}
