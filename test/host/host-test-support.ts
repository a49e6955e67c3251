import type {
  HttpFunctionOptions,
  ServiceBusQueueFunctionOptions,
  TimerFunctionOptions,
} from '@azure/functions';
import type { FunctionDefinition } from '../../functions/shared/define-function.js';
import type { HostConfiguration } from './host-configuration.js';
import type { HostLogEntry } from './host-log.js';

/** Definitions shaped exactly as define-function.ts records them, without registering anything. */
export const fixture = {
  http: (name: string, options: HttpFunctionOptions): FunctionDefinition => ({
    name,
    trigger: 'http',
    options,
  }),
  serviceBus: (name: string, options: ServiceBusQueueFunctionOptions): FunctionDefinition => ({
    name,
    trigger: 'serviceBusQueue',
    options,
  }),
  timer: (name: string, options: TimerFunctionOptions): FunctionDefinition => ({
    name,
    trigger: 'timer',
    options,
  }),
};

export function hostConfiguration(
  serviceBus: Partial<HostConfiguration['serviceBus']> = {},
): HostConfiguration {
  return {
    routePrefix: 'api',
    serviceBus: {
      maxConcurrentCalls: 16,
      maxAutoLockRenewalDurationInMs: 300_000,
      autoCompleteMessages: true,
      ...serviceBus,
    },
  };
}

/** Collects the host's log so tests can read what an operator would see. */
export function capturedLog() {
  const entries: HostLogEntry[] = [];
  return { entries, log: (entry: HostLogEntry) => void entries.push(entry) };
}

/** Polls `condition` every 20 ms until it holds or `timeoutInMs` passes. */
export async function eventually(
  condition: () => boolean,
  timeoutInMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutInMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
