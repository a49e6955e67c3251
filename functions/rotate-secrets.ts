import type { InvocationContext, Timer } from '@azure/functions';
import { defineTimerFunction } from './shared/define-function.js';
import { getRuntime, invocationSink } from './shared/runtime.js';

/**
 * Rotates client secrets that are due, daily at 02:00 UTC by default (`ROTATION_SCHEDULE`, NCRONTAB, UTC on
 * Flex Consumption). The host runs one invocation at a time across instances (timer singleton lock); failed
 * steps are recorded per app and resumed by the next run, so the function itself only fails if its state
 * store is unreachable.
 */
export async function rotateSecrets(timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  const rotation = runtime.secretRotation(invocationSink(context));
  if (timer.isPastDue) context.info(JSON.stringify({ event: 'rotation.past_due' }));
  await rotation.runScheduled();
}

defineTimerFunction('rotateSecrets', {
  schedule: '%ROTATION_SCHEDULE%',
  handler: rotateSecrets,
});
