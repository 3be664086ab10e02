using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Stratus.Core.Configuration;

namespace Stratus.Storage;

/// <summary>
/// Builds storage clients from the same settings the Functions host reads for <c>AzureWebJobsStorage</c>:
/// a connection string locally (Azurite), or identity-based <c>__accountName</c> / <c>__blobServiceUri</c> /
/// <c>__tableServiceUri</c> with <c>__credential=managedidentity</c> and optional <c>__clientId</c> in Azure.
/// </summary>
public sealed class StorageClients
{
    public StorageClients(BlobServiceClient blobs, TableServiceClient tables)
    {
        Blobs = blobs;
        Tables = tables;
    }

    public BlobServiceClient Blobs { get; }
    public TableServiceClient Tables { get; }

    public static StorageClients FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SettingNames.Storage);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return FromConnectionString(section.Value);
        }

        var account = section[AzureSettings.StorageIdentity.AccountName];
        var blobUri = section[AzureSettings.StorageIdentity.BlobServiceUri] ?? (account is null ? null : $"https://{account}.blob.core.windows.net");
        var tableUri = section[AzureSettings.StorageIdentity.TableServiceUri] ?? (account is null ? null : $"https://{account}.table.core.windows.net");
        if (blobUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{SettingNames.Storage}' to a connection string, or '{SettingNames.Storage}__accountName' for managed identity.");
        }

        TokenCredential credential = section[AzureSettings.StorageIdentity.ClientId] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new StorageClients(
            new BlobServiceClient(new Uri(blobUri), credential),
            new TableServiceClient(new Uri(tableUri), credential));
    }

    public static StorageClients FromConnectionString(string connectionString) =>
        new(new BlobServiceClient(connectionString), new TableServiceClient(connectionString));
}
