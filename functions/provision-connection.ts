import type { InvocationContext } from '@azure/functions';
import { defineServiceBusQueueFunction } from './shared/define-function.js';
import { toQueueMessage } from './shared/queue-message-from-trigger.js';
import { getRuntime, invocationSink } from './shared/runtime.js';

/**
 * Service Bus trigger for connection requests. Resolving completes the message; throwing abandons it
 * so Service Bus redelivers (and dead-letters after maxDeliveryCount).
 */
export async function provisionConnection(body: unknown, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  await runtime.provisioner(invocationSink(context)).handleMessage(toQueueMessage(body, context));
}

defineServiceBusQueueFunction('provisionConnection', {
  connection: 'ServiceBusConnection',
  queueName: '%REQUEST_QUEUE_NAME%',
  handler: provisionConnection,
});
