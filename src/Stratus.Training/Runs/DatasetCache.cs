using System.Collections.Concurrent;
using System.Security.Cryptography;
using Stratus.Core.Datasets;
using Stratus.Core.Errors;
using Stratus.Core.Training;

namespace Stratus.Training.Runs;

/// <summary>
/// Local copies of dataset versions for training, keyed by content hash and verified against it: an activity
/// on any instance trains on exactly the bytes the spec names, and downloads them once per instance.
/// </summary>
public sealed class DatasetCache(IDatasetStore store)
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stratus-datasets");
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _downloads = new(StringComparer.Ordinal);

    public async Task<string> GetAsync(DatasetRef dataset, CancellationToken cancellationToken)
    {
        var lazy = _downloads.GetOrAdd(dataset.Sha256, _ => new Lazy<Task<string>>(() => DownloadAsync(dataset, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch
        {
            _downloads.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(dataset.Sha256, lazy));
            throw;
        }
    }

    private async Task<string> DownloadAsync(DatasetRef dataset, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, dataset.Sha256 + ".csv");
        if (File.Exists(path) && await HashAsync(path, cancellationToken) == dataset.Sha256)
        {
            return path;
        }

        var version = await store.GetAsync(dataset.Name, dataset.Version, cancellationToken)
            ?? throw DomainException.NotFound("Dataset version not found", $"Dataset {dataset} no longer exists.");
        var temp = path + "." + Guid.NewGuid().ToString("N");
        await store.DownloadAsync(version, temp, cancellationToken);
        var actual = await HashAsync(temp, cancellationToken);
        if (actual != dataset.Sha256)
        {
            File.Delete(temp);
            throw new InvalidDataException($"Dataset {dataset} has sha256 {actual}, not {dataset.Sha256}: the stored bytes changed.");
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
