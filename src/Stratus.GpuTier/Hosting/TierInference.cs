using System.Text.Json;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Registry;
using Stratus.Serving;
using Stratus.Serving.OpenInference;

namespace Stratus.GpuTier.Hosting;

/// <summary>The tier's Open Inference Protocol operations over its warm models: metadata, readiness and batched infer.</summary>
public sealed class TierInference(
    TierModels models,
    TierLifecycle lifecycle,
    IModelRegistry registry,
    ModelCatalog catalog,
    IVersionSelector selector,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock)
{
    public const string Protocol = "v2-tier";

    private static readonly TimeSpan DrainingRetryAfter = TimeSpan.FromSeconds(2);

    /// <summary>True when the version is loaded and warm; otherwise starts loading it, so polling ready until true works.</summary>
    public async Task<bool> IsModelReadyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(name, version, cancellationToken);
        if (models.TryGetWarm(name, selected) is not null)
        {
            return lifecycle.IsReady;
        }

        if (!lifecycle.IsDraining)
        {
            models.LoadInBackground(name, selected);
        }

        return false;
    }

    /// <summary>The registry's metadata plus how this tier serves the version (batching, provider, readiness).</summary>
    public async Task<V2ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var (card, selected) = await SelectCardAsync(name, version, cancellationToken);
        var described = V2ModelMetadata.From(card, selected, await registry.ListVersionsAsync(name, cancellationToken));

        // A loaded model reports the batching its batcher runs with; otherwise what it would get.
        var served = models.TryGetWarm(name, selected);
        var batching = served?.Batching ?? options.Value.Tier.BatchingFor(name);
        return described with
        {
            Parameters = described.Parameters with
            {
                DynamicBatching = batching.Enabled && !described.Parameters.BatchDimensionFixed && (served?.Model.OutputsFollowBatch ?? true),
                MaxBatchSize = batching.MaxBatchSize,
                MaxQueueDelayMicroseconds = batching.MaxQueueDelayMicroseconds,
                MaxQueuedRequests = batching.MaxQueuedRequests,
                Ready = served is not null && lifecycle.IsReady,
                ExecutionProvider = served?.Model.ExecutionProvider,
                WarmUpMilliseconds = served is null ? null : Math.Round(served.WarmUp.TotalMilliseconds, 1),
            },
        };
    }

    /// <param name="binary">Input bytes after the JSON header (the binary tensor extension), if any.</param>
    public async Task<V2InferenceResult> InferAsync(string name, string? version, JsonElement request, string requestId, ReadOnlyMemory<byte> binary, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        if (lifecycle.IsDraining)
        {
            throw DomainException.Unavailable("Draining", "This GPU tier replica is shutting down; retry on another.", DrainingRetryAfter);
        }

        var selected = await SelectAsync(name, version, cancellationToken);
        var served = await models.GetAsync(name, selected, cancellationToken);
        served.Touch();
        var parsed = V2RequestParser.Parse(request, served.Model, anyBatch: true, binary);
        var outputs = await served.Batcher.InferAsync(parsed.Inputs, cancellationToken);
        if (parsed.RequestedOutputs is { } requested)
        {
            outputs = requested.Select(n => outputs.First(o => o.Name == n)).ToArray();
        }

        telemetry.RecordPrediction(name, selected, Protocol, V2Tensors.Rows(parsed.Inputs), clock.GetElapsedTime(started));
        return new V2InferenceResult(name, selected, parsed.Id ?? requestId, outputs, parsed.BinaryOutputs);
    }

    private async Task<int> SelectAsync(string name, string? version, CancellationToken cancellationToken) =>
        (await SelectCardAsync(name, version, cancellationToken)).Version;

    /// <summary>The card and version a path names; only <c>tier: gpu</c> models are served here, so no caller can load others into GPU memory.</summary>
    private async Task<(ModelCard Card, int Version)> SelectCardAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var card = await catalog.GetCardAsync(name, cancellationToken);
        if (card.Tier != ServingTier.Gpu)
        {
            throw DomainException.NotFound("Not a GPU-tier model", $"Model '{name}' is not served by the GPU tier (its card says tier: {card.Tier.ToString().ToLowerInvariant()}).");
        }

        return (card, (await selector.SelectAsync(card, ServingTarget.Parse(version, alias: null), cancellationToken)).Version);
    }
}
