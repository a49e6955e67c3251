import type { ServiceBusQueueHandler } from '@azure/functions';
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import type { HostLog } from '../host-log.js';
import { createInvocationContext } from '../invocation-context.js';
import { describeError, runInvocation } from '../run-invocation.js';
import { triggerInputFromBody } from './message-body.js';
import { serviceBusTriggerMetadata } from './trigger-metadata.js';

export interface ServiceBusFunctionEntry {
  name: string;
  /** With `%AppSetting%` placeholders already resolved. */
  queueName: string;
  /** Trigger setting, else host.json's. `false` leaves settlement to the function (the message lock then expires). */
  autoCompleteMessages: boolean;
  handler: ServiceBusQueueHandler;
}

export interface ServiceBusListenerOptions {
  entry: ServiceBusFunctionEntry;
  client: ServiceBusClient;
  maxConcurrentCalls: number;
  maxAutoLockRenewalDurationInMs: number;
  log: HostLog;
}

/**
 * The Service Bus trigger for one function, over @azure/service-bus, with the extension's PeekLock behaviour
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger#peeklock-behavior):
 * at most `maxConcurrentCalls` invocations at once, the lock renewed for up to `maxAutoLockRenewalDuration`,
 * complete when the handler resolves, abandon when it throws (Service Bus then redelivers with deliveryCount + 1
 * and dead-letters past the queue's maxDeliveryCount).
 */
export class ServiceBusListener {
  readonly #options: ServiceBusListenerOptions;
  readonly #receiver: ServiceBusReceiver;
  readonly #inFlight = new Set<Promise<void>>();
  #subscription: { close(): Promise<void> } | undefined;

  private constructor(options: ServiceBusListenerOptions) {
    this.#options = options;
    this.#receiver = options.client.createReceiver(options.entry.queueName, {
      receiveMode: 'peekLock',
      maxAutoLockRenewalDurationInMs: options.maxAutoLockRenewalDurationInMs,
      skipParsingBodyAsJson: true,
    });
  }

  static start(options: ServiceBusListenerOptions): ServiceBusListener {
    const listener = new ServiceBusListener(options);
    listener.#subscribe();
    return listener;
  }

  /** Stops taking messages, lets invocations in flight finish and settle, then closes the receiver. */
  async stop(): Promise<void> {
    await this.#subscription?.close();
    await Promise.allSettled([...this.#inFlight]);
    await this.#receiver.close();
  }

  #subscribe(): void {
    const { entry, log, maxConcurrentCalls } = this.#options;
    this.#subscription = this.#receiver.subscribe(
      {
        processMessage: (message) => {
          const invocation = this.#invoke(message);
          this.#inFlight.add(invocation);
          return invocation.finally(() => this.#inFlight.delete(invocation));
        },
        processError: async ({ error, errorSource }) => {
          log({
            at: new Date(),
            level: 'error',
            category: 'Host.ServiceBus',
            message: `Receiving from '${entry.queueName}' for function '${entry.name}' failed (${errorSource}): ${describeError(error)}`,
          });
        },
      },
      // Settlement is ours so that it follows the handler's outcome exactly, like the extension's.
      { autoCompleteMessages: false, maxConcurrentCalls },
    );
  }

  async #invoke(message: ServiceBusReceivedMessage): Promise<void> {
    const { entry, log } = this.#options;
    const context = createInvocationContext({
      functionName: entry.name,
      triggerType: 'serviceBusTrigger',
      triggerMetadata: serviceBusTriggerMetadata(message),
      log,
    });
    let succeeded = true;
    try {
      await runInvocation(
        log,
        context,
        `New ServiceBus message detected on '${entry.queueName}'.`,
        async () => entry.handler(triggerInputFromBody(message.body), context),
      );
    } catch {
      succeeded = false;
    }
    if (!entry.autoCompleteMessages) return;
    try {
      if (succeeded) await this.#receiver.completeMessage(message);
      else await this.#receiver.abandonMessage(message);
    } catch (error) {
      // e.g. the lock was lost: Service Bus redelivers the message, which the handler must tolerate anyway.
      log({
        at: new Date(),
        level: 'warning',
        category: 'Host.ServiceBus',
        invocationId: context.invocationId,
        message: `Could not ${succeeded ? 'complete' : 'abandon'} message ${String(message.messageId)}: ${describeError(error)}`,
      });
    }
  }
}
