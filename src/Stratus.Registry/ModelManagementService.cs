using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.IO;
using Stratus.Core.Models;
using Stratus.Core.Errors;

namespace Stratus.Registry;

/// <summary>
/// Changes to the registry made through the API: cards, uploads and aliases. Every change also refreshes
/// this instance's <see cref="ModelCatalog"/>, so the caller's next predict sees it.
/// </summary>
public sealed class ModelManagementService(
    IModelRegistry registry,
    IArtifactStore artifacts,
    IModelInspector inspector,
    ModelCatalog catalog,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILogger<ModelManagementService> logger)
{
    public async Task<CardUpsertResult> UpsertCardAsync(string name, ModelCardUpdate update, string? ifMatch, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        if (!string.IsNullOrEmpty(update.Name) && update.Name != name)
        {
            throw DomainException.Invalid("Name mismatch", $"The body names model '{update.Name}' but the path names '{name}'.");
        }

        update = update with { Name = name };
        update.Validate();
        var result = await registry.UpsertCardAsync(update, ifMatch, cancellationToken);
        catalog.Invalidate(name);
        logger.LogInformation("{Action} model card {Model}", result.Created ? "Created" : "Updated", name);
        return result;
    }

    public async Task<(Versioned<ModelCard> Card, IReadOnlyList<ModelVersion> Versions)> GetModelAsync(string name, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        var card = await registry.GetCardAsync(name, cancellationToken) ?? throw RegistryErrors.ModelNotFound(name);
        var versions = await registry.ListVersionsAsync(name, cancellationToken);
        return (card, versions);
    }

    public async Task<ModelVersion> GetVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        return await registry.GetVersionAsync(name, version, cancellationToken)
            ?? throw RegistryErrors.VersionNotFound(name, version);
    }

    public async Task<Stream> OpenArtifactAsync(string name, int version, CancellationToken cancellationToken)
    {
        var record = await GetVersionAsync(name, version, cancellationToken);
        return await artifacts.OpenReadAsync(record.ArtifactPath, cancellationToken)
            ?? throw RegistryErrors.ArtifactMissing(name, version);
    }

    /// <summary>
    /// Streams the upload to a temporary file while hashing it, proves it loads as ONNX and reads its
    /// signature, and only then allocates a version number and writes the blob and the version record.
    /// Nothing reaches storage for a rejected upload.
    /// </summary>
    /// <param name="enrich">Adds what the caller knows beyond the bytes (metrics, outputs, baselines) before the record is written.</param>
    public async Task<ModelVersion> UploadVersionAsync(string name, Stream body, long? contentLength, Lineage? lineage, CancellationToken cancellationToken, Func<ModelVersion, ModelVersion>? enrich = null)
    {
        ResourceName.Require(name, "model");
        var max = options.Value.Registry.MaxUploadBytes;
        if (contentLength > max)
        {
            throw TooLarge(max);
        }

        if (await registry.GetCardAsync(name, cancellationToken) is null)
        {
            throw RegistryErrors.ModelNotFoundCreateFirst(name);
        }

        // Its own empty directory: a model that names sibling files (external data) finds none to read.
        var staging = Directory.CreateTempSubdirectory("stratus-upload-");
        var temp = Path.Combine(staging.FullName, "model.onnx");
        try
        {
            var (sha256, size) = await UploadStaging.StageAsync(body, temp, max, () => TooLarge(max), cancellationToken);
            if (size == 0)
            {
                throw DomainException.Invalid("Empty upload", "The request body is empty; send the ONNX model bytes as application/octet-stream.");
            }

            var signature = inspector.Inspect(temp);
            var number = await registry.AllocateVersionAsync(name, cancellationToken);
            var path = IArtifactStore.ModelPath(name, number);
            await using (var file = File.OpenRead(temp))
            {
                await artifacts.UploadAsync(path, file, cancellationToken);
            }

            var version = new ModelVersion
            {
                Model = name,
                Version = number,
                ArtifactPath = path,
                Sha256 = sha256,
                SizeBytes = size,
                Signature = signature,
                Lineage = lineage ?? new Lineage { Source = Lineage.UploadSource },
                CreatedAt = clock.GetUtcNow(),
            };
            version = enrich?.Invoke(version) ?? version;
            await registry.AddVersionAsync(version, cancellationToken);
            catalog.Invalidate(name);
            logger.LogInformation("Registered {Model} version {Version} ({SizeBytes} bytes, sha256 {Sha256})", name, number, size, sha256);
            return version;
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Registers a model file the caller staged in the uploads container (files beyond a request body's limit, e.g.
    /// the Functions host's 100 MB): validated and stored exactly as a direct upload. The staged file is left as is.
    /// </summary>
    public async Task<ModelVersion> RegisterStagedAsync(string name, string? blob, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(blob) || blob.Length > 1024 || !blob.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/')
            || blob.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw DomainException.Invalid("Invalid staged file", $"'blob' must name a file in the '{StorageNames.UploadsContainer}' container with letters, digits, '.', '_', '-' and '/', like 'team/model.onnx'.");
        }

        ResourceName.Require(name, "model");
        if (await registry.GetCardAsync(name, cancellationToken) is null)
        {
            throw RegistryErrors.ModelNotFoundCreateFirst(name);
        }

        var staged = await artifacts.OpenStagedAsync(blob, cancellationToken)
            ?? throw DomainException.NotFound("Staged file not found", $"There is no '{blob}' in the '{StorageNames.UploadsContainer}' container; upload it there first.");
        await using var content = staged.Content;
        return await UploadVersionAsync(name, content, staged.Length, new Lineage { Source = Lineage.UploadSource }, cancellationToken);
    }

    public async Task<Versioned<ModelCard>> SetAliasAsync(string name, string alias, int version, string? ifMatch, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        ResourceName.Require(alias, "alias");
        var card = await registry.SetAliasAsync(name, alias, version, ifMatch, cancellationToken);
        catalog.Invalidate(name);
        logger.LogInformation("Alias {Alias} of {Model} now points at version {Version}", alias, name, version);
        return card;
    }

    /// <inheritdoc cref="IModelRegistry.MoveAliasAsync"/>
    public async Task<bool> MoveAliasAsync(string name, string alias, int version, int? expected, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        ResourceName.Require(alias, "alias");
        var moved = await registry.MoveAliasAsync(name, alias, version, expected, cancellationToken);
        catalog.Invalidate(name);
        if (moved)
        {
            logger.LogInformation("Alias {Alias} of {Model} moved from version {Expected} to {Version}", alias, name, expected, version);
        }

        return moved;
    }

    public async Task RemoveAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        ResourceName.Require(alias, "alias");
        if (!await registry.RemoveAliasAsync(name, alias, cancellationToken))
        {
            throw RegistryErrors.AliasNotFound(name, alias);
        }

        catalog.Invalidate(name);
    }

    private static DomainException TooLarge(long max) =>
        DomainException.TooLarge($"The model is larger than the upload limit of {max} bytes ({OptionPaths.RegistryMaxUploadBytes}).");
}
