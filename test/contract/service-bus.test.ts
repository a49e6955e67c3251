/**
 * Contract tests: the Service Bus stand-in, through the real @azure/service-bus client over AMQP.
 *
 * By default each test runs against a fresh queue on an in-process stand-in. To run the same tests against a real
 * namespace (tests that need the stand-in's control surface are then skipped), set:
 *   SERVICEBUS_CONTRACT_CONNECTION_STRING  a connection string with a SAS key (SharedAccessKeyName/SharedAccessKey)
 *                                          allowed to send and listen
 *   SERVICEBUS_CONTRACT_QUEUE_PREFIX       prefix of three pre-created, empty queues (default "contract-"):
 *     <prefix>basic       defaults: lock duration 1 min, max delivery count 10, no duplicate detection
 *     <prefix>short-lock  lock duration 5 s, max delivery count 2
 *     <prefix>dedup       duplicate detection on (any window of at least 1 min)
 */
import { createHmac } from 'node:crypto';
import {
  ServiceBusClient,
  type ServiceBusClientOptions,
  type ServiceBusMessage,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type QueueOptions,
  type ServiceBusStandIn,
  startServiceBus,
} from '../emulators/service-bus/index.js';

type QueueKind = 'basic' | 'short-lock' | 'dedup';

const standInQueues: Record<QueueKind, QueueOptions> = {
  basic: {},
  // Shorter than Service Bus allows (5 s minimum) to keep the suite fast; shorter locks are only stricter.
  'short-lock': { lockDurationInMs: 1_500, maxDeliveryCount: 2 },
  dedup: { duplicateDetectionWindowInMs: 60_000 },
};

interface Target {
  connectionString: string;
  /** A queue with the kind's settings: a fresh one on the stand-in, the pre-created one on a real namespace. */
  queue(kind: QueueKind): string;
  /** Present only when running against the stand-in. */
  standIn?: ServiceBusStandIn;
}

async function connectTarget(): Promise<Target> {
  const real = process.env.SERVICEBUS_CONTRACT_CONNECTION_STRING;
  if (real) {
    const prefix = process.env.SERVICEBUS_CONTRACT_QUEUE_PREFIX ?? 'contract-';
    return { connectionString: real, queue: (kind) => `${prefix}${kind}` };
  }
  const standIn = await startServiceBus();
  let created = 0;
  return {
    connectionString: standIn.connectionString,
    standIn,
    queue(kind) {
      const name = `${kind}-${++created}`;
      standIn.control.createQueue(name, standInQueues[kind]);
      return name;
    },
  };
}

let target: Target;
const clients: ServiceBusClient[] = [];

beforeAll(async () => {
  target = await connectTarget();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await target.standIn?.close();
});

function connect(
  connectionString = target.connectionString,
  options?: ServiceBusClientOptions,
): ServiceBusClient {
  const client = new ServiceBusClient(connectionString, options);
  clients.push(client);
  return client;
}

/** A peek-lock receiver without auto lock renewal, so locks behave exactly as the broker decides. */
function peekLockReceiver(client: ServiceBusClient, queue: string, deadLetter = false): ServiceBusReceiver {
  return client.createReceiver(queue, {
    receiveMode: 'peekLock',
    maxAutoLockRenewalDurationInMs: 0,
    ...(deadLetter ? { subQueueType: 'deadLetter' as const } : {}),
  });
}

async function receiveOne(
  receiver: ServiceBusReceiver,
  maxWaitTimeInMs = 5_000,
): Promise<ServiceBusReceivedMessage> {
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs });
  if (!message) throw new Error('no message arrived');
  return message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Hand-made SAS token (service-bus-sas.md), for checks the SDK's own signer would never fail. */
