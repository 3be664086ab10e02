// Stratus on Azure: the function app (Flex Consumption), its storage and monitoring, and the GPU tier on
// Container Apps serverless GPUs, all authenticated by managed identity. `azd up`, or:
//   az deployment sub create -l <region> -f infra/main.bicep -p infra/main.bicepparam
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name (azd: AZURE_ENV_NAME); names and tags derive from it.')
param environmentName string

@minLength(1)
@description('Region for every resource. The GPU tier needs a region with Container Apps serverless GPUs.')
param location string

@description('The deploying user or pipeline, granted blob access to publish the function package (azd: AZURE_PRINCIPAL_ID).')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@description('Private networking (recommended for production): VNet, Flex VNet integration, storage private endpoints, internal GPU tier ingress.')
param privateNetworking bool = false

@description('With private networking: public IPs allowed through the storage firewall (the machine or agent running azd deploy).')
param allowedIpAddresses string[] = []

@description('Flex Consumption: most function app instances.')
param maximumInstanceCount int = 100

@description('Flex Consumption: memory per instance (512, 2048 or 4096 MB).')
param instanceMemoryMB int = 2048

@description('Flex Consumption: concurrent HTTP requests per instance.')
param perInstanceConcurrency int = 16

@description('Flex Consumption: always-ready HTTP instances (billed while idle); 0 scales to zero.')
param alwaysReadyInstances int = 0

@description('GPU tier: serverless GPU type.')
@allowed(['T4', 'A100'])
param gpuType string = 'T4'

@description('GPU tier: most replicas (each is a whole GPU, billed per second while running).')
param gpuMaxReplicas int = 2

@description('GPU tier: concurrent requests per replica before scaling out.')
param gpuConcurrentRequests int = 64

@description('GPU tier: idle seconds before scaling in, to zero.')
param gpuCooldownSeconds int = 300

@description('GPU tier: most rows per batched session call.')
param gpuMaxBatchSize int = 64

@description('GPU tier: seconds a stopping replica drains queued inference.')
param gpuDrainSeconds int = 30

@description('GPU tier image (azd sets it on deploy); empty runs a placeholder until the first deploy.')
param gpuTierImage string = ''

@description('GPU tier: Entra ID app registration (application ID URI) whose tokens the tier requires from the function app; empty: no tier authentication (use private networking). See docs/deploy.md.')
param gpuTierAudience string = ''

@description('NCRONTAB (six fields) of scheduled retraining.')
param retrainSchedule string = '0 0 2 * * *'

@description('NCRONTAB (six fields) of MonitorAll: drift checks, alerts and drift-triggered retraining.')
param monitorSchedule string = '0 */15 * * * *'

@description('Longest wait for the GPU tier per call before the function answers 503.')
param gpuTierTimeoutSeconds int = 30

var abbreviations = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

// Storage names the code defines in Stratus.Core StorageNames (a test keeps them equal).
var deploymentContainer = 'app-package-${resourceToken}'
var blobContainers = ['models', 'datasets', 'uploads', deploymentContainer]
var registryTables = ['StratusModelCards', 'StratusModelVersions', 'StratusDatasets', 'StratusMonitoring', 'StratusFeedback', 'StratusAlerts', 'StratusExperiments', 'StratusExperimentEvents']

// Names known before deployment, so What-If can predict role assignments and references.
var names = {
  functionIdentity: '${abbreviations.managedIdentityUserAssignedIdentities}func-${resourceToken}'
  gpuTierIdentity: '${abbreviations.managedIdentityUserAssignedIdentities}gpu-${resourceToken}'
  storage: '${abbreviations.storageStorageAccounts}${resourceToken}'
  applicationInsights: '${abbreviations.insightsComponents}${resourceToken}'
  registry: '${abbreviations.containerRegistryRegistries}${resourceToken}'
}

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbreviations.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module functionIdentity 'modules/identity.bicep' = {
  scope: resourceGroup
  params: {
    name: names.functionIdentity
    location: location
    tags: tags
  }
}

