namespace Stratus.Core.Abstractions;

/// <summary>Model artifacts (ONNX files) in blob storage.</summary>
public interface IArtifactStore
{
    /// <summary>Writes the artifact; overwriting the same path with the same bytes is harmless (idempotent retries).</summary>
    Task UploadAsync(string path, Stream content, CancellationToken cancellationToken = default);

    Task<byte[]> DownloadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Opens the artifact for streaming to a caller; null when missing.</summary>
    Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Opens a file a caller staged in the uploads container, with its size; null when missing.</summary>
    Task<(Stream Content, long Length)?> OpenStagedAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The one layout for model artifacts.</summary>
    static string ModelPath(string model, int version) => $"{model}/{version}/model.onnx";
}
