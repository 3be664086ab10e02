using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Abstractions;
using Stratus.Core.Diagnostics;
using Stratus.Core.Http;
using Stratus.Functions.Http;
using Stratus.ServiceDefaults;
using Stratus.Serving.Routing;

namespace Stratus.Functions.Triggers;

/// <summary>Open Inference Protocol (KServe V2) REST at its standard paths.</summary>
public sealed class OpenInferenceFunctions(OpenInferenceService inference, IModelRegistry registry, StartupReadiness readiness)
{
    public const string ServerName = "stratus";

    [Function(nameof(V2ServerMetadata))]
    public IActionResult V2ServerMetadata(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.V2Server)] HttpRequest request) =>
        ApiResults.Json(Serving.OpenInference.V2ServerMetadata.For(ServerName));

    [Function(nameof(V2Live))]
    public IActionResult V2Live(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.V2Live)] HttpRequest request) =>
        ApiResults.Json(HealthResponses.Live);

    [Function(nameof(V2Ready))]
    public async Task<IActionResult> V2Ready(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.V2Ready)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        await registry.PingAsync(cancellationToken); // storage unreachable: the pipeline answers 503
        return readiness.IsReady
            ? ApiResults.Json(HealthResponses.Ready(true))
            : ApiResults.Json(HealthResponses.Ready(false, readiness.WaitingFor), StatusCodes.Status503ServiceUnavailable, r => r.Headers.RetryAfter = "2");
    }

    [Function(nameof(V2ModelMetadata))]
    public async Task<IActionResult> V2ModelMetadata(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.V2Model)] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await inference.GetMetadataAsync(name, null, cancellationToken));

    [Function(nameof(V2ModelVersionMetadata))]
    public async Task<IActionResult> V2ModelVersionMetadata(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.V2ModelVersion)] HttpRequest request,
        string name,
        string version,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await inference.GetMetadataAsync(name, version, cancellationToken));

    [Function(nameof(V2ModelReady))]
    public Task<IActionResult> V2ModelReady(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.V2ModelReady)] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        Ready(name, null, cancellationToken);

    [Function(nameof(V2ModelVersionReady))]
    public Task<IActionResult> V2ModelVersionReady(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.V2ModelVersionReady)] HttpRequest request,
        string name,
        string version,
        CancellationToken cancellationToken) =>
        Ready(name, version, cancellationToken);

    [Function(nameof(V2Infer))]
    public Task<IActionResult> V2Infer(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.V2Infer)] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        Infer(request, name, null, cancellationToken);

    [Function(nameof(V2VersionInfer))]
    public Task<IActionResult> V2VersionInfer(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.V2VersionInfer)] HttpRequest request,
        string name,
        string version,
        CancellationToken cancellationToken) =>
        Infer(request, name, version, cancellationToken);

    private async Task<IActionResult> Ready(string name, string? version, CancellationToken cancellationToken)
    {
        var ready = await inference.IsReadyAsync(name, version, cancellationToken);
        return ApiResults.Json(new { name, ready }, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private async Task<IActionResult> Infer(HttpRequest request, string name, string? version, CancellationToken cancellationToken)
    {
        var result = await inference.InferAsync(name, version, RequestValues.Header(request, StratusHeaders.Unit), request.Body, request.ContentLength, RequestIds.Get(request.HttpContext),
            RequestValues.Header(request, StratusHeaders.InferenceHeaderContentLength), cancellationToken);
        return ApiResults.Infer(result);
    }
}
