/**
 * Entry point of the local host's own process (started by host-process.ts, like the Functions host runs apart
 * from whoever starts it). Its environment is the app settings; the parent sends one `start` message over IPC.
 * Stops cleanly on SIGTERM or SIGINT, and when the parent goes away (IPC disconnect), so it never outlives it.
 */
import { FunctionHost } from '../function-host.js';
import { consoleHostLog } from '../host-log.js';
import { loadFunctionApp } from '../load-function-app.js';
import type { HostProcessMessage, StartHostMessage } from './host-messages.js';

let host: FunctionHost | undefined;
let exiting = false;

function send(message: HostProcessMessage): void {
  if (process.connected) process.send?.(message);
}

async function start(message: StartHostMessage): Promise<void> {
  try {
    const app = await loadFunctionApp(message.app);
    host = await FunctionHost.start({
      functions: app.functions,
      settings: process.env,
      keys: message.keys,
      port: message.port,
      log: consoleHostLog,
    });
    send({ type: 'started', url: host.url, functions: [...host.functions] });
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    await exit(1);
  }
}

async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  try {
    await host?.stop();
  } finally {
    process.disconnect?.();
    process.exit(code);
  }
}

process.once('message', (message: StartHostMessage) => void start(message));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void exit(0));
process.on('disconnect', () => void exit(0));
