using Stratus.Monitoring.Sketches;
using Stratus.Monitoring.Statistics;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>
/// The drift statistics against values computed independently by SciPy and numpy (Fixtures/make_drift_fixture.py, a
/// committed generator), to 1e-6; and the sketches they run on.
/// </summary>
public sealed class DriftStatisticsTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestPaths.Root, "tests", "Stratus.UnitTests", "Monitoring", "Fixtures", "drift_fixture.json"))).RootElement;

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    /// <summary>Within 1e-6, absolutely for values of order one and relatively for the tiny p-values of strong drift.</summary>
    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Min(1, Math.Abs(expected)) || expected == actual, $"expected {expected}, got {actual}");

    public static TheoryData<int> Cases(string test) => [.. Enumerable.Range(0, Fixture.GetProperty(test).GetArrayLength())];

    [Theory]
    [MemberData(nameof(Cases), "ks")]
    public void Kolmogorov_smirnov_on_exact_bins_matches_scipys_ks_2samp_and_kstwobign(int index)
    {
        var expected = Fixture.GetProperty("ks")[index];

        var result = DriftTests.KolmogorovSmirnov(Longs(expected.GetProperty("reference")), Longs(expected.GetProperty("live")));

        Close(expected.GetProperty("statistic").GetDouble(), result.Statistic);
        Close(expected.GetProperty("pValue").GetDouble(), result.PValue);
    }

    [Theory]
    [MemberData(nameof(Cases), "chi2")]
    public void Two_sample_chi_square_matches_scipys_chi2_contingency_without_correction(int index)
    {
        var expected = Fixture.GetProperty("chi2")[index];

        var result = DriftTests.ChiSquare(Longs(expected.GetProperty("reference")), Longs(expected.GetProperty("live")));

        Close(expected.GetProperty("statistic").GetDouble(), result.Statistic);
        Close(expected.GetProperty("pValue").GetDouble(), result.PValue);
    }

    [Theory]
    [MemberData(nameof(Cases), "psi")]
    public void Psi_matches_numpy_with_the_stated_epsilon(int index)
    {
        var expected = Fixture.GetProperty("psi")[index];

        Close(expected.GetProperty("psi").GetDouble(), DriftTests.Psi(Longs(expected.GetProperty("expected")), Longs(expected.GetProperty("actual"))));
    }

    [Fact]
    public void A_sketch_counts_below_inside_and_above_its_reference_range_and_missing_values_apart()
    {
        var sketch = new NumericSketch([0, 1, 2, 3]);
        foreach (var value in new[] { -5, 0, 0.5, 1, 2.9, 3, 3.1, double.NaN })
        {
            sketch.Add(value);
        }

        Assert.Equal([1L, 2, 1, 2, 1], sketch.Counts); // below | [0,1) | [1,2) | [2,3] | above
        Assert.Equal((7L, 1L), (sketch.Total, sketch.Missing));
    }

    [Fact]
    public void Sketches_recorded_apart_merge_to_the_counts_of_one_sketch_that_saw_everything()
    {
        var random = new Random(5);
        var reference = Enumerable.Range(0, 1000).Select(_ => random.NextDouble()).ToArray();
        var edges = NumericSketch.QuantileEdges(reference);
        var live = Enumerable.Range(0, 3000).Select(_ => random.NextDouble() * 1.2 - 0.1).ToArray();
        var whole = new NumericSketch(edges);
        var parts = Enumerable.Range(0, 3).Select(_ => new NumericSketch(edges)).ToArray();
        for (var i = 0; i < live.Length; i++)
        {
            whole.Add(live[i]);
            parts[i % 3].Add(live[i]);
        }

        parts[0].Merge(parts[1]);
        parts[0].Merge(parts[2]);

        Assert.Equal(whole.Counts, parts[0].Counts);
        Assert.Equal(101, edges.Length); // 100 quantile bins of the reference
    }

    [Fact]
    public void Grouping_fine_bins_keeps_every_count_and_gives_ten_bins_of_equal_reference_mass()
    {
        var reference = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray();
        var sketch = NumericSketch.FromReference(reference);

        var grouped = sketch.Grouped();

        Assert.Equal(10, grouped.Length);
        Assert.Equal(sketch.Total, grouped.Sum());
        Assert.All(grouped, g => Assert.InRange(g, 990, 1010));
    }

    [Fact]
    public void The_binned_ks_statistic_is_within_its_stated_error_of_the_exact_one()
    {
        var random = new Random(9);
        var reference = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var live = Enumerable.Range(0, 2000).Select(_ => Math.Pow(random.NextDouble(), 1.3)).ToArray();
        var a = NumericSketch.FromReference(reference);
        var b = new NumericSketch(a.Edges);
        foreach (var value in live)
        {
            b.Add(value);
        }

        var binned = DriftTests.KolmogorovSmirnov(a.Counts, b.Counts).Statistic;
        var exact = ExactKs(reference, live);

        Assert.InRange(exact - binned, 0, DriftTests.KsBinningError(a.Counts, b.Counts));
    }

    private static double ExactKs(double[] a, double[] b)
    {
        var all = a.Concat(b).Distinct().Order().ToArray();
        Array.Sort(a);
        Array.Sort(b);
        return all.Max(x => Math.Abs(UpperBound(a, x) / (double)a.Length - UpperBound(b, x) / (double)b.Length));
    }

    private static int UpperBound(double[] sorted, double x)
    {
        var index = Array.BinarySearch(sorted, x);
        if (index < 0)
        {
            return ~index;
        }

        while (index + 1 < sorted.Length && sorted[index + 1] == x)
        {
            index++;
        }

        return index + 1;
    }
}
