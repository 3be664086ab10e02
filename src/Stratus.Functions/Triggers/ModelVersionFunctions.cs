using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Http;
using Stratus.Functions.Http;
using Stratus.Registry;

namespace Stratus.Functions.Triggers;

/// <summary>Model versions: upload ONNX bytes (admin), read metadata and download the artifact (function key).</summary>
public sealed class ModelVersionFunctions(ModelManagementService models)
{
    public const string OctetStream = "application/octet-stream";

    [Function(nameof(UploadVersion))]
    public async Task<IActionResult> UploadVersion(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.Versions)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        // ONNX bytes in the body, or {"blob": "…"} naming a file staged in the uploads container (large models).
        var version = RequestBodies.IsJson(request)
            ? await models.RegisterStagedAsync(name, (await RequestBodies.ReadJsonAsync<StagedUpload>(request, cancellationToken)).Blob, cancellationToken)
            : await UploadBytesAsync(request, name, cancellationToken);
        return ApiResults.Json(
            new { model = version.Model, version = version.Version, sha256 = version.Sha256, sizeBytes = version.SizeBytes, signature = version.Signature },
            StatusCodes.Status201Created,
            r => r.Headers.Location = $"/{Routes.Versions.Replace("{name}", name, StringComparison.Ordinal)}/{version.Version}");
    }

    private Task<Core.Models.ModelVersion> UploadBytesAsync(HttpRequest request, string name, CancellationToken cancellationToken)
    {
        RequestBodies.RequireContentType(request, OctetStream);
        return models.UploadVersionAsync(name, request.Body, request.ContentLength, lineage: null, cancellationToken);
    }

    private sealed record StagedUpload(string? Blob);

    [Function(nameof(GetVersion))]
    public async Task<IActionResult> GetVersion(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Version)] HttpRequest request,
        string name,
        int version,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await models.GetVersionAsync(name, version, cancellationToken));

    [Function(nameof(GetArtifact))]
    public async Task<IActionResult> GetArtifact(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.VersionArtifact)] HttpRequest request,
        string name,
        int version,
        CancellationToken cancellationToken) =>
        ApiResults.Bytes(await models.OpenArtifactAsync(name, version, cancellationToken), OctetStream, $"{name}-v{version}.onnx");
}
