using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Stratus.Core.Http;
using Stratus.Core.Errors;
using Stratus.Serving;

namespace Stratus.Functions.Http;

/// <summary>Parsing of small JSON request bodies into contracts, with clear 400s.</summary>
public static class RequestBodies
{
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > RequestLimits.MaxJsonBytes)
        {
            throw TooLarge();
        }

        try
        {
            // Counted as it is read: a chunked body declares no length.
            return await JsonSerializer.DeserializeAsync<T>(new LimitedReadStream(request.Body, RequestLimits.MaxJsonBytes), StratusJson.Options, cancellationToken)
                ?? throw DomainException.Invalid("Missing body", "The request needs a JSON body.");
        }
        catch (LimitedReadStream.LimitExceededException)
        {
            throw TooLarge();
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid("Invalid JSON body", e.Path is { Length: > 1 } ? $"At {e.Path}: {FirstSentence(e.Message)}" : FirstSentence(e.Message));
        }
    }

    /// <summary>A JSON body that may be left out (a bare POST): null when the request has neither a body nor a content type.</summary>
    public static async Task<T?> ReadOptionalJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class =>
        request.ContentLength is > 0 || request.ContentType is not null ? await ReadJsonAsync<T>(request, cancellationToken) : null;

    public static bool IsJson(HttpRequest request) =>
        string.Equals(request.ContentType?.Split(';', 2)[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase);

    public static void RequireContentType(HttpRequest request, string expected)
    {
        var actual = request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw DomainException.UnsupportedContent($"Send the body as {expected} (got '{actual ?? "none"}').");
        }
    }

    private static DomainException TooLarge() => DomainException.TooLarge($"JSON bodies are limited to {RequestLimits.MaxJsonBytes} bytes.");

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0];
}
