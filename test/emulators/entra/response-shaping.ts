import type { IncomingMessage } from 'node:http';
import type { KoaContext, Middleware, OidcProviderError, UnknownRecord } from 'oidc-provider';
import { aadsts, type EntraFailure, errorBody } from './entra-errors.js';
import { formPostPage, htmlUnescape } from './pages.js';
import { delegatedPermission } from './resources.js';

export type TokenFailureListener = (req: IncomingMessage, failure: EntraFailure) => void;

/**
 * Koa middleware around every oidc-provider route that turns its answers into Entra's: token errors
 * with AADSTS codes, Entra's token response fields, and authorization responses without RFC 9207 `iss`
 * (Entra does not send it) in Entra's form_post page.
 */
export function entraResponses(onTokenFailure: TokenFailureListener): Middleware {
  return async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === 'token') shapeTokenResponse(ctx, onTokenFailure);
    if (route === 'authorization' || route === 'resume') shapeAuthorizationResponse(ctx);
  };
}

/** Remembers the error behind a failed grant; oidc-provider emits `grant.error` before answering. */
export function rememberGrantError(ctx: KoaContext, error: OidcProviderError): void {
  ctx.state.grantError = error;
}

function shapeTokenResponse(ctx: KoaContext, onTokenFailure: TokenFailureListener): void {
  if (ctx.status >= 400) {
    const failure = tokenFailure(
      ctx.state.grantError as OidcProviderError | undefined,
      ctx.oidc.params?.scope,
    );
    onTokenFailure(ctx.req, failure);
    ctx.status = failure.status;
    ctx.body = errorBody(failure);
    return;
  }
  const body = ctx.body as UnknownRecord;
  // Entra's token responses carry ext_expires_in; app-only responses have no scope
  // (v2-oauth2-client-creds-grant-flow.md), user responses list the granted permissions.
  body.ext_expires_in = body.expires_in;
  if (ctx.oidc.entities.ClientCredentials) {
    delete body.scope;
  } else if (typeof body.scope === 'string') {
    body.scope = body.scope
      .split(' ')
      .filter((scope) => scope !== 'offline_access')
      .map((scope) => scope.replace(/\/\.default$/, `/${delegatedPermission}`))
      .join(' ');
  }
}

/** Which Entra failure an oidc-provider grant error is (its `error_detail` names the failed check). */
function tokenFailure(error: OidcProviderError | undefined, requestedScope: unknown): EntraFailure {
  const description = error?.error_description ?? '';
  const detail = error?.error_detail ?? '';
  const own = /^AADSTS(\d+): (.*)$/s.exec(description);
  if (own)
    return {
      status: 400,
      error: error?.error ?? 'invalid_request',
      code: Number(own[1]),
      message: own[2] ?? '',
    };
  switch (error?.error) {
    case 'invalid_grant':
      if (detail.includes('already consumed')) return aadsts.codeRedeemed();
      if (detail.includes('expired')) return aadsts.grantExpired();
      if (/code_verifier|code_challenge/.test(detail)) return aadsts.pkceMismatch();
      if (detail.includes('redirect_uri mismatch')) return aadsts.replyAddressMismatch();
      if (detail.startsWith('authorization code')) return aadsts.invalidCode();
      return aadsts.invalidGrant();
    case 'invalid_request': {
      const missing = /^missing required parameters? '?([\w-]+)/.exec(description)?.[1];
      return missing ? aadsts.missingParameter(missing) : aadsts.invalidRequest(description);
    }
    case 'invalid_scope':
      return aadsts.invalidScope(String(requestedScope ?? detail));
    default:
      return aadsts.invalidRequest(description || 'The request could not be processed.');
  }
}

function shapeAuthorizationResponse(ctx: KoaContext): void {
  const location = ctx.status === 303 ? ctx.response.get('location') : '';
  if (location && URL.canParse(location)) {
    const target = new URL(location);
    if (
      target.searchParams.has('iss') &&
      (target.searchParams.has('code') || target.searchParams.has('error'))
    ) {
      target.searchParams.delete('iss');
      ctx.response.set('location', target.href);
    }
    return;
  }
  if (typeof ctx.body === 'string' && ctx.body.includes('<form method="post"')) {
    const action = /<form method="post" action="([^"]*)"/.exec(ctx.body)?.[1] ?? '';
    const fields = [...ctx.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)]
      .map(([, name, value]) => [name ?? '', htmlUnescape(value ?? '')] as const)
      .filter(([name]) => name !== 'iss');
    ctx.body = formPostPage(htmlUnescape(action), fields);
  }
}
