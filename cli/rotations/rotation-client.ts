import type { SecretRotationResult } from '../../src/rotation/rotate-secret.js';
import type { RotationRecord } from '../../src/rotation/rotation-record.js';
import type { ManagedApp } from '../../src/rotation/secret-rotation.js';
import { CliError } from '../cli-error.js';
import type { StatusEndpoint } from '../connection/status-endpoint.js';
import { StatusEndpointError } from '../status/status-client.js';

/** `GET /api/rotations`. */
export interface RotationReport {
  rotations: RotationRecord[];
  apps: ManagedApp[];
}

/** `POST /api/rotations/{tenantId}/{clientId}`: the outcome per secret, and the app's records after it. */
export interface RotationRequestResult {
  results: SecretRotationResult[];
  rotations: RotationRecord[];
}

/** An operator's rotation waits for Entra to accept the new secret (up to 2 minutes) and patches connections. */
const rotateTimeoutInMs = 230_000;
const reportTimeoutInMs = 15_000;

export async function fetchRotationReport(endpoint: StatusEndpoint): Promise<RotationReport> {
  const { status, body } = await call(endpoint, 'GET', '/api/rotations', reportTimeoutInMs);
  if (status !== 200 || !isReport(body)) throw unexpected(endpoint, status, body);
  return body;
}

/** Resolves the result for 200, and for 409 (another run holds the app's lock: the results say `locked`). */
export async function requestRotation(
  endpoint: StatusEndpoint,
  tenantId: string,
  clientId: string,
): Promise<RotationRequestResult> {
  const path = `/api/rotations/${encodeURIComponent(tenantId)}/${encodeURIComponent(clientId)}`;
  const { status, body } = await call(endpoint, 'POST', path, rotateTimeoutInMs);
  if (status === 400) throw CliError.usage(errorMessageOf(body) ?? 'The provisioner refused the ids.');
  if (status === 404) throw CliError.notFound(errorMessageOf(body) ?? `No connection uses app ${clientId}.`);
  if ((status !== 200 && status !== 409) || !isRequestResult(body)) throw unexpected(endpoint, status, body);
  return body;
}

/** Same conventions as the status endpoint: function key in `x-functions-key`, connection errors exit 3. */
async function call(
  endpoint: StatusEndpoint,
  method: 'GET' | 'POST',
  path: string,
  timeoutInMs: number,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${endpoint.baseUrl}${path}`, {
      method,
      headers: { 'x-functions-key': endpoint.functionKey, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutInMs),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new StatusEndpointError(
      `Cannot reach the provisioner at ${endpoint.baseUrl} (from ${endpoint.source}): ${code}.`,
      true,
      { cause: error },
    );
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new StatusEndpointError(
      `The provisioner at ${endpoint.baseUrl} refused the function key (HTTP ${response.status}): pass the right one with --function-key or UCPROV_FUNCTION_KEY.`,
      false,
    );
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

function unexpected(endpoint: StatusEndpoint, status: number, body: unknown): StatusEndpointError {
  const message = errorMessageOf(body);
  return new StatusEndpointError(
    `The provisioner at ${endpoint.baseUrl} answered HTTP ${status}${message ? `: ${message}` : ' without a rotation report'}; is --functions-url the provisioner's function app?`,
    status >= 500,
  );
}

function errorMessageOf(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

function isReport(body: unknown): body is RotationReport {
  const report = body as Partial<RotationReport> | undefined;
  return Array.isArray(report?.rotations) && Array.isArray(report?.apps);
}

function isRequestResult(body: unknown): body is RotationRequestResult {
  const result = body as Partial<RotationRequestResult> | undefined;
  return Array.isArray(result?.results) && Array.isArray(result?.rotations);
}
