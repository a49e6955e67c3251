import { InvocationContext } from '@azure/functions';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';

export type ServiceBusHandler = (body: unknown, context: InvocationContext) => Promise<void>;

export interface CapturedLog {
  level: string;
  text: string;
}

export interface Delivery {
  messageId: string;
  deliveryCount: number;
  settled: 'completed' | 'abandoned';
  error?: unknown;
}

/**
 * Plays the Functions host's Service Bus trigger for tests: peekLock receive from the broker, call the
 * registered handler with the body and trigger metadata, complete on success and abandon on a throw
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger#peeklock-behavior).
 * The full local host arrives with `npm run sandbox`; this is the minimum the provisioning tests need.
 */
export class QueueDriver {
  readonly logs: CapturedLog[] = [];
  readonly #client: ServiceBusClient;
  readonly #queue: string;

  constructor(connectionString: string, queue: string) {
    this.#client = new ServiceBusClient(connectionString);
    this.#queue = queue;
  }

  async send(
    body: unknown,
    options: { messageId: string; applicationProperties?: Record<string, string> },
  ): Promise<void> {
    const sender = this.#client.createSender(this.#queue);
    try {
      await sender.sendMessages({ body, contentType: 'application/json', ...options });
    } finally {
      await sender.close();
    }
  }

  /** Delivers up to `count` messages concurrently (like `maxConcurrentCalls`) and settles each. */
  async deliver(handler: ServiceBusHandler, count = 1, maxWaitTimeInMs = 2000): Promise<Delivery[]> {
    const receiver = this.#client.createReceiver(this.#queue, {
      receiveMode: 'peekLock',
      maxAutoLockRenewalDurationInMs: 0,
    });
    try {
      const messages = await receiver.receiveMessages(count, { maxWaitTimeInMs });
      return await Promise.all(
        messages.map(async (message) => {
          const context = this.#contextFor(message);
          try {
            await handler(message.body, context);
            await receiver.completeMessage(message);
            return {
              messageId: String(message.messageId),
              deliveryCount: message.deliveryCount ?? 0,
              settled: 'completed' as const,
            };
          } catch (error) {
            await receiver.abandonMessage(message);
            return {
              messageId: String(message.messageId),
              deliveryCount: message.deliveryCount ?? 0,
              settled: 'abandoned' as const,
              error,
            };
          }
        }),
      );
    } finally {
      await receiver.close();
    }
  }

  /** Delivers until the queue is empty (completed or dead-lettered by the broker). */
  async drain(
    handler: ServiceBusHandler,
    options: { concurrency?: number; maxRounds?: number } = {},
  ): Promise<Delivery[]> {
    const all: Delivery[] = [];
    for (let round = 0; round < (options.maxRounds ?? 50); round++) {
      // Redeliveries after an abandon are immediate, so later rounds need not wait long to see an empty queue.
      const batch = await this.deliver(handler, options.concurrency ?? 1, round === 0 ? 2000 : 250);
      if (batch.length === 0) return all;
      all.push(...batch);
    }
    return all;
  }

  async deadLetters(): Promise<ServiceBusReceivedMessage[]> {
    const receiver = this.#client.createReceiver(this.#queue, { subQueueType: 'deadLetter' });
    try {
      return await receiver.peekMessages(100);
    } finally {
      await receiver.close();
    }
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  #contextFor(message: ServiceBusReceivedMessage): InvocationContext {
    return new InvocationContext({
      invocationId: crypto.randomUUID(),
      functionName: 'provisionConnection',
      // The Functions host reports DeliveryCount starting at 1; the AMQP header counts prior attempts from 0.
      triggerMetadata: {
        messageId: message.messageId,
        deliveryCount: (message.deliveryCount ?? 0) + 1,
        enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
        sequenceNumber: message.sequenceNumber?.toNumber(),
        applicationProperties: message.applicationProperties,
      },
      logHandler: (level, ...args) => this.logs.push({ level, text: args.map(String).join(' ') }),
    });
  }
}
