using Azure;
using Azure.Storage.Blobs;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;

namespace Stratus.Storage;

/// <summary>Model artifacts in the <see cref="StorageNames.ModelsContainer"/> blob container (and staged uploads).</summary>
public sealed class BlobArtifactStore(StorageClients clients) : IArtifactStore
{
    private readonly BlobContainerClient _container = clients.Blobs.GetBlobContainerClient(StorageNames.ModelsContainer);
    private readonly BlobContainerClient _uploads = clients.Blobs.GetBlobContainerClient(StorageNames.UploadsContainer);

    public async Task<(Stream Content, long Length)?> OpenStagedAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await _uploads.GetBlobClient(path).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return (result.Value.Content, result.Value.Details.ContentLength);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task UploadAsync(string path, Stream content, CancellationToken cancellationToken = default) =>
        await _container.GetBlobClient(path).UploadAsync(content, overwrite: true, cancellationToken);

    public async Task<byte[]> DownloadAsync(string path, CancellationToken cancellationToken = default)
    {
        // One buffer of the blob's exact size (ONNX Runtime needs a byte[]), not a copy of a copy.
        var response = await _container.GetBlobClient(path).DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = response.Value.Content;
        var bytes = new byte[response.Value.Details.ContentLength];
        await content.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    public async Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await _container.GetBlobClient(path).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return result.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
