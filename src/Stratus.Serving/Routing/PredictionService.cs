using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.GpuTier.Client;
using Stratus.Registry;
using Stratus.Serving.Batching;
using Stratus.Serving.Observation;
using Stratus.Serving.Onnx;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Rows;

namespace Stratus.Serving.Routing;

/// <summary>
/// <c>POST /api/models/{name}/predict</c>: resolve the card and version, bind JSON rows to tensors, run them
/// in-process or on the GPU tier, and hand the observation hook what was served.
/// </summary>
public sealed partial class PredictionService(
    ModelCatalog catalog,
    IVersionSelector selector,
    ModelLoader loader,
    IModelRegistry registry,
    IGpuTierClient gpuTier,
    PredictionObservations observations,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILogger<PredictionService> logger)
{
    public const string Protocol = "rows";

    private readonly ConcurrentDictionary<(string Model, int Version), (ModelVersion Record, InputLayout Layout)> _remote = new();

    public async Task<PredictionResult> PredictAsync(string name, ServingTarget target, Stream body, long? contentLength, string requestId, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var serving = options.Value.Serving;

        using var request = await JsonBody.ParseAsync(body, contentLength, serving.MaxRequestBytes, cancellationToken);
        if (request.RootElement.ValueKind != JsonValueKind.Object || !request.RootElement.TryGetProperty("instances", out var instances))
        {
            throw DomainException.Invalid("Invalid request", "The body must be a JSON object with an 'instances' array.");
        }

        // The unit may come in the body when a caller cannot set headers; the header wins when both are given.
        if (target.Unit is null && request.RootElement.TryGetProperty("unit", out var unit))
        {
            target = target with { Unit = ServingTarget.CheckUnit(unit.ValueKind == JsonValueKind.String ? unit.GetString() : throw DomainException.Invalid("Invalid unit", "'unit' must be a string.")) };
        }

        var choice = await selector.SelectAsync(card, target, cancellationToken);
        var version = choice.Version;
        ScoredRows scored;
        try
        {
            scored = await ScoreAsync(card, version, instances, requestId, cancellationToken);
        }
        catch (Exception e) when (choice.Assignment is not null && e is not OperationCanceledException)
        {
            observations.PublishFailure(name, choice, requestId, Protocol, clock.GetElapsedTime(started), e);
            throw;
        }

        var elapsed = clock.GetElapsedTime(started);
        telemetry.RecordPrediction(name, version, scored.Tier == ServingTier.Gpu ? Protocol + "-gpu" : Protocol, scored.Rows, elapsed);
        LogPredicted(scored.Rows, name, version, elapsed.TotalMilliseconds, requestId);
        Observe(name, choice, requestId, scored.Tier, scored.Rows, scored.Inputs, scored.Outputs, elapsed);
        return new PredictionResult(name, version, requestId, scored.Rows, scored.Outputs, scored.Friendly) { Variant = choice.Assignment?.Variant };
    }

    /// <summary>
    /// Runs rows through a version where the card serves it (in-process, or the GPU tier with its fall-back), with no
    /// telemetry and no observation: predict's core, and how a reference set is scored by the version itself.
    /// </summary>
    public async Task<ScoredRows> ScoreAsync(ModelCard card, int version, JsonElement instances, string requestId, CancellationToken cancellationToken)
    {
        if (card.Tier == ServingTier.Gpu && await ScoreOnGpuTierAsync(card, version, instances, requestId, cancellationToken) is { } remote)
        {
            return remote;
        }

        using var lease = await loader.AcquireAsync(card.Name, version, cancellationToken);
        var model = lease.Model;
        var inputs = RowBinder.Bind(instances, model.Layout, model.GetFeatureIndex(card.FeatureNames), options.Value.Serving.MaxInstances);
        var rows = instances.GetArrayLength();
        var outputs = model.BatchDimensionFixed && rows > 1 ? RowTensors.RunRowByRow(i => model.Run(i), inputs) : model.Run(inputs);
        return new ScoredRows(ServingTier.Cpu, rows, inputs, outputs, model.Friendly);
    }

    /// <summary>
    /// Binds rows with the version's stored signature, sends them to the GPU tier as V2 tensors, and maps the answer
    /// back; null when the tier is unavailable and the card falls back to in-process serving.
    /// </summary>
    private async Task<ScoredRows?> ScoreOnGpuTierAsync(ModelCard card, int version, JsonElement instances, string requestId, CancellationToken cancellationToken)
    {
        if (!_remote.TryGetValue((card.Name, version), out var known))
        {
            var record = await registry.GetVersionAsync(card.Name, version, cancellationToken) ?? throw RegistryErrors.VersionNotFound(card.Name, version);
            known = _remote[(card.Name, version)] = (record, new InputLayout(record));
        }

        var inputs = RowBinder.Bind(instances, known.Layout, known.Layout.GetFeatureIndex(card.FeatureNames), options.Value.Serving.MaxInstances);
        var rows = instances.GetArrayLength();
        var result = await gpuTier.InferAsync(card.Name, version, V2Tensors.WriteRequest(requestId, inputs), requestId, inferenceHeaderLength: null, cancellationToken);
        if (TierRouting.ServedOrFallBack(card, result) is not { } served)
        {
            return null;
        }

        var outputs = V2Tensors.Read(served.Body, served.JsonLength, V2Tensors.Outputs);
        return new ScoredRows(ServingTier.Gpu, rows, inputs, outputs, FriendlyOutputs.For(known.Record));
    }

    private void Observe(string model, VersionChoice choice, string requestId, ServingTier tier, int rows, IReadOnlyList<TensorData> inputs, IReadOnlyList<TensorData> outputs, TimeSpan elapsed)
    {
        if (observations.Wants(choice.Assignment))
        {
            var at = clock.GetUtcNow();
            observations.Publish(() => new ServedPrediction(model, choice.Version, requestId, Protocol, tier, rows, inputs, outputs, at, choice.Assignment, elapsed));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Predicted {Rows} rows with {Model} v{Version} in {ElapsedMs} ms ({RequestId})")]
    private partial void LogPredicted(int rows, string model, int version, double elapsedMs, string requestId);
}

/// <summary>Rows a version scored: where, the bound inputs (rows first) and the outputs.</summary>
public sealed record ScoredRows(ServingTier Tier, int Rows, IReadOnlyList<TensorData> Inputs, IReadOnlyList<TensorData> Outputs, FriendlyOutputs? Friendly);
