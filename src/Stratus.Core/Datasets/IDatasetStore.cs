namespace Stratus.Core.Datasets;

/// <summary>Dataset versions: CSV bytes in blob storage, their profile in a table.</summary>
public interface IDatasetStore
{
    /// <summary>Stores a profiled version unless that exact content is already there; Created is false when it was.</summary>
    Task<(DatasetVersion Version, bool Created)> AddAsync(DatasetVersion version, Stream content, CancellationToken cancellationToken = default);

    Task<DatasetVersion?> GetAsync(string name, string version, CancellationToken cancellationToken = default);

    /// <summary>The versions of one dataset, oldest first.</summary>
    Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The newest version of every dataset.</summary>
    Task<IReadOnlyList<DatasetVersion>> ListLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>Downloads a version's bytes to <paramref name="path"/>.</summary>
    Task DownloadAsync(DatasetVersion version, string path, CancellationToken cancellationToken = default);
}
