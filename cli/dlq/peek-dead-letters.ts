import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';

const pageSize = 100;

/** A receiver on the queue's dead-letter sub-queue (`<queue>/$DeadLetterQueue`), in peek-lock mode. */
export function deadLetterReceiver(client: ServiceBusClient, queue: string): ServiceBusReceiver {
  return client.createReceiver(queue, { subQueueType: 'deadLetter', receiveMode: 'peekLock' });
}

/**
 * Peeks up to `max` messages. Peeking locks and removes nothing, and each call continues after the
 * last message the receiver peeked (https://learn.microsoft.com/azure/service-bus-messaging/message-browsing).
 */
export async function peekDeadLetters(
  receiver: ServiceBusReceiver,
  max: number,
): Promise<ServiceBusReceivedMessage[]> {
  const messages: ServiceBusReceivedMessage[] = [];
  while (messages.length < max) {
    const page = await receiver.peekMessages(Math.min(pageSize, max - messages.length));
    if (page.length === 0) break;
    messages.push(...page);
  }
  return messages;
}
