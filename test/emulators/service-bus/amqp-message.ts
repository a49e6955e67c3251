import { randomUUID } from 'node:crypto';
import rhea, { type Message } from 'rhea';
import type { BrokeredMessage } from './queue.js';

// How Service Bus messages look on the wire (AMQP 1.0). Sources: the receive path of @azure/service-bus 7.9.5,
// node_modules/@azure/service-bus/dist-esm/src/serviceBusMessage.js (`fromRheaMessage`), and
// https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-request-response#message-annotations

/** The transfer format of a batch: one message whose data sections are encoded messages (serviceBusMessageBatch.js). */
export const batchMessageFormat = 0x80013700;

/** Splits a transfer into the messages it carries; undefined for a message format we don't know. */
export function messagesOfTransfer(
  payload: Message | Buffer,
  format: number | undefined,
): Message[] | undefined {
  if (!format) return [payload as Message];
  if (format !== batchMessageFormat || !Buffer.isBuffer(payload)) return undefined;
  // rhea does not decode non-zero formats and hands over the raw bytes.
  const body = rhea.message.decode(payload).body as { content: Buffer | Buffer[]; multiple?: boolean };
  const sections = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return sections.map((section) => rhea.message.decode(section) as unknown as Message);
}

/**
 * Service Bus assigns a MessageId when the sender sent none (Azure/azure-service-bus-java#69: "ServiceBus sets an ID
 * as default, only if the application doesn't set its own ID"), as a GUID without dashes
 * (Azure/azure-service-bus-dotnet#20). The SDK's lock renewer needs one.
 */
export function ensureMessageId(message: Message): string {
  if (message.message_id === undefined || message.message_id === null) {
    message.message_id = randomUUID().replaceAll('-', '');
  }
  const id: unknown = message.message_id;
  return Buffer.isBuffer(id) ? rhea.uuid_to_string(id) : String(id);
}

/** `ttl` (header, ms) bounds the message's life from enqueue. */
export function timeToLiveOf(message: Message): number | undefined {
  return typeof message.ttl === 'number' ? message.ttl : undefined;
}

/** Scheduled messages are not implemented: refuse them rather than deliver them early. */
export function isScheduled(message: Message): boolean {
  return message.message_annotations?.['x-opt-scheduled-enqueue-time'] !== undefined;
}

/**
 * The message as delivered or peeked: broker annotations `x-opt-sequence-number` (long), `x-opt-enqueued-time`,
 * `x-opt-locked-until` (timestamps); the failed-delivery count in the header's `delivery_count` (the SDK reads
 * `deliveryCount` from there); dead-letter reason and description among the application properties.
 */
export function toWireMessage(message: BrokeredMessage<Message>): Message {
  const annotations: Record<string, unknown> = {
    ...message.content.message_annotations,
    'x-opt-sequence-number': rhea.types.wrap_long(message.sequenceNumber),
    'x-opt-enqueued-time': message.enqueuedTimeUtc,
  };
  if (message.lock) annotations['x-opt-locked-until'] = message.lock.lockedUntilUtc;
  return {
    ...message.content,
    delivery_count: message.deliveryCount,
    message_annotations: annotations,
    application_properties: { ...message.content.application_properties, ...message.modifiedProperties },
  } as Message;
}

/**
 * The delivery tag is the lock token's 16 bytes in .NET GUID byte order: the SDK reverses the first three groups
 * before formatting (`reorderLockToken`, node_modules/@azure/service-bus/dist-esm/src/util/utils.js). The reordering
 * is its own inverse, so applying it to the token's bytes yields the tag.
 */
export function deliveryTagOf(lockToken: string): Buffer {
  const b = rhea.string_to_uuid(lockToken);
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)] as number[]);
}

/** What tests see through `control.messages()` and `control.deadLetters()`. */
export interface InspectedMessage {
  sequenceNumber: number;
  messageId: string;
  /** JSON bodies parsed, other data bodies as Buffer, value/sequence bodies as sent. */
  body: unknown;
  contentType?: string;
  correlationId?: string;
  subject?: string;
  applicationProperties: Record<string, unknown>;
  /** As the SDK reports it: failed deliveries so far. */
  deliveryCount: number;
  state: 'available' | 'locked';
  lockedUntilUtc?: Date;
  enqueuedTimeUtc: Date;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export function inspect(message: BrokeredMessage<Message>): InspectedMessage {
  const wire = toWireMessage(message);
  const properties = (wire.application_properties ?? {}) as Record<string, unknown>;
  return {
    sequenceNumber: message.sequenceNumber,
    messageId: ensureMessageId(message.content),
    body: decodeBody(wire.body),
    contentType: wire.content_type,
    correlationId: wire.correlation_id === undefined ? undefined : String(wire.correlation_id),
    subject: wire.subject,
    applicationProperties: properties,
    deliveryCount: message.deliveryCount,
    state: message.lock ? 'locked' : 'available',
    lockedUntilUtc: message.lock?.lockedUntilUtc,
    enqueuedTimeUtc: message.enqueuedTimeUtc,
    deadLetterReason: properties.DeadLetterReason as string | undefined,
    deadLetterErrorDescription: properties.DeadLetterErrorDescription as string | undefined,
  };
}

/** Mirrors the SDK's `defaultDataTransformer.decode`: a data section holding UTF-8 JSON is parsed. */
function decodeBody(body: unknown): unknown {
  const section = body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (section?.typecode === undefined) return body;
  if (section.typecode !== 0x75) return section.content;
  const data = section.multiple ? Buffer.concat(section.content as Buffer[]) : (section.content as Buffer);
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return data;
  }
}
