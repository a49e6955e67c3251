import { createHash } from 'node:crypto';
import type { IssuedToken, UnknownRecord } from 'oidc-provider';
import type { Directory } from './directory.js';
import { delegatedPermission } from './resources.js';

/**
 * Rewrites oidc-provider's RFC 9068 access-token payload into an Entra v2 access token.
 * Claim names: https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 * - app tokens (client credentials): `oid` = `sub` = the service principal's object id; `roles` = the app
 *   roles assigned to it for this resource, omitted when none;
 * - user tokens: `oid` = the user, `sub` pairwise per app, `scp`, `upn`, `preferred_username`, `name`;
 * - both: `tid`, `azp`/`azpacr` (v2) and `appid`/`appidacr` (v1) = the client, `nbf`, `ver`, `uti`;
 *   oidc-provider's `client_id`, `scope` and `jti` are not Entra claims and are removed.
 * The header says `typ: JWT` with `x5t` (Entra) instead of oidc-provider's `at+jwt`.
 */
export function createEntraClaimsCustomizer(tenantId: string, directory: Directory, kid: string) {
  return (_ctx: unknown, token: IssuedToken, jwt: { header?: UnknownRecord; payload: UnknownRecord }) => {
    const { client_id: clientId, scope: _scope, jti, ...payload } = jwt.payload;
    const appId = String(clientId);
    const resource = String(payload.aud);
    const common = {
      nbf: payload.iat,
      tid: tenantId,
      azp: appId,
      azpacr: '1',
      appid: appId,
      appidacr: '1',
      uti: jti,
      ver: '2.0',
    };
    jwt.header = { typ: 'JWT', x5t: kid };
    jwt.payload = { ...payload, ...common, ...(token.accountId ? userClaims(token.accountId) : appClaims()) };

    function userClaims(userObjectId: string) {
      const user = directory.userById(userObjectId);
      return {
        oid: userObjectId,
        sub: createHash('sha256').update(`${userObjectId}:${appId}`).digest('base64url').slice(0, 43),
        scp: delegatedPermission,
        upn: user?.username,
        preferred_username: user?.username,
        name: user?.displayName,
      };
    }

    function appClaims() {
      const app = directory.appInTenant(tenantId, appId);
      const roles = directory.rolesFor(appId, resource);
      return {
        oid: app?.servicePrincipalObjectId,
        sub: app?.servicePrincipalObjectId,
        ...(roles.length > 0 ? { roles } : {}),
      };
    }
  };
}
