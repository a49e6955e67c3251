// Who may do what, least privilege, at the narrowest scope that works:
//   the app's identity: host storage + state tables, telemetry, Key Vault secrets, receive (and only if
//     asked, send) on the request queue;
//   the deployer: store secrets in the vault, send/receive on the queue (first submit, `ucprov dlq`);
//   pipelines: send on the queue, and list this app's function keys (for the status endpoint).
// Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
// (test/infra checks every id here against that list). Assignment names are deterministic
// (guid(scope, principal, role)), so re-provisioning is idempotent.

@description('Object id of the app\'s user-assigned identity.')
param appPrincipalId string

param storageAccountName string
param applicationInsightsName string
param keyVaultName string
param serviceBusNamespaceName string
param queueName string
param functionAppName string

@description('Rotation writes new secret versions: Key Vault Secrets Officer. Otherwise reading is enough: Secrets User.')
param rotationEnabled bool

@description('Adds Azure Service Bus Data Sender on the queue for the app itself.')
param functionAppSendsToQueue bool

@description('Object id of whoever runs azd; empty for none.')
param deployerPrincipalId string

param pipelinePrincipalIds string[]
param pipelinesCanListFunctionKeys bool

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: namespace
  name: queueName
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// ---------------------------------------------------------------------------------------------------
// The app's identity. principalType is set because the identity is new: without it, assignments can
// fail while Entra replicates the service principal.
// ---------------------------------------------------------------------------------------------------

// Blob Data Owner: host storage with an identity needs it (timer singleton locks, deployment package;
// functions-reference.md, "Connecting to host storage with an identity"). Queue: host internals.
// Table: the app's state tables (src/state/tables.ts), created at startup.
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource appStorageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appStorageRoles: {
    name: guid(storageAccount.id, appPrincipalId, role)
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Telemetry ingestion with Entra ID (Application Insights has local auth disabled).
resource appTelemetryRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

var appVaultRole = rotationEnabled ? roles.keyVaultSecretsOfficer : roles.keyVaultSecretsUser

resource appVaultRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, appVaultRole)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', appVaultRole)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Scoped to the queue, not the namespace. Receiver is enough for the trigger; the Functions scaler then
// logs that it lacks the Manage claim and scales on message age instead of queue length
// (azure-sdk-for-net, ServiceBusScaleMonitor/ServiceBusTargetScaler), which suits this low-volume queue.
var appQueueRoles = functionAppSendsToQueue ? [roles.serviceBusDataReceiver, roles.serviceBusDataSender] : [roles.serviceBusDataReceiver]

resource appQueueRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appQueueRoles: {
    name: guid(queue.id, appPrincipalId, role)
    scope: queue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// ---------------------------------------------------------------------------------------------------
// The deployer (an existing user or pipeline principal, so no principalType).
// ---------------------------------------------------------------------------------------------------

resource deployerVaultRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
  }
}

var deployerQueueRoles = [
  roles.serviceBusDataSender
  roles.serviceBusDataReceiver
]

resource deployerQueueRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in deployerQueueRoles: if (!empty(deployerPrincipalId)) {
    name: guid(queue.id, deployerPrincipalId, role)
    scope: queue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: deployerPrincipalId
    }
  }
]

// ---------------------------------------------------------------------------------------------------
// Pipelines: send requests; read statuses through the function-key-protected endpoint.
// ---------------------------------------------------------------------------------------------------

resource pipelineSenderRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for pipelinePrincipalId in pipelinePrincipalIds: {
    name: guid(queue.id, pipelinePrincipalId, roles.serviceBusDataSender)
    scope: queue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
      principalId: pipelinePrincipalId
    }
  }
]

var grantFunctionKeyReader = pipelinesCanListFunctionKeys && !empty(pipelinePrincipalIds)

// No built-in role lists function keys without also allowing deployments (Website Contributor), so a
// custom role carries "List Function keys" (what `az functionapp function keys list` calls) plus the
// Reader-level reads az may make first, assigned on this app only. It cannot read app settings or
// deploy. Actions: https://learn.microsoft.com/azure/role-based-access-control/permissions/web-and-mobile
// Custom role names are unique per tenant, hence the subscription and resource group in it.
resource functionKeyReaderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (grantFunctionKeyReader) {
  name: guid(resourceGroup().id, 'uc-connection-provisioner-function-key-reader')
  properties: {
    roleName: 'UC connection provisioner function key reader (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Lists the function keys of the UC connection provisioner app, so pipelines can read request statuses without a stored secret.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Web/sites/read'
          'Microsoft.Web/sites/functions/read'
          'Microsoft.Web/sites/functions/listkeys/action'
        ]
        notActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource pipelineKeyReaderRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for pipelinePrincipalId in pipelinePrincipalIds: if (grantFunctionKeyReader) {
    name: guid(site.id, pipelinePrincipalId, 'function-key-reader')
    scope: site
    properties: {
      // The subscription-level id, as for built-in roles (the definition itself is created in this group).
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', functionKeyReaderRole.name)
      principalId: pipelinePrincipalId
    }
    dependsOn: [
      functionKeyReaderRole
    ]
  }
]
