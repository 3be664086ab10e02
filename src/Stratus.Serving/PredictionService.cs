using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Problems;
using Stratus.Serving.Onnx;
using Stratus.Serving.Registry;
using Stratus.Serving.Rows;

namespace Stratus.Serving;

/// <summary>
/// <c>POST /api/models/{name}/predict</c>: resolve the card and version, bind JSON rows to tensors,
/// run the cached session, and hand the result (and the observers) the outputs.
/// </summary>
public sealed class PredictionService(
    ModelCatalog catalog,
    IVersionPolicy policy,
    ModelLoader loader,
    Core.Abstractions.IModelRegistry registry,
    GpuTier.IGpuTierClient gpuTier,
    IEnumerable<IPredictionObserver> observers,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILogger<PredictionService> logger)
{
    private readonly IPredictionObserver[] _observers = observers.ToArray();

    public async Task<PredictionResult> PredictAsync(string name, ServingTarget target, Stream body, long? contentLength, string requestId, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var version = policy.SelectVersion(card, target);
        var serving = options.Value.Serving;

        using var request = await JsonBody.ParseAsync(body, contentLength, serving.MaxRequestBytes, cancellationToken);
        if (request.RootElement.ValueKind != JsonValueKind.Object || !request.RootElement.TryGetProperty("instances", out var instances))
        {
            throw ProblemException.BadRequest("Invalid request", "The body must be a JSON object with an 'instances' array.");
        }

        // gpu-tier models: rows become V2 tensors for the tier; with cpuFallback they run here when it is absent or down.
        if (card.Tier == ServingTier.Gpu && gpuTier.IsConfigured)
        {
            try
            {
                return await PredictOnGpuTierAsync(card, version, instances, requestId, started, cancellationToken);
            }
            catch (ProblemException e) when (e.Status == 503 && card.CpuFallback)
            {
                // fall through to in-process serving
            }
        }

        EnsureServedInProcess(card);

        using var lease = await loader.AcquireAsync(name, version, cancellationToken);
        var model = lease.Model;
        var inputs = RowBinder.Bind(instances, model.Layout, model.GetFeatureIndex(card.FeatureNames), serving.MaxInstances);
        var rows = instances.GetArrayLength();
        var outputs = model.BatchDimensionFixed && rows > 1 ? Batching.RowTensors.RunRowByRow(i => model.Run(i), inputs) : model.Run(inputs);

        var elapsed = clock.GetElapsedTime(started);
        telemetry.RecordPrediction(name, version, "rows", rows, elapsed);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("Predicted {Rows} rows with {Model} v{Version} in {ElapsedMs} ms ({RequestId})", rows, name, version, elapsed.TotalMilliseconds, requestId);
        }

        if (_observers.Length > 0)
        {
            var observed = new PredictionEvent(name, version, requestId, rows, inputs, outputs);
            foreach (var observer in _observers)
            {
                observer.OnPredicted(observed);
            }
        }

        return new PredictionResult(name, version, requestId, rows, outputs, model.Friendly);
    }

    /// <summary>gpu-tier models run in-process only when their card allows CPU fallback; otherwise they are refused.</summary>
    public static void EnsureServedInProcess(ModelCard card)
    {
        if (card.Tier == ServingTier.Gpu && !card.CpuFallback)
        {
            throw ProblemException.ServiceUnavailable(
                "GPU tier unavailable",
                $"Model '{card.Name}' runs on the GPU tier, which is not configured here (Stratus:GpuTier:BaseUrl); set cpuFallback on the card to serve it in-process.",
                TimeSpan.FromSeconds(30));
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, int), (ModelVersion Record, InputLayout Layout)> _remote = new();

    /// <summary>Binds rows with the version's stored signature, sends them to the GPU tier as V2 tensors, and maps the answer back.</summary>
    private async Task<PredictionResult> PredictOnGpuTierAsync(ModelCard card, int version, JsonElement instances, string requestId, long started, CancellationToken cancellationToken)
    {
        if (!_remote.TryGetValue((card.Name, version), out var known))
        {
            var record = await registry.GetVersionAsync(card.Name, version, cancellationToken)
                ?? throw ProblemException.NotFound("Version not found", $"Model '{card.Name}' has no version {version}.");
            known = _remote[(card.Name, version)] = (record, new InputLayout(record));
        }

        var inputs = RowBinder.Bind(instances, known.Layout, known.Layout.GetFeatureIndex(card.FeatureNames), options.Value.Serving.MaxInstances);
        var rows = instances.GetArrayLength();
        var answer = await gpuTier.InferAsync(card.Name, version, OpenInference.V2Tensors.WriteRequest(requestId, inputs), requestId, cancellationToken);
        var outputs = OpenInference.V2Tensors.ReadOutputs(answer.Body);
        telemetry.RecordPrediction(card.Name, version, "rows-gpu", rows, clock.GetElapsedTime(started));
        return new PredictionResult(card.Name, version, requestId, rows, outputs, FriendlyOutputs.For(known.Record));
    }

}
