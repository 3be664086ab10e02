using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.Reports;

namespace Stratus.Tests.Unit;

/// <summary>When a performance estimate, or a realized value from feedback, makes the verdict <c>degraded</c>.</summary>
public sealed class PerformanceVerdictTests
{
    private static readonly DriftThresholds Thresholds = new();

    private static Dictionary<string, EstimatedMetric> One(string metric, EstimatedMetric estimate) => new() { [metric] = estimate };

    [Fact]
    public void An_estimate_below_the_reference_by_more_than_the_drop_with_the_reference_outside_its_band_degrades_the_verdict()
    {
        var value = 0.80;
        var estimate = new EstimatedMetric(value, 0.78, 0.82, Reference: 0.90, PerformanceReference.Alerts(value, 0.78, 0.82, 0.90, 0.05, lowerIsBetter: false), "cbpe") { Rows = 1000 };

        var (verdict, reasons) = PerformanceVerdict.Combine(DriftVerdict.Ok, [], One("accuracy", estimate), Thresholds);

        Assert.True(estimate.Alert);
        Assert.Equal(DriftVerdict.Degraded, verdict);
        Assert.StartsWith("estimated accuracy 0.8", Assert.Single(reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void An_estimate_far_below_the_reference_does_not_alert_while_its_band_still_holds_the_reference()
    {
        // A small window: the band is wide enough to hold the reference, so the fall may be noise.
        Assert.False(PerformanceReference.Alerts(0.80, 0.65, 0.95, reference: 0.90, drop: 0.05, lowerIsBetter: false));
    }

    [Fact]
    public void An_estimate_outside_the_band_but_within_the_drop_does_not_alert()
    {
        Assert.False(PerformanceReference.Alerts(0.87, 0.86, 0.88, reference: 0.90, drop: 0.05, lowerIsBetter: false));
    }

    [Fact]
    public void An_error_estimate_alerts_when_it_rises_above_the_reference_by_the_relative_drop_and_outside_its_band()
    {
        Assert.True(PerformanceReference.Alerts(1.2, 1.1, 1.3, reference: 1.0, drop: 0.05, lowerIsBetter: true));
        Assert.False(PerformanceReference.Alerts(1.04, 1.02, 1.06, reference: 1.0, drop: 0.05, lowerIsBetter: true));
    }

    [Fact]
    public void Realized_values_from_enough_feedback_decide_instead_of_the_estimate()
    {
        // The estimate sits at the reference (a concept drift CBPE cannot see); 200 labels say otherwise.
        var estimate = new EstimatedMetric(0.90, 0.88, 0.92, Reference: 0.90, Alert: false, "cbpe") { Rows = 2000, Realized = 0.60, RealizedRows = 200 };

        var (verdict, reasons) = PerformanceVerdict.Combine(DriftVerdict.Drift, ["x drifted"], One("accuracy", estimate), Thresholds);

        Assert.Equal(DriftVerdict.Degraded, verdict);
        Assert.Equal(["realized accuracy 0.6 from 200 labelled rows is below the reference 0.9 by more than 0.05", "x drifted"], reasons);
        Assert.Equal("realizedDrop", Assert.Single(PerformanceVerdict.Fallen(One("accuracy", estimate), Thresholds)).Signal);
    }

    [Fact]
    public void Realized_values_from_fewer_labelled_rows_than_the_minimum_do_not_decide()
    {
        var estimate = new EstimatedMetric(0.90, 0.88, 0.92, Reference: 0.90, Alert: false, "cbpe") { Rows = 2000, Realized = 0.50, RealizedRows = PerformanceVerdict.MinRealizedRows - 1 };

        var (verdict, _) = PerformanceVerdict.Combine(DriftVerdict.Ok, [], One("accuracy", estimate), Thresholds);

        Assert.Equal(DriftVerdict.Ok, verdict);
    }

    [Fact]
    public void Realized_values_that_hold_up_override_an_estimate_that_alerts()
    {
        var estimate = new EstimatedMetric(0.80, 0.78, 0.82, Reference: 0.90, Alert: true, "cbpe") { Rows = 1000, Realized = 0.91, RealizedRows = 500 };

        var (verdict, _) = PerformanceVerdict.Combine(DriftVerdict.Ok, [], One("accuracy", estimate), Thresholds);

        Assert.Equal(DriftVerdict.Ok, verdict);
    }
}

/// <summary>When a version gets no estimator, and why.</summary>
public sealed class PerformanceEstimatorsTests
{
    [Fact]
    public void A_classifier_without_a_probability_output_gets_no_cbpe_and_the_reason()
    {
        var version = new Stratus.Core.Models.ModelVersion
        {
            Model = "m",
            Version = 1,
            ArtifactPath = "m/1/model.onnx",
            Sha256 = "",
            SizeBytes = 1,
            Signature = new Stratus.Core.Models.ModelSignature([new("features", "float", [-1, 2])], [new("label", "int64", [-1])]),
            Lineage = new Stratus.Core.Models.Lineage { Source = Stratus.Core.Models.Lineage.UploadSource },
        };
        var outputs = Stratus.Serving.Outputs.OutputReader.For(version, Stratus.Core.Models.ModelTask.BinaryClassification);
        Stratus.Serving.Outputs.OutputRow[] scored = [new("1", null, null), new("0", null, null)];

        var (estimator, unavailable) = Stratus.Reliability.Estimation.PerformanceEstimators.ForClassifier(Stratus.Core.Models.ModelTask.BinaryClassification, outputs, scored, ["1", "0"], new Dictionary<string, double>());

        Assert.Null(estimator);
        Assert.Equal("the model has no probability output, which CBPE needs", unavailable);
    }
}