function sasConnectionString(options: { entity: string; expiresInSeconds: number; key?: string }): string {
  const settings = new Map(
    target.connectionString.split(';').flatMap((part) => {
      const at = part.indexOf('=');
      return at > 0 ? [[part.slice(0, at), part.slice(at + 1)] as const] : [];
    }),
  );
  const endpoint = (settings.get('Endpoint') ?? '').replace(/\/?$/, '/');
  const keyName = settings.get('SharedAccessKeyName') ?? '';
  const resource = encodeURIComponent(`${endpoint}${options.entity}`);
  const expiry = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
  const signature = createHmac('sha256', options.key ?? settings.get('SharedAccessKey') ?? '')
    .update(`${resource}\n${expiry}`)
    .digest('base64');
  const token = `SharedAccessSignature sr=${resource}&sig=${encodeURIComponent(signature)}&se=${expiry}&skn=${keyName}`;
  const emulator = settings.get('UseDevelopmentEmulator') ? ';UseDevelopmentEmulator=true' : '';
  return `Endpoint=${settings.get('Endpoint')};SharedAccessSignature=${token}${emulator}`;
}

describe('Service Bus: sending and receiving', () => {
  it('delivers a message in peek-lock mode with its properties and the broker-assigned ones', async () => {
    const queue = target.queue('basic');
    const client = connect();
    const before = Date.now();
    await client.createSender(queue).sendMessages({
      body: { requestId: 'r-1' },
      messageId: 'r-1',
      contentType: 'application/json',
      correlationId: 'corr-1',
      subject: 'connection-request',
      applicationProperties: { attempt: 1, kind: 'm2m' },
    });
    const receiver = peekLockReceiver(client, queue);
    const message = await receiveOne(receiver);

    expect(message).toMatchObject({
      body: { requestId: 'r-1' },
      messageId: 'r-1',
      contentType: 'application/json',
      correlationId: 'corr-1',
      subject: 'connection-request',
      applicationProperties: { attempt: 1, kind: 'm2m' },
      deliveryCount: 0,
      state: 'active',
    });
    expect(message.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.sequenceNumber?.toNumber()).toBeGreaterThan(0);
    expect(message.enqueuedTimeUtc?.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(message.lockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());

    await receiver.completeMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toEqual([]);
  });

  it('assigns a messageId when the sender sets none', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'no id' });
    const receiver = peekLockReceiver(client, queue);
    const message = await receiveOne(receiver);
    expect(message.messageId).toEqual(expect.any(String));
    expect(String(message.messageId).length).toBeGreaterThan(0);
    await receiver.completeMessage(message);
  });

  it('accepts a batch and hands its messages out first in, first out with increasing sequence numbers', async () => {
    const queue = target.queue('basic');
    const client = connect();
    const sender = client.createSender(queue);
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 5; i++)
      expect(batch.tryAddMessage({ body: { i }, messageId: `batch-${i}` })).toBe(true);
    await sender.sendMessages(batch);
    await sender.sendMessages({ body: { i: 5 }, messageId: 'single-5' });

    const receiver = peekLockReceiver(client, queue);
    const received: ServiceBusReceivedMessage[] = [];
    while (received.length < 6)
      received.push(...(await receiver.receiveMessages(6 - received.length, { maxWaitTimeInMs: 2_000 })));
    expect(received.map((message) => message.body.i)).toEqual([0, 1, 2, 3, 4, 5]);
    const sequence = received.map((message) => message.sequenceNumber?.toNumber() ?? 0);
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(new Set(sequence).size).toBe(6);
    for (const message of received) await receiver.completeMessage(message);
  });

  it('peeks messages without locking them or counting a delivery; an empty queue peeks as []', async () => {
    const queue = target.queue('basic');
    const client = connect();
    const receiver = peekLockReceiver(client, queue);
    expect(await receiver.peekMessages(5)).toEqual([]);

    await client
      .createSender(queue)
      .sendMessages([1, 2, 3].map((n) => ({ body: n, messageId: `peek-${n}` })));
    const peeked = await receiver.peekMessages(3);
    expect(peeked.map((message) => message.messageId)).toEqual(['peek-1', 'peek-2', 'peek-3']);
    expect(peeked.every((message) => message.lockToken === undefined)).toBe(true);

    const received = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2_000 });
    expect(received.map((message) => message.deliveryCount)).toEqual([0, 0, 0]);
    for (const message of received) await receiver.completeMessage(message);
  });

  it('removes messages on receipt in receiveAndDelete mode', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'once', messageId: 'rad-1' });
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(message?.messageId).toBe('rad-1');
    expect(await receiver.peekMessages(1)).toEqual([]);
  });

  it('delivers through subscribe() and completes automatically when the handler returns', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'streamed', messageId: 'sub-1' });
    const receiver = peekLockReceiver(client, queue);
    const seen = await new Promise<ServiceBusReceivedMessage>((resolve, reject) => {
      receiver.subscribe({
        processMessage: async (message) => resolve(message),
        processError: async (args) => reject(args.error),
      });
    });
    expect(seen.messageId).toBe('sub-1');
    await receiver.close();
    await expect.poll(() => peekLockReceiver(client, queue).peekMessages(1), { timeout: 5_000 }).toEqual([]);
  });

  it('drops a duplicate messageId within the detection window, yet accepts the send', async () => {
    const queue = target.queue('dedup');
    const client = connect();
    const sender = client.createSender(queue);
    await sender.sendMessages({ body: 'first', messageId: 'dup-1' });
    await sender.sendMessages({ body: 'second', messageId: 'dup-1' });
    await sender.sendMessages({ body: 'other', messageId: 'dup-2' });

    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const received: ServiceBusReceivedMessage[] = [];
    for (let i = 0; i < 3 && received.length < 2; i++)
      received.push(...(await receiver.receiveMessages(2, { maxWaitTimeInMs: 2_000 })));
    expect(received.map((message) => message.body)).toEqual(['first', 'other']);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toEqual([]);
    if (target.standIn)
      expect(target.standIn.control.stats(queue)).toMatchObject({ sent: 2, duplicatesDropped: 1 });
  });
});

