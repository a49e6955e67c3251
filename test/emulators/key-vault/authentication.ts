import type { IncomingMessage } from 'node:http';
import { decodeJwt } from 'jose';
import { createEntraBearerVerifier } from '../shared/entra-bearer.js';
import { KeyVaultError } from './errors.js';

/** Key Vault's resource identifier and its first-party application id, both accepted as `aud`. */
export const keyVaultResource = 'https://vault.azure.net';
const keyVaultAppId = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093';

export interface KeyVaultCaller {
  objectId?: string;
  appId?: string;
  issuer: string;
}

export type AuthenticationResult = { ok: true; caller: KeyVaultCaller } | { ok: false; error: KeyVaultError };

export interface KeyVaultAuthenticatorOptions {
  entraUrl: string;
  /** The vault's tenant: named in the challenge, and the only tenant whose tokens the vault accepts. */
  tenantId: string;
}

/**
 * Challenge-based bearer authentication as `@azure/keyvault-common` keyVaultAuthenticationPolicy expects it:
 * every 401 carries `WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="https://vault.azure.net"`
 * (header observed in the azure-sdk-for-js recordings); the SDK takes the tenant from the authorization URL's path
 * and asks for `<resource>/.default`.
 */
export function createKeyVaultAuthenticator(options: KeyVaultAuthenticatorOptions) {
  const verifyBearer = createEntraBearerVerifier({
    entraUrl: options.entraUrl,
    audiences: [keyVaultResource, keyVaultAppId],
  });
  const expectedIssuer = `${options.entraUrl}/${options.tenantId}/v2.0`;
  const challenge = `Bearer authorization="${options.entraUrl}/${options.tenantId}", resource="${keyVaultResource}"`;

  async function authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const check = await verifyBearer(req);
    if (check.ok) {
      const { claims } = check;
      // AKV10032 — see https://github.com/MicrosoftDocs/azure-docs/issues/75410 (token from another tenant).
      if (claims.iss !== expectedIssuer) {
        return unauthorized(
          `AKV10032: Invalid issuer. Expected one of ${expectedIssuer}, found ${claims.iss}.`,
        );
      }
      return {
        ok: true,
        caller: { objectId: claims.oid, appId: claims.appid ?? claims.azp, issuer: claims.iss },
      };
    }
    switch (check.reason) {
      // AKV10000 — recordings, e.g. `recording_can_list_secret_versions_non_existing.json`.
      case 'missing':
        return unauthorized('AKV10000: Request is missing a Bearer or PoP token.');
      // AKV10022 — https://github.com/argoproj-labs/argocd-vault-plugin/issues/621 (both accepted audiences listed).
      case 'wrong_audience':
        return unauthorized(
          `AKV10022: Invalid audience. Expected ${keyVaultResource} or ${keyVaultAppId}, found: ${audienceOf(req)}.`,
        );
      // The service's texts for expired and otherwise invalid tokens were not found; these are [inferred].
      case 'expired':
        return unauthorized('The access token is expired.');
      case 'invalid':
        return unauthorized(`The access token is invalid: ${check.message}`);
    }
  }

  return { challenge, authenticate };
}

function unauthorized(message: string): AuthenticationResult {
  return { ok: false, error: new KeyVaultError(401, 'Unauthorized', message) };
}

function audienceOf(req: IncomingMessage): string {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  try {
    return String(decodeJwt(token).aud);
  } catch {
    return '';
  }
}
