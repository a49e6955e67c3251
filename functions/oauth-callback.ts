import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { callbackRoute } from '../src/signin/routes.js';
import { defineHttpFunction } from './shared/define-function.js';
import { getRuntime, invocationSink } from './shared/runtime.js';

/**
 * `POST /api/oauth/callback`: Entra's form_post after the approver signs in. Anonymous, because a function
 * key travels as `?code=`, which collides with OAuth's `code` (R9, docs/u2m-sign-in.md). GET is routed
 * here too, only to be answered 405 by the core rather than 404 by the host.
 */
export async function oauthCallback(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const runtime = await getRuntime();
  return runtime.signIn.callback.handle(request, runtime.logger(invocationSink(context)));
}

defineHttpFunction('oauthCallback', {
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  route: callbackRoute,
  handler: oauthCallback,
});
