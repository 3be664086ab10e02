using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Stratus.Core.Errors;
using Stratus.Core.Http;

namespace Stratus.ServiceDefaults;

/// <summary>
/// The one mapping from domain errors to HTTP: a status per <see cref="ErrorKind"/>, Retry-After, and the body each
/// protocol uses (RFC 9457 problem+json, or <c>{"error": …}</c> on Open Inference Protocol routes). Both hosts write
/// their errors through it.
/// </summary>
public static class ProblemMapping
{
    public const string ProblemContentType = "application/problem+json; charset=utf-8";
    public const string JsonContentType = "application/json; charset=utf-8";

    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.UnsupportedContent => StatusCodes.Status415UnsupportedMediaType,
        ErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.DependencyFailed => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The error as a response: status, request id, Retry-After and the protocol's body. Clears anything written before.</summary>
    public static Task WriteAsync(HttpContext context, DomainException error) =>
        WriteAsync(context, StatusFor(error.Kind), error.Title, error.Detail, error.RetryAfter);

    /// <summary>A failure the server itself produced (a malformed request line, an unexpected error).</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        var requestId = RequestIds.Get(context);
        response.Headers[StratusHeaders.RequestId] = requestId;
        if (retryAfter is { } retry)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (Routes.IsOpenInference(context.Request.Path.Value))
        {
            response.ContentType = JsonContentType;
            return JsonSerializer.SerializeAsync(response.Body, new OpenInferenceError(detail), StratusJson.Options);
        }

        response.ContentType = ProblemContentType;
        return JsonSerializer.SerializeAsync(
            response.Body,
            new ProblemDetails("about:blank", title, status, detail, context.Request.Path.Value ?? "", requestId),
            StratusJson.Options);
    }

    private sealed record OpenInferenceError(string Error);

    private sealed record ProblemDetails(string Type, string Title, int Status, string Detail, string Instance, string RequestId);
}
