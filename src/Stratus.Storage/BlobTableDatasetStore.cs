using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Stratus.Core.Errors;
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

    /// <summary>Blob metadata holding the file's full SHA-256, checked when an upload finds its version's blob taken.</summary>
    private const string Sha256Metadata = "sha256";

    public async Task<(DatasetVersion Version, bool Created)> AddAsync(DatasetVersion version, Stream content, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(version.Name, version.Version, cancellationToken) is { } existing)
        {
            return string.Equals(existing.Sha256, version.Sha256, StringComparison.OrdinalIgnoreCase)
                ? (existing, false)
                : throw Collision(version);
        }

        // Blob first (a version entity always has its bytes), and never over another upload's: a version is a hash
        // prefix, so bytes already stored under it must be the same file (same full SHA-256), or this is a collision.
        var blob = _blobs.GetBlobClient(version.BlobPath);
        try
        {
            await blob.UploadAsync(content, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string> { [Sha256Metadata] = version.Sha256 },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            var stored = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.Metadata;
            if (!stored.TryGetValue(Sha256Metadata, out var sha) || !string.Equals(sha, version.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw Collision(version);
            }
        }

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

    private static DomainException Collision(DatasetVersion version) => DomainException.Conflict(
        "Dataset version collision",
        $"Dataset '{version.Name}' already stores different bytes under version {version.Version} (the first 16 hex digits of their SHA-256 agree); nothing was overwritten.");

    private static DatasetVersion Read(TableEntity entity) => TableDocuments.Read<DatasetVersion>(entity);
}
