using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Stratus.Core.Http;
using Stratus.Core.Problems;

namespace Stratus.Functions.Http;

/// <summary>
/// What wraps every HTTP function on both hosts: assign the request id, and turn failures into
/// RFC 9457 problem+json (or <c>{"error": …}</c> on Open Inference Protocol routes) with a fitting status.
/// </summary>
public static class HttpPipeline
{
    public static async Task RunAsync(HttpContext context, Func<Task> next, ILogger logger)
    {
        var requestId = RequestIds.Get(context);
        context.Response.Headers[StratusHeaders.RequestId] = requestId;

        // The server's default cap (30 MB in Kestrel) would answer before Stratus' own, configurable limits
        // (Stratus:Registry:MaxUploadBytes, Stratus:Serving:MaxRequestBytes …), which every route enforces.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = null;
        }

        await GuardAsync(context, next, logger);
    }

    /// <summary>
    /// Runs <paramref name="action"/>, answering any failure as problem+json while the response has not started.
    /// Results call it too: under the Functions worker they execute after the middleware has returned.
    /// </summary>
    public static async Task GuardAsync(HttpContext context, Func<Task> action, ILogger logger)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (!context.Response.HasStarted && ToProblem(e, logger, context) is { } problem)
        {
            await WriteAsync(context, problem);
        }
    }

    public static Task WriteAsync(HttpContext context, ProblemException problem)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = problem.Status;
        response.Headers[StratusHeaders.RequestId] = RequestIds.Get(context);
        if (problem.RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Routes.IsOpenInference(context.Request.Path.Value))
        {
            response.ContentType = "application/json; charset=utf-8";
            return JsonSerializer.SerializeAsync(response.Body, new { error = problem.Detail });
        }

        response.ContentType = "application/problem+json; charset=utf-8";
        return JsonSerializer.SerializeAsync(response.Body, new ProblemBody(
            "about:blank", problem.Title, problem.Status, problem.Detail, context.Request.Path.Value ?? "", RequestIds.Get(context)), StratusJson.Options);
    }

    private static ProblemException? ToProblem(Exception e, ILogger logger, HttpContext context)
    {
        switch (e)
        {
            case ProblemException problem:
                return problem;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return null; // the caller left; nothing to answer
            case BadHttpRequestException bad:
                return new ProblemException(bad.StatusCode, "Bad request", bad.Message);
            case RequestFailedException { Status: 404 } missing:
                logger.LogError(missing, "Storage object missing for {Path}", context.Request.Path.Value);
                return ProblemException.NotFound("Not found in storage", "A stored object this request needs is missing; it may have been deleted.");
            case NotSupportedException unsupported:
                return ProblemException.BadRequest("Not supported", unsupported.Message);
            case RequestFailedException storage when storage.Status is 0 or >= 500:
                logger.LogError(e, "Storage unavailable for {Path}", context.Request.Path.Value);
                return ProblemException.ServiceUnavailable("Storage unavailable", "The registry storage could not be reached; try again shortly.", TimeSpan.FromSeconds(5));
            default:
                logger.LogError(e, "Unhandled error for {Method} {Path} ({RequestId})", context.Request.Method, context.Request.Path.Value, RequestIds.Get(context));
                return new ProblemException(500, "Internal error", $"An unexpected error occurred; quote request id {RequestIds.Get(context)} when reporting it.");
        }
    }

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail, string Instance, string RequestId);
}
