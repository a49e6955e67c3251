import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { redirectUriFor } from '../../src/signin/redirect-uri.js';
import { type DatabricksStandIn, startDatabricks } from '../emulators/databricks/index.js';
import { type EntraStandIn, startEntra, wellKnownResources } from '../emulators/entra/index.js';
import { type GraphStandIn, startGraph } from '../emulators/graph/index.js';
import { type KeyVaultStandIn, startKeyVault } from '../emulators/key-vault/index.js';
import { type MailCatcher, startMailCatcher } from '../emulators/mail-catcher.js';
import { type ServiceBusStandIn, startServiceBus } from '../emulators/service-bus/index.js';

export interface LocalCloudOptions {
  /** Azurite's connection string (tests get it from the global setup; the sandbox starts its own). */
  storageConnectionString: string;
  /** Fixed ports for the sandbox; tests use free ports. */
  ports?: Partial<
    Record<'entra' | 'keyVault' | 'graph' | 'databricks' | 'serviceBus' | 'smtp' | 'mailApi', number>
  >;
  requestQueue?: string;
  maxDeliveryCount?: number;
  lockDurationInMs?: number;
  /** Table-name prefix for the app's state, so test files sharing one Azurite don't see each other. */
  tablePrefix?: string;
  /**
   * Where a browser reaches the function app (PUBLIC_BASE_URL); the SQL app registration gets
   * `${publicBaseUrl}/api/oauth/callback` as its Web redirect URI. Default: the Functions host's 7071.
   */
  publicBaseUrl?: string;
}

export interface DemoApp {
  appId: string;
  objectId: string;
  secretText: string;
}

export interface LocalCloud {
  tenantId: string;
  entra: EntraStandIn;
  keyVault: KeyVaultStandIn;
  graph: GraphStandIn;
  databricks: DatabricksStandIn;
  serviceBus: ServiceBusStandIn;
  mail: MailCatcher;
  requestQueue: string;
  /** The provisioner's own identity (a managed identity in Azure). */
  provisioner: DemoApp;
  /** The app registration Databricks uses to reach Azure SQL; its secret lives in Key Vault. */
  sqlApp: DemoApp & { secretName: string };
  admin: { username: string; password: string };
  /** Settings for the function app pointing at this cloud: exactly the app settings production uses. */
  appSettings: Record<string, string>;
  /** A SecretClient acting as the provisioner, for seeding and inspecting secrets. */
  secrets: SecretClient;
  close(): Promise<void>;
}

