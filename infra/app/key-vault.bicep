// The vault holding the app registrations' client secrets (requests name them; they never carry them)
// and the SMTP password. Access is by Azure RBAC only (no access policies): roles in rbac.bicep.
param name string
param location string
param tags object

@description('Purge protection cannot be disabled once enabled; ARM rejects `false`, so the property is omitted instead.')
param purgeProtection bool = true

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output id string = vault.id
output vaultUrl string = vault.properties.vaultUri
