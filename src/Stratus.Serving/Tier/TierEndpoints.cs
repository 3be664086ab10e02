using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Problems;
using Stratus.Serving.OpenInference;

namespace Stratus.Serving.Tier;

/// <summary>
/// The GPU tier's Open Inference Protocol (KServe V2) REST surface, at the same paths the function app serves.
/// Errors are <c>{"error": …}</c> as the protocol defines, with Retry-After on 429 and 503.
/// </summary>
public static class TierEndpoints
{
    public const string ServerName = "stratus-gpu-tier";

    public static IEndpointRouteBuilder MapGpuTier(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("v2", () => Results.Json(new { name = ServerName, version = typeof(TierEndpoints).Assembly.GetName().Version?.ToString(), extensions = Array.Empty<string>() }));
        endpoints.MapGet(Routes.V2Live, () => Results.Json(new { live = true }));
        endpoints.MapGet(Routes.V2Ready, (TierModelHost host) =>
            host.IsReady ? Results.Json(new { ready = true }) : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable));

        // Health stays anonymous (platform probes); the model routes need an allowed caller when auth is on.
        var models = endpoints.MapGroup("").RequireAuthorization(TierAuthentication.CallerPolicy);
        models.MapGet(Routes.V2Model, (HttpContext http, string name, TierModelHost host) =>
            Handle(http, async ct => Results.Json(await host.GetMetadataAsync(name, null, ct), StratusJson.Options)));
        models.MapGet(Routes.V2ModelVersion, (HttpContext http, string name, string version, TierModelHost host) =>
            Handle(http, async ct => Results.Json(await host.GetMetadataAsync(name, version, ct), StratusJson.Options)));
        models.MapGet(Routes.V2ModelReady, (HttpContext http, string name, TierModelHost host) =>
            Handle(http, async ct => Ready(name, await host.IsModelReadyAsync(name, null, ct))));
        models.MapGet(Routes.V2ModelVersionReady, (HttpContext http, string name, string version, TierModelHost host) =>
            Handle(http, async ct => Ready(name, await host.IsModelReadyAsync(name, version, ct))));
        models.MapPost(Routes.V2Infer, (HttpContext http, string name, TierModelHost host) => InferAsync(http, name, null, host));
        models.MapPost(Routes.V2VersionInfer, (HttpContext http, string name, string version, TierModelHost host) => InferAsync(http, name, version, host));
        return endpoints;
    }

    private static IResult Ready(string name, bool ready) =>
        Results.Json(new { name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);

    private static Task<IResult> InferAsync(HttpContext http, string name, string? version, TierModelHost host) =>
        Handle(http, async ct =>
        {
            var maxBytes = http.RequestServices.GetRequiredService<IOptions<StratusOptions>>().Value.Serving.MaxRequestBytes;
            var headerLength = http.Request.Headers[StratusHeaders.InferenceHeaderContentLength].ToString();
            if (headerLength.Length == 0)
            {
                using var body = await JsonBody.ParseAsync(http.Request.Body, http.Request.ContentLength, maxBytes, ct);
                return new InferResult(await host.InferAsync(name, version, body.RootElement, RequestId(http), ct));
            }

            // Binary tensor extension: JSON header, then raw input bytes.
            var bytes = await JsonBody.ReadBytesAsync(http.Request.Body, http.Request.ContentLength, maxBytes, ct);
            var (json, binary) = V2Binary.Split(bytes, headerLength);
            using var header = JsonBody.Parse(json);
            return new InferResult(await host.InferAsync(name, version, header.RootElement, RequestId(http), ct, binary));
        });

    private static async Task<IResult> Handle(HttpContext http, Func<CancellationToken, Task<IResult>> action)
    {
        http.Response.Headers[StratusHeaders.RequestId] = RequestId(http);
        try
        {
            return await action(http.RequestAborted);
        }
        catch (ProblemException e)
        {
            if (e.RetryAfter is { } retryAfter)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Results.Json(new { error = e.Detail }, statusCode: e.Status);
        }
        catch (BadHttpRequestException e)
        {
            // The server refused the request itself (a body over its limit, a malformed request line).
            return Results.Json(new { error = e.Message }, statusCode: e.StatusCode);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TierEndpoints))
                .LogError(e, "Request {RequestId} to {Path} failed", RequestId(http), http.Request.Path.Value);
            return Results.Json(new { error = $"The GPU tier failed to serve request {RequestId(http)}; see its logs." }, statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static string RequestId(HttpContext http)
    {
        if (http.Items.TryGetValue(StratusHeaders.RequestId, out var known) && known is string id)
        {
            return id;
        }

        var header = http.Request.Headers[StratusHeaders.RequestId].ToString();
        id = header.Length is > 0 and <= 128 ? header : Guid.NewGuid().ToString("N");
        http.Items[StratusHeaders.RequestId] = id;
        return id;
    }

    /// <summary>Writes an infer answer (JSON streamed without an intermediate object graph, or binary outputs).</summary>
    private sealed class InferResult(IInferResponse answer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => InferResponseWriter.WriteAsync(httpContext.Response, answer, httpContext.RequestAborted);
    }
}
