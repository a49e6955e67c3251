import { callbackPath } from './routes.js';

/** Characters Entra refuses in redirect URIs (reply-url.md, "Restrictions on characters"). */
const forbiddenCharacters = ['!', '$', "'", '(', ')', ',', ';'];
const maxLength = 256;
const loopbackHosts = new Set(['localhost', '127.0.0.1']);

/**
 * The OAuth redirect URI, derived from the public base URL: the same string goes to Entra as
 * `redirect_uri` and to Databricks as `oauth_redirect_uri`, byte for byte (R12; Entra needs "the same
 * `redirect_uri` value that was used to acquire the `authorization_code`"). The URI has a path, so
 * Entra's trailing-slash rewrite of path-less URIs never applies (Entra reply-url docs; whether Databricks
 * forwards `oauth_redirect_uri` unchanged is unconfirmed).
 */
export function redirectUriFor(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${callbackPath}`;
}

/**
 * Every reason Entra would refuse `uri` as a Web redirect URI, empty when it is acceptable (R16):
 * https (http only for localhost/127.0.0.1), at most 256 characters, no wildcard, none of `! $ ' ( ) , ;`,
 * no query or fragment.
 * @see https://learn.microsoft.com/entra/identity-platform/reply-url (MicrosoftDocs/entra-docs reply-url.md)
 * @see RFC 9700 §2.1 (exact redirect URI matching) https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
export function redirectUriProblems(uri: string): string[] {
  if (!URL.canParse(uri)) return [`'${uri}' is not an absolute URL`];
  const url = new URL(uri);
  const problems: string[] = [];
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.has(url.hostname))) {
    problems.push('must use https (http is allowed only for localhost and 127.0.0.1)');
  }
  if (uri.length > maxLength) problems.push(`must be at most ${maxLength} characters, is ${uri.length}`);
  if (uri.includes('*')) problems.push('must not contain a wildcard (*)');
  const forbidden = forbiddenCharacters.filter((character) => uri.includes(character));
  if (forbidden.length > 0) problems.push(`must not contain ${forbidden.join(' ')}`);
  if (url.search || uri.includes('?')) problems.push('must not have a query string');
  if (url.hash || uri.includes('#')) problems.push('must not have a fragment');
  if (url.username || url.password) problems.push('must not contain user information');
  return problems;
}
