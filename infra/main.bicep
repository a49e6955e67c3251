// uc-connection-provisioner: everything `azd up` creates, in one resource group.
// Plain `resource` declarations only (no `br/public:` registry modules), so the template needs no
// network access to build. One module per concern under app/; this file wires them together.
// Conventions follow Azure-Samples/functions-quickstart-typescript-azd (infra/main.bicep).
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------
// azd environment
// ---------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment (AZURE_ENV_NAME). The resource group is rg-<name>; other names derive from it.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of whoever runs azd (AZURE_PRINCIPAL_ID). Gets Key Vault Secrets Officer (to store app registration secrets) and send/receive on the request queue (a first `ucprov submit`, `ucprov dlq`). Empty: no access for the deployer.')
param principalId string = ''

// ---------------------------------------------------------------------------------------------------
// What requests may target (src/config/settings.ts)
// ---------------------------------------------------------------------------------------------------

@minLength(1)
@description('DATABRICKS_ALLOWED_WORKSPACES: comma-separated workspace URLs requests may target, e.g. https://adb-1234567890123456.7.azuredatabricks.net')
param databricksAllowedWorkspaces string

@description('DATABRICKS_DEFAULT_WORKSPACE: used when a request names none; must be one of the allowed workspaces. Empty: requests must name one.')
param databricksDefaultWorkspace string = ''

@description('SQL_ALLOWED_HOST_PATTERNS: comma-separated SQL hosts a connection may point at.')
param sqlAllowedHostPatterns string = '*.database.windows.net'

// ---------------------------------------------------------------------------------------------------
// Request queue
// ---------------------------------------------------------------------------------------------------

@minLength(1)
@description('Service Bus queue the pipelines send requests to (REQUEST_QUEUE_NAME).')
param requestQueueName string = 'connection-requests'

@minValue(1)
@maxValue(2000)
@description('Deliveries before Service Bus dead-letters a request. Also set as SERVICE_BUS_MAX_DELIVERY_COUNT, so the last delivery can record `dead_lettered`.')
param maxDeliveryCount int = 10

@description('Peek-lock duration (ISO 8601, PT5S to PT5M). The Functions host renews the lock while a delivery runs (host.json maxAutoLockRenewalDuration).')
param lockDuration string = 'PT1M'

@description('Duplicate detection window (ISO 8601, PT20S to P7D): a request re-sent with the same message id (= request id) within it is dropped by Service Bus.')
param duplicateDetectionWindow string = 'PT10M'

@description('How long a request may wait in the queue (ISO 8601) before it is dead-lettered (dead-lettering on expiry is on).')
param messageTimeToLive string = 'P7D'

// ---------------------------------------------------------------------------------------------------
// Pipelines
// ---------------------------------------------------------------------------------------------------

@description('Object ids of the pipeline identities (workload identity federation) that submit requests: each gets Azure Service Bus Data Sender on the request queue and may list the status endpoint\'s function key. JSON array, e.g. ["00000000-0000-0000-0000-000000000000"].')
param pipelinePrincipalIds string[] = []

@description('Give the pipeline identities a custom role that can only list function keys of this app, so `az functionapp function keys list` works with no stored secret. False: store the key as a pipeline secret instead.')
param pipelinesCanListFunctionKeys bool = true

// ---------------------------------------------------------------------------------------------------
// U2M sign-in and email
// ---------------------------------------------------------------------------------------------------

@description('PUBLIC_BASE_URL: where browsers reach the app, e.g. a custom domain. Empty: https://<function app default host name>. The OAuth callback registered in Entra is <this>/api/oauth/callback.')
param publicBaseUrl string = ''

@minValue(1)
@maxValue(336)
@description('SIGNIN_LINK_LIFETIME_HOURS: how long an emailed sign-in link stays valid.')
param signInLinkLifetimeHours int = 72

@description('SMTP_HOST for sign-in emails, e.g. smtp.azurecomm.net. Empty: no email, U2M requests fail with an explanation.')
param smtpHost string = ''

@minValue(1)
@maxValue(65535)
@description('SMTP_PORT.')
param smtpPort int = 587

@allowed([
  'starttls'
  'tls'
  'none'
])
@description('SMTP_SECURITY: starttls (port 587), tls (port 465) or none (a trusted relay only).')
param smtpSecurity string = 'starttls'

@description('SMTP_SENDER, e.g. "Connection provisioner <provisioner@contoso.com>".')
param smtpSender string = ''

@description('SMTP_USERNAME.')
param smtpUsername string = ''

@description('SMTP_PASSWORD_SECRET_REF: name of the Key Vault secret holding the SMTP password (set it with az keyvault secret set). Empty: no SMTP authentication.')
param smtpPasswordSecretName string = ''

// ---------------------------------------------------------------------------------------------------
// Secret rotation
// ---------------------------------------------------------------------------------------------------

@description('ROTATION_ENABLED. True: the app may write secrets (Key Vault Secrets Officer); it also needs Graph Application.ReadWrite.OwnedBy (docs/deploy.md). False: read-only (Key Vault Secrets User).')
param rotationEnabled bool = true

