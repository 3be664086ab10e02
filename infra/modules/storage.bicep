// The one storage account: the registry (tables), artifacts and datasets (blobs), the Durable Task hub (queues,
// tables, blobs) and the function app's deployment packages. Shared-key access is off: identities only.
param name string
param location string
param tags object

@description('Blob containers to create (models, datasets, deployment packages).')
param containers string[]

@description('Tables to create (the registry).')
param tables string[]

@description('False with private networking: reached through private endpoints, and from the internet only by the allowed addresses.')
param publicNetworkAccess bool

@description('Public IPs (or CIDR ranges) allowed through the firewall with private networking, e.g. the machine running azd deploy.')
param allowedIpAddresses string[]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    // Private networking keeps the public endpoint for the allowed addresses only: azd uploads the function
    // package from outside the VNet.
    publicNetworkAccess: publicNetworkAccess || !empty(allowedIpAddresses) ? 'Enabled' : 'Disabled'
    networkAcls: {
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
      ipRules: publicNetworkAccess ? [] : map(allowedIpAddresses, ip => { value: ip, action: 'Allow' })
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource registryTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
