import { DatabricksApiError } from '../databricks/databricks-error.js';
import { PermanentError, TransientError } from '../errors.js';

/**
 * Turns a Databricks refusal into an outcome the requester can act on. Retryable statuses were already
 * retried by the client and arrive here as TransientError; 401 means our own token was refused, which a
 * redelivery with a fresh token can fix.
 */
export function mapDatabricksError(error: unknown, what: string): unknown {
  if (!(error instanceof DatabricksApiError)) return error;
  const detail = `${error.errorCode ?? error.status}: ${error.apiMessage}${error.requestId ? ` (request id ${error.requestId})` : ''}`;
  if (error.status === 401)
    return new TransientError('databricks', `Databricks refused the provisioner's token while ${what}.`, {
      cause: error,
    });
  if (error.status === 403) {
    return PermanentError.rejected(
      'DATABRICKS_PERMISSION_DENIED',
      `Databricks denied ${what} — ${detail}. Grant the provisioner's service principal the missing privilege (CREATE CONNECTION, CREATE CATALOG or ownership) in this workspace.`,
    );
  }
  return new PermanentError(
    'failed',
    [{ code: 'DATABRICKS_REJECTED', message: `Databricks rejected ${what} — ${detail}.` }],
    {
      cause: error,
    },
  );
}