describe('Service Bus: settlement and locks', () => {
  it('redelivers an abandoned message with deliveryCount + 1 and the modified properties', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client
      .createSender(queue)
      .sendMessages({ body: 'retry me', messageId: 'ab-1', applicationProperties: { a: 1 } });
    const receiver = peekLockReceiver(client, queue);
    const first = await receiveOne(receiver);
    await receiver.abandonMessage(first, { lastError: 'transient' });

    const second = await receiveOne(receiver);
    expect(second).toMatchObject({
      messageId: 'ab-1',
      deliveryCount: 1,
      applicationProperties: { a: 1, lastError: 'transient' },
    });
    expect(second.lockToken).not.toBe(first.lockToken);
    await receiver.completeMessage(second);
  });

  it('dead-letters with reason and description, readable and completable from the dead-letter queue', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'poison', messageId: 'dl-1' });
    const receiver = peekLockReceiver(client, queue);
    await receiver.deadLetterMessage(await receiveOne(receiver), {
      deadLetterReason: 'ValidationFailed',
      deadLetterErrorDescription: 'workspaceUrl is not allowed',
    });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toEqual([]);

    const deadLetters = peekLockReceiver(client, queue, true);
    const dead = await receiveOne(deadLetters);
    expect(dead).toMatchObject({
      messageId: 'dl-1',
      body: 'poison',
      deadLetterReason: 'ValidationFailed',
      deadLetterErrorDescription: 'workspaceUrl is not allowed',
    });
    await deadLetters.completeMessage(dead);
    expect(await deadLetters.peekMessages(1)).toEqual([]);
  });

  it('refuses to dead-letter a message that is already in the dead-letter queue', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'poison', messageId: 'dl-2' });
    const receiver = peekLockReceiver(client, queue);
    await receiver.deadLetterMessage(await receiveOne(receiver), {
      deadLetterReason: 'Bad',
      deadLetterErrorDescription: 'first',
    });
    const deadLetters = peekLockReceiver(client, queue, true);
    const dead = await receiveOne(deadLetters);
    await expect(
      deadLetters.deadLetterMessage(dead, {
        deadLetterReason: 'Again',
        deadLetterErrorDescription: 'second',
      }),
    ).rejects.toMatchObject({
      name: 'ServiceBusError',
    });
  });

  it('renews a lock: renewMessageLock moves lockedUntilUtc forward', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'long job', messageId: 'renew-1' });
    const receiver = peekLockReceiver(client, queue);
    const message = await receiveOne(receiver);
    const lockedUntil = message.lockedUntilUtc?.getTime() ?? 0;
    await sleep(50);
    const renewed = await receiver.renewMessageLock(message);
    expect(renewed.getTime()).toBeGreaterThan(lockedUntil);
    expect(message.lockedUntilUtc?.getTime()).toBe(renewed.getTime());
    await receiver.completeMessage(message);
  });

  it('redelivers a message whose lock expired with deliveryCount + 1; the stale lock then fails with MessageLockLost', async () => {
    const queue = target.queue('short-lock');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'slow', messageId: 'exp-1' });
    const receiver = peekLockReceiver(client, queue);
    const stale = await receiveOne(receiver);
    await sleep((stale.lockedUntilUtc?.getTime() ?? Date.now()) - Date.now() + 300);

    const again = await receiveOne(receiver);
    expect(again).toMatchObject({ messageId: 'exp-1', deliveryCount: 1 });
    await expect(receiver.completeMessage(stale)).rejects.toMatchObject({ code: 'MessageLockLost' });
    await expect(receiver.renewMessageLock(stale)).rejects.toMatchObject({ code: 'MessageLockLost' });
    await receiver.completeMessage(again);
    if (target.standIn)
      expect(target.standIn.control.stats(queue)).toMatchObject({ expiredLocks: 1, completed: 1 });
  });

  it('moves a message past maxDeliveryCount to the dead-letter queue as MaxDeliveryCountExceeded', async () => {
    const queue = target.queue('short-lock'); // maxDeliveryCount 2
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'always fails', messageId: 'max-1' });
    const receiver = peekLockReceiver(client, queue);
    await receiver.abandonMessage(await receiveOne(receiver));
    await receiver.abandonMessage(await receiveOne(receiver));
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toEqual([]);

    const dead = await receiveOne(peekLockReceiver(client, queue, true));
    expect(dead).toMatchObject({
      messageId: 'max-1',
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterErrorDescription: 'Message could not be consumed after 2 delivery attempts.',
    });
  });

  it('settles by lock token over $management once the receiving link is gone', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'late', messageId: 'mgmt-settle-1' });
    const first = peekLockReceiver(client, queue);
    const message = await receiveOne(first);
    await first.close();
    const second = peekLockReceiver(client, queue);
    await second.completeMessage(message);
    expect(await second.peekMessages(1)).toEqual([]);
    await expect(second.completeMessage(message)).rejects.toMatchObject({ code: 'MessageLockLost' });
  });

  it('does not hand a locked message to another receiver until it is abandoned', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages({ body: 'mine', messageId: 'lock-1' });
    const first = peekLockReceiver(client, queue);
    const second = peekLockReceiver(client, queue);
    const held = await receiveOne(first);
    expect(await second.receiveMessages(1, { maxWaitTimeInMs: 1_000 })).toEqual([]);

    await first.abandonMessage(held);
    const taken = await receiveOne(second);
    expect(taken).toMatchObject({ messageId: 'lock-1', deliveryCount: 1 });
    await second.completeMessage(taken);
  });

  it('locks exactly as many messages as the receiver asked for', async ({ skip }) => {
    if (!target.standIn) skip('needs the stand-in control surface');
    const queue = target.queue('basic');
    const client = connect();
    await client
      .createSender(queue)
      .sendMessages([1, 2, 3].map((n) => ({ body: n, messageId: `credit-${n}` })));
    const receiver = peekLockReceiver(client, queue);
    const received = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
    expect(received).toHaveLength(1);
    const states = target.standIn?.control.messages(queue).map((message) => message.state);
    expect(states).toEqual(['locked', 'available', 'available']);
  });
});

