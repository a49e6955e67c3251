import type { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import { messageIdOf, requestIdOf } from './dead-letter-entry.js';
import { deadLetterReceiver, peekDeadLetters } from './peek-dead-letters.js';
import { replayMessageId, toReplayMessage } from './replay-message.js';

export interface ReplayedMessage {
  messageId: string;
  replayedAs: string;
  requestId: string;
}

export interface ReplayOptions {
  queue: string;
  /** Which dead-lettered messages to replay, judged on a snapshot taken first. */
  select(message: ServiceBusReceivedMessage): boolean;
  onReplayed(replayed: ReplayedMessage): void;
  /** A replayed message could not be removed from the dead-letter queue (lock lost). */
  onNotRemoved(replayed: ReplayedMessage, error: unknown): void;
}

export interface ReplayResult {
  /** How many messages the snapshot selected. */
  selected: number;
  replayed: ReplayedMessage[];
}

// A dead-letter queue may hold many messages ahead of the selected ones; receive in batches this size.
const receiveBatchSize = 50;
const receiveWaitInMs = 2_000;
// Bounds memory; a dead-letter queue this long needs its cause fixed more than a replay.
const maxSnapshot = 10_000;

/**
 * Replays the selected dead-lettered messages: send a copy to the queue, then complete the original,
 * in that order so a failure in between leaves a duplicate (harmless: the provisioner is idempotent
 * on the requestId) rather than a lost request. Selection works on a snapshot (peek), so messages that
 * dead-letter again during the run are not replayed in a loop. Messages received but not selected
 * are held until the end and then abandoned, which returns them to the dead-letter queue untouched
 * apart from their delivery count.
 */
export async function replayDeadLetters(
  client: ServiceBusClient,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const receiver = deadLetterReceiver(client, options.queue);
  const sender = client.createSender(options.queue);
  const held: ServiceBusReceivedMessage[] = [];
  const replayed: ReplayedMessage[] = [];
  try {
    const snapshot = await peekDeadLetters(receiver, maxSnapshot);
    const pending = new Set(snapshot.filter(options.select).map(sequenceKey));
    const selected = pending.size;
    const takenIds = new Set(snapshot.map(messageIdOf));
    // The queue delivers in sequence order, so the snapshot says how many messages to ask for: asking for
    // exactly that many returns at once, where asking for more waits for messages that will not come.
    const lastSelected = snapshot.findLastIndex((message) => pending.has(sequenceKey(message)));
    let received = 0;
    while (pending.size > 0) {
      const wanted = Math.min(receiveBatchSize, Math.max(1, lastSelected + 1 - received));
      const batch = await receiver.receiveMessages(wanted, { maxWaitTimeInMs: receiveWaitInMs });
      if (batch.length === 0) break;
      received += batch.length;
      for (const [index, message] of batch.entries()) {
        if (!pending.delete(sequenceKey(message))) {
          held.push(message);
          continue;
        }
        const messageId = messageIdOf(message);
        const replayedAs = replayMessageId(messageId, takenIds);
        takenIds.add(replayedAs);
        try {
          await sender.sendMessages(toReplayMessage(message, replayedAs));
        } catch (error) {
          // Nothing from this message on was sent: give it and the rest of the batch back at once.
          held.push(...batch.slice(index));
          throw error;
        }
        const entry = { messageId, replayedAs, requestId: requestIdOf(message.body) ?? messageId };
        replayed.push(entry);
        await receiver.completeMessage(message).then(
          () => options.onReplayed(entry),
          (error: unknown) => options.onNotRemoved(entry, error),
        );
      }
    }
    return { selected, replayed };
  } finally {
    await Promise.allSettled(held.map((message) => receiver.abandonMessage(message)));
    await receiver.close();
    await sender.close();
  }
}

function sequenceKey(message: ServiceBusReceivedMessage): string {
  return message.sequenceNumber?.toString() ?? messageIdOf(message);
}
