// The function app on Flex Consumption (FC1): .NET 10 isolated worker, code deployed from a blob container with
// the app's managed identity, storage by identity (AzureWebJobsStorage__*), never a key.
param planName string
param name string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param applicationInsightsConnectionString string

@description('Subnet for Flex VNet integration; empty: no integration.')
param subnetId string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([512, 2048, 4096])
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
param perInstanceConcurrency int

@description('HTTP instances kept warm (billed while idle); 0 scales to zero.')
@minValue(0)
param alwaysReadyInstances int

@description('The GPU tier\'s base URL (Stratus__GpuTier__BaseUrl).')
param gpuTierUrl string

@description('Audience of the Entra tokens the tier requires; empty: none sent.')
param gpuTierAudience string

@description('NCRONTAB (six fields) of scheduled retraining.')
param retrainSchedule string

@description('NCRONTAB (six fields) of MonitorAll: drift checks, alerts and drift-triggered retraining.')
param monitorSchedule string

@description('Longest wait for the GPU tier per call before answering 503.')
param gpuTierTimeoutSeconds int

// Serving limits sized to the instance: cached ONNX sessions take at most 40 % of its memory, and
// perInstanceConcurrency requests at the body limit at most a quarter (uploads stream to disk and are not counted).
var mebibyte = 1024 * 1024
var sessionCacheBytes = instanceMemoryMB * mebibyte * 4 / 10
var maxRequestBytes = min(64 * mebibyte, instanceMemoryMB * mebibyte / 4 / perInstanceConcurrency)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
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
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Every name here is one the code (or the Functions host) reads: a test compares them with Stratus.Core.
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'STRATUS_RETRAIN_SCHEDULE', value: retrainSchedule }
        { name: 'STRATUS_MONITOR_SCHEDULE', value: monitorSchedule }
        { name: 'Stratus__GpuTier__BaseUrl', value: gpuTierUrl }
        { name: 'Stratus__GpuTier__TimeoutSeconds', value: string(gpuTierTimeoutSeconds) }
        { name: 'Stratus__GpuTier__Audience', value: gpuTierAudience }
        { name: 'Stratus__GpuTier__ManagedIdentityClientId', value: identityClientId }
        { name: 'Stratus__Serving__SessionCacheBytes', value: string(sessionCacheBytes) }
        { name: 'Stratus__Serving__MaxRequestBytes', value: string(maxRequestBytes) }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: perInstanceConcurrency
          }
        }
        alwaysReady: alwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyInstances }] : []
      }
    }
  }
}

// Deployments use the managed identity (azd, One Deploy): basic publishing credentials stay off.
resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output url string = 'https://${functionApp.properties.defaultHostName}'
