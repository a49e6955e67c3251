import type { IncomingMessage } from 'node:http';
import { createEntraBearerVerifier } from '../shared/entra-bearer.js';
import type { WorkspaceDirectory, WorkspacePrincipal } from './directory.js';
import { permissionDenied, unauthenticated } from './errors.js';

/** Azure Databricks' first-party application id, the `aud` of workspace tokens (SDK `environments.go`). */
export const azureDatabricksAppId = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';

/** SDK `azureReuseTokenSource`: "Azure Databricks rejects tokens that expire in 30 seconds or less". */
const minimumRemainingLifetimeInSeconds = 30;

export type Authenticate = (req: IncomingMessage) => Promise<WorkspacePrincipal>;

/**
 * `Authorization: Bearer <Entra JWT>` for the Databricks audience → the workspace principal making the call.
 * A user token (delegated: `scp`, `upn`/`preferred_username`) maps to a user; an app-only token to the service
 * principal named by `appid`/`azp` (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * Callers not added to the workspace get 403 [inferred wording; the SP must be a workspace user,
 * learn.microsoft.com/azure/databricks/dev-tools/auth/azure-sp].
 */
export function createAuthenticator(entraUrl: string, directory: WorkspaceDirectory): Authenticate {
  const verifyBearer = createEntraBearerVerifier({ entraUrl, audiences: [azureDatabricksAppId] });
  return async (req) => {
    const check = await verifyBearer(req);
    if (!check.ok) throw unauthenticated(check.message);
    const { claims } = check;
    const secondsLeft = (claims.exp ?? 0) - Date.now() / 1000;
    if (secondsLeft <= minimumRemainingLifetimeInSeconds) {
      throw unauthenticated(
        `The token expires in ${Math.floor(secondsLeft)} seconds; tokens need more than 30 s left.`,
      );
    }
    const isUser = claims.scp !== undefined || claims.upn !== undefined;
    const userName = isUser ? (claims.upn ?? claims.preferred_username) : undefined;
    const applicationId = isUser ? undefined : (claims.appid ?? claims.azp);
    const principal = directory.findCaller({ userName, applicationId });
    if (!principal) {
      throw permissionDenied(
        `${userName ?? applicationId ?? 'The caller'} is not a member of this workspace.`,
      );
    }
    return principal;
  };
}
