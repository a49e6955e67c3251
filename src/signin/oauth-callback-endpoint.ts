import type { Reason } from '../errors.js';
import type { Logger } from '../logger.js';
import { authorizeEndpointFor } from '../provisioning/connection-options.js';
import { applyU2mConnection } from './apply-u2m-connection.js';
import { expiredCookie, parseCookieHeader, transactionCookie, transactionCookieName } from './cookies.js';
import { isFormPost, readForm } from './form-body.js';
import { failedPage, problemPage, succeededPage, supersededPage } from './pages.js';
import { hashToken } from './random-token.js';
import { retryAdvice } from './retry-advice.js';
import { type SignInConfiguration, signInConfiguration } from './sign-in-configuration.js';
import type { SignInDependencies } from './sign-in-dependencies.js';
import { SignInProblem, signInProblems } from './sign-in-problem.js';
import type { SignInTransaction } from './sign-in-store.js';
import type { U2mIntent } from './u2m-intent.js';
import type { PageResponse, WebRequest } from './web-types.js';

/** Entra error codes are short snake_case words (RFC 6749 §4.1.2.1); anything else is not logged verbatim. */
const oauthErrorCode = /^[a-z_]{1,64}$/;
const maxErrorDescriptionLength = 500;

interface ValidCallback {
  transaction: SignInTransaction;
  intent: U2mIntent;
  form: { get(name: string): string | undefined };
}

/**
 * `POST /api/oauth/callback`, where Entra form_posts `code` and `state` (docs/u2m-sign-in.md "How it works").
 * Anonymous, because a function key travels as `?code=`, which collides with OAuth's `code` (R9).
 */
export class OAuthCallbackEndpoint {
  readonly #deps: SignInDependencies;

  constructor(deps: SignInDependencies) {
    this.#deps = deps;
  }

