// The request queue. Entra ID only (disableLocalAuth): pipelines send with their workload identity,
// the function app receives with its managed identity; there is no SAS key to store anywhere.
// Queue semantics: service-bus-dead-letter-queues.md and duplicate-detection.md (MicrosoftDocs/azure-docs).
param namespaceName string
param location string
param tags object
param queueName string

@minValue(1)
@maxValue(2000)
param maxDeliveryCount int

@description('ISO 8601 duration, PT5S to PT5M.')
param lockDuration string

@description('ISO 8601 duration, PT20S to P7D. Duplicate detection itself cannot be turned on or off after the queue exists.')
param duplicateDetectionWindow string

@description('ISO 8601 duration; an expired request is dead-lettered, not dropped.')
param messageTimeToLive string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Standard: duplicate detection needs Standard or Premium.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    lockDuration: lockDuration
    maxDeliveryCount: maxDeliveryCount
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: messageTimeToLive
    deadLetteringOnMessageExpiration: true
    requiresSession: false
  }
}

output namespaceName string = namespace.name
@description('e.g. sb-abc.servicebus.windows.net (serviceBusEndpoint is https://<host>:443/), so sovereign clouds work too.')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output queueName string = queue.name
