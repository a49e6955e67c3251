import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 §4.1: 43–128 characters from the unreserved set `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`. */
const codeVerifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface PkcePair {
  /** Stays on the server: only Databricks receives it, as `pkce_verifier` (R8, R12). */
  verifier: string;
  /** Goes to Entra in the authorize request. */
  challenge: string;
  method: 'S256';
}

/**
 * A fresh verifier and its S256 challenge. The verifier is 32 random octets, base64url-encoded:
 * exactly 43 characters, the RFC's own recommendation.
 * @see RFC 7636 §4.1 https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: codeChallengeS256(verifier), method: 'S256' };
}

/**
 * `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`. Only S256: "If the client is capable of using S256,
 * it MUST use S256" (§4.2), and Entra assumes `plain` when the method is left out, so the authorize
 * request always names it (Entra v2-oauth2-auth-code-flow.md, R6).
 * @see RFC 7636 §4.2 https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function codeChallengeS256(verifier: string): string {
  if (!codeVerifierPattern.test(verifier)) {
    throw new RangeError(
      'code_verifier must be 43–128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1); got a value that is not.',
    );
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
