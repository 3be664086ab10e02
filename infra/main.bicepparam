using './main.bicep'

// azd fills these from its environment; with plain `az deployment sub create`, export them or edit here.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'stratus')
param location = readEnvironmentVariable('AZURE_LOCATION', 'swedencentral')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')
param privateNetworking = bool(readEnvironmentVariable('STRATUS_PRIVATE_NETWORKING', 'false'))
param allowedIpAddresses = empty(readEnvironmentVariable('STRATUS_DEPLOYER_IP', '')) ? [] : [readEnvironmentVariable('STRATUS_DEPLOYER_IP', '')]
param gpuType = readEnvironmentVariable('STRATUS_GPU_TYPE', 'T4')
param gpuTierAudience = readEnvironmentVariable('STRATUS_GPU_TIER_AUDIENCE', '')
param gpuTierImage = readEnvironmentVariable('SERVICE_GPU_TIER_IMAGE_NAME', '')
