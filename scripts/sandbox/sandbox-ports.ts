import { createServer } from 'node:net';

/**
 * The sandbox's fixed ports on 127.0.0.1. Azurite keeps its documented defaults 10000–10002
 * (https://learn.microsoft.com/azure/storage/common/storage-use-azurite#command-line-options), the host keeps
 * `func start`'s 7071, and the stand-ins take the block 7100–7199.
 */
export const sandboxPorts = {
  functions: 7071,
  blob: 10000,
  queue: 10001,
  table: 10002,
  entra: 7101,
  keyVault: 7102,
  graph: 7103,
  databricks: 7104,
  serviceBus: 7105,
  smtp: 7106,
  mailApi: 7107,
} as const;

export type SandboxPortName = keyof typeof sandboxPorts;

/** The ports among `ports` that something else already listens on. */
export async function busyPorts(
  ports: Record<string, number>,
): Promise<Array<{ name: string; port: number }>> {
  const checks = await Promise.all(
    Object.entries(ports).map(async ([name, port]) => ({ name, port, free: await isFree(port) })),
  );
  return checks.filter((check) => !check.free).map(({ name, port }) => ({ name, port }));
}

/** A port the OS says is free right now (for runs that must not collide with a sandbox). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('Could not pick a free port.');
  return address.port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
