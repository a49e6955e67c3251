import type { InvocationContext } from '@azure/functions';
import type { HostLog } from './host-log.js';

/**
 * Runs one invocation between the host's "Executing …" and "Executed …" lines, worded like the Functions host's
 * own (`Executing 'Functions.<name>' (Reason='…', Id=…)`), and rethrows what the handler threw.
 */
export async function runInvocation<T>(
  log: HostLog,
  context: InvocationContext,
  reason: string,
  invoke: () => Promise<T>,
): Promise<T> {
  const id = context.invocationId;
  const category = `Function.${context.functionName}`;
  const startedAt = performance.now();
  log({
    at: new Date(),
    level: 'information',
    category,
    invocationId: id,
    message: `Executing 'Functions.${context.functionName}' (Reason='${reason}', Id=${id})`,
  });
  const duration = () => `${Math.round(performance.now() - startedAt)}ms`;
  try {
    const result = await invoke();
    log({
      at: new Date(),
      level: 'information',
      category,
      invocationId: id,
      message: `Executed 'Functions.${context.functionName}' (Succeeded, Id=${id}, Duration=${duration()})`,
    });
    return result;
  } catch (error) {
    log({
      at: new Date(),
      level: 'error',
      category,
      invocationId: id,
      message: `Executed 'Functions.${context.functionName}' (Failed, Id=${id}, Duration=${duration()}): ${describeError(error)}`,
    });
    throw error;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
