import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

/** Claims the stand-ins read from an Entra access token. */
export interface EntraAccessTokenClaims extends JWTPayload {
  tid: string;
  oid?: string;
  appid?: string;
  azp?: string;
  roles?: string[];
  scp?: string;
  upn?: string;
  preferred_username?: string;
}

export type BearerCheck =
  | { ok: true; claims: EntraAccessTokenClaims; token: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'wrong_audience'; message: string };

export interface EntraBearerVerifierOptions {
  /** The Entra stand-in's base URL (`https://127.0.0.1:PORT`); issuers are `${entraUrl}/{tenant}/v2.0`. */
  entraUrl: string;
  /** Accepted `aud` values. */
  audiences: string[];
}

/**
 * Verifies `Authorization: Bearer <jwt>` the way a resource server in front of Entra does: signature
 * against the tenant's JWKS, issuer bound to the token's own `tid`, audience, expiry.
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export function createEntraBearerVerifier(options: EntraBearerVerifierOptions) {
  const jwks = createRemoteJWKSet(new URL(`${options.entraUrl}/common/discovery/v2.0/keys`));
  return async function verifyBearer(req: IncomingMessage): Promise<BearerCheck> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      return { ok: false, reason: 'missing', message: 'No bearer token in the Authorization header.' };
    const token = match[1];
    try {
      const { payload } = await jwtVerify(token, jwks, { clockTolerance: 0 });
      const tid = typeof payload.tid === 'string' ? payload.tid : '';
      if (payload.iss !== `${options.entraUrl}/${tid}/v2.0`) {
        return { ok: false, reason: 'invalid', message: `Issuer '${payload.iss}' is not trusted.` };
      }
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.some((aud) => aud !== undefined && options.audiences.includes(aud))) {
        return {
          ok: false,
          reason: 'wrong_audience',
          message: `Audience '${String(payload.aud)}' is not accepted.`,
        };
      }
      return { ok: true, claims: payload as EntraAccessTokenClaims, token };
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        return { ok: false, reason: 'expired', message: 'The token is expired.' };
      return { ok: false, reason: 'invalid', message: 'The token signature or format is invalid.' };
    }
  };
}