describe('Service Bus: competing consumers', () => {
  it('gives two receivers on one queue distinct messages', async () => {
    const queue = target.queue('basic');
    const client = connect();
    await client
      .createSender(queue)
      .sendMessages([1, 2, 3, 4].map((n) => ({ body: n, messageId: `cc-${n}` })));
    const [a, b] = [peekLockReceiver(client, queue), peekLockReceiver(client, queue)];
    const [fromA, fromB] = await Promise.all([
      a.receiveMessages(2, { maxWaitTimeInMs: 2_000 }),
      b.receiveMessages(2, { maxWaitTimeInMs: 2_000 }),
    ]);
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    const ids = [...fromA, ...fromB].map((message) => message.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const message of fromA) await a.completeMessage(message);
    for (const message of fromB) await b.completeMessage(message);
  });

  it('delivers 200 messages sent in batches exactly once when two subscribers complete them', async () => {
    const queue = target.queue('basic');
    const client = connect();
    const sender = client.createSender(queue);
    const messages: ServiceBusMessage[] = Array.from({ length: 200 }, (_, n) => ({
      body: { n },
      messageId: `bulk-${n}`,
    }));
    while (messages.length > 0) {
      const batch = await sender.createMessageBatch();
      while (messages.length > 0 && batch.tryAddMessage(messages[0] as ServiceBusMessage)) messages.shift();
      await sender.sendMessages(batch);
    }

    const deliveries = new Map<string, number>();
    let resolveAll: () => void = () => {};
    const allSeen = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    const receivers = [peekLockReceiver(client, queue), peekLockReceiver(client, queue)];
    for (const receiver of receivers) {
      receiver.subscribe(
        {
          processMessage: async (message) => {
            const id = String(message.messageId);
            deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
            if (deliveries.size === 200) resolveAll();
          },
          processError: async () => {},
        },
        { maxConcurrentCalls: 5 },
      );
    }
    await allSeen;
    await Promise.all(receivers.map((receiver) => receiver.close()));
    expect([...deliveries.values()].every((count) => count === 1)).toBe(true);
    if (target.standIn) {
      await target.standIn.control.waitUntilIdle(queue, 5_000);
      expect(target.standIn.control.stats(queue)).toMatchObject({ sent: 200, completed: 200, abandoned: 0 });
    }
  });
});

