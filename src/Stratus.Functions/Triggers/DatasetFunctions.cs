using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Http;
using Stratus.Functions.Http;
using Stratus.Training.Datasets;

namespace Stratus.Functions.Triggers;

/// <summary>Datasets: CSV uploads (admin), content-addressed versions, listing (function key).</summary>
public sealed class DatasetFunctions(DatasetService datasets)
{
    public const string Csv = "text/csv";

    [Function(nameof(PutDataset))]
    public async Task<IActionResult> PutDataset(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = Routes.Dataset)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        RequestBodies.RequireContentType(request, Csv);
        var (version, created) = await datasets.UploadAsync(name, request.Body, request.ContentLength, cancellationToken);
        return ApiResults.Json(version, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, r =>
            r.Headers.Location = "/" + Routes.Dataset.Replace("{name}", name, StringComparison.Ordinal));
    }

    [Function(nameof(ListDatasets))]
    public async Task<IActionResult> ListDatasets(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Datasets)] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(new { datasets = await datasets.ListAsync(cancellationToken) });

    [Function(nameof(GetDataset))]
    public async Task<IActionResult> GetDataset(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Dataset)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var versions = await datasets.ListVersionsAsync(name, cancellationToken);
        return ApiResults.Json(new { name, latest = versions[^1], versions });
    }
}
