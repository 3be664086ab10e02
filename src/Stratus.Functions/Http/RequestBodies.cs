using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Stratus.Core.Http;
using Stratus.Core.Errors;

namespace Stratus.Functions.Http;

/// <summary>Parsing of small JSON request bodies into contracts, with clear 400s.</summary>
public static class RequestBodies
{
    private const long MaxJsonBytes = 1024 * 1024;

    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxJsonBytes)
        {
            throw DomainException.TooLarge($"JSON bodies are limited to {MaxJsonBytes} bytes.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, StratusJson.Options, cancellationToken)
                ?? throw DomainException.Invalid("Missing body", "The request needs a JSON body.");
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid("Invalid JSON body", e.Path is { Length: > 1 } ? $"At {e.Path}: {FirstSentence(e.Message)}" : FirstSentence(e.Message));
        }
    }

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

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0];
}
