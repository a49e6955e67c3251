/**
 * Whether a POST comes from a page of this site (R4, "`Origin` checked").
 *
 * Our pages send `Referrer-Policy: no-referrer` (R13), and under that policy browsers send `Origin: null` on
 * every non-GET request, same-origin form posts included (Fetch Standard, "serializing a request origin",
 * https://fetch.spec.whatwg.org/#serializing-a-request-origin). So `Origin` alone cannot prove a same-origin
 * post here; Fetch Metadata can: `Sec-Fetch-Site` is set by the browser, cannot be set by page script, and
 * says `same-origin` only for a request initiated by a page of this origin
 * (https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header; OWASP CSRF Cheat Sheet, "Fetch Metadata
 * headers"). The rule, strictest first:
 * - `Origin` present and not `null`: it must be `publicOrigin`;
 * - `Sec-Fetch-Site` present: it must be `same-origin`;
 * - neither: refused (no browser we support sends neither on a form post).
 */
export function isSameOriginPost(
  headers: { get(name: string): string | null },
  publicOrigin: string,
): boolean {
  const origin = headers.get('origin');
  if (origin !== null && origin !== 'null' && origin !== publicOrigin) return false;
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite !== null) return fetchSite === 'same-origin';
  return origin === publicOrigin;
}
