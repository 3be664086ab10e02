using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;
using Stratus.Monitoring.Estimation;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>
/// Performance estimation (CBPE) against values computed independently with scikit-learn and numpy from the
/// documented formulas (Fixtures/make_estimation_fixture.py, a committed generator): row-level to 1e-6, and the
/// streaming estimate from score histograms within the documented error.
/// </summary>
public sealed class EstimationStatisticsTests
{
    /// <summary>The most the histogram estimate may differ from the row-level one (the bound; docs/benchmarks.md states what is measured).</summary>
    private const double HistogramTolerance = 0.002;

    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestPaths.Root, "tests", "Stratus.UnitTests", "Monitoring", "Fixtures", "estimation_fixture.json"))).RootElement;

    public static TheoryData<int> Cases(string test) => [.. Enumerable.Range(0, Fixture.GetProperty(test).GetArrayLength())];

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static double[][] Matrix(JsonElement array) => array.EnumerateArray().Select(Doubles).ToArray();

    private static void Close(double expected, double actual, double tolerance = 1e-6) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected}, got {actual} (tolerance {tolerance})");

    [Theory]
    [MemberData(nameof(Cases), "isotonic")]
    public void Isotonic_calibrator_matches_scikit_learns_isotonic_regression_with_clipping(int index)
    {
        var c = Fixture.GetProperty("isotonic")[index];

        var calibrator = IsotonicCalibrator.Fit(Doubles(c.GetProperty("x")), Doubles(c.GetProperty("y")));

        foreach (var (query, expected) in Doubles(c.GetProperty("query")).Zip(Doubles(c.GetProperty("expected"))))
        {
            Close(expected, calibrator.Apply(query));
        }
    }

    [Theory]
    [MemberData(nameof(Cases), "ece")]
    public void Expected_calibration_error_over_equal_count_bins_matches_numpy(int index)
    {
        var c = Fixture.GetProperty("ece")[index];

        var ece = CalibrationCheck.ExpectedCalibrationError(Doubles(c.GetProperty("labels")), Doubles(c.GetProperty("scores")), c.GetProperty("bins").GetInt32());

        Close(c.GetProperty("expected").GetDouble(), ece);
    }

    [Theory]
    [MemberData(nameof(Cases), "binary")]
    public void Binary_cbpe_accuracy_f1_and_roc_auc_from_rows_match_the_reference_implementation(int index)
    {
        var c = Fixture.GetProperty("binary")[index];
        var calibrated = Doubles(c.GetProperty("calibrated"));
        var raw = Doubles(c.GetProperty("raw"));
        var predicted = Ints(c.GetProperty("predicted")).Select(p => p == 1).ToArray();
        var expected = c.GetProperty("expected");

        var confusion = ExpectedConfusion.Of(calibrated, predicted);

        Close(expected.GetProperty("accuracy").GetDouble(), confusion.Accuracy);
        Close(expected.GetProperty("f1").GetDouble(), confusion.F1);
        Close(expected.GetProperty("roc_auc").GetDouble(), ExpectedRoc.Area(raw, calibrated));
    }

    [Theory]
    [MemberData(nameof(Cases), "binary")]
    public void Binary_cbpe_from_score_histograms_is_within_the_stated_error_of_the_row_level_values(int index)
    {
        var c = Fixture.GetProperty("binary")[index];
        var calibrated = Doubles(c.GetProperty("calibrated"));
        var raw = Doubles(c.GetProperty("raw"));
        var predicted = Ints(c.GetProperty("predicted"));
        var expected = c.GetProperty("expected");
        var estimator = Estimator(ModelTask.BinaryClassification, ["0", "1"]);
        var window = Histograms(estimator, raw.Select(r => new[] { 1 - r, r }).ToArray(), calibrated.Select(p => new[] { p }).ToArray(), predicted);

        var estimates = estimator.Estimate(window, drop: 0.05);

        // Accuracy and F1 add the same calibrated probabilities per bin as per row: exact but for rounding.
        Close(expected.GetProperty("accuracy").GetDouble(), estimates[MetricNames.Accuracy].Value, 1e-9);
        Close(expected.GetProperty("f1").GetDouble(), estimates[MetricNames.F1].Value, 1e-9);
        Close(expected.GetProperty("roc_auc").GetDouble(), estimates[MetricNames.Auc].Value, HistogramTolerance);
    }

    [Theory]
    [MemberData(nameof(Cases), "multiclass")]
    public void Multiclass_cbpe_from_rows_and_from_histograms_matches_the_reference_implementation(int index)
    {
        var c = Fixture.GetProperty("multiclass")[index];
        var calibrated = Matrix(c.GetProperty("calibrated"));
        var raw = Matrix(c.GetProperty("raw"));
        var predicted = Ints(c.GetProperty("predicted"));
        var expected = c.GetProperty("expected");
        var classes = raw[0].Length;

        // Row level: the mean calibrated probability of the predicted class; macro one-vs-rest F1 and AUC.
        var accuracy = calibrated.Select((p, i) => p[predicted[i]]).Average();
        var f1 = Enumerable.Range(0, classes).Average(k => ExpectedConfusion.Of(calibrated.Select(p => p[k]).ToArray(), predicted.Select(p => p == k).ToArray()).F1);
        var auc = Enumerable.Range(0, classes).Average(k => ExpectedRoc.Area(raw.Select(s => s[k]).ToArray(), calibrated.Select(p => p[k]).ToArray()));
        Close(expected.GetProperty("accuracy").GetDouble(), accuracy);
        Close(expected.GetProperty("f1").GetDouble(), f1);
        Close(expected.GetProperty("roc_auc").GetDouble(), auc);

        var estimator = Estimator(ModelTask.MulticlassClassification, ["a", "b", "c"]);
        var estimates = estimator.Estimate(Histograms(estimator, raw, calibrated, predicted), drop: 0.05);
        Close(accuracy, estimates[MetricNames.Accuracy].Value, 1e-9);
        Close(f1, estimates[MetricNames.F1].Value, 1e-9);
        Close(auc, estimates[MetricNames.Auc].Value, HistogramTolerance);
    }

    [Theory]
    [MemberData(nameof(Cases), "sampling")]
    public void Sampling_error_components_match_the_reference_implementation(int index)
    {
        var c = Fixture.GetProperty("sampling")[index];
        var labels = Ints(c.GetProperty("labels")).Select(l => l == 1).ToArray();
        var scores = Doubles(c.GetProperty("scores"));
        var predicted = Ints(c.GetProperty("predicted")).Select(p => p == 1).ToArray();
        var expected = c.GetProperty("expected");

        var accuracy = SamplingError.Accuracy(labels.Zip(predicted, (l, p) => l == p).ToArray());
        var f1 = SamplingError.BinaryF1(labels, predicted);
        var auc = SamplingError.Auc(labels, scores);

        Close(expected.GetProperty("accuracy_std").GetDouble(), Math.Sqrt(accuracy.Variances[0]));
        Close(expected.GetProperty("f1_std").GetDouble(), Math.Sqrt(f1.Variances[0]));
        Close(expected.GetProperty("f1_fraction").GetDouble(), f1.Fractions[0]);
        Close(expected.GetProperty("auc_std").GetDouble(), Math.Sqrt(auc.Variances[0]));
        Close(expected.GetProperty("auc_fraction").GetDouble(), auc.Fractions[0]);
        // And the window's standard error: σ / √(n · f).
        Close(Math.Sqrt(auc.Variances[0]) / Math.Sqrt(400 * auc.Fractions[0]), auc.For(400));
    }

    [Theory]
    [MemberData(nameof(Cases), "regression")]
    public void Regression_sampling_error_components_match_the_reference_implementation(int index)
    {
        var c = Fixture.GetProperty("regression")[index];
        var actual = Doubles(c.GetProperty("actual"));
        var predicted = Doubles(c.GetProperty("predicted"));
        var expected = c.GetProperty("expected");

        var mae = SamplingError.MeanAbsoluteError(actual.Zip(predicted, (a, p) => Math.Abs(a - p)).ToArray());
        var rmse = SamplingError.RootMeanSquaredError(actual.Zip(predicted, (a, p) => (a - p) * (a - p)).ToArray());

        Close(expected.GetProperty("mae_std").GetDouble(), Math.Sqrt(mae.Variances[0]));
        Close(expected.GetProperty("mse_std").GetDouble(), Math.Sqrt(rmse.Variances[0]));
        Close(expected.GetProperty("mse_mean").GetDouble(), rmse.Mean!.Value);
        // The delta method: SE(RMSE) = √(σ² / (4 n μ)).
        var se = rmse.For(100);
        Close(Math.Sqrt(rmse.Variances[0] / (4 * 100 * rmse.Mean!.Value)), se);
    }

    /// <summary>An estimator with no calibration (the fixture's probabilities are already calibrated) and neutral reference values.</summary>
    private static PerformanceReference Estimator(ModelTask task, string[] classes) => new()
    {
        Method = PerformanceReference.Cbpe,
        Task = task,
        Classes = classes,
        Calibration = (task == ModelTask.BinaryClassification ? classes[^1..] : classes).Select(k => new ClassCalibration(k, null, null, null, "test")).ToArray(),
        Metrics = new Dictionary<string, double> { [MetricNames.Accuracy] = 0.5, [MetricNames.F1] = 0.5, [MetricNames.Auc] = 0.5 },
        Errors = new Dictionary<string, SamplingError>(),
    };

    /// <summary>The served rows binned as the recorder bins them: per tracked class, the calibrated probability summed in its raw score's bin.</summary>
    private static WindowCounts Histograms(PerformanceReference estimator, double[][] raw, double[][] calibrated, int[] predicted)
    {
        var counts = estimator.Sketches.ToDictionary(s => s.Name, s => new long[s.Bins]);
        var sums = estimator.Sketches.ToDictionary(s => s.Name, s => new double[s.Bins]);
        for (var i = 0; i < raw.Length; i++)
        {
            for (var k = 0; k < estimator.Calibration.Count; k++)
            {
                var classIndex = estimator.IsBinary ? raw[i].Length - 1 : k;
                var name = PerformanceReference.SketchName(estimator.Classes[classIndex], predicted[i] == classIndex);
                var bin = PerformanceReference.ScoreBin(raw[i][classIndex]);
                counts[name][bin]++;
                sums[name][bin] += calibrated[i][k];
            }
        }

        return new WindowCounts { Rows = raw.Length, SumCounts = counts, Sums = sums };
    }
}
