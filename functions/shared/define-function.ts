import {
  app,
  type HttpFunctionOptions,
  type ServiceBusQueueFunctionOptions,
  type TimerFunctionOptions,
} from '@azure/functions';

/** One function as the Functions host sees it: its name, trigger kind and trigger options. */
export type FunctionDefinition =
  | { name: string; trigger: 'http'; options: HttpFunctionOptions }
  | { name: string; trigger: 'serviceBusQueue'; options: ServiceBusQueueFunctionOptions }
  | { name: string; trigger: 'timer'; options: TimerFunctionOptions };

/**
 * Every function registered in this process, in registration order. The Azure Functions host learns
 * them from `app.*`; the local host (test/host) reads this list, so both run the same definitions.
 */
export const registeredFunctions: FunctionDefinition[] = [];

export function defineHttpFunction(name: string, options: HttpFunctionOptions): void {
  registeredFunctions.push({ name, trigger: 'http', options });
  app.http(name, options);
}

export function defineServiceBusQueueFunction(name: string, options: ServiceBusQueueFunctionOptions): void {
  registeredFunctions.push({ name, trigger: 'serviceBusQueue', options });
  app.serviceBusQueue(name, options);
}

export function defineTimerFunction(name: string, options: TimerFunctionOptions): void {
  registeredFunctions.push({ name, trigger: 'timer', options });
  app.timer(name, options);
}
