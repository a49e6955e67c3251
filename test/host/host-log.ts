/** One line of the host's log: host events (category `Host`) and what functions write through their context. */
export interface HostLogEntry {
  at: Date;
  level: 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
  /** `Host`, `Host.Http`, `Host.ServiceBus`, `Host.Timer`, or `Function.<name>` like the Functions host. */
  category: string;
  message: string;
  invocationId?: string;
}

export type HostLog = (entry: HostLogEntry) => void;

/** `[2026-12-03T10:00:00.000Z] information Function.requestStatus: message` on stdout, one entry per line. */
export const consoleHostLog: HostLog = (entry) => {
  process.stdout.write(`${formatHostLogEntry(entry)}\n`);
};

export function formatHostLogEntry(entry: HostLogEntry): string {
  const invocation = entry.invocationId ? ` (${entry.invocationId.slice(0, 8)})` : '';
  return `[${entry.at.toISOString()}] ${entry.level} ${entry.category}${invocation}: ${entry.message}`;
}
