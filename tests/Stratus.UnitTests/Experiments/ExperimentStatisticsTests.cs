using Stratus.Experiments.Statistics;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>
/// The experiment statistics against values computed independently with SciPy and numpy
/// (Fixtures/make_experiment_fixture.py, a committed generator), to 1e-6.
/// </summary>
public sealed class ExperimentStatisticsTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestPaths.Root, "tests", "Stratus.UnitTests", "Experiments", "Fixtures", "experiment_fixture.json"))).RootElement;

    public static TheoryData<int> Cases(string test) => [.. Enumerable.Range(0, Fixture.GetProperty(test).GetArrayLength())];

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>Within 1e-6: absolutely for values of order one, relatively for tiny p-values and large sample sizes.</summary>
    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(Math.Min(1, Math.Abs(expected)), Math.Abs(expected) > 1 ? Math.Abs(expected) : 0) || expected == actual, $"expected {expected}, got {actual}");

    private static void Close(JsonElement expected, Interval actual)
    {
        Close(expected[0].GetDouble(), actual.Lower);
        Close(expected[1].GetDouble(), actual.Upper);
    }

    private static void AssertComparison(JsonElement c, VariantSample control, VariantSample treatment, MetricKind kind)
    {
        var comparison = ExperimentStatistics.Compare(control, treatment, kind, c.GetProperty("tau2").GetDouble());

        Close(c.GetProperty("mean0").GetDouble(), control.Mean);
        Close(c.GetProperty("mean1").GetDouble(), treatment.Mean);
        Close(c.GetProperty("ci0"), ExperimentStatistics.MeanInterval(control, kind));
        Close(c.GetProperty("ci1"), ExperimentStatistics.MeanInterval(treatment, kind));
        Close(c.GetProperty("lift").GetDouble(), comparison.Lift);
        Close(c.GetProperty("liftCi"), comparison.LiftInterval);
        Close(c.GetProperty("relativeLift").GetDouble(), comparison.RelativeLift);
        Close(c.GetProperty("relativeLiftCi"), comparison.RelativeLiftInterval);
        Close(c.GetProperty("pValue").GetDouble(), comparison.PValue);
        Close(c.GetProperty("alwaysValidP").GetDouble(), comparison.AlwaysValidPValue);
        Close(c.GetProperty("alwaysValidCi"), comparison.AlwaysValidInterval);
    }

    [Theory]
    [MemberData(nameof(Cases), "binary")]
    public void Binary_readout_matches_scipy_z_test_wald_intervals_delta_method_and_msprt(int index)
    {
        var c = Fixture.GetProperty("binary")[index];

        AssertComparison(c, VariantSample.Binary(c.GetProperty("n0").GetInt64(), c.GetProperty("x0").GetInt64()), VariantSample.Binary(c.GetProperty("n1").GetInt64(), c.GetProperty("x1").GetInt64()), MetricKind.Binary);
    }

    [Theory]
    [MemberData(nameof(Cases), "continuous")]
    public void Continuous_readout_matches_scipys_welch_t_test_intervals_and_msprt(int index)
    {
        var c = Fixture.GetProperty("continuous")[index];
        var control = VariantSample.Of(Doubles(c.GetProperty("values0")));
        var treatment = VariantSample.Of(Doubles(c.GetProperty("values1")));

        AssertComparison(c, control, treatment, MetricKind.Continuous);
        Close(c.GetProperty("welchDf").GetDouble(), ExperimentStatistics.Welch(control, treatment).DegreesOfFreedom);
    }

    [Theory]
    [MemberData(nameof(Cases), "srm")]
    public void Sample_ratio_mismatch_matches_scipys_chisquare(int index)
    {
        var c = Fixture.GetProperty("srm")[index];

        var p = ExperimentStatistics.SampleRatioMismatch(c.GetProperty("units").EnumerateArray().Select(e => e.GetInt64()).ToArray(), Doubles(c.GetProperty("weights")));

        Close(c.GetProperty("pValue").GetDouble(), p);
    }

    [Theory]
    [MemberData(nameof(Cases), "sampleSize")]
    public void Sample_sizes_per_variant_match_the_normal_approximation_formulas(int index)
    {
        var c = Fixture.GetProperty("sampleSize")[index];
        var (alpha, power, mde, baseline) = (c.GetProperty("alpha").GetDouble(), c.GetProperty("power").GetDouble(), c.GetProperty("mde").GetDouble(), c.GetProperty("baseline").GetDouble());

        var exact = c.GetProperty("kind").GetString() == "binary"
            ? ExperimentStatistics.BinarySampleSize(baseline, mde, alpha, power)
            : ExperimentStatistics.ContinuousSampleSize(baseline, c.GetProperty("sd").GetDouble(), mde, alpha, power);

        Close(c.GetProperty("exact").GetDouble(), exact);
        Assert.Equal(c.GetProperty("perVariant").GetInt64(), (long)Math.Ceiling(exact));
    }
}
