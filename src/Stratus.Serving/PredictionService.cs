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
        EnsureServedInProcess(card);
        var version = policy.SelectVersion(card, target);
        var serving = options.Value.Serving;

        using var request = await JsonBody.ParseAsync(body, contentLength, serving.MaxRequestBytes, cancellationToken);
        if (request.RootElement.ValueKind != JsonValueKind.Object || !request.RootElement.TryGetProperty("instances", out var instances))
        {
            throw ProblemException.BadRequest("Invalid request", "The body must be a JSON object with an 'instances' array.");
        }

        using var lease = await loader.AcquireAsync(name, version, cancellationToken);
        var model = lease.Model;
        var inputs = RowBinder.Bind(instances, model.Layout, model.GetFeatureIndex(card.FeatureNames), serving.MaxInstances);
        var rows = instances.GetArrayLength();
        var outputs = model.BatchDimensionFixed && rows > 1 ? RunRowByRow(model, inputs, rows) : model.Run(inputs);

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

    /// <summary>
    /// gpu-tier models run in-process only when their card allows CPU fallback; otherwise they are refused here
    /// rather than run on the function's CPU. (Row predictions are not routed to the tier yet: V2 infer is.)
    /// </summary>
    public static void EnsureServedInProcess(ModelCard card)
    {
        if (card.Tier == ServingTier.Gpu && !card.CpuFallback)
        {
            throw ProblemException.ServiceUnavailable(
                "GPU tier unavailable",
                $"Model '{card.Name}' runs on the GPU tier, which cannot serve it here; use POST /v2/models/{card.Name}/infer (routed to the tier when configured), or set cpuFallback on the card.",
                TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Models whose batch dimension is fixed at 1 take one row per call; outputs are stitched back in order.</summary>
    internal static IReadOnlyList<TensorData> RunRowByRow(LoadedModel model, TensorData[] inputs, int rows)
    {
        IReadOnlyList<TensorData>[] perRow = new IReadOnlyList<TensorData>[rows];
        for (var r = 0; r < rows; r++)
        {
            var single = new TensorData[inputs.Length];
            for (var s = 0; s < inputs.Length; s++)
            {
                var slot = model.Inputs[s];
                var data = TensorData.Allocate(slot.Type, slot.RowWidth);
                Array.Copy(inputs[s].Data, r * slot.RowWidth, data, 0, slot.RowWidth);
                single[s] = inputs[s] with { Shape = slot.BatchShape(1), Data = data };
            }

            perRow[r] = model.Run(single);
        }

        var stitched = new TensorData[perRow[0].Count];
        for (var o = 0; o < stitched.Length; o++)
        {
            var first = perRow[0][o];
            var each = (int)first.ElementCount;
            var data = TensorData.Allocate(first.Type, each * rows);
            for (var r = 0; r < rows; r++)
            {
                Array.Copy(perRow[r][o].Data, 0, data, r * each, each);
            }

            var shape = (long[])first.Shape.Clone();
            if (shape.Length == 0)
            {
                shape = [rows];
            }
            else
            {
                shape[0] *= rows;
            }

            stitched[o] = first with { Shape = shape, Data = data };
        }

        return stitched;
    }
}
