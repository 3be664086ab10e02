using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Http;
using Stratus.GpuTier.Auth;
using Stratus.GpuTier.Hosting;
using Stratus.ServiceDefaults;
using Stratus.Serving;
using Stratus.Serving.OpenInference;

namespace Stratus.GpuTier.Endpoints;

/// <summary>
/// The GPU tier's Open Inference Protocol (KServe V2) REST surface, at the same paths the function app serves.
/// Errors are <c>{"error": …}</c> as the protocol defines, written through <see cref="ProblemMapping"/> (Retry-After on 429 and 503).
/// </summary>
public static partial class TierEndpoints
{
    public const string ServerName = "stratus-gpu-tier";

    public static IEndpointRouteBuilder MapGpuTier(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Routes.V2Server, () => Results.Json(V2ServerMetadata.For(ServerName), StratusJson.Options));
        endpoints.MapGet(Routes.V2Live, () => Results.Json(HealthResponses.Live, StratusJson.Options));
        endpoints.MapGet(Routes.V2Ready, (TierLifecycle lifecycle) =>
            Results.Json(HealthResponses.Ready(lifecycle.IsReady), StratusJson.Options, statusCode: HealthResponses.StatusOf(lifecycle.IsReady)));

        // Health stays anonymous (platform probes); the model routes need an allowed caller when auth is on.
        var models = endpoints.MapGroup("").RequireAuthorization(TierAuthentication.CallerPolicy);
        models.MapGet(Routes.V2Model, (HttpContext http, string name, TierInference tier) =>
            Handle(http, async ct => Results.Json(await tier.GetMetadataAsync(name, null, ct), StratusJson.Options)));
        models.MapGet(Routes.V2ModelVersion, (HttpContext http, string name, string version, TierInference tier) =>
            Handle(http, async ct => Results.Json(await tier.GetMetadataAsync(name, version, ct), StratusJson.Options)));
        models.MapGet(Routes.V2ModelReady, (HttpContext http, string name, TierInference tier) =>
            Handle(http, async ct => Ready(name, await tier.IsModelReadyAsync(name, null, ct))));
        models.MapGet(Routes.V2ModelVersionReady, (HttpContext http, string name, string version, TierInference tier) =>
            Handle(http, async ct => Ready(name, await tier.IsModelReadyAsync(name, version, ct))));
        models.MapPost(Routes.V2Infer, (HttpContext http, string name, TierInference tier) => InferAsync(http, name, null, tier));
        models.MapPost(Routes.V2VersionInfer, (HttpContext http, string name, string version, TierInference tier) => InferAsync(http, name, version, tier));
        return endpoints;
    }

    private static IResult Ready(string name, bool ready) =>
        Results.Json(new { name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);

    private static Task<IResult> InferAsync(HttpContext http, string name, string? version, TierInference tier) =>
        Handle(http, async ct =>
        {
            var maxBytes = http.RequestServices.GetRequiredService<IOptions<StratusOptions>>().Value.Serving.MaxRequestBytes;
            var headerLength = http.Request.Headers[StratusHeaders.InferenceHeaderContentLength].ToString();
            if (headerLength.Length == 0)
            {
                using var body = await JsonBody.ParseAsync(http.Request.Body, http.Request.ContentLength, maxBytes, ct);
                return new InferResult(await tier.InferAsync(name, version, body.RootElement, RequestIds.Get(http), ReadOnlyMemory<byte>.Empty, ct));
            }

            // Binary tensor extension: JSON header, then raw input bytes.
            var bytes = await JsonBody.ReadBytesAsync(http.Request.Body, http.Request.ContentLength, maxBytes, ct);
            var (json, binary) = V2Binary.Split(bytes, headerLength);
            using var header = JsonBody.Parse(json);
            return new InferResult(await tier.InferAsync(name, version, header.RootElement, RequestIds.Get(http), binary, ct));
        });

    private static async Task<IResult> Handle(HttpContext http, Func<CancellationToken, Task<IResult>> action)
    {
        http.Response.Headers[StratusHeaders.RequestId] = RequestIds.Get(http);
        try
        {
            return await action(http.RequestAborted);
        }
        catch (DomainException e)
        {
            return new ErrorResult(h => ProblemMapping.WriteAsync(h, e));
        }
        catch (BadHttpRequestException e)
        {
            // The server refused the request itself (a body over its limit, a malformed request line).
            return new ErrorResult(h => ProblemMapping.WriteAsync(h, e.StatusCode, "Bad request", e.Message));
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            LogFailed(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TierEndpoints)), e, RequestIds.Get(http), http.Request.Path.Value);
            return new ErrorResult(h => ProblemMapping.WriteAsync(h, StatusCodes.Status500InternalServerError, "Internal error", $"The GPU tier failed to serve request {RequestIds.Get(h)}; see its logs."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} to {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string requestId, string? path);

    private sealed class ErrorResult(Func<HttpContext, Task> write) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => write(httpContext);
    }

    /// <summary>Writes an infer answer (JSON streamed without an intermediate object graph, or binary outputs).</summary>
    private sealed class InferResult(IInferResponse answer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var body = new InferBody(answer);
            httpContext.Response.ContentType = body.ContentType;
            if (body.JsonLength is { } jsonLength)
            {
                httpContext.Response.Headers[StratusHeaders.InferenceHeaderContentLength] = jsonLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
                httpContext.Response.ContentLength = body.ContentLength;
            }

            return body.WriteAsync(httpContext.Response.BodyWriter, httpContext.RequestAborted);
        }
    }
}
