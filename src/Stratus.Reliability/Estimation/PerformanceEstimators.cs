using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Datasets;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.Estimation;

/// <summary>
/// Builds a version's performance estimator when its reference is stored: CBPE for classifiers with probability
/// outputs, DLE for regressors (training and storing the loss models). An estimator that cannot be built is an
/// outcome with its reason, not an error: the reference is stored either way.
/// </summary>
public sealed class PerformanceEstimators(IArtifactStore artifacts, ILossModelTrainer trainer)
{
    public const string Absolute = "absolute";
    public const string Squared = "squared";

    /// <summary>Fewer reference rows than this leave DLE without a loss model worth trusting (half of them train it).</summary>
    public const int MinRegressionRows = 40;

    public static (PerformanceReference? Estimator, string? Unavailable) ForClassifier(ModelTask task, OutputReader outputs, IReadOnlyList<OutputRow> scored, IReadOnlyList<string> labels, IReadOnlyDictionary<string, double> metrics)
    {
        if (scored.All(r => r.Scores is null))
        {
            return (null, "the model has no probability output, which CBPE needs");
        }

        var index = outputs.ClassIndex;
        var estimator = PerformanceReferences.ForClassifier(
            task,
            outputs.Classes,
            scored.Select(r => r.Scores).ToArray(),
            scored.Select(r => r.Label is { } l ? index.GetValueOrDefault(l, -1) : -1).ToArray(),
            labels.Select(l => index.GetValueOrDefault(l, -1)).ToArray(),
            metrics);
        return estimator is null ? (null, "no reference row has a score for every class") : (estimator, null);
    }

    /// <summary>DLE: trains the two loss models on half of the reference, checks them on the other half, and stores them.</summary>
    public async Task<(PerformanceReference? Estimator, string? Unavailable)> ForRegressorAsync(string model, int version, FeatureColumns columns, IReadOnlyList<string[]> rows, IReadOnlyList<OutputRow> scored, IReadOnlyList<double> actual, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken)
    {
        var usable = Enumerable.Range(0, rows.Count).Where(i => scored[i].Value is { } v && double.IsFinite(v)).ToArray();
        if (usable.Length < MinRegressionRows)
        {
            return (null, $"DLE needs at least {MinRegressionRows} reference rows with a prediction; this reference has {usable.Length}");
        }

        var predicted = usable.Select(i => scored[i].Value!.Value).ToArray();
        var truth = usable.Select(i => actual[i]).ToArray();
        var features = columns.Names.Select((n, c) => new FeatureSpec(n, columns.IsText(c) ? DatasetColumn.Text : DatasetColumn.Number)).ToArray();
        var trained = await trainer.TrainAsync(new LossTrainingSet(features, usable.Select(i => rows[i]).ToArray(), predicted, truth), cancellationToken);
        foreach (var (loss, bytes) in new[] { (Absolute, trained.Absolute), (Squared, trained.Squared) })
        {
            await artifacts.UploadAsync(StorageNames.LossModelPath(model, version, loss), new MemoryStream(bytes), cancellationToken);
        }

        var lossModels = new LossModels(
            StorageNames.LossModelPath(model, version, Absolute),
            StorageNames.LossModelPath(model, version, Squared),
            columns.Names,
            trained.Check);
        return (PerformanceReferences.ForRegressor(predicted, truth, metrics, lossModels), null);
    }
}
