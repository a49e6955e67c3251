import type { InvocationContext } from '@azure/functions';
import type { LogSink } from '../../src/logger.js';
import { createProvisionerRuntime, type ProvisionerRuntime } from '../../src/runtime/provisioner-runtime.js';

let runtime: Promise<ProvisionerRuntime> | undefined;

/** The runtime is built on the first invocation (not at import) so a cold start only loads what it uses. */
export function getRuntime(): Promise<ProvisionerRuntime> {
  runtime ??= createProvisionerRuntime(process.env).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** Routes core log lines to the invocation's log, which the host ties to the invocation in Application Insights. */
export function invocationSink(context: InvocationContext): LogSink {
  return (level, line) => context[level](line);
}
