import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceBusStandIn, startServiceBus } from '../emulators/service-bus/index.js';
import { runCli } from './run-cli.js';

describe('ucprov dlq', () => {
  let serviceBus: ServiceBusStandIn;
  let client: ServiceBusClient;
  let queues = 0;

  beforeAll(async () => {
    serviceBus = await startServiceBus();
    client = new ServiceBusClient(serviceBus.connectionString);
  });
  afterAll(async () => {
    await client?.close();
    await serviceBus?.close();
  });

  /** A queue like the provisioner's: duplicate detection on, dead-lettering after two failed deliveries. */
  function newQueue(): string {
    const name = `requests-${++queues}`;
    serviceBus.control.createQueue(name, { duplicateDetectionWindowInMs: 10 * 60_000, maxDeliveryCount: 2 });
    return name;
  }

  /** Sends the message, then fails every delivery until the broker dead-letters it (MaxDeliveryCountExceeded). */
  async function deadLetterByRetries(queue: string, message: ServiceBusMessage): Promise<void> {
    await client.createSender(queue).sendMessages(message);
    const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
    try {
      for (let delivery = 1; delivery <= 2; delivery++) {
        const [received] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
        if (!received) throw new Error(`delivery ${delivery} of ${String(message.messageId)} never came`);
        await receiver.abandonMessage(received);
      }
    } finally {
      await receiver.close();
    }
  }

  /** Sends the message and dead-letters it the way an application does, with its own reason. */
  async function deadLetterByApplication(queue: string, message: ServiceBusMessage): Promise<void> {
    await client.createSender(queue).sendMessages(message);
    const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
    try {
      const [received] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      if (!received) throw new Error(`${String(message.messageId)} never arrived`);
      await receiver.deadLetterMessage(received, {
        deadLetterReason: 'PoisonMessage',
        deadLetterErrorDescription: 'handler gave up',
      });
    } finally {
      await receiver.close();
    }
  }

  const request = (requestId: string) => ({ requestId, action: 'delete', connection: { name: requestId } });
  const cli = (args: string[]) =>
    runCli(args, { env: { UCPROV_SERVICEBUS_CONNECTION_STRING: serviceBus.connectionString } });

  it('lists each dead-lettered message with its ids, enqueue time, delivery count and dead-letter reason', async () => {
    const queue = newQueue();
    await deadLetterByRetries(queue, {
      messageId: 'req-a',
      body: request('req-a'),
      contentType: 'application/json',
    });
    await deadLetterByApplication(queue, {
      messageId: 'msg-b',
      body: request('req-b'),
      contentType: 'application/json',
    });

    const json = await cli(['dlq', 'list', '--queue', queue, '--json']);
    const human = await cli(['dlq', 'list', '--queue', queue]);

    expect(json.exitCode).toBe(0);
    const entries = JSON.parse(json.stdout);
    expect(entries).toEqual([
      {
        messageId: 'req-a',
        requestId: 'req-a',
        sequenceNumber: expect.any(String),
        enqueuedTimeUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        deliveryCount: 2,
        deadLetterReason: 'MaxDeliveryCountExceeded',
        deadLetterErrorDescription: expect.any(String),
      },
      {
        messageId: 'msg-b',
        requestId: 'req-b',
        sequenceNumber: expect.any(String),
        enqueuedTimeUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        deliveryCount: 0,
        deadLetterReason: 'PoisonMessage',
        deadLetterErrorDescription: 'handler gave up',
      },
    ]);
    expect(human.exitCode).toBe(0);
    const [header, first, second] = human.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^MESSAGE ID +REQUEST ID +ENQUEUED \(UTC\) +DELIVERIES +REASON +DESCRIPTION$/);
    expect(first).toMatch(/^req-a +req-a +\S+ +2 +MaxDeliveryCountExceeded +\S/);
    expect(second).toMatch(/^msg-b +req-b +\S+ +0 +PoisonMessage +handler gave up$/);
    expect(serviceBus.control.deadLetters(queue)).toHaveLength(2);
  });

  it('says the dead-letter queue is empty rather than printing an empty table', async () => {
    const queue = newQueue();

    const run = await cli(['dlq', 'list', '--queue', queue]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `the dead-letter queue of '${queue}' on 127.0.0.1:${serviceBus.port} is empty`,
    );
  });

  it('replays one message under a new message id with its body and properties, and removes it from the dead-letter queue', async () => {
    const queue = newQueue();
    await deadLetterByRetries(queue, {
      messageId: 'req-1',
      body: request('req-1'),
      contentType: 'application/json',
      correlationId: 'pipeline-run-7',
      applicationProperties: { source: 'sales-pipeline', attempt: 1 },
    });
    await deadLetterByRetries(queue, {
      messageId: 'req-2',
      body: request('req-2'),
      contentType: 'application/json',
    });

    const run = await cli(['dlq', 'replay', 'req-1', '--queue', queue]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('replayed req-1 as req-1-replay-1 (request req-1)\n');
    // The original id is inside the duplicate-detection window: a copy under it would be silently dropped.
    expect(serviceBus.control.stats(queue).duplicatesDropped).toBe(0);
    const [replayed, ...others] = serviceBus.control.messages(queue);
    expect(others).toEqual([]);
    expect(replayed).toMatchObject({
      messageId: 'req-1-replay-1',
      body: request('req-1'),
      contentType: 'application/json',
      correlationId: 'pipeline-run-7',
      deliveryCount: 0,
    });
    expect(replayed?.applicationProperties).toEqual({ source: 'sales-pipeline', attempt: 1 });
    expect(serviceBus.control.deadLetters(queue).map((message) => message.messageId)).toEqual(['req-2']);
    expect(serviceBus.control.deadLetters(queue)[0]?.state).toBe('available');
  });

  it('leaves the dead-lettered messages ahead of the replayed one where they were', async () => {
    const queue = newQueue();
    for (const id of ['req-first', 'req-second', 'req-third']) {
      await deadLetterByApplication(queue, {
        messageId: id,
        body: request(id),
        contentType: 'application/json',
      });
    }

    const run = await cli(['dlq', 'replay', 'req-third', '--queue', queue]);

    expect(run.exitCode).toBe(0);
    expect(serviceBus.control.messages(queue).map((message) => message.messageId)).toEqual([
      'req-third-replay-1',
    ]);
    const remaining = serviceBus.control.deadLetters(queue);
    expect(remaining.map((message) => [message.messageId, message.state, message.deadLetterReason])).toEqual([
      ['req-first', 'available', 'PoisonMessage'],
      ['req-second', 'available', 'PoisonMessage'],
    ]);
  });

  it('counts up when a replay dead-letters again and is replayed once more', async () => {
    const queue = newQueue();
    await deadLetterByRetries(queue, {
      messageId: 'req-1-replay-1',
      body: request('req-1'),
      contentType: 'application/json',
    });

    const run = await cli(['dlq', 'replay', 'req-1-replay-1', '--queue', queue]);

    expect(run.exitCode).toBe(0);
    expect(serviceBus.control.messages(queue).map((message) => message.messageId)).toEqual([
      'req-1-replay-2',
    ]);
  });

  it('gives a replayed body without a requestId the original message id, which the provisioner used as the request id', async () => {
    const queue = newQueue();
    const { requestId: _, ...withoutId } = request('unused');
    await deadLetterByRetries(queue, {
      messageId: 'from-another-sender',
      body: withoutId,
      contentType: 'application/json',
    });

    const run = await cli(['dlq', 'replay', 'from-another-sender', '--queue', queue, '--json']);

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        messageId: 'from-another-sender',
        replayedAs: 'from-another-sender-replay-1',
        requestId: 'from-another-sender',
      },
    ]);
    expect(serviceBus.control.messages(queue)[0]?.body).toEqual({
      requestId: 'from-another-sender',
      ...withoutId,
    });
  });

  it('replays every dead-lettered message with --all', async () => {
    const queue = newQueue();
    for (const id of ['req-x', 'req-y', 'req-z']) {
      await deadLetterByRetries(queue, { messageId: id, body: request(id), contentType: 'application/json' });
    }

    const run = await cli(['dlq', 'replay', '--all', '--queue', queue]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(serviceBus.control.deadLetters(queue)).toEqual([]);
    expect(
      serviceBus.control
        .messages(queue)
        .map((message) => message.messageId)
        .sort(),
    ).toEqual(['req-x-replay-1', 'req-y-replay-1', 'req-z-replay-1']);
  });

  it('exits with code 4 and points at dlq list when the message id is not in the dead-letter queue', async () => {
    const queue = newQueue();
    await deadLetterByRetries(queue, {
      messageId: 'req-kept',
      body: request('req-kept'),
      contentType: 'application/json',
    });

    const run = await cli(['dlq', 'replay', 'req-unknown', '--queue', queue]);

    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain(
      `No message 'req-unknown' in the dead-letter queue of '${queue}' on 127.0.0.1:${serviceBus.port}; 'ucprov dlq list' shows what is there.`,
    );
    expect(serviceBus.control.deadLetters(queue).map((message) => message.messageId)).toEqual(['req-kept']);
    expect(serviceBus.control.messages(queue)).toEqual([]);
  });

  it('asks for exactly one of a message id or --all (exit code 2)', async () => {
    const neither = await cli(['dlq', 'replay']);
    const both = await cli(['dlq', 'replay', 'req-1', '--all']);

    for (const run of [neither, both]) {
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(
        "dlq replay takes one message id or --all: 'ucprov dlq replay <message-id>'",
      );
    }
  });
});
