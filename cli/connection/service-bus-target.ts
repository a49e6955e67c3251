import { CliError } from '../cli-error.js';
import { rememberConnectionString } from '../cli-secrets.js';
import { envValue } from './env-value.js';
import { readSandboxEndpoints, type SandboxEndpoints, sandboxEndpointsPath } from './sandbox-endpoints.js';

export const defaultQueue = 'connection-requests';

/** Where the requests queue is and how to authenticate to it. `source` says which option or file chose it. */
export type ServiceBusTarget =
  | {
      kind: 'connectionString';
      connectionString: string;
      /** The namespace host, for messages (the connection string itself carries a key and is never printed). */
      host: string;
      queue: string;
      source: string;
    }
  | { kind: 'namespace'; fullyQualifiedNamespace: string; host: string; queue: string; source: string };

export interface ServiceBusOptionValues {
  'connection-string'?: string;
  namespace?: string;
  queue?: string;
}

const noConnectionHelp =
  'No Service Bus connection: pass --connection-string or set UCPROV_SERVICEBUS_CONNECTION_STRING, ' +
  'or pass --namespace <name>.servicebus.windows.net (signs in with DefaultAzureCredential), ' +
  "or start 'npm run sandbox -- --detach' in this directory.";

/**
 * Picks the queue to talk to, first match wins: the options, then the environment
 * (`UCPROV_SERVICEBUS_CONNECTION_STRING`, `UCPROV_SERVICEBUS_NAMESPACE`), then `.sandbox/endpoints.json`
 * in the current directory. The queue name: `--queue`, `UCPROV_QUEUE`, the connection string's
 * EntityPath, the sandbox's queue, then `connection-requests`.
 */
export function resolveServiceBusTarget(
  values: ServiceBusOptionValues,
  env: NodeJS.ProcessEnv = process.env,
  sandbox: () => SandboxEndpoints | undefined = readSandboxEndpoints,
): ServiceBusTarget {
  if (values['connection-string'] !== undefined && values.namespace !== undefined) {
    throw CliError.usage(
      'Pass either --connection-string or --namespace, not both: a connection string already names its namespace.',
    );
  }
  const explicitQueue = values.queue ?? envValue(env, 'UCPROV_QUEUE');
  if (values['connection-string'] !== undefined) {
    return fromConnectionString(values['connection-string'], '--connection-string', explicitQueue);
  }
  if (values.namespace !== undefined) return fromNamespace(values.namespace, '--namespace', explicitQueue);
  const envConnectionString = envValue(env, 'UCPROV_SERVICEBUS_CONNECTION_STRING');
  if (envConnectionString) {
    return fromConnectionString(envConnectionString, 'UCPROV_SERVICEBUS_CONNECTION_STRING', explicitQueue);
  }
  const envNamespace = envValue(env, 'UCPROV_SERVICEBUS_NAMESPACE');
  if (envNamespace) return fromNamespace(envNamespace, 'UCPROV_SERVICEBUS_NAMESPACE', explicitQueue);
  const endpoints = sandbox();
  if (endpoints?.serviceBusConnectionString) {
    return fromConnectionString(
      endpoints.serviceBusConnectionString,
      sandboxEndpointsPath,
      explicitQueue ?? endpoints.requestQueue,
    );
  }
  throw CliError.connection(noConnectionHelp);
}

function fromConnectionString(
  connectionString: string,
  source: string,
  queue: string | undefined,
): ServiceBusTarget {
  rememberConnectionString(connectionString);
  const fields = parseConnectionString(connectionString);
  const endpoint = fields.get('endpoint');
  const hasKey = fields.has('sharedaccesskeyname') && fields.has('sharedaccesskey');
  const host = endpoint?.match(/^sb:\/\/([^/;]+)\/?$/i)?.[1];
  if (!host || !(hasKey || fields.has('sharedaccesssignature'))) {
    throw CliError.usage(
      `${source}: not a Service Bus connection string; expected ` +
        "'Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<name>;SharedAccessKey=<key>' " +
        '(Azure portal → Service Bus namespace → Shared access policies).',
    );
  }
  const entityPath = fields.get('entitypath');
  if (entityPath && queue && entityPath !== queue) {
    throw CliError.usage(
      `${source} is scoped to queue '${entityPath}' (EntityPath) but the queue asked for is '${queue}'; drop --queue/UCPROV_QUEUE or use a namespace-level connection string.`,
    );
  }
  return {
    kind: 'connectionString',
    connectionString,
    host,
    queue: queue ?? entityPath ?? defaultQueue,
    source,
  };
}

function fromNamespace(namespace: string, source: string, queue: string | undefined): ServiceBusTarget {
  const host = namespace
    .trim()
    .replace(/^sb:\/\//i, '')
    .replace(/\/$/, '');
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(host)) {
    throw CliError.usage(
      `${source}: expected a fully qualified namespace such as mybus.servicebus.windows.net, got '${namespace}'.`,
    );
  }
  return { kind: 'namespace', fullyQualifiedNamespace: host, host, queue: queue ?? defaultQueue, source };
}

/** `Key=Value;…` with case-insensitive keys; values may contain '=' (base64 keys do). */
function parseConnectionString(connectionString: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return fields;
}
