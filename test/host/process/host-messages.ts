import type { FunctionSummary } from '../function-host.js';
import type { HostKeys } from '../host-keys.js';
import type { FunctionAppLayout } from '../load-function-app.js';

/** Sent once by the parent over the IPC channel: how to run. App settings travel as the environment. */
export interface StartHostMessage {
  type: 'start';
  /** Which modules to load; the process's working directory is the app root (host.json). */
  app: FunctionAppLayout;
  port: number;
  keys: HostKeys;
}

export type HostProcessMessage =
  | { type: 'started'; url: string; functions: FunctionSummary[] }
  | { type: 'failed'; message: string };
