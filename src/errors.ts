/**
 * The closed set of reasons a request can be rejected or fail. Each code is documented in
 * docs/statuses.md; messages never contain secret values.
 */
export const reasonCodes = [
  // rejected: the request itself must change
  'INVALID_REQUEST',
  'SECRET_IN_REQUEST',
  'WORKSPACE_NOT_ALLOWED',
  'HOST_NOT_ALLOWED',
  'INVALID_NAME',
  'SECRET_NOT_FOUND',
  'KEY_VAULT_FORBIDDEN',
  'CONNECTION_NOT_MANAGED',
  'CATALOG_NOT_MANAGED',
  'DATABRICKS_REJECTED',
  'DATABRICKS_PERMISSION_DENIED',
  'REAUTHORIZE_NOT_POSSIBLE',
  // failed: the request was valid, the outcome was not what it asked for
  'CREDENTIAL_TYPE_MISMATCH',
  'SIGN_IN_FAILED',
  'SIGN_IN_EXPIRED',
  'SIGN_IN_NOT_CONFIGURED',
  // dead_lettered: transient faults outlasted every delivery
  'TRANSIENT_FAILURE',
] as const;
export type ReasonCode = (typeof reasonCodes)[number];

/** One precise, actionable reason: what is wrong, where (JSON path for request fields), what was expected. */
export interface Reason {
  code: ReasonCode;
  message: string;
  /** JSON path into the request, e.g. `connection.host`, when the reason is about one field. */
  path?: string;
}

/**
 * A permanent outcome: retrying the same request cannot succeed. `outcome` says which terminal status
 * it ends in. Messages are safe to store and show (no secrets).
 */
export class PermanentError extends Error {
  readonly outcome: 'rejected' | 'failed';
  readonly reasons: Reason[];

  constructor(outcome: 'rejected' | 'failed', reasons: Reason[], options?: { cause?: unknown }) {
    super(reasons.map((reason) => reason.message).join(' '), options);
    this.name = 'PermanentError';
    this.outcome = outcome;
    this.reasons = reasons;
  }

  static rejected(code: ReasonCode, message: string, path?: string): PermanentError {
    return new PermanentError('rejected', [{ code, message, ...(path ? { path } : {}) }]);
  }

  static failed(code: ReasonCode, message: string): PermanentError {
    return new PermanentError('failed', [{ code, message }]);
  }
}

/**
 * A fault that may clear on its own (throttling, outages, timeouts). Thrown out of the queue handler so
 * Service Bus redelivers the message. `service` names the dependency for the status and logs.
 */
export class TransientError extends Error {
  readonly service: string;

  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
    this.service = service;
  }
}
