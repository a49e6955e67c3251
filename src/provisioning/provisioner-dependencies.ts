import type { Settings } from '../config/settings.js';
import type { DatabricksClient } from '../databricks/databricks-client.js';
import type { ClientSecretReader } from '../keyvault/client-secret-reader.js';
import type { Logger } from '../logger.js';
import type { SignInRequests } from '../signin/sign-in-requests.js';
import type { ConnectionInventory } from '../state/connection-inventory.js';
import type { LeaseStore } from '../state/lease-store.js';
import type { RequestStatusStore } from '../state/request-status-store.js';

/** Everything the provisioning core talks to; built once per process by the runtime. */
export interface ProvisionerDependencies {
  settings: Settings;
  statuses: RequestStatusStore;
  inventory: ConnectionInventory;
  leases: LeaseStore;
  secrets: Pick<ClientSecretReader, 'read'>;
  databricks(workspace: string): DatabricksClient;
  logger: Logger;
  /** Entra authority host of the SQL app registrations' cloud (token endpoints in connection options). */
  sqlAuthorityHost: string;
  /** U2M: issues and emails sign-in links. Absent in a runtime without sign-in support. */
  signIns?: SignInRequests;
}
