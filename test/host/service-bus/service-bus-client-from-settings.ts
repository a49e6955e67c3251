import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';

/**
 * The client for a trigger's `connection` setting, resolved like the Functions host: the setting itself (or
 * `AzureWebJobs<name>`) holds a connection string; otherwise `<name>__fullyQualifiedNamespace` selects an
 * identity-based connection (https://learn.microsoft.com/azure/azure-functions/functions-reference#configure-an-identity-based-connection),
 * for which `@azure/identity`'s DefaultAzureCredential stands in for the host's managed identity.
 */
export function serviceBusClientFromSettings(
  connection: string,
  settings: Record<string, string | undefined>,
  where: string,
): ServiceBusClient {
  const connectionString = settings[connection] || settings[`AzureWebJobs${connection}`];
  if (connectionString) return new ServiceBusClient(connectionString);
  const namespace = settings[`${connection}__fullyQualifiedNamespace`];
  if (namespace) {
    const clientId = settings[`${connection}__clientId`];
    return new ServiceBusClient(
      namespace,
      new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}),
    );
  }
  throw missingConnection(connection, where);
}

/** Fails now, with every other startup problem, rather than when the listener starts. */
export function assertServiceBusConnectionConfigured(
  connection: string,
  settings: Record<string, string | undefined>,
  where: string,
): void {
  const configured =
    settings[connection] ||
    settings[`AzureWebJobs${connection}`] ||
    settings[`${connection}__fullyQualifiedNamespace`];
  if (!configured) throw missingConnection(connection, where);
}

function missingConnection(connection: string, where: string): Error {
  return new Error(
    `${where}: the connection '${connection}' is not configured; set the app setting ${connection} to a Service Bus connection string or ${connection}__fullyQualifiedNamespace to <namespace>.servicebus.windows.net.`,
  );
}
