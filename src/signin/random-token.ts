import { createHash, randomBytes } from 'node:crypto';

/**
 * 32 octets = 256 bits: twice the 128-bit floor of R1/R7 (docs/u2m-sign-in.md; RFC 7636 §4.1 recommends 32
 * octets).
 */
const tokenOctets = 32;

/**
 * An opaque, unguessable value from the CSPRNG, base64url without padding (43 characters). Used for the
 * emailed link token, the OAuth `state`, the transaction cookie and the anti-CSRF value.
 * @see RFC 9700 §4.7.1 (state: one-time, unguessable) https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1
 * @see RFC 4648 §5 (base64url) https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function randomToken(): string {
  return randomBytes(tokenOctets).toString('base64url');
}

/**
 * What is stored instead of a bearer value (link token, state, transaction id): its SHA-256, hex. The
 * values carry 256 random bits, so a fast hash is enough; a slow password hash would add nothing
 * (OWASP Forgot Password Cheat Sheet: "store the token in a hashed form").
 */
export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
