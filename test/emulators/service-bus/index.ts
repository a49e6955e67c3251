import { randomBytes } from 'node:crypto';
import type { Message } from 'rhea';
import { type InspectedMessage, inspect } from './amqp-message.js';
import { Broker } from './broker.js';
import type { Queue, QueueOptions, QueueStats, SubQueue } from './queue.js';

export type { InspectedMessage } from './amqp-message.js';
export type { QueueOptions } from './queue.js';

export interface ServiceBusOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 'RootManageSharedAccessKey'. */
  sharedAccessKeyName?: string;
  /** Default: random. */
  sharedAccessKey?: string;
  /** Queues to create at start. */
  queues?: Record<string, QueueOptions>;
}

export interface ServiceBusStandIn {
  port: number;
  /** With `UseDevelopmentEmulator=true`: plain TCP to the port given (core-amqp ConnectionContextBase.js). */
  connectionString: string;
  /** Test-only surface: seeding, inspection and waiting. Not part of the emulated wire API. */
  control: {
    createQueue(name: string, options?: QueueOptions): void;
    /** Messages of the queue as the broker holds them (available or locked). */
    messages(queue: string): InspectedMessage[];
    /** Messages of the queue's dead-letter sub-queue. */
    deadLetters(queue: string): InspectedMessage[];
    /** Resolves when the queue has no active (available or locked) messages, or rejects after timeoutInMs. */
    waitUntilIdle(queue: string, timeoutInMs?: number): Promise<void>;
    /**
     * Counters: sent, completed, abandoned, deadLettered, expiredLocks, duplicatesDropped, receivedAndDeleted,
     * expired. `'<queue>/$DeadLetterQueue'` gives the dead-letter sub-queue's own counters.
     */
    stats(queue: string): Record<string, number>;
  };
  close(): Promise<void>;
}

/** Starts an in-process Service Bus broker (AMQP 1.0 over TCP on 127.0.0.1) for the real @azure/service-bus client. */
export async function startServiceBus(options: ServiceBusOptions = {}): Promise<ServiceBusStandIn> {
  const keyName = options.sharedAccessKeyName ?? 'RootManageSharedAccessKey';
  const key = options.sharedAccessKey ?? randomBytes(32).toString('base64');
  const broker = new Broker({ keyName, key });
  for (const [name, queueOptions] of Object.entries(options.queues ?? {}))
    broker.createQueue(name, queueOptions);
  const port = await broker.listen(options.port ?? 0);

  const queueNamed = (name: string): Queue<Message> => {
    const queue = broker.queue(name);
    if (!queue) throw new Error(`No queue named '${name}'`);
    return queue;
  };
  const subQueueNamed = (path: string): SubQueue<Message> => {
    const [name = '', subQueue] = path.split('/');
    const queue = queueNamed(name);
    return subQueue?.toLowerCase() === '$deadletterqueue' ? queue.deadLetter : queue.active;
  };

  return {
    port,
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true`,
    control: {
      createQueue: (name, queueOptions) => void broker.createQueue(name, queueOptions),
      messages: (queue) => queueNamed(queue).active.list().map(inspect),
      deadLetters: (queue) => queueNamed(queue).deadLetter.list().map(inspect),
      waitUntilIdle: (queue, timeoutInMs = 10_000) => waitUntilEmpty(queueNamed(queue).active, timeoutInMs),
      stats: (path): QueueStats => ({ ...subQueueNamed(path).stats }),
    },
    close: () => broker.close(),
  };
}

function waitUntilEmpty(subQueue: SubQueue<Message>, timeoutInMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (subQueue.list().length > 0) return;
      stop();
      resolve();
    };
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(
          `Queue '${subQueue.queue.name}' still holds ${subQueue.size} message(s) after ${timeoutInMs} ms`,
        ),
      );
    }, timeoutInMs);
    const unwatch = subQueue.watch(check);
    const stop = () => {
      clearTimeout(timer);
      unwatch();
    };
    check();
  });
}
