import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Default: a fresh empty directory, so no `.sandbox/endpoints.json` is found by accident. */
  cwd?: string;
  /** Added to the environment; inherited `UCPROV_*` variables are always removed first. */
  env?: Record<string, string>;
  stdin?: string;
  timeoutInMs?: number;
}

const cliEntry = fileURLToPath(new URL('../../cli/ucprov.ts', import.meta.url));
// tsx's ESM loader, by absolute URL so the CLI can run from any directory.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let sharedEmptyDirectory: string | undefined;

/** An empty working directory (the CLI never writes to it), removed when the test process exits. */
export function emptyDirectory(): string {
  if (!sharedEmptyDirectory) {
    const directory = mkdtempSync(join(tmpdir(), 'ucprov-cli-'));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    sharedEmptyDirectory = directory;
  }
  return sharedEmptyDirectory;
}

/** Runs `ucprov <args>` as its own process, as a pipeline would, and collects its output and exit code. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('UCPROV_')));
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], {
    cwd: options.cwd ?? emptyDirectory(),
    env: { ...env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `ucprov ${args.join(' ')} did not exit within ${options.timeoutInMs ?? 60_000} ms\n${stderr}`,
        ),
      );
    }, options.timeoutInMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** The environment that points `ucprov` at a local cloud's request queue and a running host's status endpoint. */
export function cliEnvironment(
  cloud: { serviceBus: { connectionString: string }; requestQueue: string },
  host: { url: string; keys: { functionKey: string } },
): Record<string, string> {
  return {
    UCPROV_SERVICEBUS_CONNECTION_STRING: cloud.serviceBus.connectionString,
    UCPROV_QUEUE: cloud.requestQueue,
    UCPROV_FUNCTIONS_URL: host.url,
    UCPROV_FUNCTION_KEY: host.keys.functionKey,
  };
}
