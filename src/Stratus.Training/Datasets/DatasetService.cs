using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.IO;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Errors;

namespace Stratus.Training.Datasets;

/// <summary>Dataset uploads: stream to a temporary file while hashing, validate and profile, then store once per content.</summary>
public sealed class DatasetService(IDatasetStore store, IOptions<StratusOptions> options, TimeProvider clock, ILogger<DatasetService> logger)
{
    public async Task<(DatasetVersion Version, bool Created)> UploadAsync(string name, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "dataset");
        var max = options.Value.Datasets.MaxUploadBytes;
        if (contentLength > max)
        {
            throw TooLarge(max);
        }

        var temp = UploadStaging.TempPath("stratus-dataset", ".csv");
        try
        {
            var (sha256, size) = await UploadStaging.StageAsync(body, temp, max, () => TooLarge(max), cancellationToken);
            var profile = await CsvProfiler.ReadAsync(temp, cancellationToken);
            var version = DatasetVersion.VersionOf(sha256);
            var record = new DatasetVersion
            {
                Name = name,
                Version = version,
                Sha256 = sha256,
                SizeBytes = size,
                Rows = profile.Rows,
                Columns = profile.Columns,
                BlobPath = DatasetVersion.PathOf(name, version),
                CreatedAt = clock.GetUtcNow(),
            };
            await using var file = File.OpenRead(temp);
            var result = await store.AddAsync(record, file, cancellationToken);
            logger.LogInformation("Dataset {Dataset}@{Version}: {Rows} rows, {Columns} columns ({Outcome})", name, version, profile.Rows, profile.Columns.Count, result.Created ? "stored" : "already stored");
            return result;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Resolves <c>name</c> (latest version) or <c>name@version</c>; 404 when missing.</summary>
    public async Task<DatasetVersion> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        var (name, version) = DatasetVersion.ParseReference(reference);
        ResourceName.Require(name, "dataset");
        if (version is not null)
        {
            return await store.GetAsync(name, version, cancellationToken)
                ?? throw DomainException.NotFound("Dataset version not found", $"Dataset '{name}' has no version '{version}'.");
        }

        var versions = await store.ListVersionsAsync(name, cancellationToken);
        return versions.Count > 0 ? versions[^1] : throw DomainException.NotFound("Dataset not found", $"There is no dataset named '{name}'.");
    }

    public async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "dataset");
        var versions = await store.ListVersionsAsync(name, cancellationToken);
        return versions.Count > 0 ? versions : throw DomainException.NotFound("Dataset not found", $"There is no dataset named '{name}'.");
    }

    public Task<IReadOnlyList<DatasetVersion>> ListAsync(CancellationToken cancellationToken) => store.ListLatestAsync(cancellationToken);


    private static DomainException TooLarge(long max) =>
        DomainException.TooLarge($"The dataset is larger than the upload limit of {max} bytes ({OptionPaths.DatasetsMaxUploadBytes}).");
}
