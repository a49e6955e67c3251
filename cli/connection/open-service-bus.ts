import type { ServiceBusClient } from '@azure/service-bus';
import { CliError } from '../cli-error.js';
import { defaultQueue, type ServiceBusTarget } from './service-bus-target.js';

/**
 * A client for the target. The SDKs are imported here, not at the top of the CLI, so `--help` and
 * local validation start instantly. Few retries: a person or a pipeline is waiting, and a wrong
 * address should fail in seconds with a message, not after minutes of backoff.
 */
export async function openServiceBus(target: ServiceBusTarget): Promise<ServiceBusClient> {
  const { ServiceBusClient } = await import('@azure/service-bus');
  const options = { retryOptions: { maxRetries: 2, retryDelayInMs: 500, timeoutInMs: 30_000 } };
  if (target.kind === 'connectionString') return new ServiceBusClient(target.connectionString, options);
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new ServiceBusClient(target.fullyQualifiedNamespace, new DefaultAzureCredential(), options);
}

/** What the Service Bus call was for: it decides which right or role the error message asks for. */
export type ServiceBusOperation = 'send' | 'receive';

const roleFor: Record<ServiceBusOperation, string> = {
  send: "'Azure Service Bus Data Sender'",
  receive: "'Azure Service Bus Data Receiver' and 'Azure Service Bus Data Sender'",
};
const sasRightFor: Record<ServiceBusOperation, string> = { send: 'Send', receive: 'Listen and Send' };

/**
 * Turns an SDK error into what to fix. Codes are the SDK's `ServiceBusError.code` values
 * (node_modules/@azure/service-bus/dist-esm/src/serviceBusError.js) and @azure/identity's error names.
 */
export function describeServiceBusError(
  thrown: unknown,
  target: ServiceBusTarget,
  operation: ServiceBusOperation,
): CliError {
  // After retrying, core-amqp throws an AggregateError of every attempt's error (core-amqp src/retry.ts).
  const error = thrown instanceof AggregateError ? (thrown.errors.at(-1) ?? thrown) : thrown;
  const where = `queue '${target.queue}' on ${target.host} (from ${target.source})`;
  const message = error instanceof Error ? error.message : String(error);
  // Socket errors arrive as a core-amqp MessagingError with code GeneralError and the system code in front.
  const unreachable = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)\b/.test(message);
  const code = unreachable ? 'ServiceCommunicationProblem' : (error as { code?: unknown }).code;
  const name = (error as { name?: unknown }).name;
  const sandboxHint = target.source.includes('.sandbox')
    ? " Is the sandbox still running? Start it with 'npm run sandbox -- --detach'."
    : '';
  if (
    name === 'CredentialUnavailableError' ||
    name === 'AggregateAuthenticationError' ||
    name === 'AuthenticationError'
  ) {
    return CliError.connection(
      `No Azure credential for ${target.host}: sign in with 'az login', or in a pipeline use workload identity ` +
        '(AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE), or pass --connection-string instead.',
      { cause: error },
    );
  }
  switch (code) {
    case 'MessagingEntityNotFound':
      return CliError.connection(
        `${where} does not exist: pass --queue with the provisioner's queue name (default ${defaultQueue}).`,
        { cause: error },
      );
    case 'UnauthorizedAccess':
      return CliError.connection(
        target.kind === 'namespace'
          ? `Service Bus refused the signed-in identity for ${where}: it needs the role ${roleFor[operation]} on the queue or namespace.`
          : `Service Bus refused the connection string for ${where}: check the key, and that its policy grants ${sasRightFor[operation]}.`,
        { cause: error },
      );
    case 'ServiceCommunicationProblem':
    case 'ServiceTimeout':
    case 'ServiceBusy':
      return CliError.connection(
        `Cannot reach Service Bus for ${where} (${message}): check the address and your network.${sandboxHint}`,
        { cause: error },
      );
    case 'MessageSizeExceeded':
      return CliError.usage(
        `The request is larger than ${where} accepts (256 KB on Standard); remove what it does not need.`,
      );
    case 'MessagingEntityDisabled':
      return CliError.connection(`${where} is disabled; enable it (Azure portal → queue → Status).`, {
        cause: error,
      });
    default:
      return CliError.connection(`Service Bus call to ${where} failed: ${message}${sandboxHint}`, {
        cause: error,
      });
  }
}

/** Opens a client, runs `work`, turns Service Bus failures into what to fix, and always closes the client. */
export async function withServiceBus<T>(
  target: ServiceBusTarget,
  operation: ServiceBusOperation,
  work: (client: ServiceBusClient) => Promise<T>,
): Promise<T> {
  const client = await openServiceBus(target);
  try {
    return await work(client);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw describeServiceBusError(error, target, operation);
  } finally {
    await client.close().catch(() => undefined);
  }
}