@description('ROTATION_SCHEDULE: 6-field NCRONTAB, UTC (Flex Consumption has no time zone setting).')
param rotationSchedule string = '0 0 2 * * *'

@allowed([
  'reconsent'
  'patch'
])
@description('ROTATION_U2M_POLICY: reconsent (email the approver a fresh sign-in link) or patch (only for tenants that verified Databricks keeps the grant).')
param rotationU2mPolicy string = 'reconsent'

@description('Let the function app send to the request queue (Azure Service Bus Data Sender), for features that enqueue follow-up requests. False: it only receives.')
param functionAppSendsToQueue bool = false

// ---------------------------------------------------------------------------------------------------
// Function app
// ---------------------------------------------------------------------------------------------------

@allowed([
  '20'
  '22'
])
@description('Node.js major version of the Flex Consumption runtime.')
param nodeVersion string = '20'

@allowed([
  2048
  4096
])
@description('Flex Consumption instance memory in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Most instances the app scales out to. Databricks\' API rate limit, not compute, bounds throughput.')
param maximumInstanceCount int = 40

@description('Purge protection on the Key Vault (cannot be turned off once on). Keep it on for a vault that holds production client secrets.')
param keyVaultPurgeProtection bool = true

// ---------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'app/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
  }
}

module messaging 'app/messaging.bicep' = {
  name: 'messaging'
  scope: rg
  params: {
    namespaceName: 'sb-${resourceToken}'
    location: location
    tags: tags
    queueName: requestQueueName
    maxDeliveryCount: maxDeliveryCount
    lockDuration: lockDuration
    duplicateDetectionWindow: duplicateDetectionWindow
    messageTimeToLive: messageTimeToLive
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storage: {
      blobEndpoint: storage.outputs.blobEndpoint
      queueEndpoint: storage.outputs.queueEndpoint
      tableEndpoint: storage.outputs.tableEndpoint
      tableServiceUrl: storage.outputs.tableServiceUrl
      deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    }
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    serviceBusNamespace: messaging.outputs.fullyQualifiedNamespace
    keyVaultUrl: keyVault.outputs.vaultUrl
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    settings: {
      databricksAllowedWorkspaces: databricksAllowedWorkspaces
      databricksDefaultWorkspace: databricksDefaultWorkspace
      sqlAllowedHostPatterns: sqlAllowedHostPatterns
      requestQueueName: messaging.outputs.queueName
      maxDeliveryCount: maxDeliveryCount
      publicBaseUrl: publicBaseUrl
      signInLinkLifetimeHours: signInLinkLifetimeHours
      smtpHost: smtpHost
      smtpPort: smtpPort
      smtpSecurity: smtpSecurity
      smtpSender: smtpSender
      smtpUsername: smtpUsername
      smtpPasswordSecretName: smtpPasswordSecretName
      rotationEnabled: rotationEnabled
      rotationSchedule: rotationSchedule
      rotationU2mPolicy: rotationU2mPolicy
    }
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    serviceBusNamespaceName: messaging.outputs.namespaceName
    queueName: messaging.outputs.queueName
    functionAppName: functionApp.outputs.name
    rotationEnabled: rotationEnabled
    functionAppSendsToQueue: functionAppSendsToQueue
    deployerPrincipalId: principalId
    pipelinePrincipalIds: pipelinePrincipalIds
    pipelinesCanListFunctionKeys: pipelinesCanListFunctionKeys
  }
}

// ---------------------------------------------------------------------------------------------------
// Outputs: azd stores them in the environment (`azd env get-values`); docs/deploy.md uses them.
// ---------------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the function app; the status endpoint is <this>/api/requests/{id}.')
output FUNCTIONS_BASE_URL string = functionApp.outputs.baseUrl

@description('Register this as a Web redirect URI on the Entra app registration used for U2M connections.')
output OAUTH_CALLBACK_URL string = functionApp.outputs.oauthCallbackUrl

output SERVICE_BUS_NAMESPACE string = messaging.outputs.fullyQualifiedNamespace
output REQUEST_QUEUE_NAME string = messaging.outputs.queueName
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URL string = keyVault.outputs.vaultUrl

// Not named AZURE_CLIENT_ID: exported into a shell (`azd env get-values`), that name would make
// DefaultAzureCredential try to sign in as the managed identity.
@description('Application (client) id of the provisioner\'s managed identity: add it to Databricks as a service principal.')
output PROVISIONER_CLIENT_ID string = identity.outputs.clientId

@description('Object id of the provisioner\'s managed identity: grant it Graph Application.ReadWrite.OwnedBy and make it owner of the app registrations it rotates.')
output PROVISIONER_PRINCIPAL_ID string = identity.outputs.principalId

// The ucprov CLI reads these variables, so `set -a; eval "$(azd env get-values)"; set +a` configures it.
output UCPROV_SERVICEBUS_NAMESPACE string = messaging.outputs.fullyQualifiedNamespace
output UCPROV_QUEUE string = messaging.outputs.queueName
output UCPROV_FUNCTIONS_URL string = functionApp.outputs.baseUrl
