using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.References;

/// <summary>
/// Metrics of predictions against ground truth, computed the same way for a reference and for feedback so the two
/// compare: accuracy and F1 from the predicted class (binary F1 for the last class, multiclass macro), ROC AUC from the
/// scores (multiclass: macro one-vs-rest); MAE, RMSE and R² for regression. Formulas: <see cref="MetricFormulas"/>.
/// </summary>
public static class RealizedMetrics
{
    public static IReadOnlyDictionary<string, double> Classification(ModelTask task, IReadOnlyList<string> classes, IReadOnlyList<OutputRow> predicted, IReadOnlyList<string> actual)
    {
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var truth = actual.Select(a => index.GetValueOrDefault(a, -1)).ToArray();
        var guesses = predicted.Select(p => p.Label is { } label ? index.GetValueOrDefault(label, -1) : -1).ToArray();
        var known = Enumerable.Range(0, truth.Length).Where(i => truth[i] >= 0 && guesses[i] >= 0).ToArray();
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (known.Length == 0)
        {
            return metrics;
        }

        var (accuracy, macroF1) = MetricFormulas.Classification(known.Select(i => guesses[i]).ToArray(), known.Select(i => truth[i]).ToArray(), classes.Count);
        metrics[MetricNames.Accuracy] = accuracy;
        if (task == ModelTask.BinaryClassification)
        {
            int tp = 0, fp = 0, fn = 0;
            foreach (var i in known)
            {
                tp += guesses[i] == 1 && truth[i] == 1 ? 1 : 0;
                fp += guesses[i] == 1 && truth[i] == 0 ? 1 : 0;
                fn += guesses[i] == 0 && truth[i] == 1 ? 1 : 0;
            }

            // Undefined (no positive predicted or present): left out rather than reported as NaN.
            if (tp + fp + fn > 0)
            {
                metrics[MetricNames.F1] = 2.0 * tp / ((2.0 * tp) + fp + fn);
            }
        }
        else if (!double.IsNaN(macroF1))
        {
            metrics[MetricNames.F1] = macroF1;
        }

        var scored = known.Where(i => predicted[i].Scores is { } s && s.Count == classes.Count).ToArray();
        if (scored.Length > 0)
        {
            var labels = scored.Select(i => (double)truth[i]).ToArray();
            var auc = task == ModelTask.BinaryClassification
                ? MetricFormulas.Auc(labels, scored.Select(i => (float)predicted[i].Scores![1]).ToArray())
                : MetricFormulas.MacroAuc(labels, scored.SelectMany(i => predicted[i].Scores!.Select(v => (float)v)).ToArray(), classes.Count);
            if (!double.IsNaN(auc))
            {
                metrics[MetricNames.Auc] = auc;
            }
        }

        return metrics;
    }

    public static IReadOnlyDictionary<string, double> Regression(IReadOnlyList<OutputRow> predicted, IReadOnlyList<double> actual)
    {
        var known = Enumerable.Range(0, actual.Count).Where(i => predicted[i].Value is { } v && !double.IsNaN(v)).ToArray();
        if (known.Length == 0)
        {
            return new Dictionary<string, double>(StringComparer.Ordinal);
        }

        var metrics = MetricFormulas.Regression(known.Select(i => actual[i]).ToArray(), known.Select(i => (float)predicted[i].Value!.Value).ToArray());
        return metrics.Where(m => !double.IsNaN(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
    }
}
