using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Stratus.Core.Http;

namespace Stratus.Serving.OpenInference;

/// <summary>Writes an infer answer: streamed JSON, or the binary tensor extension's JSON part, its length header and the raw outputs.</summary>
public static class InferResponseWriter
{
    public static async Task WriteAsync(HttpResponse response, IInferResponse answer, CancellationToken cancellationToken)
    {
        if (answer.BinaryParts() is { } parts)
        {
            response.ContentType = "application/octet-stream";
            response.Headers[StratusHeaders.InferenceHeaderContentLength] = parts.Json.Length.ToString(CultureInfo.InvariantCulture);
            response.ContentLength = parts.Json.Length + parts.Binary.Sum(b => (long)b.Length);
            await response.Body.WriteAsync(parts.Json, cancellationToken);
            foreach (var bytes in parts.Binary)
            {
                await response.Body.WriteAsync(bytes, cancellationToken);
            }

            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        answer.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }
}
