import type { ServiceBusReceivedMessage } from '@azure/service-bus';

/** One dead-lettered message as `dlq list` shows it. */
export interface DeadLetterEntry {
  messageId: string;
  /** The body's requestId; the message id when the body has none (what the provisioner falls back to). */
  requestId: string;
  sequenceNumber: string;
  enqueuedTimeUtc?: string;
  deliveryCount?: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export function toDeadLetterEntry(message: ServiceBusReceivedMessage): DeadLetterEntry {
  const messageId = messageIdOf(message);
  return {
    messageId,
    requestId: requestIdOf(message.body) ?? messageId,
    sequenceNumber: message.sequenceNumber?.toString() ?? '',
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    deliveryCount: message.deliveryCount,
    deadLetterReason: message.deadLetterReason,
    deadLetterErrorDescription: message.deadLetterErrorDescription,
  };
}

/** The SDK types message ids as string | number | Buffer; ours are strings. */
export function messageIdOf(message: ServiceBusReceivedMessage): string {
  const id = message.messageId;
  return Buffer.isBuffer(id) ? id.toString('hex') : String(id ?? '');
}

/** The body's `requestId`, whether the SDK decoded the body to an object, a JSON string or bytes. */
export function requestIdOf(body: unknown): string | undefined {
  const value = Buffer.isBuffer(body) || typeof body === 'string' ? parseJson(body.toString()) : body;
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as { requestId?: unknown }).requestId;
  return typeof id === 'string' ? id : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