  async handle(request: WebRequest, logger: Logger): Promise<PageResponse> {
    const configuration = signInConfiguration(this.#deps.settings);
    if (!configuration) return problemPage('NOT_CONFIGURED');
    let valid: ValidCallback;
    try {
      valid = await this.#validate(request, configuration, logger);
    } catch (error) {
      if (!(error instanceof SignInProblem)) throw error;
      logger.info('signin.callback_refused', { problem: error.code });
      return problemPage(error.code, error.code === 'METHOD_NOT_ALLOWED' ? { allow: 'POST' } : {});
    }
    const response = await this.#complete(valid, logger);
    // The transaction is over whatever the outcome: drop its cookie.
    return { ...response, cookies: [expiredCookie(transactionCookie(''))] };
  }

  /**
   * One place, fixed order, each failure its own code (oauth4webapi `validateAuthResponse` order: state
   * before `error`):
   * 1. R9: only `POST application/x-www-form-urlencoded` (form_post), else 405.
   * 2. R10: `state` names a live transaction, which is deleted at once — even if a later check fails.
   * 3. R10: the transaction cookie is present and belongs to that transaction (RFC 9700 §4.7.1: state bound
   *    to the user agent), and the transaction is not older than 10 minutes (R8).
   * 4. R15: the tenant, authorize endpoint and redirect URI recorded at the start are the connection's now
   *    (RFC 9700 §4.4 mix-up; Entra sends no `iss`, so the stored binding is the defence).
   * A failure after step 2 also fails the request: its one-time state is gone.
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1
   */
  async #validate(
    request: WebRequest,
    configuration: SignInConfiguration,
    logger: Logger,
  ): Promise<ValidCallback> {
    const { store, scrubber, now } = this.#deps;
    if (!isFormPost(request)) throw new SignInProblem('METHOD_NOT_ALLOWED');
    const form = await readForm(request);
    const state = form.get('state');
    if (!state) throw new SignInProblem('STATE_MISSING');
    const transaction = await store.takeTransaction(hashToken(state));
    if (!transaction) throw new SignInProblem('STATE_UNKNOWN');
    // Remembered only once they prove genuine: the scrubber must not learn strings an anonymous caller picks.
    scrubber.remember(state);
    const code = form.get('code');
    if (code) scrubber.remember(code);

    /** The state is spent, so the request cannot complete any more: fail it, then refuse the callback. */
    const burned = async (
      problem: 'COOKIE_MISSING' | 'COOKIE_MISMATCH' | 'TRANSACTION_EXPIRED' | 'ISSUER_MISMATCH',
    ) => {
      const { title, explanation } = signInProblems[problem];
      await this.#deps.statuses.record(transaction.requestId, {
        status: 'failed',
        reasons: [{ code: 'SIGN_IN_FAILED', message: `${title}: ${explanation}` }],
      });
      logger.warn('signin.callback_refused_after_state', { requestId: transaction.requestId, problem });
      return new SignInProblem(problem);
    };
    const cookie = parseCookieHeader(request.headers.get('cookie')).get(transactionCookieName);
    if (!cookie) throw await burned('COOKIE_MISSING');
    if (hashToken(cookie) !== transaction.cookieHash) throw await burned('COOKIE_MISMATCH');
    if (transaction.expiresAt.getTime() <= now()) throw await burned('TRANSACTION_EXPIRED');
    const link = await store.getLink(transaction.linkHash);
    if (!link) throw new SignInProblem('STATE_UNKNOWN');
    const { intent } = link.link;
    const expectedEndpoint = authorizeEndpointFor(this.#deps.sqlAuthorityHost, intent.auth.tenantId);
    if (
      transaction.tenantId !== intent.auth.tenantId ||
      transaction.authorizeEndpoint !== expectedEndpoint ||
      transaction.redirectUri !== configuration.redirectUri
    ) {
      throw await burned('ISSUER_MISMATCH');
    }
    return { transaction, intent, form };
  }

  async #complete({ transaction, intent, form }: ValidCallback, logger: Logger): Promise<PageResponse> {
    const { requestId } = intent;
    const entraError = form.get('error');
    if (entraError) {
      // R11: recorded and shown, always as text; the page escapes it like every other value.
      const description = (form.get('error_description') ?? '').slice(0, maxErrorDescriptionLength);
      logger.warn('signin.entra_error', {
        requestId,
        error: oauthErrorCode.test(entraError) ? entraError : 'unrecognised',
      });
      return this.#fail(intent, 400, [
        {
          code: 'SIGN_IN_FAILED',
          message: `Microsoft Entra ID did not complete the sign-in: ${entraError.slice(0, 64)}${description ? ` — ${description}` : ''}. ${retryAdvice(intent)}`,
        },
      ]);
    }
    const code = form.get('code');
    if (!code) {
      return this.#fail(intent, 400, [
        {
          code: 'SIGN_IN_FAILED',
          message: `Microsoft Entra ID returned neither a code nor an error. ${retryAdvice(intent)}`,
        },
      ]);
    }
    const current = await this.#deps.store.currentLink(intent.workspace, intent.connection.name);
    if (current?.linkHash !== transaction.linkHash) return this.#superseded(intent, logger);

    const outcome = await applyU2mConnection(
      this.#deps,
      intent,
      { code, verifier: transaction.verifier, redirectUri: transaction.redirectUri },
      logger,
    );
    if (outcome.status === 'superseded') return this.#superseded(intent, logger);
    if (outcome.status !== 'succeeded')
      return this.#fail(
        intent,
        outcome.failedAt === 'databricks' ? 502 : 400,
        outcome.reasons,
        outcome.status,
      );
    await this.#deps.statuses.record(requestId, { status: 'succeeded', reasons: [] });
    logger.info('signin.completed', {
      requestId,
      workspace: intent.workspace,
      connection: intent.connection.name,
      write: intent.write,
    });
    return succeededPage(intent);
  }

  async #fail(
    intent: U2mIntent,
    httpStatus: number,
    reasons: Reason[],
    status: 'failed' | 'rejected' = 'failed',
  ): Promise<PageResponse> {
    await this.#deps.statuses.record(intent.requestId, { status, reasons });
    return failedPage(intent, reasons, httpStatus);
  }

  async #superseded(intent: U2mIntent, logger: Logger): Promise<PageResponse> {
    await this.#deps.statuses.record(intent.requestId, { status: 'superseded', reasons: [] });
    logger.info('signin.superseded', { requestId: intent.requestId });
    return supersededPage(intent);
  }
}
