import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../logger.js';
import { authorizeEndpointFor } from '../provisioning/connection-options.js';
import { ConcurrencyConflict } from '../state/concurrency-conflict.js';
import { isSignedInAs } from './approver-identity.js';
import { authorizeUrl } from './authorize-request.js';
import {
  csrfCookie,
  csrfCookieName,
  parseCookieHeader,
  transactionCookie,
  transactionLifetimeInSeconds,
} from './cookies.js';
import { isFormPost, readForm } from './form-body.js';
import { linkProblem } from './link-state.js';
import { securityHeaders } from './page-layout.js';
import { confirmationPage, problemPage } from './pages.js';
import { createPkcePair } from './pkce.js';
import { hashToken, randomToken } from './random-token.js';
import { signInPath } from './routes.js';
import { isSameOriginPost } from './same-origin.js';
import { type SignInConfiguration, signInConfiguration } from './sign-in-configuration.js';
import type { SignInDependencies } from './sign-in-dependencies.js';
import { SignInProblem } from './sign-in-problem.js';
import type { SignInLink } from './sign-in-store.js';
import type { PageResponse, WebRequest } from './web-types.js';

/** A value `randomToken` could have made: 32 octets, base64url. Anything else in a cookie is ignored. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

/**
 * `/api/signin` (docs/u2m-sign-in.md "How it works"): GET and HEAD show what the link approves and change
 * nothing (R3: mail scanners fetch links before people do); POST, from that page only, consumes the link once
 * and starts the OAuth authorization with PKCE (R4, R6–R8).
 */
export class SignInEndpoint {
  readonly #deps: SignInDependencies;

  constructor(deps: SignInDependencies) {
    this.#deps = deps;
  }

