using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Stratus.Core.Configuration;
using Stratus.Core.Datasets;

namespace Stratus.Storage;

/// <summary>
/// Datasets on Azure Storage: bytes at <c>datasets/{name}/{version}.csv</c>, one table entity per version
/// (partition = dataset name, row = version). Versions are content hashes, so a concurrent upload of the
/// same bytes converges on the same entity and blob.
/// </summary>
public sealed class BlobTableDatasetStore(StorageClients clients) : IDatasetStore
{
    private readonly BlobContainerClient _blobs = clients.Blobs.GetBlobContainerClient(StorageNames.DatasetsContainer);
    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.DatasetsTable);

    public async Task<(DatasetVersion Version, bool Created)> AddAsync(DatasetVersion version, Stream content, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(version.Name, version.Version, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        // Blob first: a version entity always has its bytes.
        await _blobs.GetBlobClient(version.BlobPath).UploadAsync(content, overwrite: true, cancellationToken);
        try
        {
            await _table.AddEntityAsync(
                TableDocuments.Write(version.Name, version.Version, version),
                cancellationToken);
            return (version, true);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return ((await GetAsync(version.Name, version.Version, cancellationToken))!, false);
        }
    }

    public async Task<DatasetVersion?> GetAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(name, version, cancellationToken: cancellationToken);
        return response.HasValue ? Read(response.Value!) : null;
    }

    public async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        var versions = new List<DatasetVersion>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == name, cancellationToken: cancellationToken))
        {
            versions.Add(Read(entity));
        }

        return versions.OrderBy(v => v.CreatedAt).ThenBy(v => v.Version, StringComparer.Ordinal).ToArray();
    }

    public async Task<IReadOnlyList<DatasetVersion>> ListLatestAsync(CancellationToken cancellationToken = default)
    {
        var latest = new Dictionary<string, DatasetVersion>(StringComparer.Ordinal);
        await foreach (var entity in _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            var version = Read(entity);
            if (!latest.TryGetValue(version.Name, out var seen) || version.CreatedAt > seen.CreatedAt)
            {
                latest[version.Name] = version;
            }
        }

        return latest.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
    }

    public async Task DownloadAsync(DatasetVersion version, string path, CancellationToken cancellationToken = default) =>
        await _blobs.GetBlobClient(version.BlobPath).DownloadToAsync(path, cancellationToken);

    private static DatasetVersion Read(TableEntity entity) => TableDocuments.Read<DatasetVersion>(entity);
}
