using Stratus.Core.Models;
using Stratus.Core.Training;

namespace Stratus.Monitoring.Estimation;

/// <summary>Builds a version's <see cref="PerformanceReference"/> from its reference rows' outputs and labels.</summary>
public static class PerformanceReferences
{
    /// <summary>
    /// CBPE for a classifier: calibration per class (binary: the positive class, the last), the sampling-error
    /// components, and the reference's realized metrics (<paramref name="metrics"/>, computed as for feedback).
    /// Null when no reference row has scores for every class.
    /// </summary>
    /// <param name="scores">Per reference row: the raw score per class (class order), or null.</param>
    /// <param name="predicted">Per reference row: the predicted class's index, or −1.</param>
    /// <param name="actual">Per reference row: the true class's index.</param>
    public static PerformanceReference? ForClassifier(ModelTask task, IReadOnlyList<string> classes, IReadOnlyList<IReadOnlyList<double>?> scores, IReadOnlyList<int> predicted, IReadOnlyList<int> actual, IReadOnlyDictionary<string, double> metrics)
    {
        var rows = Enumerable.Range(0, scores.Count).Where(i => scores[i] is { } s && s.Count == classes.Count && predicted[i] >= 0 && actual[i] >= 0).ToArray();
        if (rows.Length == 0 || classes.Count < 2)
        {
            return null;
        }

        var raw = rows.Select(i => scores[i]!).ToArray();
        var truth = rows.Select(i => actual[i]).ToArray();
        var guesses = rows.Select(i => predicted[i]).ToArray();
        var binary = task == ModelTask.BinaryClassification;
        var tracked = binary ? [classes.Count - 1] : Enumerable.Range(0, classes.Count).ToArray();
        var calibration = tracked.Select(c =>
        {
            var labels = truth.Select(t => t == c ? 1.0 : 0.0).ToArray();
            var classScores = raw.Select(s => s[c]).ToArray();
            var check = CalibrationCheck.Decide(labels, classScores);
            return new ClassCalibration(classes[c], check.Calibrate ? IsotonicCalibrator.Fit(classScores, labels) : null, double.IsNaN(check.EceBefore) ? null : check.EceBefore, double.IsNaN(check.EceAfter) ? null : check.EceAfter, check.Reason);
        }).ToArray();

        var correct = truth.Select((t, i) => t == guesses[i]).ToArray();
        var errors = new Dictionary<string, SamplingError>(StringComparer.Ordinal) { [MetricNames.Accuracy] = SamplingError.Accuracy(correct) };
        if (binary)
        {
            var positive = classes.Count - 1;
            errors[MetricNames.F1] = SamplingError.BinaryF1(truth.Select(t => t == positive).ToArray(), guesses.Select(g => g == positive).ToArray());
            errors[MetricNames.Auc] = SamplingError.Auc(truth.Select(t => t == positive).ToArray(), raw.Select(s => s[positive]).ToArray());
        }
        else
        {
            errors[MetricNames.F1] = SamplingError.MacroF1(truth, guesses, classes.Count);
            errors[MetricNames.Auc] = SamplingError.MacroAuc(truth, raw, classes.Count);
        }

        return new PerformanceReference
        {
            Method = PerformanceReference.Cbpe,
            Task = task,
            Classes = classes,
            Calibration = calibration,
            Metrics = Estimated(metrics, MetricNames.Accuracy, MetricNames.F1, MetricNames.Auc),
            Errors = errors,
        };
    }

    /// <summary>DLE for a regressor, once its loss models are trained: the reference's errors give the sampling-error components.</summary>
    public static PerformanceReference ForRegressor(IReadOnlyList<double> predicted, IReadOnlyList<double> actual, IReadOnlyDictionary<string, double> metrics, LossModels lossModels)
    {
        var absolute = predicted.Select((p, i) => Math.Abs(actual[i] - p)).ToArray();
        var squared = predicted.Select((p, i) => (actual[i] - p) * (actual[i] - p)).ToArray();
        return new PerformanceReference
        {
            Method = PerformanceReference.Dle,
            Task = ModelTask.Regression,
            Metrics = Estimated(metrics, MetricNames.Mae, MetricNames.Rmse),
            Errors = new Dictionary<string, SamplingError>(StringComparer.Ordinal)
            {
                [MetricNames.Mae] = SamplingError.MeanAbsoluteError(absolute),
                [MetricNames.Rmse] = SamplingError.RootMeanSquaredError(squared),
            },
            LossModels = lossModels,
        };
    }

    private static Dictionary<string, double> Estimated(IReadOnlyDictionary<string, double> metrics, params string[] names) =>
        names.Where(metrics.ContainsKey).ToDictionary(n => n, n => metrics[n], StringComparer.Ordinal);
}
