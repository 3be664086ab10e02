using System.Globalization;
using Stratus.Monitoring;
using Stratus.Monitoring.Sketches;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The drift decision on breast_cancer: the reference is the dataset, live windows are seeded resamples of it.</summary>
public sealed class DriftEvaluatorTests
{
    private static readonly (string[] Names, double[][] Rows) Cancer = Load();
    private static readonly DriftThresholds Defaults = new();

    private static (string[] Names, double[][] Rows) Load()
    {
        var lines = File.ReadAllLines(TrainingSpecs.Csv("breast_cancer"));
        var names = lines[0].Split(',')[..^1]; // the label is last
        var rows = lines.Skip(1).Select(l => l.Split(',')[..^1].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        return (names, rows);
    }

    /// <summary><paramref name="count"/> rows drawn with replacement; the named features moved by one standard deviation.</summary>
    private static double[][] Window(int count, int seed, params string[] shifted)
    {
        var random = new Random(seed);
        var columns = shifted.Select(name => Array.IndexOf(Cancer.Names, name)).ToArray();
        var sd = columns.Select(c => StandardDeviation(Cancer.Rows.Select(r => r[c]))).ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var row = (double[])Cancer.Rows[random.Next(Cancer.Rows.Length)].Clone();
            for (var k = 0; k < columns.Length; k++)
            {
                row[columns[k]] += sd[k];
            }

            return row;
        }).ToArray();
    }

    private static double StandardDeviation(IEnumerable<double> values)
    {
        var v = values.ToArray();
        var mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    private static DriftReport Evaluate(double[][] window)
    {
        var features = Cancer.Names.Select((name, c) =>
        {
            var reference = NumericSketch.FromReference(Cancer.Rows.Select(r => r[c]).ToArray());
            var live = new NumericSketch(reference.Edges);
            foreach (var row in window)
            {
                live.Add(row[c]);
            }

            return DriftEvaluator.Evaluate(name, reference, live, Defaults);
        }).ToArray();
        return DriftEvaluator.Report(window.Length, features, Defaults);
    }

    [Fact]
    public void In_distribution_rows_show_no_drift_and_the_verdict_is_ok()
    {
        var report = Evaluate(Window(1000, seed: 1));

        Assert.Equal(DriftVerdict.Ok, report.Verdict);
        Assert.DoesNotContain(report.Features, f => f.Drifted);
    }

    [Fact]
    public void Two_features_shifted_by_one_standard_deviation_drift_and_no_other_does()
    {
        var report = Evaluate(Window(1000, seed: 2, "mean_radius", "worst_texture"));

        Assert.Equal(["mean_radius", "worst_texture"], report.Features.Where(f => f.Drifted).Select(f => f.Feature));
        Assert.Equal(DriftVerdict.Warning, report.Verdict); // 2 of 30 features: below the 50 % drift share
        Assert.False(report.DatasetDrift);
    }

    [Fact]
    public void Most_features_shifted_is_dataset_drift()
    {
        var report = Evaluate(Window(1000, seed: 3, Cancer.Names[..20]));

        Assert.True(report.DatasetDrift);
        Assert.Equal(DriftVerdict.Drift, report.Verdict);
    }

    [Fact]
    public void Fifty_rows_are_insufficient_data_and_raise_no_alarm_even_when_shifted()
    {
        var report = Evaluate(Window(50, seed: 4, "mean_radius", "worst_texture"));

        Assert.Equal(DriftVerdict.InsufficientData, report.Verdict);
        Assert.All(report.Features, f => Assert.True(f.InsufficientData && !f.Drifted));
    }

    [Fact]
    public void A_categorical_feature_with_changed_shares_drifts_by_psi_and_the_two_sample_chi_square()
    {
        var reference = CategoricalSketch.FromReference([.. Enumerable.Repeat("a", 600), .. Enumerable.Repeat("b", 300), .. Enumerable.Repeat("c", 100)]);
        var same = new CategoricalSketch(reference.Categories);
        var moved = new CategoricalSketch(reference.Categories);
        foreach (var (value, count) in new[] { ("a", 590), ("b", 310), ("c", 100) })
        {
            for (var i = 0; i < count; i++)
            {
                same.Add(value);
            }
        }

        foreach (var (value, count) in new[] { ("a", 300), ("b", 300), ("c", 300), ("never-seen", 100) })
        {
            for (var i = 0; i < count; i++)
            {
                moved.Add(value);
            }
        }

        Assert.False(DriftEvaluator.Evaluate("plan", reference, same, Defaults).Drifted);
        var drift = DriftEvaluator.Evaluate("plan", reference, moved, Defaults);
        Assert.True(drift.Drifted);
        Assert.Equal(100, moved.Counts[^1]); // the unseen category lands in "other"
    }

    [Fact]
    public void A_numeric_drift_carries_the_reference_and_live_shares_of_the_psi_bins_labelled_by_their_ranges()
    {
        // Edges 0..10 at 1: ten one-wide bins, grouped one per PSI bin.
        var reference = NumericSketch.Restore([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0], 0);
        var live = NumericSketch.Restore([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2], 3);

        var drift = DriftEvaluator.Evaluate("x", reference, live, Defaults);

        Assert.Equal(["< 1", "1 – 2", "2 – 3", "3 – 4", "4 – 5", "5 – 6", "6 – 7", "7 – 8", "8 – 9", "≥ 9"], drift.Histogram!.Bins);
        Assert.All(drift.Histogram.Reference, share => Assert.Equal(0.1, share, 12));
        // Below-range joins the first group and above-range the last; the 3 missing values are apart.
        Assert.Equal([0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0.75], drift.Histogram.Live);
    }

    [Fact]
    public void A_categorical_drift_carries_shares_per_reference_category_and_other()
    {
        var reference = CategoricalSketch.Restore(["a", "b"], [3, 1, 0], 0);
        var live = CategoricalSketch.Restore(["a", "b"], [1, 1, 2], 0);

        var drift = DriftEvaluator.Evaluate("c", reference, live, Defaults);

        Assert.Equal(["a", "b", DriftEvaluator.OtherBin], drift.Histogram!.Bins);
        Assert.Equal([0.75, 0.25, 0], drift.Histogram.Reference);
        Assert.Equal([0.25, 0.25, 0.5], drift.Histogram.Live);
    }
}
