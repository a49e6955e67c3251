import { u2mScope } from '../provisioning/connection-options.js';

export interface AuthorizeRequestInput {
  /** The tenant-specific `…/{tenant}/oauth2/v2.0/authorize`, never `common` (R6). */
  authorizeEndpoint: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  loginHint: string;
}

/**
 * The URL `POST /api/signin` redirects the browser to (R6). Every parameter is fixed here or comes from
 * the server-side record; nothing from the incoming request, so this is no open redirector (R13).
 * - `response_mode=form_post`: the code arrives in a POST body, not in a URL that browser history,
 *   Referer headers or request logs would keep (RFC 9700 §4.2.4, §4.3).
 * - `code_challenge_method=S256` always named: Entra assumes `plain` otherwise (v2-oauth2-auth-code-flow.md).
 * - `prompt=select_account` + `login_hint`: an admin already signed in as someone else is asked which
 *   account to use instead of binding that account silently (v2-oauth2-auth-code-flow.md).
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 * @see RFC 7636 §4.3 https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export function authorizeUrl(input: AuthorizeRequestInput): string {
  const url = new URL(input.authorizeEndpoint);
  const parameters: Record<string, string> = {
    client_id: input.clientId,
    response_type: 'code',
    redirect_uri: input.redirectUri,
    response_mode: 'form_post',
    scope: u2mScope,
    state: input.state,
    code_challenge: input.codeChallenge,
    code_challenge_method: 'S256',
    login_hint: input.loginHint,
    prompt: 'select_account',
  };
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.href;
}
