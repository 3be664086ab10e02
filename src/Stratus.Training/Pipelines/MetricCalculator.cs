using Stratus.Core.Models;
using Stratus.Core.Training;

namespace Stratus.Training.Pipelines;

/// <summary>The holdout metrics of a task, from ONNX Runtime's scores (see <see cref="MetricFormulas"/>).</summary>
internal static class MetricCalculator
{
    public static IReadOnlyDictionary<string, double> Compute(ModelTask task, Holdout holdout, OnnxScorer.Scores scores) => task switch
    {
        ModelTask.BinaryClassification => MetricFormulas.Binary(holdout.Labels, scores.Values),
        ModelTask.MulticlassClassification => MetricFormulas.Multiclass(holdout.Labels, scores.Values, scores.PerRow),
        _ => MetricFormulas.Regression(holdout.Labels, scores.Values),
    };
}