  async handle(request: WebRequest, logger: Logger): Promise<PageResponse> {
    const configuration = signInConfiguration(this.#deps.settings);
    if (!configuration) return problemPage('NOT_CONFIGURED');
    const method = request.method.toUpperCase();
    try {
      if (method === 'GET') return await this.#confirm(request, configuration);
      if (method === 'HEAD') return withoutBody(await this.#confirm(request, configuration));
      if (method === 'POST') return await this.#start(request, configuration, logger);
      return problemPage('METHOD_NOT_ALLOWED', { allow: 'GET, HEAD, POST' });
    } catch (error) {
      if (!(error instanceof SignInProblem)) throw error;
      logger.info('signin.link_refused', { method, problem: error.code });
      const response = problemPage(error.code);
      return method === 'HEAD' ? withoutBody(response) : response;
    }
  }

  /** R3: reads only. The anti-CSRF cookie it sets is browser state, not server state. */
  async #confirm(request: WebRequest, configuration: SignInConfiguration): Promise<PageResponse> {
    const token = new URL(request.url).searchParams.get('t');
    if (!token) throw new SignInProblem('LINK_MISSING');
    const { link } = await this.#usableLink(token);
    // Several tabs of the same link share one value, so each tab's form stays valid.
    const existing = parseCookieHeader(request.headers.get('cookie')).get(csrfCookieName);
    const csrf = existing && tokenShape.test(existing) ? existing : randomToken();
    return confirmationPage({
      intent: link.intent,
      expiresAt: link.expiresAt,
      token,
      csrf,
      formAction: `${configuration.publicBaseUrl}${signInPath}`,
      formTargets: formTargets(configuration, this.#deps.sqlAuthorityHost),
      cookies: [csrfCookie(csrf)],
    });
  }

  /**
   * The checks, in this order: same origin (R4), anti-CSRF value (R4), the link is usable (R2), the caller is
   * the approver when required (R5); then the link is consumed with a conditional write, so of two POSTs only
   * one starts a sign-in (R4), and the transaction is stored server-side (R8).
   */
  async #start(
    request: WebRequest,
    configuration: SignInConfiguration,
    logger: Logger,
  ): Promise<PageResponse> {
    const { store, scrubber, now, settings } = this.#deps;
    if (!isSameOriginPost(request.headers, configuration.publicOrigin)) {
      throw new SignInProblem(
        'ORIGIN_MISMATCH',
        'Origin / Sec-Fetch-Site do not show a post from this site.',
        {
          cause: { expected: configuration.publicOrigin },
        },
      );
    }
    if (!isFormPost(request)) throw new SignInProblem('CSRF_MISMATCH', 'The body is not a form post.');
    const form = await readForm(request);
    const token = form.get('t');
    const sentCsrf = form.get('csrf');
    const cookieCsrf = parseCookieHeader(request.headers.get('cookie')).get(csrfCookieName);
    if (!sentCsrf || !cookieCsrf || !sameSecret(sentCsrf, cookieCsrf)) {
      throw new SignInProblem('CSRF_MISMATCH', 'The form’s anti-CSRF value does not match its cookie.');
    }
    if (!token) throw new SignInProblem('LINK_MISSING');
    const { link, etag } = await this.#usableLink(token);
    const { intent } = link;
    if (
      settings.signIn.requireApproverIdentity &&
      !isSignedInAs(request.headers.get('x-ms-client-principal'), intent.approver)
    ) {
      throw new SignInProblem('APPROVER_MISMATCH', 'The signed-in caller is not the approver.');
    }
    try {
      await store.consumeLink(link.tokenHash, etag, new Date(now()));
    } catch (error) {
      if (error instanceof ConcurrencyConflict) throw new SignInProblem('LINK_USED_CONCURRENTLY');
      throw error;
    }

    const pkce = createPkcePair();
    const state = randomToken();
    const transactionId = randomToken();
    for (const secret of [pkce.verifier, state, transactionId]) scrubber.remember(secret);
    const authorizeEndpoint = authorizeEndpointFor(this.#deps.sqlAuthorityHost, intent.auth.tenantId);
    await store.putTransaction({
      stateHash: hashToken(state),
      cookieHash: hashToken(transactionId),
      verifier: pkce.verifier,
      linkHash: link.tokenHash,
      requestId: intent.requestId,
      tenantId: intent.auth.tenantId,
      authorizeEndpoint,
      redirectUri: configuration.redirectUri,
      expiresAt: new Date(now() + transactionLifetimeInSeconds * 1000),
    });
    logger.info('signin.started', {
      requestId: intent.requestId,
      workspace: intent.workspace,
      connection: intent.connection.name,
    });
    return {
      status: 302,
      headers: {
        ...securityHeaders(),
        location: authorizeUrl({
          authorizeEndpoint,
          clientId: intent.auth.clientId,
          redirectUri: configuration.redirectUri,
          state,
          codeChallenge: pkce.challenge,
          loginHint: intent.approver,
        }),
      },
      // The anti-CSRF cookie stays: a second press of the button then learns "already used" (410).
      cookies: [transactionCookie(transactionId)],
    };
  }

  async #usableLink(token: string): Promise<{ link: SignInLink; etag: string }> {
    const found = await this.#deps.store.getLink(hashToken(token));
    if (!found) throw new SignInProblem('LINK_UNKNOWN');
    const { intent } = found.link;
    const current = await this.#deps.store.currentLink(intent.workspace, intent.connection.name);
    const problem = linkProblem(found.link, current, this.#deps.now());
    if (problem) throw new SignInProblem(problem);
    return found;
  }
}

/** CSP form-action for the confirmation page: our own POST, and the Entra redirect that follows it. */
function formTargets(configuration: SignInConfiguration, authorityHost: string): string[] {
  return [configuration.publicOrigin, new URL(authorityHost).origin];
}

/** Constant-time comparison, so response timing says nothing about how much of a guess was right. */
function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** HEAD: the GET's status and headers, no body (RFC 9110 §9.3.2). */
function withoutBody(response: PageResponse): PageResponse {
  const { body: _body, ...rest } = response;
  return rest;
}
