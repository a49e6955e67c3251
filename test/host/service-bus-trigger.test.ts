import type { InvocationContext } from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceBusStandIn, startServiceBus } from '../emulators/service-bus/index.js';
import { FunctionHost, HostStartupError } from './function-host.js';
import { capturedLog, eventually, fixture, hostConfiguration } from './host-test-support.js';

interface Seen {
  body: unknown;
  metadata: Record<string, unknown>;
}

describe('local function host: Service Bus trigger', () => {
  let broker: ServiceBusStandIn;
  let client: ServiceBusClient;
  let host: FunctionHost | undefined;
  let queues = 0;

  beforeAll(async () => {
    broker = await startServiceBus();
    client = new ServiceBusClient(broker.connectionString);
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });
  afterAll(async () => {
    await client?.close();
    await broker?.close();
  });

  /** A fresh queue named through an app setting, as the app's `%REQUEST_QUEUE_NAME%` is. */
  function newQueue(options: { maxDeliveryCount?: number; lockDurationInMs?: number } = {}) {
    const name = `q${++queues}`;
    broker.control.createQueue(name, { maxDeliveryCount: 3, lockDurationInMs: 5_000, ...options });
    return name;
  }

  async function startHost(
    queue: string,
    handler: (body: unknown, context: InvocationContext) => Promise<void>,
    serviceBus: Parameters<typeof hostConfiguration>[0] = {},
    log = capturedLog().log,
  ) {
    host = await FunctionHost.start({
      port: 0,
      settings: { ServiceBusConnection: broker.connectionString, TEST_QUEUE: queue },
      configuration: hostConfiguration(serviceBus),
      log,
      functions: [
        fixture.serviceBus('consume', {
          connection: 'ServiceBusConnection',
          queueName: '%TEST_QUEUE%',
          handler,
        }),
      ],
    });
    return host;
  }

  async function send(
    queue: string,
    ...messages: Parameters<ReturnType<ServiceBusClient['createSender']>['sendMessages']>[0][]
  ) {
    const sender = client.createSender(queue);
    try {
      for (const message of messages) await sender.sendMessages(message);
    } finally {
      await sender.close();
    }
  }

  it('completes a message when the handler resolves, passing the parsed JSON body and the trigger metadata', async () => {
    const queue = newQueue();
    const seen: Seen[] = [];
    await startHost(
      queue,
      async (body, context) => void seen.push({ body, metadata: context.triggerMetadata ?? {} }),
    );
    await send(queue, {
      messageId: 'm-1',
      body: { requestId: 'r1', n: 1 },
      contentType: 'application/json',
      correlationId: 'corr-1',
      applicationProperties: { Origin: 'pipeline', attempt: 3 },
    });
    await eventually(
      () => broker.control.stats(queue).completed === 1,
      10_000,
      'the message to be completed',
    );
    expect(broker.control.messages(queue)).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.body).toEqual({ requestId: 'r1', n: 1 });
    expect(seen[0]?.metadata).toMatchObject({
      messageId: 'm-1',
      deliveryCount: 1,
      contentType: 'application/json',
      correlationId: 'corr-1',
      applicationProperties: { origin: 'pipeline', attempt: 3 },
    });
    expect(typeof seen[0]?.metadata.sequenceNumber).toBe('number');
    expect(typeof seen[0]?.metadata.lockToken).toBe('string');
    expect(Date.now() - Date.parse(String(seen[0]?.metadata.enqueuedTimeUtc))).toBeLessThan(10_000);
  });

  it('passes a body that is not JSON as a string', async () => {
    const queue = newQueue();
    const bodies: unknown[] = [];
    await startHost(queue, async (body) => void bodies.push(body));
    await send(queue, { body: 'plain text, not JSON' });
    await eventually(() => bodies.length === 1, 10_000, 'one invocation');
    expect(bodies).toEqual(['plain text, not JSON']);
  });

  it('abandons a message when the handler throws, so Service Bus redelivers it with deliveryCount 2', async () => {
    const queue = newQueue();
    const deliveries: number[] = [];
    await startHost(queue, async (_body, context) => {
      deliveries.push(Number(context.triggerMetadata?.deliveryCount));
      if (deliveries.length === 1) throw new Error('transient failure');
    });
    await send(queue, { messageId: 'retry-me', body: {} });
    await eventually(() => broker.control.stats(queue).completed === 1, 10_000, 'completion after a retry');
    expect(deliveries).toEqual([1, 2]);
    expect(broker.control.stats(queue).abandoned).toBe(1);
  });

  it('lets a message that always fails dead-letter after the queue’s maxDeliveryCount', async () => {
    const queue = newQueue({ maxDeliveryCount: 3 });
    const deliveries: number[] = [];
    await startHost(queue, async (_body, context) => {
      deliveries.push(Number(context.triggerMetadata?.deliveryCount));
      throw new Error('always fails');
    });
    await send(queue, { messageId: 'poison', body: {} });
    await eventually(() => broker.control.deadLetters(queue).length === 1, 10_000, 'dead-lettering');
    expect(deliveries).toEqual([1, 2, 3]);
    expect(broker.control.deadLetters(queue)[0]?.messageId).toBe('poison');
  });

  it('runs at most maxConcurrentCalls invocations at once', async () => {
    const queue = newQueue();
    let running = 0;
    let peak = 0;
    let done = 0;
    await startHost(
      queue,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 150));
        running--;
        done++;
      },
      { maxConcurrentCalls: 3 },
    );
    await send(queue, ...Array.from({ length: 9 }, (_, i) => ({ body: { i } })));
    await eventually(() => done === 9, 15_000, 'nine invocations');
    expect(peak).toBe(3);
  });

  it('renews the lock of a long invocation up to maxAutoLockRenewalDuration, so the message is delivered once', async () => {
    const queue = newQueue({ lockDurationInMs: 600 });
    const deliveries: number[] = [];
    await startHost(
      queue,
      async (_body, context) => {
        deliveries.push(Number(context.triggerMetadata?.deliveryCount));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      },
      { maxAutoLockRenewalDurationInMs: 10_000 },
    );
    await send(queue, { body: {} });
    await eventually(() => broker.control.stats(queue).completed === 1, 10_000, 'completion');
    expect(deliveries).toEqual([1]);
    expect(broker.control.stats(queue).expiredLocks ?? 0).toBe(0);
  });

  it('on stop, lets the invocation in flight finish and settles it before closing', async () => {
    const queue = newQueue();
    let started = false;
    let finished = false;
    const running = await startHost(queue, async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    await send(queue, { body: {} });
    await eventually(() => started, 10_000, 'the invocation to start');
    await running.stop();
    expect(finished).toBe(true);
    expect(broker.control.stats(queue).completed).toBe(1);
    expect(broker.control.messages(queue)).toEqual([]);
  });

  it('refuses to start when the queue name setting or the connection setting is missing', async () => {
    const starting = FunctionHost.start({
      port: 0,
      settings: {},
      configuration: hostConfiguration(),
      log: capturedLog().log,
      functions: [
        fixture.serviceBus('consume', {
          connection: 'ServiceBusConnection',
          queueName: '%REQUEST_QUEUE_NAME%',
          handler: async () => {},
        }),
      ],
    });
    await expect(starting).rejects.toThrow(HostStartupError);
    await expect(starting).rejects.toThrow(
      "Function 'consume', queueName: '%REQUEST_QUEUE_NAME%' does not resolve to a value; set the app setting REQUEST_QUEUE_NAME.",
    );
    await expect(starting).rejects.toThrow(
      "Function 'consume': the connection 'ServiceBusConnection' is not configured",
    );
    const noConnection = FunctionHost.start({
      port: 0,
      settings: { Q: 'q' },
      configuration: hostConfiguration(),
      log: capturedLog().log,
      functions: [
        fixture.serviceBus('consume', { connection: 'Missing', queueName: '%Q%', handler: async () => {} }),
      ],
    });
    await expect(noConnection).rejects.toThrow(
      /the connection 'Missing' is not configured; set the app setting Missing/,
    );
  });
});
