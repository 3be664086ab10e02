// The GPU tier on Azure Container Apps serverless GPUs: a workload-profile environment with a GPU profile,
// scale to zero, an HTTP concurrency rule, and probes on the tier's own V2 health routes (ready only after the
// models are loaded and warmed).
param environmentName string
param appName string
param location string
param tags object
param identityId string
param identityClientId string
param registryLoginServer string
param storageAccountName string
param logAnalyticsId string
param applicationInsightsConnectionString string

@description('Image to run; empty before the first azd deploy (a placeholder on the same port runs until then).')
param image string

@allowed(['T4', 'A100'])
param gpuType string

@minValue(1)
param maxReplicas int

@description('Concurrent HTTP requests per replica before another starts.')
@minValue(1)
param concurrentRequests int

@description('Seconds without traffic before scaling in (to zero).')
@minValue(0)
param cooldownSeconds int

@description('Most rows per session call (dynamic batching).')
param maxBatchSize int

@description('Seconds a stopping replica drains queued inference; the platform waits 15 s more before killing it.')
param drainSeconds int

@description('Audience of the Entra tokens required on the model routes; empty: anonymous calls, so the ingress stays inside the environment (or the VNet with private networking).')
param authAudience string

@description('The client id allowed to call (the function app\'s managed identity).')
param allowedClientId string

@description('Subnet for the environment; empty: a public environment.')
param subnetId string

var internal = !empty(subnetId)
// Closed by default: a tier without an audience takes anonymous calls, so its ingress is then internal to the
// environment (public environment: unreachable from outside it) or, in an internal environment, to the VNet.
var anonymous = empty(authAudience)
var gpuProfiles = {
  T4: { type: 'Consumption-GPU-NC8as-T4', cpu: '8', memory: '56Gi' }
  A100: { type: 'Consumption-GPU-NC24-A100', cpu: '24', memory: '220Gi' }
}
// Listens on 8080 like the tier, so ingress and probes need no change when azd swaps in the real image
// (azd deploy replaces only the image). Its probes fail, so it never takes traffic: gpu calls answer 503.
var placeholderImage = 'mcr.microsoft.com/dotnet/samples:aspnetapp'
var port = 8080

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    // Logs go to Log Analytics through diagnostic settings (below), so no workspace key is needed.
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    vnetConfiguration: internal ? { infrastructureSubnetId: subnetId, internal: true } : null
    workloadProfiles: [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
      { name: 'gpu', workloadProfileType: gpuProfiles[gpuType].type }
    ]
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: environment
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
    ]
  }
}

resource gpuTier 'Microsoft.App/containerApps@2025-07-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'gpu-tier' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'gpu'
    configuration: {
      activeRevisionsMode: 'Single'
      // In an internal environment "external" means the whole VNet (where the functions are), not the internet.
      ingress: {
        external: internal || !anonymous
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        { server: registryLoginServer, identity: identityId }
      ]
    }
    template: {
      containers: [
        {
          name: 'gpu-tier'
          image: empty(image) ? placeholderImage : image
          resources: {
            cpu: json(gpuProfiles[gpuType].cpu)
            memory: gpuProfiles[gpuType].memory
          }
          // Every name here is one the tier reads: a test compares them with Stratus.Core.
          env: [
            { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
            { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
            { name: 'Stratus__Tier__ExecutionProvider', value: 'cuda' }
            { name: 'Stratus__Tier__Batching__MaxBatchSize', value: string(maxBatchSize) }
            { name: 'Stratus__Tier__DrainSeconds', value: string(drainSeconds) }
            { name: 'Stratus__Tier__Auth__Audience', value: authAudience }
            { name: 'Stratus__Tier__Auth__TenantId', value: tenant().tenantId }
            { name: 'Stratus__Tier__Auth__AllowedClientIds__0', value: allowedClientId }
            { name: 'Stratus__Tier__Auth__AllowAnonymous', value: string(anonymous) }
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
            { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
          ]
          probes: [
            {
              type: 'Startup'
              httpGet: { path: '/v2/health/live', port: port }
              periodSeconds: 5
              failureThreshold: 60
            }
            {
              type: 'Liveness'
              httpGet: { path: '/v2/health/live', port: port }
              periodSeconds: 15
            }
            {
              // Ready only once the models are loaded and warm: until then no traffic reaches the replica.
              type: 'Readiness'
              httpGet: { path: '/v2/health/ready', port: port }
              periodSeconds: 5
              failureThreshold: 48
            }
          ]
        }
      ]
      terminationGracePeriodSeconds: drainSeconds + 15
      scale: {
        minReplicas: 0
        maxReplicas: maxReplicas
        cooldownPeriod: cooldownSeconds
        rules: [
          {
            name: 'http-concurrency'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequests)
              }
            }
          }
        ]
      }
    }
  }
}

output name string = gpuTier.name
output url string = 'https://${gpuTier.properties.configuration.ingress.fqdn}'
output defaultDomain string = environment.properties.defaultDomain
output staticIp string = environment.properties.staticIp