module gpuTierIdentity 'modules/identity.bicep' = {
  scope: resourceGroup
  params: {
    name: names.gpuTierIdentity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: resourceGroup
  params: {
    logAnalyticsName: '${abbreviations.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: resourceGroup
  params: {
    name: names.storage
    location: location
    tags: tags
    containers: blobContainers
    tables: registryTables
    publicNetworkAccess: !privateNetworking
    allowedIpAddresses: allowedIpAddresses
  }
}

module registry 'modules/registry.bicep' = {
  scope: resourceGroup
  params: {
    name: names.registry
    location: location
    tags: tags
  }
}

module network 'modules/network.bicep' = if (privateNetworking) {
  scope: resourceGroup
  params: {
    name: '${abbreviations.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
  }
}

module roles 'modules/role-assignments.bicep' = {
  scope: resourceGroup
  dependsOn: [storage, monitoring, registry, functionIdentity, gpuTierIdentity]
  params: {
    storageAccountName: names.storage
    applicationInsightsName: names.applicationInsights
    registryName: names.registry
    functionIdentityName: names.functionIdentity
    gpuTierIdentityName: names.gpuTierIdentity
    modelsContainerName: blobContainers[0] // models: all the GPU tier reads, with the card and version tables
    modelTableNames: take(registryTables, 2)
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module gpuTier 'modules/container-apps.bicep' = {
  scope: resourceGroup
  dependsOn: [roles] // AcrPull must exist before the first image pull
  params: {
    environmentName: '${abbreviations.appManagedEnvironments}${resourceToken}'
    appName: '${abbreviations.appContainerApps}gpu-${resourceToken}'
    location: location
    tags: tags
    identityId: gpuTierIdentity.outputs.id
    identityClientId: gpuTierIdentity.outputs.clientId
    registryLoginServer: registry.outputs.loginServer
    storageAccountName: storage.outputs.name
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    image: gpuTierImage
    gpuType: gpuType
    maxReplicas: gpuMaxReplicas
    concurrentRequests: gpuConcurrentRequests
    cooldownSeconds: gpuCooldownSeconds
    maxBatchSize: gpuMaxBatchSize
    drainSeconds: gpuDrainSeconds
    authAudience: gpuTierAudience
    allowedClientId: functionIdentity.outputs.clientId
    subnetId: privateNetworking ? network!.outputs.gpuTierSubnetId : ''
  }
}

module gpuTierDns 'modules/environment-dns.bicep' = if (privateNetworking) {
  scope: resourceGroup
  params: {
    // The environment's domain is only known once it exists; What-If cannot predict this zone's name.
    #disable-next-line what-if-short-circuiting
    defaultDomain: gpuTier.outputs.defaultDomain
    staticIp: gpuTier.outputs.staticIp
    vnetId: network!.outputs.id
    tags: tags
  }
}

module functionApp 'modules/function-app.bicep' = {
  scope: resourceGroup
  dependsOn: [roles] // the deployment container and the registry must be reachable by identity at start
  params: {
    planName: '${abbreviations.webServerFarms}${resourceToken}'
    name: '${abbreviations.webSitesFunctions}${resourceToken}'
    location: location
    tags: tags
    identityId: functionIdentity.outputs.id
    identityClientId: functionIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainer}'
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    subnetId: privateNetworking ? network!.outputs.functionsSubnetId : ''
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    perInstanceConcurrency: perInstanceConcurrency
    alwaysReadyInstances: alwaysReadyInstances
    gpuTierUrl: gpuTier.outputs.url
    gpuTierAudience: gpuTierAudience
    retrainSchedule: retrainSchedule
    monitorSchedule: monitorSchedule
    gpuTierTimeoutSeconds: gpuTierTimeoutSeconds
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output GPU_TIER_URL string = gpuTier.outputs.url
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
@description('The app setting that carries the Application Insights connection string (no key: Entra ID auth).')
output APPLICATIONINSIGHTS_CONNECTION_STRING_SETTING string = 'APPLICATIONINSIGHTS_CONNECTION_STRING'