/**
 * Starts every stand-in, wires them together and seeds a demo tenant: the provisioner's identity with
 * the roles it needs, an app registration for SQL with its secret in Key Vault, and an admin user.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const ports = options.ports ?? {};
  const requestQueue = options.requestQueue ?? 'connection-requests';
  const maxDeliveryCount = options.maxDeliveryCount ?? 5;
  const entra = await startEntra({ port: ports.entra });
  const tenantId = entra.defaultTenantId;
  const [keyVault, graph, databricks, serviceBus, mail] = await Promise.all([
    startKeyVault({ entraUrl: entra.url, tenantId, port: ports.keyVault }),
    startGraph({ entra, port: ports.graph }),
    startDatabricks({ entraUrl: entra.url, port: ports.databricks }),
    startServiceBus({
      port: ports.serviceBus,
      queues: {
        [requestQueue]: {
          maxDeliveryCount,
          lockDurationInMs: options.lockDurationInMs ?? 30_000,
          duplicateDetectionWindowInMs: 10 * 60_000,
        },
      },
    }),
    startMailCatcher({ smtpPort: ports.smtp, apiPort: ports.mailApi }),
  ]);

  const provisionerApp = entra.directory.registerApp({ displayName: 'uc-connection-provisioner' });
  const provisionerSecret = entra.directory.addPassword(provisionerApp.appId, { displayName: 'local cloud' });
  entra.directory.grantAppRole(
    provisionerApp.appId,
    wellKnownResources.graph,
    'Application.ReadWrite.OwnedBy',
  );
  keyVault.control.grantRole(provisionerApp.servicePrincipalObjectId, 'Key Vault Secrets Officer');
  databricks.control.addPrincipal({
    applicationId: provisionerApp.appId,
    metastorePrivileges: ['CREATE_CONNECTION', 'CREATE_CATALOG'],
  });
  for (const groupName of ['analysts', 'data-platform-admins'])
    databricks.control.addPrincipal({ groupName });

  const sqlApp = entra.directory.registerApp({ displayName: 'azure-sql-connections' });
  entra.directory.addOwner(sqlApp.appId, provisionerApp.appId);
  const sqlSecret = entra.directory.addPassword(sqlApp.appId, { displayName: 'initial' });
  const secretName = 'sql-app-secret';
  const credential = new ClientSecretCredential(
    tenantId,
    provisionerApp.appId,
    provisionerSecret.secretText ?? '',
    {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    },
  );
  const secrets = new SecretClient(keyVault.url, credential, { disableChallengeResourceVerification: true });
  await secrets.setSecret(secretName, sqlSecret.secretText ?? '', {
    contentType: 'application/x-entra-client-secret',
    tags: { keyId: sqlSecret.keyId, clientId: sqlApp.appId },
  });
  const publicBaseUrl = options.publicBaseUrl ?? 'http://127.0.0.1:7071';
  // U2M sign-ins redirect here; Entra matches redirect URIs exactly
  // (learn.microsoft.com/entra/identity-platform/reply-url, R16).
  entra.directory.setRedirectUris(sqlApp.appId, [redirectUriFor(publicBaseUrl)]);
  const admin = { username: `admin@${tenantId.slice(0, 8)}.example.test`, password: 'local-cloud-admin' };
  entra.directory.addUser({ username: admin.username, password: admin.password, displayName: 'Demo Admin' });

  const appSettings: Record<string, string> = {
    DATABRICKS_ALLOWED_WORKSPACES: databricks.url,
    DATABRICKS_DEFAULT_WORKSPACE: databricks.url,
    SQL_ALLOWED_HOST_PATTERNS: '*.database.windows.net',
    KEY_VAULT_URL: keyVault.url,
    GRAPH_BASE_URL: graph.url,
    REQUEST_QUEUE_NAME: requestQueue,
    SERVICE_BUS_MAX_DELIVERY_COUNT: String(maxDeliveryCount),
    ServiceBusConnection: serviceBus.connectionString,
    STATE_STORAGE_CONNECTION_STRING: options.storageConnectionString,
    STATE_TABLE_PREFIX: options.tablePrefix ?? 'ucprov',
    AZURE_AUTHORITY_HOST: entra.url,
    AZURE_TENANT_ID: tenantId,
    AZURE_CLIENT_ID: provisionerApp.appId,
    AZURE_CLIENT_SECRET: provisionerSecret.secretText ?? '',
    RETRY_BASE_DELAY_MS: '50',
    RETRY_MAX_DELAY_MS: '2000',
    RETRY_BUDGET_MS: '10000',
    // U2M sign-in: links point at the function app, mail goes to the catcher in clear (loopback only).
    PUBLIC_BASE_URL: publicBaseUrl,
    SMTP_HOST: mail.smtpHost,
    SMTP_PORT: String(mail.smtpPort),
    SMTP_SECURITY: 'none',
    SMTP_SENDER: 'Connection provisioner <provisioner@local-cloud.test>',
    // %ROTATION_SCHEDULE% in the timer's options must resolve to an app setting, as in Azure.
    ROTATION_SCHEDULE: '0 0 2 * * *',
  };

  return {
    tenantId,
    entra,
    keyVault,
    graph,
    databricks,
    serviceBus,
    mail,
    requestQueue,
    provisioner: {
      appId: provisionerApp.appId,
      objectId: provisionerApp.objectId,
      secretText: provisionerSecret.secretText ?? '',
    },
    sqlApp: {
      appId: sqlApp.appId,
      objectId: sqlApp.objectId,
      secretText: sqlSecret.secretText ?? '',
      secretName,
    },
    admin,
    appSettings,
    secrets,
    async close() {
      await Promise.allSettled([
        databricks.close(),
        keyVault.close(),
        graph.close(),
        serviceBus.close(),
        mail.close(),
      ]);
      await entra.close();
    },
  };
}
