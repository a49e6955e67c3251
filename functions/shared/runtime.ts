import type { InvocationContext } from '@azure/functions';
import type { LogSink } from '../../src/logger.js';
import type { ProvisionerRuntime } from '../../src/runtime/provisioner-runtime.js';

let runtime: Promise<ProvisionerRuntime> | undefined;

/**
 * The runtime is built on the first invocation, and its module (with the Azure SDKs, undici and zod behind it)
 * is imported only then: the host imports every function module at cold start, so a static import here would
 * load all of them before the first request (measured by `npm run bench`).
 * ("Optimize startup code: lazy …", microsoft/azure-skills …/services/functions/cold-start.md; Azure/azure-functions-host#298).
 */
export function getRuntime(): Promise<ProvisionerRuntime> {
  runtime ??= import('../../src/runtime/provisioner-runtime.js')
    .then(({ createProvisionerRuntime }) => createProvisionerRuntime(process.env))
    .catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
  return runtime;
}

/** Routes core log lines to the invocation's log, which the host ties to the invocation in Application Insights. */
export function invocationSink(context: InvocationContext): LogSink {
  return (level, line) => context[level](line);
}
