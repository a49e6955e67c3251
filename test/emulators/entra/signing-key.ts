import { createHash, generateKeyPairSync } from 'node:crypto';

export interface SigningKey {
  /** Also the `x5t` of every token, as in Entra, where `kid` equals the certificate thumbprint. */
  kid: string;
  privateJwk: Record<string, unknown>;
  /** What `/discovery/v2.0/keys` publishes. */
  publicJwks: { keys: Array<Record<string, unknown>> };
}

/**
 * One RS256 key shared by every tenant: Entra signs all tenants' tokens with the same keys and serves
 * the same set at `/common/discovery/v2.0/keys` and `/{tenant}/discovery/v2.0/keys`.
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature
 */
export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
  const { n, e } = publicKey.export({ format: 'jwk' });
  return {
    kid,
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
    publicJwks: { keys: [{ kty: 'RSA', use: 'sig', kid, x5t: kid, n, e }] },
  };
}
