import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root; `.sandbox/` lives here, next to package.json. */
export const repositoryRoot = resolve(import.meta.dirname, '..', '..');
export const sandboxDirectory = join(repositoryRoot, '.sandbox');
export const endpointsPath = join(sandboxDirectory, 'endpoints.json');

/** A process the sandbox started; the start time guards `sandbox:stop` against a recycled pid. */
export interface RecordedProcess {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), when procfs exists. */
  startTicks?: string;
}

/**
 * `.sandbox/endpoints.json`: everything a client needs to use a running sandbox. `ucprov` reads it from the
 * current directory (cli/connection/sandbox-endpoints.ts); it holds the demo tenant's secrets, which is why
 * `.sandbox/` is git-ignored. The file exists exactly while the sandbox runs.
 */
export interface SandboxEndpoints {
  version: 1;
  startedAt: string;
  functionsBaseUrl: string;
  /** `GET {functionsBaseUrl}/api/requests/{id}` with `x-functions-key: functionKey`. */
  statusUrlTemplate: string;
  functionKey: string;
  /** For the admin API, e.g. `POST /admin/functions/rotateSecrets` to run the rotation timer now. */
  masterKey: string;
  serviceBusConnectionString: string;
  requestQueue: string;
  databricksHost: string;
  keyVaultUrl: string;
  graphBaseUrl: string;
  storageConnectionString: string;
  /** The throwaway test CA every HTTPS stand-in's certificate chains to (NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  entra: {
    authorityHost: string;
    tenantId: string;
    provisioner: { clientId: string; clientSecret: string };
    sqlApp: { clientId: string; clientSecret: string; keyVaultSecretName: string };
    admin: { username: string; password: string };
  };
  mail: { smtpHost: string; smtpPort: number; listUrl: string };
  /** A request for the seeded tenant, ready for `npx ucprov submit`. */
  exampleRequestPath: string;
  /** Where a detached sandbox writes its output. */
  logPath?: string;
  pids: { sandbox: number; azurite?: number; functionHost: number };
  processes: Record<string, RecordedProcess>;
}

export function writeEndpoints(endpoints: SandboxEndpoints, path = endpointsPath): void {
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename, so a reader never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function readEndpoints(path = endpointsPath): SandboxEndpoints | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SandboxEndpoints;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(
      `${path} is unreadable (${(error as Error).message}); delete it if no sandbox is running.`,
    );
  }
}

export function removeEndpoints(path = endpointsPath): void {
  rmSync(path, { force: true });
}

export function sandboxFile(name: string): string {
  return join(sandboxDirectory, name);
}
