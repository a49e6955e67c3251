import { type RequestStatusView, requestStatuses } from '../../src/request-status.js';
import { CliError } from '../cli-error.js';
import type { StatusEndpoint } from '../connection/status-endpoint.js';
import { exitCodes } from '../exit-codes.js';

/** The status endpoint could not answer. `transient` faults (network, 5xx) may clear while waiting. */
export class StatusEndpointError extends CliError {
  readonly transient: boolean;

  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super(exitCodes.connection, message, options);
    this.name = 'StatusEndpointError';
    this.transient = transient;
  }
}

const requestTimeoutInMs = 15_000;

/**
 * `GET {base}/api/requests/{id}` with the function key in `x-functions-key`
 * (https://learn.microsoft.com/azure/azure-functions/function-keys-how-to#use-access-keys).
 * Resolves undefined for 404 (no such request, yet).
 */
export async function fetchRequestStatus(
  endpoint: StatusEndpoint,
  requestId: string,
): Promise<RequestStatusView | undefined> {
  const url = `${endpoint.baseUrl}/api/requests/${encodeURIComponent(requestId)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'x-functions-key': endpoint.functionKey, accept: 'application/json' },
      signal: AbortSignal.timeout(requestTimeoutInMs),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    const sandboxHint = endpoint.source.includes('.sandbox')
      ? " Is the sandbox still running? Start it with 'npm run sandbox -- --detach'."
      : '';
    throw new StatusEndpointError(
      `Cannot reach the status endpoint at ${endpoint.baseUrl} (from ${endpoint.source}): ${code}.${sandboxHint}`,
      true,
      { cause: error },
    );
  }
  const text = await response.text();
  if (response.status === 404) return undefined;
  if (response.status === 401 || response.status === 403) {
    throw new StatusEndpointError(
      `The status endpoint at ${endpoint.baseUrl} refused the function key (HTTP ${response.status}): ` +
        'pass the right one with --function-key or UCPROV_FUNCTION_KEY.',
      false,
    );
  }
  if (response.status !== 200) {
    throw new StatusEndpointError(
      `The status endpoint at ${endpoint.baseUrl} answered HTTP ${response.status}${errorMessageOf(text)}.`,
      response.status >= 500 || response.status === 429,
    );
  }
  const view = parseView(text);
  if (!view) {
    throw new StatusEndpointError(
      `${endpoint.baseUrl} did not answer with a request status: is --functions-url the provisioner's function app?`,
      false,
    );
  }
  return view;
}

function parseView(text: string): RequestStatusView | undefined {
  try {
    const value = JSON.parse(text) as Partial<RequestStatusView>;
    const known: readonly string[] = requestStatuses;
    return typeof value.status === 'string' && known.includes(value.status) && Array.isArray(value.reasons)
      ? (value as RequestStatusView)
      : undefined;
  } catch {
    return undefined;
  }
}

function errorMessageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? `: ${message}` : '';
  } catch {
    return '';
  }
}
