using System.Text.Json;
using Stratus.Core.Errors;

namespace Stratus.Serving;

/// <summary>Reads a JSON request body with a size limit, turning malformed JSON into a 400 problem.</summary>
public static class JsonBody
{
    public static async Task<JsonDocument> ParseAsync(Stream body, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        if (contentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        try
        {
            // A declared length (checked above) is all the server reads; a body of unknown length is counted as read.
            return await JsonDocument.ParseAsync(contentLength is null ? new LimitedReadStream(body, maxBytes) : body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid("Malformed JSON", $"The request body is not valid JSON: {e.Message}");
        }
        catch (LimitedReadStream.LimitExceededException)
        {
            throw TooLarge(maxBytes);
        }
    }

    /// <summary>The raw body, bounded (413 beyond); for passing it on unparsed (to the GPU tier).</summary>
    public static async Task<byte[]> ReadBytesAsync(Stream body, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        if (contentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        try
        {
            // The buffer grows as bytes arrive: a declared Content-Length reserves nothing before the bytes are here.
            using var buffer = new MemoryStream();
            await (contentLength is null ? new LimitedReadStream(body, maxBytes) : body).CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (LimitedReadStream.LimitExceededException)
        {
            throw TooLarge(maxBytes);
        }
    }

    /// <summary>Parses a body already read, turning malformed JSON into a 400 problem.</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid("Malformed JSON", $"The request body is not valid JSON: {e.Message}");
        }
    }

    private static DomainException TooLarge(long maxBytes) =>
        DomainException.TooLarge($"The request body is larger than the limit of {maxBytes} bytes.");
}

/// <summary>A read-only stream that fails once more than a given number of bytes has been read.</summary>
public sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public sealed class LimitExceededException() : IOException("The stream exceeded its size limit.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int n)
    {
        _read += n;
        return _read > limit ? throw new LimitExceededException() : n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
