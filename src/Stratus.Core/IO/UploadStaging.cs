using System.Buffers;
using System.Security.Cryptography;

namespace Stratus.Core.IO;

/// <summary>
/// Streams an upload to a temporary file while hashing it and enforcing a size limit, so large bodies are
/// never held in memory and nothing reaches storage before the content has been validated.
/// </summary>
public static class UploadStaging
{
    public static async Task<(string Sha256, long Size)> StageAsync(Stream body, string path, long maxBytes, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long size = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                if (size > maxBytes)
                {
                    throw tooLarge();
                }

                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    /// <summary>A unique temporary file path with the given extension.</summary>
    public static string TempPath(string prefix, string extension) => Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}{extension}");
}
