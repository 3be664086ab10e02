using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Stratus.Experiments.Statistics;

namespace Stratus.Tests.Unit;

/// <summary>
/// The experiment statistics with known truth, by seeded simulation of the statistics layer itself: interval
/// coverage, false positives under peeking, and sample-ratio mismatch.
/// </summary>
public sealed class ExperimentSimulationTests
{
    private const int Runs = 1000;

    /// <summary>The mixture variance for lifts of about two points on a 10 % conversion rate.</summary>
    private const double Tau2 = 0.02 * 0.02;

    [Fact]
    public void The_95_percent_lift_interval_covers_the_true_lift_in_95_percent_of_1000_runs_within_2_points()
    {
        var random = new MersenneTwister(20261203);
        var covered = 0;
        for (var run = 0; run < Runs; run++)
        {
            var control = VariantSample.Binary(10_000, Binomial.Sample(random, 0.10, 10_000));
            var treatment = VariantSample.Binary(10_000, Binomial.Sample(random, 0.12, 10_000));

            var comparison = ExperimentStatistics.Compare(control, treatment, MetricKind.Binary, Tau2);

            covered += comparison.LiftInterval.Contains(0.02) ? 1 : 0;
        }

        Assert.InRange(covered / (double)Runs, 0.93, 0.97);
    }

    [Fact]
    public void A_real_two_point_lift_on_20000_units_is_significant_by_both_p_values()
    {
        var control = VariantSample.Binary(10_000, 1_000);
        var treatment = VariantSample.Binary(10_000, 1_200);

        var comparison = ExperimentStatistics.Compare(control, treatment, MetricKind.Binary, Tau2);

        Assert.True(comparison.PValue < 0.001, $"fixed-horizon p {comparison.PValue}");
        Assert.True(comparison.AlwaysValidPValue < 0.05, $"always-valid p {comparison.AlwaysValidPValue}");
        Assert.True(comparison.AlwaysValidInterval.Lower > 0 && comparison.AlwaysValidInterval.Contains(0.02));
        Assert.Equal(0.2, comparison.RelativeLift, 10);
    }

    [Fact]
    public void A_A_runs_peeked_every_500_units_stay_within_alpha_with_the_always_valid_p_value_while_the_fixed_horizon_p_value_inflates()
    {
        var random = new MersenneTwister(7);
        int sequentialFalse = 0, fixedFalse = 0;
        for (var run = 0; run < Runs; run++)
        {
            VariantSample a = default, b = default;
            bool sequentialRejected = false, fixedRejected = false;
            for (var units = 500; units <= 20_000; units += 500)
            {
                // 500 more units, split evenly, both converting at 10 %.
                a = a.Plus(VariantSample.Binary(250, Binomial.Sample(random, 0.10, 250)));
                b = b.Plus(VariantSample.Binary(250, Binomial.Sample(random, 0.10, 250)));
                var comparison = ExperimentStatistics.Compare(a, b, MetricKind.Binary, Tau2);
                sequentialRejected |= comparison.AlwaysValidPValue < 0.05;
                fixedRejected |= comparison.PValue < 0.05;
            }

            sequentialFalse += sequentialRejected ? 1 : 0;
            fixedFalse += fixedRejected ? 1 : 0;
        }

        Assert.True(sequentialFalse / (double)Runs <= 0.05, $"always-valid false positives {sequentialFalse / (double)Runs}");
        Assert.True(fixedFalse / (double)Runs > 0.15, $"fixed-horizon false positives under peeking {fixedFalse / (double)Runs}");
    }

    [Fact]
    public void A_55_45_split_of_a_50_50_experiment_is_flagged_as_a_sample_ratio_mismatch()
    {
        Assert.True(ExperimentStatistics.SampleRatioMismatch([5_500, 4_500], [0.5, 0.5]) < ExperimentStatistics.SrmThreshold);
        Assert.True(ExperimentStatistics.SampleRatioMismatch([5_020, 4_980], [0.5, 0.5]) > ExperimentStatistics.SrmThreshold);
    }
}
