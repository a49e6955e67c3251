import type { Settings } from '../config/settings.js';
import type { DatabricksClient } from '../databricks/databricks-client.js';
import type { ClientSecretReader } from '../keyvault/client-secret-reader.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { Mailer } from '../mail/mail-message.js';
import type { Clock } from '../state/clock.js';
import type { ConnectionInventory } from '../state/connection-inventory.js';
import type { LeaseStore } from '../state/lease-store.js';
import type { RequestStatusStore } from '../state/request-status-store.js';
import type { SignInStore } from './sign-in-store.js';

/** What the U2M sign-in talks to; built once per process by the runtime, shared by invocations. */
export interface SignInDependencies {
  settings: Pick<Settings, 'signIn' | 'smtp' | 'sqlHostPatterns' | 'connectionLeaseInMs'>;
  store: SignInStore;
  statuses: RequestStatusStore;
  inventory: ConnectionInventory;
  leases: LeaseStore;
  secrets: Pick<ClientSecretReader, 'read'>;
  databricks(workspace: string): DatabricksClient;
  mailer: Mailer;
  /** Every one-time secret of a sign-in (token, state, verifier, code, cookie) is remembered, so no log can hold it. */
  scrubber: Pick<SecretScrubber, 'remember'>;
  /** Entra authority host of the SQL app registrations' cloud, e.g. https://login.microsoftonline.com. */
  sqlAuthorityHost: string;
  now: Clock;
}
