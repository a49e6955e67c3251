import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { InvocationContext as InvocationContextType, TriggerMetadata } from '@azure/functions';
import { InvocationContext } from './azure-functions-classes.js';
import type { HostLog } from './host-log.js';

export interface InvocationContextOptions {
  functionName: string;
  triggerType: 'httpTrigger' | 'serviceBusTrigger' | 'timerTrigger';
  triggerMetadata?: TriggerMetadata;
  log: HostLog;
}

/**
 * A real `InvocationContext` whose `context.log/info/warn/…` lines go to the host's log under
 * `Function.<name>`, tied to the invocation id, as the Functions host does with invocation logs
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference-node#logging).
 */
export function createInvocationContext(options: InvocationContextOptions): InvocationContextType {
  const invocationId = randomUUID();
  return new InvocationContext({
    invocationId,
    functionName: options.functionName,
    ...(options.triggerMetadata ? { triggerMetadata: options.triggerMetadata } : {}),
    options: {
      trigger: { type: options.triggerType, name: options.triggerType },
      extraInputs: [],
      extraOutputs: [],
    },
    logHandler: (level, ...args) =>
      options.log({
        at: new Date(),
        level,
        category: `Function.${options.functionName}`,
        message: format(...args),
        invocationId,
      }),
  });
}
