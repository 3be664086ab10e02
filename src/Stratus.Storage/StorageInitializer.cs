using Stratus.Core.Configuration;

namespace Stratus.Storage;

/// <summary>Creates the containers and tables Stratus needs; safe to run on every start.</summary>
public static class StorageInitializer
{
    public static async Task EnsureCreatedAsync(StorageClients clients, CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(
            clients.Blobs.GetBlobContainerClient(StorageNames.ModelsContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            clients.Blobs.GetBlobContainerClient(StorageNames.DatasetsContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            clients.Blobs.GetBlobContainerClient(StorageNames.UploadsContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            clients.Tables.GetTableClient(StorageNames.ModelCardsTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.ModelVersionsTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.DatasetsTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.MonitoringTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.FeedbackTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.AlertsTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.ExperimentsTable).CreateIfNotExistsAsync(cancellationToken),
            clients.Tables.GetTableClient(StorageNames.ExperimentEventsTable).CreateIfNotExistsAsync(cancellationToken));
    }
}
