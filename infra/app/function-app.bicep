// The function app on Flex Consumption (FC1, Linux), running as the user-assigned identity. Every
// connection is identity-based: no connection string, account key or SAS appears in its settings.
// Flex specifics: https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to; the
// runtime lives in functionAppConfig, so FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and
// WEBSITE_RUN_FROM_PACKAGE must not be set (functions-app-settings.md, "Flex Consumption plan deprecations").
param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Its client id: every `__clientId` setting and AZURE_CLIENT_ID.')
param identityClientId string

param storage {
  blobEndpoint: string
  queueEndpoint: string
  tableEndpoint: string
  @description('STATE_TABLE_SERVICE_URL, without a trailing slash.')
  tableServiceUrl: string
  deploymentContainerUrl: string
}

param applicationInsightsConnectionString string

@description('e.g. sb-abc.servicebus.windows.net')
param serviceBusNamespace string

param keyVaultUrl string

param nodeVersion string
param instanceMemoryMB int
param maximumInstanceCount int

@description('Values for the app\'s own settings (src/config/settings.ts); see main.bicep for each one\'s meaning.')
param settings {
  databricksAllowedWorkspaces: string
  databricksDefaultWorkspace: string
  sqlAllowedHostPatterns: string
  requestQueueName: string
  maxDeliveryCount: int
  publicBaseUrl: string
  signInLinkLifetimeHours: int
  smtpHost: string
  smtpPort: int
  smtpSecurity: string
  smtpSender: string
  smtpUsername: string
  smtpPasswordSecretName: string
  rotationEnabled: bool
  rotationSchedule: string
  rotationU2mPolicy: string
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd deploy finds the app to deploy service `api` (azure.yaml) by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: storage.deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// azd deploys with an Entra token (OneDeploy); publishing user names and passwords are not needed.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

var baseUrl = 'https://${site.properties.defaultHostName}'
// One trailing slash is dropped, as the app does, so the callback URL below is byte-identical to the
// redirect_uri the app sends (Entra compares redirect URIs exactly).
var givenBaseUrl = endsWith(settings.publicBaseUrl, '/') ? substring(settings.publicBaseUrl, 0, length(settings.publicBaseUrl) - 1) : settings.publicBaseUrl
var publicBaseUrl = empty(givenBaseUrl) ? baseUrl : givenBaseUrl

// Every app setting, in one place (test/infra/app-settings.test.ts compares the names with the code).
// This resource replaces the whole set on each `azd provision`: change settings through azd
// parameters (`azd env set …`), not in the portal. Values are strings; booleans are spelled
// 'true'/'false' explicitly because the app's parser is case-sensitive.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host storage by managed identity (timer singleton locks need blob; identity-based
    // connections: functions-reference.md#connecting-to-host-storage-with-an-identity).
    AzureWebJobsStorage__blobServiceUri: storage.blobEndpoint
    AzureWebJobsStorage__queueServiceUri: storage.queueEndpoint
    AzureWebJobsStorage__tableServiceUri: storage.tableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId

    // The Service Bus trigger's `connection: 'ServiceBusConnection'` (functions/provision-connection.ts).
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId

    // Telemetry with Entra ID ingestion (local auth is off on the Application Insights resource).
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // The app's own identity (src/identity/create-credential.ts uses ManagedIdentityCredential with it).
    AZURE_CLIENT_ID: identityClientId

    // Where things are.
    KEY_VAULT_URL: keyVaultUrl
    STATE_TABLE_SERVICE_URL: storage.tableServiceUrl
    STATE_TABLE_PREFIX: 'ucprov'
    REQUEST_QUEUE_NAME: settings.requestQueueName
    SERVICE_BUS_MAX_DELIVERY_COUNT: string(settings.maxDeliveryCount)

    // Policy.
    DATABRICKS_ALLOWED_WORKSPACES: settings.databricksAllowedWorkspaces
    DATABRICKS_DEFAULT_WORKSPACE: settings.databricksDefaultWorkspace
    SQL_ALLOWED_HOST_PATTERNS: settings.sqlAllowedHostPatterns

    // U2M sign-in and its email. An empty value means "not set" to the app's parser.
    PUBLIC_BASE_URL: publicBaseUrl
    SIGNIN_LINK_LIFETIME_HOURS: string(settings.signInLinkLifetimeHours)
    SMTP_HOST: settings.smtpHost
    SMTP_PORT: string(settings.smtpPort)
    SMTP_SECURITY: settings.smtpSecurity
    SMTP_SENDER: settings.smtpSender
    SMTP_USERNAME: settings.smtpUsername
    SMTP_PASSWORD_SECRET_REF: settings.smtpPasswordSecretName

    // Secret rotation.
    ROTATION_ENABLED: settings.rotationEnabled ? 'true' : 'false'
    ROTATION_SCHEDULE: settings.rotationSchedule
    ROTATION_U2M_POLICY: settings.rotationU2mPolicy
  }
}

output name string = site.name
output id string = site.id
output baseUrl string = baseUrl
@description('The redirect URI (src/signin/redirect-uri.ts: public base URL + /api/oauth/callback).')
output oauthCallbackUrl string = '${publicBaseUrl}/api/oauth/callback'
