import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface AzuriteOptions {
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
}

export interface RunningAzurite {
  pid: number;
  /** Development-storage connection string pointing at these ports. */
  connectionString: string;
  stop(): Promise<void>;
}

// Well-known development storage account; see
// https://learn.microsoft.com/azure/storage/common/storage-use-azurite#connection-strings
const accountName = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Starts azurite@3.35.0 (the last release that runs on Node 20) as a child process held by its real
 * PID. `--disableTelemetry` is required offline; `--inMemoryPersistence` leaves nothing on disk.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const blobPort = await resolvePort(options.blobPort ?? 10000);
  const queuePort = await resolvePort(options.queuePort ?? 10001);
  const tablePort = await resolvePort(options.tablePort ?? 10002);
  const require = createRequire(import.meta.url);
  const entry = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const child = spawn(
    process.execPath,
    [
      entry,
      '--silent',
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blobPort),
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      String(queuePort),
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(tablePort),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await Promise.all([blobPort, queuePort, tablePort].map((port) => waitForPort(port, child, () => stderr)));
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${accountName}`,
    `AccountKey=${accountKey}`,
    `BlobEndpoint=http://127.0.0.1:${blobPort}/${accountName}`,
    `QueueEndpoint=http://127.0.0.1:${queuePort}/${accountName}`,
    `TableEndpoint=http://127.0.0.1:${tablePort}/${accountName}`,
  ].join(';');
  return { pid: child.pid ?? -1, connectionString, stop: () => stopChild(child) };
}

/** Port 0 means "any free port": Azurite does not report the port it bound, so pick one first. */
async function resolvePort(port: number): Promise<number> {
  if (port !== 0) return port;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Azurite did not open port ${port} within 30 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
