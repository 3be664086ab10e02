using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Http;
using Stratus.ServiceDefaults;

namespace Stratus.Functions.Http;

/// <summary>
/// What wraps every HTTP function on both hosts: assign the request id, and turn failures into the protocol's error
/// (through <see cref="ProblemMapping"/>). The only place in the function app where exceptions become statuses.
/// </summary>
public static partial class HttpPipeline
{
    public static async Task RunAsync(HttpContext context, Func<Task> next, ILogger logger)
    {
        var requestId = RequestIds.Get(context);
        context.Response.Headers[StratusHeaders.RequestId] = requestId;

        // The server stops reading at the route's own limit (its setting), not at Kestrel's 30 MB default: uploads may
        // be larger, and a management call or a chunked body of unknown length may not grow past what the route takes.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit
            && context.RequestServices?.GetService(typeof(IOptions<StratusOptions>)) is IOptions<StratusOptions> options)
        {
            // A declared length over the limit is answered 413 before a byte is read; the server may then discard the
            // rest instead of cutting the connection on a client still sending (which would hide the answer from it).
            var limit = RequestLimits.For(context.Request.Path, options.Value);
            bodyLimit.MaxRequestBodySize = context.Request.ContentLength is { } declared && declared > limit ? declared : limit;
        }

        await GuardAsync(context, next, logger);
    }

    /// <summary>
    /// Runs <paramref name="action"/>, answering any failure in the protocol's error form while the response has not started.
    /// Results call it too: under the Functions worker they execute after the middleware has returned. Without a
    /// <paramref name="logger"/>, one is taken from the request's services only when a failure is logged.
    /// </summary>
    public static async Task GuardAsync(HttpContext context, Func<Task> action, ILogger? logger)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (!context.Response.HasStarted && !(e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            await WriteAsync(context, e, logger);
        }
    }

    private static Task WriteAsync(HttpContext context, Exception e, ILogger? logger)
    {
        logger ??= context.RequestServices?.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger(typeof(HttpPipeline))
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var path = context.Request.Path.Value;
        switch (e)
        {
            case DomainException error:
                return ProblemMapping.WriteAsync(context, error);
            case BadHttpRequestException bad:
                return ProblemMapping.WriteAsync(context, bad.StatusCode, "Bad request", bad.Message);
            case NotSupportedException unsupported:
                return ProblemMapping.WriteAsync(context, DomainException.Invalid("Not supported", unsupported.Message));
            case RequestFailedException { Status: 404 } missing:
                LogStorageObjectMissing(logger, missing, path);
                return ProblemMapping.WriteAsync(context, DomainException.NotFound("Not found in storage", "A stored object this request needs is missing; it may have been deleted."));
            case RequestFailedException storage when IsOutage(storage):
            case AggregateException retried when retried.InnerExceptions.Count > 0 && retried.InnerExceptions.All(IsOutage): // the SDK's "retry failed after n tries"
                LogStorageUnavailable(logger, e, path);
                return ProblemMapping.WriteAsync(context, DomainException.Unavailable("Storage unavailable", "The registry storage could not be reached; try again shortly.", TimeSpan.FromSeconds(5)));
            default:
                var requestId = RequestIds.Get(context);
                LogUnhandled(logger, e, context.Request.Method, path, requestId);
                return ProblemMapping.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error", $"An unexpected error occurred; quote request id {requestId} when reporting it.");
        }
    }

    /// <summary>Storage did not answer (no status: refused, reset, timed out) or failed on its side.</summary>
    private static bool IsOutage(Exception e) => e is RequestFailedException { Status: 0 or >= 500 };

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage object missing for {Path}")]
    private static partial void LogStorageObjectMissing(ILogger logger, Exception exception, string? path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unavailable for {Path}")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string? path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path} ({RequestId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string? path, string requestId);
}
