import { PermanentError, TransientError } from '../errors.js';
import { GraphApiError, GraphTokenError } from '../graph/graph-error.js';
import { RotationError } from './rotation-error.js';
import type { RotationProblem } from './rotation-record.js';

/**
 * Turns a Microsoft Graph refusal into what a person must grant or change. Permissions per the addPassword and
 * removePassword references: least privileged is the application permission `Application.ReadWrite.OwnedBy`,
 * which needs the caller to own the app; else `Application.ReadWrite.All` (Graph application-addpassword.md).
 */
export function graphProblem(
  error: unknown,
  context: { action: string; clientId: string; provisionerClientId?: string },
): unknown {
  if (error instanceof GraphTokenError && !error.transient) {
    return new RotationError(
      'GRAPH_PERMISSION_MISSING',
      `The provisioner's identity could not get a Microsoft Graph token while trying to ${context.action} (${error.message}). Check the identity's configuration (AZURE_CLIENT_ID, AZURE_TENANT_ID) and that it exists in the app's tenant.`,
      { needsOperator: true, cause: error },
    );
  }
  if (!(error instanceof GraphApiError)) return error;
  const identity = context.provisionerClientId
    ? `the provisioner's identity (client id ${context.provisionerClientId})`
    : "the provisioner's identity";
  const trace = `${error.code}${error.requestId ? `, Graph request id ${error.requestId}` : ''}`;
  if (error.status === 403) {
    return new RotationError(
      'GRAPH_PERMISSION_MISSING',
      `Microsoft Graph denied the permission to ${context.action} for app ${context.clientId} (${trace}). Grant ${identity} the Microsoft Graph application permission Application.ReadWrite.OwnedBy (with admin consent) and add it as an owner of app registration ${context.clientId} — or grant Application.ReadWrite.All instead of ownership.`,
      { needsOperator: true, cause: error },
    );
  }
  if (error.status === 404) {
    return new RotationError(
      'APPLICATION_NOT_FOUND',
      `Microsoft Graph does not know app registration ${context.clientId} in the provisioner's tenant (${trace}). Rotation can only rotate apps in the tenant of its own identity; check the connections' clientId, or rotate this app's secret by hand.`,
      { needsOperator: true, cause: error },
    );
  }
  if (error.status === 400 && isPolicyRefusal(error)) {
    return new RotationError(
      'SECRET_POLICY_BLOCKED',
      `A tenant app-management policy refused a new client secret for app ${context.clientId} (${trace}: ${error.graphMessage}). Exempt the app from the policy's passwordCredentials restrictions (passwordAddition, or passwordLifetime — then ROTATION_SECRET_LIFETIME_DAYS must stay under its maxLifetime), see https://learn.microsoft.com/graph/api/resources/tenantappmanagementpolicy; connections keep the current secret meanwhile.`,
      { needsOperator: true, cause: error },
    );
  }
  return new RotationError(
    'UNEXPECTED_FAILURE',
    `Microsoft Graph refused to ${context.action} for app ${context.clientId} (${error.status} ${trace}: ${error.graphMessage}).`,
    { needsOperator: true, cause: error },
  );
}

/**
 * Policy refusals: `CredentialTypeNotAllowedAsPerAppPolicy` (microsoft/teams-toolkit aadErrorCode, as printed by
 * `az ad app credential reset` in such tenants); lifetime violations also cite the policy in the message [inferred].
 */
function isPolicyRefusal(error: GraphApiError): boolean {
  return (
    /AsPerAppPolicy|Policy/i.test(error.code) ||
    /as per assigned policy|app management policy/i.test(error.graphMessage)
  );
}

/** What the record says about a failed step. */
export function toProblem(error: unknown, at: string): RotationProblem {
  if (error instanceof RotationError) {
    return { code: error.code, message: error.message, needsOperator: error.needsOperator, at };
  }
  if (error instanceof TransientError) {
    return {
      code: 'TRANSIENT_FAILURE',
      message: `${error.service} was unavailable: ${error.message} The next run continues from this step.`,
      needsOperator: false,
      at,
    };
  }
  if (error instanceof PermanentError) {
    return {
      code: 'CONNECTION_UPDATE_FAILED',
      message: error.message,
      needsOperator: true,
      at,
    };
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'UNEXPECTED_FAILURE', message: `Unexpected failure: ${detail}`, needsOperator: true, at };
}
