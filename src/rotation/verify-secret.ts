import { AccessTokenError } from '../databricks/access-token-error.js';
import { TransientError } from '../errors.js';
import { sqlScope } from '../provisioning/connection-options.js';
import { abortable } from '../retry/abortable.js';
import { type RetryOptions, withRetries } from '../retry/retry-policy.js';
import { RotationError } from './rotation-error.js';

export interface SecretVerificationOptions {
  /** Entra authority host of the app's cloud, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /**
   * How long to keep trying while Entra propagates the new secret. No SLA is published; 4–18 s was observed
   * (microsoftgraph/microsoft-graph-docs-contrib#1921), so the default budget is 2 minutes, which also keeps an
   * operator's HTTP-triggered rotation inside the 230 s front-end timeout.
   */
  retry: RetryOptions;
  /** The token each attempt asks for; M2M connections ask for Azure SQL's. */
  scope?: string;
  /** Longest one token request may take. Default 30 s. */
  attemptTimeoutInMs?: number;
}

const publicCloudAuthority = 'https://login.microsoftonline.com';

export const defaultVerificationRetry: RetryOptions = {
  maxAttempts: 1000, // the budget, not the count, ends the wait
  baseDelayInMs: 1000,
  maxDelayInMs: 15_000,
  budgetInMs: 120_000,
};

/**
 * Resolves once a client-credentials token request with the new secret succeeds, i.e. the secret works for
 * everything that will use it. `AADSTS7000215 Invalid client secret` is what Entra answers while a new
 * credential propagates (#1921 above), so that and transient failures are retried with backoff; anything else
 * (an expired secret, a disabled app) is final.
 */
export async function waitUntilSecretAuthenticates(
  app: { tenantId: string; clientId: string; secret: string },
  options: SecretVerificationOptions,
  signal?: AbortSignal,
): Promise<{ attempts: number }> {
  const { ClientSecretCredential } = await import('@azure/identity');
  // A custom authority (sovereign cloud, the local cloud) is unknown to MSAL's instance discovery, which would
  // otherwise ask Microsoft's public endpoint first (src/identity/create-credential.ts).
  const credential = new ClientSecretCredential(app.tenantId, app.clientId, app.secret, {
    authorityHost: options.authorityHost,
    ...(options.authorityHost.replace(/\/+$/, '') === publicCloudAuthority
      ? {}
      : { disableInstanceDiscovery: true }),
  });
  const scope = options.scope ?? sqlScope;
  const attemptTimeoutInMs = options.attemptTimeoutInMs ?? 30_000;
  let attempts = 0;
  try {
    await withRetries(
      async (attempt) => {
        attempts = attempt;
        const timeout = AbortSignal.timeout(attemptTimeoutInMs);
        const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
        await abortable(credential.getToken(scope, { abortSignal }), abortSignal);
      },
      (error) => ({ retry: isPropagating(error) || isTransient(error) }),
      { ...options.retry, ...(signal ? { signal } : {}) },
    );
    return { attempts };
  } catch (error) {
    if (signal?.aborted) throw error;
    if (isPropagating(error)) {
      throw new RotationError(
        'SECRET_NOT_PROPAGATED',
        `The new client secret of app ${app.clientId} was still refused by Entra ID (AADSTS7000215) after ${attempts} attempt(s) within ${Math.round(options.retry.budgetInMs / 1000)} s; new secrets usually work within seconds, so the next run verifies it again before any connection changes.`,
        { needsOperator: false, cause: error },
      );
    }
    if (isTransient(error)) {
      throw new TransientError(
        'entra',
        `Entra ID was unavailable while verifying the new secret of app ${app.clientId}.`,
        {
          cause: error,
        },
      );
    }
    throw new RotationError(
      'SECRET_REJECTED',
      `Entra ID refused the new client secret of app ${app.clientId}: ${firstLine(error)}. Check that the app registration is enabled and that tenant ${app.tenantId} is right; connections keep the old secret meanwhile.`,
      { needsOperator: true, cause: error },
    );
  }
}

/** AADSTS7000215: "Invalid client secret provided" — a secret Entra does not know (yet). */
function isPropagating(error: unknown): boolean {
  return error instanceof Error && error.message.includes('AADSTS7000215');
}

function isTransient(error: unknown): boolean {
  return AccessTokenError.from(error).transient;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
