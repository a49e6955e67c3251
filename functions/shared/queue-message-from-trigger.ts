import type { InvocationContext } from '@azure/functions';
import type { QueueMessage } from '../../src/provisioning/queue-message.js';

/**
 * Maps the Service Bus trigger's input to the core's message. Trigger metadata keys follow the v4
 * model's camelCase (messageId, deliveryCount, enqueuedTimeUtc, sequenceNumber); see
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger#message-metadata
 */
export function toQueueMessage(body: unknown, context: InvocationContext): QueueMessage {
  const metadata = context.triggerMetadata ?? {};
  const enqueued = metadata.enqueuedTimeUtc;
  const enqueuedTimeUtc =
    enqueued instanceof Date ? enqueued : new Date(typeof enqueued === 'string' ? enqueued : Date.now());
  return {
    body,
    messageId: typeof metadata.messageId === 'string' ? metadata.messageId : context.invocationId,
    deliveryCount: Number(metadata.deliveryCount ?? 1),
    enqueuedTimeUtc: Number.isNaN(enqueuedTimeUtc.getTime()) ? new Date() : enqueuedTimeUtc,
    ...(typeof metadata.sequenceNumber === 'number' ? { sequenceNumber: metadata.sequenceNumber } : {}),
  };
}
