import rhea, { type Message } from 'rhea';
import { toWireMessage } from './amqp-message.js';
import { lockLost, type SettleOutcome, type SubQueue } from './queue.js';

// The `<entity>/$management` node. Operations and fields:
// https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-request-response ;
// what the SDK sends and reads: node_modules/@azure/service-bus/dist-esm/src/core/managementClient.js.
// Replies carry camelCase `statusCode`/`statusDescription` (the SDK's peek reads `statusCode` directly).

export interface ManagementReply {
  statusCode: number;
  statusDescription: string;
  errorCondition?: string;
  body?: unknown;
}

/** Answers one management request against the sub-queue its link addresses. */
export function handleManagementRequest(subQueue: SubQueue<Message>, request: Message): ManagementReply {
  const operation = String(request.application_properties?.operation ?? '');
  const body = (request.body ?? {}) as Record<string, unknown>;
  switch (operation) {
    case 'com.microsoft:renew-lock':
      return renewLocks(subQueue, lockTokensOf(body));
    case 'com.microsoft:peek-message':
      return peek(subQueue, toNumber(body['from-sequence-number']), toNumber(body['message-count']));
    case 'com.microsoft:update-disposition':
      return updateDisposition(subQueue, body);
    default:
      // Anything else (scheduling, deferral, sessions, rules) is not implemented: fail loudly, never go silent.
      return {
        statusCode: 501,
        statusDescription: `The stand-in does not implement the management operation '${operation}'.`,
        errorCondition: 'amqp:not-implemented',
      };
  }
}

/** Every token must hold a live lock; the reply lists the new expiry per token (`expirations`, timestamp[]). */
function renewLocks(subQueue: SubQueue<Message>, lockTokens: string[]): ManagementReply {
  const expirations: Date[] = [];
  for (const token of lockTokens) {
    const lockedUntil = subQueue.renewLock(token);
    if (!lockedUntil) return failure(lockLost);
    expirations.push(lockedUntil);
  }
  return {
    statusCode: 200,
    statusDescription: 'OK',
    body: { expirations: rhea.types.wrap_array(expirations, 0x83, undefined) },
  };
}

/** Peek returns encoded messages from a sequence number on; 204 when there are none (the SDK then returns []). */
function peek(subQueue: SubQueue<Message>, fromSequenceNumber: number, count: number): ManagementReply {
  const messages = subQueue.peek(fromSequenceNumber, count);
  if (messages.length === 0) return { statusCode: 204, statusDescription: 'No messages available.' };
  return {
    statusCode: 200,
    statusDescription: 'OK',
    body: {
      messages: messages.map((message) => ({
        message: rhea.message.encode(toWireMessage({ ...message, lock: undefined })),
      })),
    },
  };
}

/**
 * Settlement by lock token, used by the SDK when the receive link is gone. Status values: completed, abandoned,
 * suspended (dead-letter), defered (not implemented: deferred messages need receive-by-sequence-number).
 */
function updateDisposition(subQueue: SubQueue<Message>, body: Record<string, unknown>): ManagementReply {
  const status = String(body['disposition-status'] ?? '');
  const properties = (body['properties-to-modify'] ?? {}) as Record<string, unknown>;
  for (const token of lockTokensOf(body)) {
    let outcome: SettleOutcome;
    if (status === 'completed') outcome = subQueue.complete(token);
    else if (status === 'abandoned') outcome = subQueue.abandon(token, properties);
    else if (status === 'suspended') {
      const reason = body['deadletter-reason'] as string | undefined;
      const description = body['deadletter-description'] as string | undefined;
      outcome = subQueue.deadLetterMessage(token, reason, description, properties);
    } else {
      return {
        statusCode: 501,
        statusDescription: `Disposition '${status}' is not implemented.`,
        errorCondition: 'amqp:not-implemented',
      };
    }
    if (!outcome.ok) return failure(outcome);
  }
  return { statusCode: 200, statusDescription: 'OK' };
}

function failure(outcome: Extract<SettleOutcome, { ok: false }>): ManagementReply {
  // Lock lost is HTTP-like 410 Gone (core-amqp ConditionStatusMapper maps 410 to message-lock-lost).
  const statusCode = outcome.condition === 'com.microsoft:message-lock-lost' ? 410 : 400;
  return { statusCode, statusDescription: outcome.description, errorCondition: outcome.condition };
}

/** `lock-tokens` is an AMQP array of uuids (16-byte buffers after decoding). */
function lockTokensOf(body: Record<string, unknown>): string[] {
  const tokens = body['lock-tokens'];
  if (!Array.isArray(tokens)) return [];
  return tokens.map((token: unknown) =>
    Buffer.isBuffer(token) ? rhea.uuid_to_string(token) : String(token),
  );
}

/** Longs arrive as numbers, or as 8-byte buffers when beyond 2^53. */
function toNumber(value: unknown): number {
  if (Buffer.isBuffer(value)) return Number(value.readBigInt64BE());
  return Number(value ?? 0);
}
