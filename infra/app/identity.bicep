// The provisioner's own identity. User-assigned, so role assignments, the Databricks service principal
// and Graph permissions can be granted before the app exists and survive re-creating it.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
@description('Application (client) id: AZURE_CLIENT_ID, and the Databricks service principal\'s application id.')
output clientId string = identity.properties.clientId
@description('Object id of its service principal: what role assignments, Graph app roles and app ownership refer to.')
output principalId string = identity.properties.principalId