describe('Service Bus: authorization and errors', () => {
  it('refuses a client with the wrong key: the SDK surfaces UnauthorizedAccess', async () => {
    const queue = target.queue('basic');
    const wrongKey = target.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3Jvbmcta2V5');
    const client = connect(wrongKey, { retryOptions: { maxRetries: 0 } });
    await expect(client.createSender(queue).sendMessages({ body: 'x' })).rejects.toMatchObject({
      name: 'ServiceBusError',
      code: 'UnauthorizedAccess',
    });
    await expect(
      client.createReceiver(queue).receiveMessages(1, { maxWaitTimeInMs: 1_000 }),
    ).rejects.toMatchObject({
      code: 'UnauthorizedAccess',
    });
  });

  it('refuses an expired SAS token', async () => {
    const queue = target.queue('basic');
    const client = connect(sasConnectionString({ entity: queue, expiresInSeconds: -60 }), {
      retryOptions: { maxRetries: 0 },
    });
    await expect(client.createSender(queue).sendMessages({ body: 'x' })).rejects.toMatchObject({
      code: 'UnauthorizedAccess',
    });
  });

  it('refuses a SAS token scoped to another entity, and accepts one scoped to the queue', async () => {
    const queue = target.queue('basic');
    const other = target.queue('basic');
    const scopedElsewhere = connect(sasConnectionString({ entity: other, expiresInSeconds: 600 }), {
      retryOptions: { maxRetries: 0 },
    });
    await expect(scopedElsewhere.createSender(queue).sendMessages({ body: 'x' })).rejects.toMatchObject({
      code: 'UnauthorizedAccess',
    });
    const scopedHere = connect(sasConnectionString({ entity: queue, expiresInSeconds: 600 }));
    await scopedHere.createSender(queue).sendMessages({ body: 'ok', messageId: 'sas-1' });
    const receiver = scopedHere.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    expect((await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 }))[0]?.messageId).toBe('sas-1');
  });

  it('reports an unknown queue as MessagingEntityNotFound to senders and receivers', async () => {
    const client = connect(target.connectionString, { retryOptions: { maxRetries: 0 } });
    await expect(client.createSender('no-such-queue').sendMessages({ body: 'x' })).rejects.toMatchObject({
      code: 'MessagingEntityNotFound',
    });
    await expect(
      client.createReceiver('no-such-queue').receiveMessages(1, { maxWaitTimeInMs: 1_000 }),
    ).rejects.toMatchObject({
      code: 'MessagingEntityNotFound',
    });
  });

  it('answers management operations it does not implement with an error, not silence', async ({ skip }) => {
    if (!target.standIn) skip('the real service implements deferral');
    const queue = target.queue('basic');
    const client = connect(target.connectionString, { retryOptions: { maxRetries: 0 } });
    await client.createSender(queue).sendMessages({ body: 'x', messageId: 'mgmt-1' });
    const receiver = peekLockReceiver(client, queue);
    const message = await receiveOne(receiver);
    await expect(
      receiver.receiveDeferredMessages(message.sequenceNumber as NonNullable<typeof message.sequenceNumber>),
    ).rejects.toThrow(
      /does not implement the management operation 'com\.microsoft:receive-by-sequence-number'/,
    );
    await receiver.completeMessage(message);
  });
});

