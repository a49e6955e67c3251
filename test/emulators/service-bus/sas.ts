import { createHmac, timingSafeEqual } from 'node:crypto';

/** A shared access signature rule of the namespace (the stand-in has exactly one). */
export interface SharedAccessRule {
  keyName: string;
  key: string;
}

/** Why a put-token was refused; `description` mirrors the text Service Bus puts in `status-description`. */
export interface SasRejection {
  code: 'MalformedToken' | 'InvalidSignature' | 'ExpiredToken' | 'InvalidAudience';
  description: string;
}

/**
 * Verifies `SharedAccessSignature sr=…&sig=…&se=…&skn=…` for `audience`, in a fixed order: shape, key name,
 * signature, expiry, scope. Returns the token's expiry (ms) or why it was refused.
 * @see https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas#generate-a-shared-access-signature-token
 *   (signature = HMAC-SHA256 over `encodeURIComponent(sr) + "\n" + se`, keyed with the key's UTF-8 bytes; the same
 *   construction as `createToken` in node_modules/@azure/core-amqp/dist/esm/auth/tokenProvider.js)
 */
export function verifySasToken(
  token: unknown,
  audience: string,
  rule: SharedAccessRule,
  now = Date.now(),
): { ok: true; expiresAtMs: number } | { ok: false; rejection: SasRejection } {
  const fields = parseSasToken(token);
  // The wording is the stand-in's own: Service Bus does not document it for put-token.
  if (!fields)
    return refuse('MalformedToken', 'MalformedToken: The credentials contained in the token are malformed.');
  // An unknown key name and a wrong key are indistinguishable to the caller on purpose; Service Bus answers
  // both with InvalidSignature (seen as "status-code: 401, status-description: InvalidSignature: The token has an
  // invalid signature." in Azure/azure-sdk-for-java#30723).
  const expected = createHmac('sha256', rule.key)
    .update(`${fields.encodedResource}\n${fields.expiry}`)
    .digest();
  const given = Buffer.from(fields.signature, 'base64');
  const signatureMatches = given.length === expected.length && timingSafeEqual(given, expected);
  if (fields.keyName !== rule.keyName || !signatureMatches) {
    return refuse('InvalidSignature', 'InvalidSignature: The token has an invalid signature.');
  }
  const expiresAtMs = Number(fields.expiry) * 1000;
  if (!(expiresAtMs > now)) {
    return refuse(
      'ExpiredToken',
      `ExpiredToken: The token is expired. Expiration time: '${new Date(expiresAtMs).toISOString()}'`,
    );
  }
  // A token grants access to its resource URI and everything below it (service-bus-sas.md, "resource URI").
  if (!uriCovers(fields.resource, audience)) {
    return refuse('InvalidAudience', 'InvalidAudience: The token has an invalid audience.');
  }
  return { ok: true, expiresAtMs };
}

/** True when `scope` names `uri` or one of its ancestors. Entity names are case-insensitive in Service Bus. */
export function uriCovers(scope: string, uri: string): boolean {
  const normalize = (value: string) => value.toLowerCase().replace(/\/+$/, '');
  const base = normalize(scope);
  const target = normalize(uri);
  return target === base || target.startsWith(`${base}/`);
}

interface SasFields {
  resource: string;
  encodedResource: string;
  signature: string;
  expiry: string;
  keyName: string;
}

function parseSasToken(token: unknown): SasFields | undefined {
  if (typeof token !== 'string' || !token.startsWith('SharedAccessSignature ')) return undefined;
  const raw = new Map<string, string>();
  for (const pair of token.slice('SharedAccessSignature '.length).split('&')) {
    const separator = pair.indexOf('=');
    if (separator > 0) raw.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  const [sr, sig, se, skn] = ['sr', 'sig', 'se', 'skn'].map((name) => raw.get(name));
  if (!sr || !sig || !se || !skn || !/^\d+$/.test(se)) return undefined;
  try {
    return {
      resource: decodeURIComponent(sr),
      encodedResource: sr,
      signature: decodeURIComponent(sig),
      expiry: se,
      keyName: decodeURIComponent(skn),
    };
  } catch {
    return undefined;
  }
}

function refuse(code: SasRejection['code'], description: string) {
  return { ok: false as const, rejection: { code, description } };
}
