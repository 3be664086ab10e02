using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;

namespace Stratus.Tests.Unit;

/// <summary>The calibration decision, the calibrated points a served row records, and how windows of sums merge.</summary>
public sealed class CalibrationAndSketchTests
{
    [Fact]
    public void Calibration_is_skipped_for_a_reference_with_one_class()
    {
        var outcome = CalibrationCheck.Decide([1, 1, 1, 1], [0.2, 0.4, 0.6, 0.8]);

        Assert.False(outcome.Calibrate);
        Assert.Equal("the reference has one class", outcome.Reason);
    }

    [Fact]
    public void Calibration_is_skipped_for_a_reference_the_scores_separate_almost_perfectly()
    {
        var labels = Enumerable.Range(0, 200).Select(i => i < 100 ? 0.0 : 1.0).ToArray();
        var scores = Enumerable.Range(0, 200).Select(i => i / 200.0).ToArray();

        var outcome = CalibrationCheck.Decide(labels, scores);

        Assert.False(outcome.Calibrate);
        Assert.Contains("AUROC", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibration_is_fitted_for_overconfident_scores_and_lowers_the_expected_calibration_error()
    {
        // True probability p, scored as p pushed towards 0 and 1: a model that is too sure of itself.
        var random = new Random(5);
        var truth = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var labels = truth.Select(p => random.NextDouble() < p ? 1.0 : 0.0).ToArray();
        var scores = truth.Select(p => 1 / (1 + Math.Exp(-4 * Math.Log(p / (1 - p))))).ToArray();

        var outcome = CalibrationCheck.Decide(labels, scores);

        Assert.True(outcome.Calibrate, outcome.Reason);
        Assert.True(outcome.EceAfter < outcome.EceBefore / 2, $"ECE {outcome.EceBefore} → {outcome.EceAfter}");
    }

    [Fact]
    public void A_multiclass_row_is_calibrated_per_class_then_renormalised_and_recorded_in_each_classes_raw_score_bin()
    {
        var doubled = new IsotonicCalibrator([0.0, 1.0], [0.0, 1.0]); // identity on [0, 1]
        var reference = new PerformanceReference
        {
            Method = PerformanceReference.Cbpe,
            Task = ModelTask.MulticlassClassification,
            Classes = ["a", "b", "c"],
            Calibration = [new("a", doubled, null, null, "test"), new("b", null, null, null, "test"), new("c", new IsotonicCalibrator([0.0, 1.0], [0.5, 0.5]), null, null, "test")],
            Metrics = new Dictionary<string, double>(),
            Errors = new Dictionary<string, SamplingError>(),
        };
        var points = new SumPoint[3];

        var written = reference.WritePoints([0.2, 0.5, 0.3], predicted: 1, new double[3], points);

        // Calibrated: a 0.2, b 0.5, c 0.5 (flat) → renormalised over 1.2.
        Assert.Equal(3, written);
        Assert.Equal(new SumPoint(1, 200, 0.2 / 1.2), points[0]);     // class a, not predicted, raw 0.2
        Assert.Equal(new SumPoint(2, 500, 0.5 / 1.2), points[1]);     // class b, predicted
        Assert.Equal(new SumPoint(5, 300, 0.5 / 1.2), points[2]);     // class c, not predicted, raw 0.3
    }

    [Fact]
    public void Windows_of_sums_from_two_instances_merge_by_adding_counts_and_sums_bin_for_bin()
    {
        var a = new WindowCounts { Rows = 2, SumCounts = new Dictionary<string, long[]> { ["s"] = [1, 1] }, Sums = new Dictionary<string, double[]> { ["s"] = [0.25, 0.5] } };
        var b = new WindowCounts { Rows = 1, SumCounts = new Dictionary<string, long[]> { ["s"] = [0, 1] }, Sums = new Dictionary<string, double[]> { ["s"] = [0, 0.75] } };

        var merged = a.Plus(b);

        Assert.Equal(3, merged.Rows);
        Assert.Equal([1L, 2L], merged.SumCounts["s"]);
        Assert.Equal([0.25, 1.25], merged.Sums["s"]);
    }

    [Fact]
    public void The_recorder_accumulates_sum_points_into_its_window_under_the_references_layout()
    {
        var reference = new MonitoringReference(0, []) { Sums = [new SumSketch("p", 4)] };
        var recorder = new WindowRecorder(TimeSpan.FromHours(1), TimeProvider.System);

        recorder.Record("m", 1, reference, 2, [], [], [new SumPoint(0, 1, 0.25), new SumPoint(0, 1, 0.5), new SumPoint(0, 3, 1)]);

        var counts = Assert.Single(recorder.Snapshot()).Counts;
        Assert.Equal([0L, 2L, 0L, 1L], counts.SumCounts["p"]);
        Assert.Equal([0, 0.75, 0, 1], counts.Sums["p"]);
        Assert.Equal(2, counts.Rows);
    }

    [Fact]
    public void Dle_estimates_mae_as_the_mean_predicted_absolute_loss_and_rmse_as_the_root_of_the_mean_predicted_squared_loss()
    {
        var reference = PerformanceReferences.ForRegressor([1, 2, 3, 4], [1.5, 2, 2, 5], new Dictionary<string, double> { [MetricNames.Mae] = 0.625, [MetricNames.Rmse] = 0.75 }, new LossModels("a", "s", ["x"], new Dictionary<string, double>()));
        var window = new WindowCounts
        {
            Rows = 4,
            SumCounts = new Dictionary<string, long[]> { [PerformanceReference.AbsoluteLossSketch] = [4], [PerformanceReference.SquaredLossSketch] = [4] },
            Sums = new Dictionary<string, double[]> { [PerformanceReference.AbsoluteLossSketch] = [4.0], [PerformanceReference.SquaredLossSketch] = [9.0] },
        };

        var estimates = reference.Estimate(window, drop: 0.05);

        Assert.Equal(1.0, estimates[MetricNames.Mae].Value, 12);
        Assert.Equal(1.5, estimates[MetricNames.Rmse].Value, 12);
        Assert.Equal(0.625, estimates[MetricNames.Mae].Reference);
        Assert.True(estimates[MetricNames.Mae].Lower >= 0);
    }
}
