import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningAzurite, startAzurite } from '../../test/emulators/azurite.js';
import { testCertDir } from '../../test/emulators/shared/https-server.js';
import { type HostProcess, startHostProcess } from '../../test/host/process/host-process.js';
import {
  type LocalCloud,
  type LocalCloudOptions,
  startLocalCloud,
} from '../../test/local-cloud/start-local-cloud.js';
import { writeExampleRequest } from './example-request.js';
import { recordProcess } from './recorded-processes.js';
import { type SandboxEndpoints, sandboxDirectory } from './sandbox-endpoints.js';
import { busyPorts, freePort, sandboxPorts } from './sandbox-ports.js';

export interface SandboxOptions {
  /** `fixed` (default): the documented ports, for people and `ucprov`. `free`: any free ports, for tests. */
  ports?: 'fixed' | 'free';
  /** An Azurite already running (tests share the global one); otherwise the sandbox starts its own. */
  storageConnectionString?: string;
  /** Default `ucprov`; tests sharing an Azurite give each sandbox its own. */
  tablePrefix?: string;
  /** Passed to the local cloud (queue options such as maxDeliveryCount). */
  cloud?: Pick<LocalCloudOptions, 'maxDeliveryCount' | 'lockDurationInMs' | 'requestQueue'>;
  /** App settings on top of the local cloud's, e.g. `AzureFunctionsJobHost__…` host.json overrides. */
  appSettings?: Record<string, string>;
  /** `source` (default) runs functions/*.ts; `built` runs `npm run build` output through package.json `main`. */
  build?: 'source' | 'built';
  /** Where the example request goes; default `.sandbox/`. */
  directory?: string;
  /** The host's output lines; default: this process's stdout with a `[host]` prefix. */
  onHostOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Progress lines while starting. */
  onProgress?: (line: string) => void;
}

export interface Sandbox {
  /** What `.sandbox/endpoints.json` holds (the caller writes it; see scripts/sandbox.ts). */
  endpoints: SandboxEndpoints;
  cloud: LocalCloud;
  host: HostProcess;
  /** Absent when an existing Azurite was used. */
  azurite?: RunningAzurite;
  /** Stops the host, the stand-ins and Azurite (if it started one). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the whole system on 127.0.0.1: Azurite, every stand-in with the seeded demo tenant (startLocalCloud),
 * and the local function host as its own process running the app's real function definitions. Resolves once
 * everything answers: the host reports every trigger started, and its status endpoint answers.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const progress = options.onProgress ?? (() => {});
  const fixed = (options.ports ?? 'fixed') === 'fixed';
  if (fixed) {
    const needed: Record<string, number> = { ...sandboxPorts };
    if (options.storageConnectionString) {
      delete needed.blob;
      delete needed.queue;
      delete needed.table;
    }
    const busy = await busyPorts(needed);
    if (busy.length > 0) {
      throw new Error(
        `Ports in use on 127.0.0.1: ${busy.map(({ name, port }) => `${port} (${name})`).join(', ')}. Is a sandbox already running? Stop it with 'npm run sandbox:stop', or free these ports.`,
      );
    }
  }
  const directory = options.directory ?? sandboxDirectory;
  mkdirSync(directory, { recursive: true });

  let azurite: RunningAzurite | undefined;
  let cloud: LocalCloud | undefined;
  let host: HostProcess | undefined;
  // Each step runs even when an earlier one fails: nothing the sandbox started may outlive it.
  const stop = async () => {
    try {
      await host?.stop();
    } finally {
      try {
        await cloud?.close();
      } finally {
        await azurite?.stop();
      }
    }
  };
  try {
    let storageConnectionString = options.storageConnectionString;
    if (!storageConnectionString) {
      progress('starting Azurite');
      azurite = fixed
        ? await startAzurite({
            blobPort: sandboxPorts.blob,
            queuePort: sandboxPorts.queue,
            tablePort: sandboxPorts.table,
          })
        : await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
      storageConnectionString = azurite.connectionString;
    }
    const hostPort = fixed ? sandboxPorts.functions : await freePort();
    const functionsBaseUrl = `http://127.0.0.1:${hostPort}`;
    progress('starting the stand-ins and seeding the demo tenant');
    cloud = await startLocalCloud({
      storageConnectionString,
      tablePrefix: options.tablePrefix ?? 'ucprov',
      publicBaseUrl: functionsBaseUrl,
      ...(fixed
        ? {
            ports: {
              entra: sandboxPorts.entra,
              keyVault: sandboxPorts.keyVault,
              graph: sandboxPorts.graph,
              databricks: sandboxPorts.databricks,
              serviceBus: sandboxPorts.serviceBus,
              smtp: sandboxPorts.smtp,
              mailApi: sandboxPorts.mailApi,
            },
          }
        : {}),
      ...options.cloud,
    });
    progress('starting the function host');
    host = await startHostProcess({
      appSettings: { ...cloud.appSettings, ...options.appSettings },
      port: hostPort,
      build: options.build ?? 'source',
      ...(options.onHostOutput ? { onOutput: options.onHostOutput } : {}),
    });
    await assertStatusEndpointAnswers(host);

    const exampleRequestPath = join(directory, 'example-m2m.json');
    writeExampleRequest(cloud, exampleRequestPath);
    const endpoints: SandboxEndpoints = {
      version: 1,
      startedAt: new Date().toISOString(),
      functionsBaseUrl: host.url,
      statusUrlTemplate: `${host.url}/api/requests/{id}`,
      functionKey: host.keys.functionKey,
      masterKey: host.keys.masterKey,
      serviceBusConnectionString: cloud.serviceBus.connectionString,
      requestQueue: cloud.requestQueue,
      databricksHost: cloud.databricks.url,
      keyVaultUrl: cloud.keyVault.url,
      graphBaseUrl: cloud.graph.url,
      storageConnectionString,
      caCertPath: join(testCertDir, 'ca.pem'),
      entra: {
        authorityHost: cloud.entra.url,
        tenantId: cloud.tenantId,
        provisioner: { clientId: cloud.provisioner.appId, clientSecret: cloud.provisioner.secretText },
        sqlApp: {
          clientId: cloud.sqlApp.appId,
          clientSecret: cloud.sqlApp.secretText,
          keyVaultSecretName: cloud.sqlApp.secretName,
        },
        admin: { ...cloud.admin },
      },
      mail: { smtpHost: cloud.mail.smtpHost, smtpPort: cloud.mail.smtpPort, listUrl: cloud.mail.listUrl },
      exampleRequestPath,
      pids: {
        sandbox: process.pid,
        functionHost: host.pid,
        ...(azurite ? { azurite: azurite.pid } : {}),
      },
      processes: {
        sandbox: recordProcess(process.pid),
        functionHost: recordProcess(host.pid),
        ...(azurite ? { azurite: recordProcess(azurite.pid) } : {}),
      },
    };
    let stopping: Promise<void> | undefined;
    return { endpoints, cloud, host, ...(azurite ? { azurite } : {}), stop: () => (stopping ??= stop()) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** "Everything answers": an unknown request id gets the status endpoint's 404 (with the key), not an error. */
async function assertStatusEndpointAnswers(host: HostProcess): Promise<void> {
  const response = await fetch(`${host.url}/api/requests/sandbox-readiness-check`, {
    headers: { 'x-functions-key': host.keys.functionKey },
  });
  await response.body?.cancel();
  if (response.status !== 404) {
    throw new Error(
      `The status endpoint answered ${response.status} instead of 404; see the host output above.`,
    );
  }
}
