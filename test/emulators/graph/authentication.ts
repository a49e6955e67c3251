import type { IncomingMessage } from 'node:http';
import type { EntraAccessTokenClaims } from '../shared/entra-bearer.js';
import { createEntraBearerVerifier } from '../shared/entra-bearer.js';
import { invalidAuthenticationToken } from './errors.js';

/** Microsoft Graph's resource URI and its first-party application id; v1 and v2 tokens use one or the other as `aud`. */
const graphAudiences = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

/**
 * Verifies the bearer token (signature via the Entra stand-in's JWKS, issuer, audience, expiry) and maps failures
 * to Graph's 401 `InvalidAuthenticationToken`. "Access token is empty." and "…Invalid audience." are quoted in
 * microsoftgraph/microsoft-graph-docs#16208 and similar reports; the expiry and signature texts are [inferred].
 */
export function createGraphAuthenticator(entraUrl: string) {
  const verifyBearer = createEntraBearerVerifier({ entraUrl, audiences: graphAudiences });
  return async function authenticate(req: IncomingMessage): Promise<EntraAccessTokenClaims> {
    const check = await verifyBearer(req);
    if (check.ok) return check.claims;
    switch (check.reason) {
      case 'missing':
        throw invalidAuthenticationToken('Access token is empty.');
      case 'wrong_audience':
        throw invalidAuthenticationToken('Access token validation failure. Invalid audience.');
      case 'expired':
        throw invalidAuthenticationToken('Lifetime validation failed, the token is expired.');
      case 'invalid':
        throw invalidAuthenticationToken('Access token validation failure.');
    }
  };
}
