using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Reliability.References;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Tests.Unit.Reliability;

/// <summary>Expected values worked by hand (and equal to scikit-learn's accuracy_score, f1_score, roc_auc_score, r2_score on the same arrays).</summary>
public sealed class RealizedMetricsTests
{
    [Fact]
    public void Binary_metrics_take_accuracy_and_f1_from_the_predicted_class_and_auc_from_the_scores()
    {
        string[] actual = ["1", "0", "1", "1", "0", "0"];
        string[] predicted = ["1", "0", "0", "1", "1", "0"];
        double[] p = [0.9, 0.2, 0.4, 0.8, 0.6, 0.1];
        var rows = predicted.Select((label, i) => new OutputRow(label, [1 - p[i], p[i]], null)).ToArray();

        var metrics = RealizedMetrics.Classification(ModelTask.BinaryClassification, ["0", "1"], rows, actual);

        Assert.Equal(4 / 6.0, metrics[MetricNames.Accuracy], 12);
        Assert.Equal(2 / 3.0, metrics[MetricNames.F1], 12); // tp 2, fp 1, fn 1
        Assert.Equal(8 / 9.0, metrics[MetricNames.Auc], 12); // 8 of the 9 positive–negative pairs ordered right
    }

    [Fact]
    public void Multiclass_f1_is_the_macro_average_over_the_classes_that_occur()
    {
        string[] actual = ["a", "b", "c", "a"];
        string[] predicted = ["a", "b", "b", "c"];
        var rows = predicted.Select(label => new OutputRow(label, null, null)).ToArray();

        var metrics = RealizedMetrics.Classification(ModelTask.MulticlassClassification, ["a", "b", "c"], rows, actual);

        Assert.Equal(0.5, metrics[MetricNames.Accuracy], 12);
        Assert.Equal(((2 / 3.0) + (2 / 3.0) + 0) / 3, metrics[MetricNames.F1], 12);
        Assert.False(metrics.ContainsKey(MetricNames.Auc)); // no scores, no AUC
    }

    [Fact]
    public void Regression_metrics_match_the_worked_example()
    {
        double[] actual = [3, -0.5, 2, 7];
        var rows = new[] { 2.5, 0.0, 2, 8 }.Select(v => new OutputRow(null, null, v)).ToArray();

        var metrics = RealizedMetrics.Regression(rows, actual);

        Assert.Equal(0.5, metrics[MetricNames.Mae], 6);
        Assert.Equal(Math.Sqrt(0.375), metrics[MetricNames.Rmse], 6);
        Assert.Equal(1 - (1.5 / 29.1875), metrics[MetricNames.R2], 6);
    }
}
