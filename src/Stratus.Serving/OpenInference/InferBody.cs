using System.IO.Pipelines;
using System.Text.Json;

namespace Stratus.Serving.OpenInference;

/// <summary>
/// An infer answer ready to be written by any host: its content type, the binary extension's JSON length (sent as
/// <c>Inference-Header-Content-Length</c>; null for all-JSON answers), and the body (streamed JSON, or the JSON part
/// then the raw outputs).
/// </summary>
public sealed class InferBody
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string BinaryContentType = "application/octet-stream";

    private readonly IInferResponse _answer;
    private readonly (byte[] Json, IReadOnlyList<byte[]> Binary)? _parts;

    public InferBody(IInferResponse answer)
    {
        _answer = answer;
        _parts = answer.BinaryParts();
    }

    public string ContentType => _parts is null ? JsonContentType : BinaryContentType;

    public int? JsonLength => _parts?.Json.Length;

    public long? ContentLength => _parts is { } parts ? parts.Json.Length + parts.Binary.Sum(b => (long)b.Length) : null;

    public async Task WriteAsync(PipeWriter body, CancellationToken cancellationToken)
    {
        if (_parts is { } parts)
        {
            await body.WriteAsync(parts.Json, cancellationToken);
            foreach (var bytes in parts.Binary)
            {
                await body.WriteAsync(bytes, cancellationToken);
            }

            await body.FlushAsync(cancellationToken);
            return;
        }

        await using var writer = new Utf8JsonWriter(body);
        _answer.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }
}
