using System.Buffers;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;
using Stratus.Core.Text;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.Estimation;
using Stratus.Reliability.References;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;
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
    IOptions<StratusOptions> options) : IPredictionObserver
{
    public async ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken)
    {
        if (prediction.Rows == 0 || prediction.Error is not null || await versions.GetAsync(prediction.Model, prediction.Version, cancellationToken) is not { Columns.Tabular: true } monitored)
        {
            return;
        }

        var outputs = monitored.Outputs.Read(prediction.Outputs, prediction.Rows);
        if (monitored.Reference is { } reference)
        {
            Record(prediction, monitored, reference, outputs);
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

    /// <summary>Fills one row-major block of the reference's features (then outputs) per served row and records them at once.</summary>
    private void Record(ServedPrediction prediction, MonitoredVersion monitored, ReferenceSet reference, OutputRow[] outputs)
    {
        var aligned = monitored.Columns.Align(prediction.Inputs);
        var columns = monitored.SketchColumns;
        var width = reference.Sketches.Features.Count;
        var firstOutput = width - monitored.Outputs.SketchNames.Count;
        var size = prediction.Rows * width;
        var numbers = ArrayPool<double>.Shared.Rent(size);
        var texts = ArrayPool<string?>.Shared.Rent(size);
        var estimation = reference.Estimation is { Method: PerformanceReference.Cbpe } cbpe ? cbpe : null;
        var losses = monitored.LossModels is { } models && Sampled(prediction.RequestId, options.Value.Monitoring.EstimationSampleRate, EstimationSalt) ? models : ((LossModel Absolute, LossModel Squared)?)null;
        var perRow = estimation?.Calibration.Count ?? (losses is null ? 0 : 2);
        var points = perRow == 0 ? null : ArrayPool<SumPoint>.Shared.Rent(prediction.Rows * perRow);
        var written = 0;
        try
        {
            Span<double> scratch = stackalloc double[Math.Max(1, perRow)];
            var outputBuffer = new (string? Text, double Number)[width - firstOutput];
            for (var row = 0; row < prediction.Rows; row++)
            {
                var offset = row * width;
                for (var i = 0; i < firstOutput; i++)
                {
                    (texts[offset + i], numbers[offset + i]) = columns[i] >= 0 ? monitored.Columns.Value(aligned, row, columns[i]) : (null, double.NaN);
                }

                monitored.Outputs.WriteSketchValues(outputs[row], outputBuffer);
                for (var k = 0; k < outputBuffer.Length; k++)
                {
                    (texts[offset + firstOutput + k], numbers[offset + firstOutput + k]) = outputBuffer[k];
                }

                // CBPE: the row's calibrated probabilities, in the bins of its raw scores.
                if (points is not null && outputs[row] is { Scores: { } scores } served && scores.Count == monitored.Outputs.Classes.Count)
                {
                    var predicted = served.Label is { } label ? monitored.Outputs.ClassIndex.GetValueOrDefault(label, -1) : -1;
                    written += estimation!.WritePoints(scores, predicted, scratch, points.AsSpan(written));
                }

                // DLE: the loss models' predictions for a sampled request's rows.
                if (losses is { } loss && outputs[row].Value is { } value)
                {
                    var r = row;
                    (string?, double) Feature(int c) => monitored.Columns.Value(aligned, r, c);
                    points![written++] = new SumPoint(0, 0, loss.Absolute.Predict(monitored.Columns, Feature, value));
                    points[written++] = new SumPoint(1, 0, loss.Squared.Predict(monitored.Columns, Feature, value));
                }
            }

            recorder.Record(prediction.Model, prediction.Version, reference.Sketches, prediction.Rows, numbers.AsSpan(0, size), texts.AsSpan(0, size), points is null ? default : points.AsSpan(0, written));
        }
        finally
        {
            if (points is not null)
            {
                ArrayPool<SumPoint>.Shared.Return(points);
            }

            ArrayPool<double>.Shared.Return(numbers);
            ArrayPool<string?>.Shared.Return(texts, clearArray: true);
        }
    }

    /// <summary>Decorrelates estimation's sample from the log's: the same hash, scrambled.</summary>
    private const uint EstimationSalt = 0x9E3779B9;

    /// <summary>Sampling by request: a request's rows are logged (or estimated) together or not at all, the same way on every instance.</summary>
    internal static bool Sampled(string requestId, double rate, uint salt = 0) =>
        rate >= 1 || (rate > 0 && (salt == 0 ? StableHash.Of(requestId) : unchecked(StableHash.Of(requestId) * salt)) / (double)uint.MaxValue < rate);
}
