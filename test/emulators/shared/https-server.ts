import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Where scripts/generate-test-certs.mjs writes the throwaway CA and the localhost certificate. */
export const testCertDir = join(import.meta.dirname, '..', '..', '..', '.local-cloud', 'certs');

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  /** `https://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface HttpsServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
}

/**
 * Serves `handler` over HTTPS on 127.0.0.1 with the test certificate. A handler that throws answers
 * 500 instead of leaving the client hanging.
 */
export async function startHttpsServer(
  handler: RequestHandler,
  options: HttpsServerOptions = {},
): Promise<RunningServer> {
  const server = createServer(
    {
      key: readFileSync(join(testCertDir, 'server-key.pem')),
      cert: readFileSync(join(testCertDir, 'server.pem')),
    },
    (req, res) => {
      Promise.resolve(handler(req, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'StandInFailure', message: String(error) } }));
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
