import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { signInRoute } from '../src/signin/routes.js';
import { defineHttpFunction } from './shared/define-function.js';
import { getRuntime, invocationSink } from './shared/runtime.js';

/**
 * `GET|HEAD /api/signin?t=…`: the confirmation page an emailed link opens (changes nothing);
 * `POST /api/signin`: that page's button, which starts the Entra sign-in. Anonymous: the approver has no
 * function key, and the link token is the credential (docs/u2m-sign-in.md).
 */
export async function signIn(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getRuntime();
  return runtime.signIn.endpoint.handle(request, runtime.logger(invocationSink(context)));
}

defineHttpFunction('signIn', {
  methods: ['GET', 'HEAD', 'POST'],
  authLevel: 'anonymous',
  route: signInRoute,
  handler: signIn,
});
