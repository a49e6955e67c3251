import { decodeJwt } from 'jose';
import { invalidParameter } from './errors.js';
import type { StoredConnection } from './state.js';
import { requestToken, type TokenGrant, TokenRequestError, tokenEndpointFor } from './token-exchange.js';

export type OAuthGrant = NonNullable<StoredConnection['oauthGrant']>;

/**
 * U2M create/PATCH: Databricks redeems the code itself, as a confidential client ([inferred] form, no public
 * source; #4771 shows the redemption happens at create). Each code redeems once at Entra, so a replay fails
 * here too. Failure → 400 with the #4771 message.
 */
export async function redeemAuthorizationCode(options: Record<string, string>): Promise<OAuthGrant> {
  try {
    const grant = await requestToken(tokenEndpointFor(options.authorization_endpoint ?? ''), {
      grant_type: 'authorization_code',
      code: options.authorization_code ?? '',
      redirect_uri: options.oauth_redirect_uri ?? '',
      code_verifier: options.pkce_verifier ?? '',
      client_id: options.client_id ?? '',
      client_secret: options.client_secret ?? '',
      scope: options.oauth_scope ?? '',
    });
    return { refreshToken: grant.refreshToken, accessTokenExpiresAt: grant.expiresAt };
  } catch (error) {
    if (error instanceof TokenRequestError) throw invalidParameter(error.describe());
    throw error;
  }
}

export type ConnectionTestResult = { ok: true; audience: string } | { ok: false; error: string };

/**
 * What a query through the connection would do first: get a token for the SQL resource with the stored credentials.
 * M2M → client_credentials at `token_endpoint`; U2M → refresh_token at the endpoint derived from
 * `authorization_endpoint` (rotated refresh tokens are kept, as a server-side refresher would).
 */
export async function testConnectionCredentials(connection: StoredConnection): Promise<ConnectionTestResult> {
  const { options } = connection;
  const client = { client_id: options.client_id ?? '', client_secret: options.client_secret ?? '' };
  try {
    let grant: TokenGrant;
    if (connection.credentialType === 'OAUTH_M2M') {
      grant = await requestToken(options.token_endpoint ?? '', {
        grant_type: 'client_credentials',
        ...client,
        scope: options.oauth_scope ?? '',
      });
    } else if (connection.credentialType === 'OAUTH_U2M') {
      const refreshToken = connection.oauthGrant?.refreshToken;
      if (!refreshToken) return { ok: false, error: 'The connection holds no refresh token.' };
      grant = await requestToken(tokenEndpointFor(options.authorization_endpoint ?? ''), {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        ...client,
        scope: options.oauth_scope ?? '',
      });
      connection.oauthGrant = {
        refreshToken: grant.refreshToken ?? refreshToken,
        accessTokenExpiresAt: grant.expiresAt,
      };
    } else {
      return {
        ok: false,
        error: 'USERNAME_PASSWORD connections use SQL authentication; there is no token to get.',
      };
    }
    const { aud } = decodeJwt(grant.accessToken);
    return { ok: true, audience: Array.isArray(aud) ? (aud[0] ?? '') : (aud ?? '') };
  } catch (error) {
    if (error instanceof TokenRequestError) return { ok: false, error: error.describe() };
    throw error;
  }
}
