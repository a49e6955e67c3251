import type { ResponseCookie } from './web-types.js';

/**
 * The two cookies of the sign-in. Both are `__Host-` cookies: Secure, `Path=/`, no `Domain`, so no
 * sibling subdomain can set or overwrite them (RFC 6265bis §4.1.3.2,
 * https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3.2). Both are
 * HttpOnly: no script ever needs them. Chromium treats http://127.0.0.1 and http://localhost as secure
 * contexts, so the local host can use them too.
 */
export const transactionCookieName = '__Host-ucprov-signin';
export const csrfCookieName = '__Host-ucprov-csrf';

/** R8: at most 10–15 minutes, aligned with Entra's ~10 minute authorization codes. */
export const transactionLifetimeInSeconds = 10 * 60;
/** Long enough to read the confirmation page and press the button. */
export const csrfLifetimeInSeconds = 60 * 60;

/**
 * Binds the OAuth transaction to the browser that started it (RFC 9700 §4.5.3, §4.7.1). It holds only
 * an opaque transaction id; the verifier and state stay on the server (R8). `SameSite=None` because
 * Entra's form_post to the callback is a cross-site POST, which drops Lax and Strict cookies
 * (learn.microsoft.com/entra/identity-platform/howto-handle-samesite-cookie-changes-chrome-browser).
 * @see RFC 9700 §4.5.3.1 https://www.rfc-editor.org/rfc/rfc9700#section-4.5.3.1
 */
export function transactionCookie(transactionId: string): ResponseCookie {
  return {
    name: transactionCookieName,
    value: transactionId,
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'None',
    maxAge: transactionLifetimeInSeconds,
  };
}

/**
 * Double-submit anti-CSRF value for `POST /api/signin` (R4): the confirmation page's form carries it and
 * this cookie carries it; a cross-site form can send neither (`SameSite=Strict`), and the `__Host-` prefix
 * closes the cookie-injection gap OWASP names for the plain double-submit pattern. `Origin` is checked too.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#alternative-using-a-double-submit-cookie-pattern
 */
export function csrfCookie(value: string): ResponseCookie {
  return {
    name: csrfCookieName,
    value,
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: csrfLifetimeInSeconds,
  };
}

/** An instruction to the browser to drop a cookie set earlier (same name, path and attributes, Max-Age=0). */
export function expiredCookie(cookie: ResponseCookie): ResponseCookie {
  return { ...cookie, value: '', maxAge: 0 };
}

/** The `Cookie` request header as a map; the first value wins for a repeated name (RFC 6265 §5.4). */
export function parseCookieHeader(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}