describe('Service Bus stand-in: control surface and lifecycle', () => {
  it('shows held and dead-lettered messages and counts what happened to them', async ({ skip }) => {
    if (!target.standIn) skip('needs the stand-in control surface');
    const control = target.standIn?.control;
    const queue = target.queue('basic');
    const client = connect();
    await client.createSender(queue).sendMessages([
      { body: { keep: true }, messageId: 'ctl-1', contentType: 'application/json' },
      { body: { keep: false }, messageId: 'ctl-2' },
    ]);
    const receiver = peekLockReceiver(client, queue);
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
    expect(control?.messages(queue)).toMatchObject([
      {
        messageId: 'ctl-1',
        body: { keep: true },
        contentType: 'application/json',
        state: 'locked',
        deliveryCount: 0,
      },
      { messageId: 'ctl-2', state: 'available' },
    ]);
    await receiver.deadLetterMessage(first as ServiceBusReceivedMessage, {
      deadLetterReason: 'R',
      deadLetterErrorDescription: 'D',
    });
    expect(control?.deadLetters(queue)).toMatchObject([
      { messageId: 'ctl-1', deadLetterReason: 'R', deadLetterErrorDescription: 'D' },
    ]);
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
    await receiver.completeMessage(second as ServiceBusReceivedMessage);
    await control?.waitUntilIdle(queue, 1_000);
    expect(control?.stats(queue)).toMatchObject({ sent: 2, completed: 1, deadLettered: 1 });
    await expect(control?.waitUntilIdle(`${queue}`, 1)).resolves.toBeUndefined();
  });

  it('waitUntilIdle rejects when messages remain past the timeout', async ({ skip }) => {
    if (!target.standIn) skip('needs the stand-in control surface');
    const queue = target.queue('basic');
    await connect().createSender(queue).sendMessages({ body: 'stays' });
    await expect(target.standIn?.control.waitUntilIdle(queue, 200)).rejects.toThrow(/still holds 1 message/);
  });

  it('closes promptly while clients are still connected', async ({ skip }) => {
    if (!target.standIn) skip('starts its own stand-in');
    const standIn = await startServiceBus({ queues: { q: {} } });
    const client = new ServiceBusClient(standIn.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 2_000 },
    });
    await client.createSender('q').sendMessages({ body: 'x' });
    const receiver = client.createReceiver('q');
    await receiveOne(receiver);
    let started = Date.now();
    await standIn.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    started = Date.now();
    await client.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
