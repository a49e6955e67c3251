import { CookieJar } from './cookie-jar.js';
import { htmlUnescape } from './pages.js';
import type { SignInCredentials, SignInResult } from './types.js';

/** The sign-in stopped on an Entra page instead of returning to the app (wrong password, AADSTS50011, …). */
export class EntraSignInError extends Error {
  constructor(
    /** `AADSTS50126`, `AADSTS50011`, … */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EntraSignInError';
  }
}

const maxSteps = 12;

/**
 * Plays the browser for an interactive sign-in: GET the authorize URL, follow redirects by hand
 * (keeping Entra's cookies), submit the sign-in form, answer the consent page, and stop at what Entra
 * sends back to the app — a `form_post` page or a query redirect — without calling the app.
 */
export async function signInProgrammatically(
  authorizeUrl: string,
  credentials: SignInCredentials,
): Promise<SignInResult> {
  const entraOrigin = new URL(authorizeUrl).origin;
  const jar = new CookieJar();
  let response = await jar.fetch(authorizeUrl);
  for (let step = 0; step < maxSteps; step += 1) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, response.url);
      if (target.origin !== entraOrigin) return queryResult(target);
      response = await jar.fetch(target.href);
      continue;
    }
    const html = await response.text();
    const pageError = /data-error-code="([^"]*)"[^>]*>([^<]*)</.exec(html);
    if (pageError) throw new EntraSignInError(pageError[1] ?? '', htmlUnescape(pageError[2] ?? ''));
    const pageUrl = response.url;
    if (html.includes('name="hiddenform"')) return formPostResult(html);
    if (html.includes('id="loginForm"')) {
      response = await jar.post(formAction(html, pageUrl), {
        username: credentials.username,
        password: credentials.password,
      });
    } else if (html.includes('id="consentForm"')) {
      response = await jar.post(formAction(html, pageUrl), { decision: credentials.consent ?? 'accept' });
    } else {
      throw new Error(`Unexpected page from Entra (HTTP ${response.status}): ${html.slice(0, 300)}`);
    }
  }
  throw new Error(`Sign-in did not finish within ${maxSteps} steps.`);
}

function queryResult(target: URL): SignInResult {
  return result(`${target.origin}${target.pathname}`, 'query', Object.fromEntries(target.searchParams));
}

function formPostResult(html: string): SignInResult {
  const action = /<form method="POST" name="hiddenform" action="([^"]*)"/.exec(html)?.[1] ?? '';
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(
    ([, name, value]) => [name ?? '', htmlUnescape(value ?? '')] as const,
  );
  return result(htmlUnescape(action), 'form_post', Object.fromEntries(fields));
}

function result(
  redirectUri: string,
  responseMode: SignInResult['responseMode'],
  parameters: Record<string, string>,
): SignInResult {
  const optional = {
    code: parameters.code,
    state: parameters.state,
    error: parameters.error,
    errorDescription: parameters.error_description,
  };
  const present = Object.entries(optional).filter(([, value]) => value !== undefined);
  return { redirectUri, responseMode, parameters, ...Object.fromEntries(present) };
}

function formAction(html: string, pageUrl: string): string {
  const action = /<form id="(?:loginForm|consentForm)" method="post" action="([^"]*)"/.exec(html)?.[1] ?? '';
  return new URL(htmlUnescape(action), pageUrl).href;
}
