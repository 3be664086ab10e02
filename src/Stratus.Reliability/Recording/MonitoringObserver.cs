using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;
using Stratus.Reliability.References;
using Stratus.Serving.Observation;

namespace Stratus.Reliability.Recording;

/// <summary>
/// Monitoring on the observation seam: every served row of a tabular version with a reference goes into its window's
/// sketches (features, then outputs), and a sample of rows into the prediction log that feedback joins. Runs on the
/// observation reader, never on a caller's request.
/// </summary>
public sealed class MonitoringObserver(
    MonitoredVersions versions,
    WindowRecorder recorder,
    PredictionLogWriter log,
    InstanceIdentity instance,
    ReliabilityTelemetry telemetry,
    IOptions<StratusOptions> options) : IPredictionObserver
{
    public async ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken)
    {
        if (prediction.Rows == 0 || await versions.GetAsync(prediction.Model, prediction.Version, cancellationToken) is not { Columns.Tabular: true } monitored)
        {
            return;
        }

        var outputs = monitored.Outputs.Read(prediction.Outputs, prediction.Rows);
        if (monitored.Reference is { } reference)
        {
            var aligned = monitored.Columns.Align(prediction.Inputs);
            var features = monitored.SketchColumns;
            var firstOutput = reference.Features.Count;
            var width = monitored.Outputs.SketchNames.Count;
            var outputValues = new (string? Text, double Number)[prediction.Rows * width];
            for (var row = 0; row < prediction.Rows; row++)
            {
                monitored.Outputs.WriteSketchValues(outputs[row], outputValues.AsSpan(row * width, width));
            }

            recorder.Record(prediction.Model, prediction.Version, reference.Sketches, prediction.Rows, (row, i) =>
                i >= firstOutput ? outputValues[(row * width) + i - firstOutput]
                : features[i] >= 0 ? monitored.Columns.Value(aligned, row, features[i])
                : (null, double.NaN));
            telemetry.RecordRows(prediction.Model, prediction.Version, prediction.Rows);
        }

        if (Sampled(prediction.RequestId, options.Value.Monitoring.PredictionLogSampleRate))
        {
            for (var row = 0; row < prediction.Rows; row++)
            {
                var o = outputs[row];
                log.Enqueue(new LoggedPrediction(prediction.Model, prediction.Version, prediction.RequestId, row, instance.Id, prediction.ServedAt, o.Label, o.Scores, o.Value));
            }
        }
    }

    /// <summary>Sampling by request: a request's rows are logged together or not at all, the same way on every instance.</summary>
    internal static bool Sampled(string requestId, double rate) =>
        rate >= 1 || (rate > 0 && (uint)StableHash(requestId) / (double)uint.MaxValue < rate);

    private static int StableHash(string text)
    {
        // FNV-1a: string.GetHashCode is randomised per process.
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
