import type { Settings } from '../config/settings.js';
import type { Lease, LeaseStore } from '../state/lease-store.js';

/** How long a writer waits for another one on the same connection before giving up for now. */
const connectionLeaseWaitInMs = 30_000;

/**
 * The one lease every writer of a connection takes — the queue consumer, the OAuth callback and rotation —
 * so that two changes to one connection never interleave. `undefined` when another writer kept it too long.
 */
export function acquireConnectionLease(
  deps: { leases: LeaseStore; settings: Pick<Settings, 'connectionLeaseInMs'> },
  connection: { workspace: string; name: string },
  holder: string,
  waitInMs = connectionLeaseWaitInMs,
): Promise<Lease | undefined> {
  return deps.leases.acquire(`connection|${connection.workspace}|${connection.name.toLowerCase()}`, holder, {
    durationInMs: deps.settings.connectionLeaseInMs,
    waitInMs,
    pollInMs: 200,
  });
}
