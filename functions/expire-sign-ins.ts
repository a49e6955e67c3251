import type { InvocationContext, Timer } from '@azure/functions';
import { defineTimerFunction } from './shared/define-function.js';
import { getRuntime, invocationSink } from './shared/runtime.js';

/**
 * Every 5 minutes (UTC): a request whose sign-in link expired unused, or whose sign-in was abandoned at
 * Entra, becomes `failed` with SIGN_IN_EXPIRED, and expired sign-in records are deleted (docs/u2m-sign-in.md).
 */
export async function expireSignIns(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  await runtime.signIn.expiry.run(runtime.logger(invocationSink(context)));
}

defineTimerFunction('expireSignIns', {
  schedule: '0 */5 * * * *',
  handler: expireSignIns,
});
