import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { messageIdOf, requestIdOf } from './dead-letter-entry.js';

// Service Bus caps MessageId at 128 characters (the SDK refuses longer ones before sending).
const maxMessageIdLength = 128;
// Set by the broker when it dead-letters; not part of what the sender sent.
const deadLetterProperties = new Set(['DeadLetterReason', 'DeadLetterErrorDescription']);

/**
 * `<id>-replay-<n>`, counting up from an earlier replay's suffix and skipping ids already taken.
 * A new id is needed because duplicate detection silently drops a message whose MessageId was seen
 * within the window (https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection).
 */
export function replayMessageId(messageId: string, taken: ReadonlySet<string> = new Set()): string {
  const earlier = /^(.*)-replay-(\d+)$/.exec(messageId);
  const base = earlier?.[1] ?? messageId;
  for (let n = earlier ? Number(earlier[2]) + 1 : 1; ; n++) {
    const suffix = `-replay-${n}`;
    const id = `${base.slice(0, maxMessageIdLength - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The message to send again: the original body and application properties (minus the broker's
 * dead-letter ones) under a new message id. A JSON body without a requestId gets the original message
 * id as one, since that is what the provisioner used as the request id; otherwise the replay would be
 * a new request and the dead-lettered status would never be resolved.
 */
export function toReplayMessage(message: ServiceBusReceivedMessage, newMessageId: string): ServiceBusMessage {
  const applicationProperties = Object.fromEntries(
    Object.entries(message.applicationProperties ?? {}).filter(([key]) => !deadLetterProperties.has(key)),
  );
  return {
    body: withRequestId(message.body, messageIdOf(message)),
    messageId: newMessageId,
    contentType: message.contentType ?? 'application/json',
    applicationProperties,
    ...(message.correlationId !== undefined ? { correlationId: message.correlationId } : {}),
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
  };
}

function withRequestId(body: unknown, originalMessageId: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return body;
  return requestIdOf(body) === undefined ? { requestId: originalMessageId, ...body } : body;
}
