using Stratus.Experiments.Analysis;
using Stratus.Experiments.Assignment;
using Stratus.Experiments.Statistics;

namespace Stratus.Tests.Unit;

/// <summary>Sticky hashed assignment, and the decision an analysis reaches.</summary>
public sealed class AssignmentAndDecisionTests
{
    private static readonly ExperimentDesign Design = new([("control", 0.5), ("treatment", 0.5)], MetricKind.Binary, MetricDirection.Increase, MinimumDetectableEffect: 0.1);

    [Fact]
    public void The_same_unit_gets_the_same_variant_on_every_call()
    {
        var first = VariantAssigner.Assign("exp-1", "user-42", [0.5, 0.5]);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal(first, VariantAssigner.Assign("exp-1", "user-42", [0.5, 0.5])));
    }

    [Theory]
    [InlineData(0.5, 0.5, 0.0)]
    [InlineData(0.9, 0.1, 0.0)]
    [InlineData(0.2, 0.3, 0.5)]
    public void The_split_of_100000_sequential_units_is_within_half_a_point_of_the_weights(double a, double b, double c)
    {
        double[] weights = c > 0 ? [a, b, c] : [a, b];
        var counts = new int[weights.Length];

        for (var u = 0; u < 100_000; u++)
        {
            counts[VariantAssigner.Assign("exp-split", $"user-{u}", weights)]++;
        }

        Assert.All(weights.Select((w, i) => (w, i)), p => Assert.InRange(counts[p.i] / 100_000.0, p.w - 0.005, p.w + 0.005));
    }

    [Fact]
    public void Another_experiment_reshuffles_units_independently()
    {
        var same = Enumerable.Range(0, 10_000).Count(u => VariantAssigner.Assign("exp-a", $"u{u}", [0.5, 0.5]) == VariantAssigner.Assign("exp-b", $"u{u}", [0.5, 0.5]));

        Assert.InRange(same / 10_000.0, 0.48, 0.52);
    }

    [Fact]
    public void A_significantly_better_treatment_is_shipped()
    {
        var readout = ExperimentAnalysis.Analyze(Design, [VariantSample.Binary(10_000, 1_000), VariantSample.Binary(10_000, 1_200)]);

        Assert.Equal("ship treatment", readout.Decision);
        Assert.False(readout.SampleRatioMismatch);
        Assert.Equal(0.01 * 0.01, readout.MixtureVariance, 12); // (10 % of a 10 % rate)²
    }

    [Fact]
    public void A_sample_ratio_mismatch_invalidates_the_experiment_whatever_the_lift()
    {
        var readout = ExperimentAnalysis.Analyze(Design, [VariantSample.Binary(5_500, 550), VariantSample.Binary(4_500, 700)]);

        Assert.Equal(ExperimentAnalysis.InvalidSrm, readout.Decision);
        Assert.True(readout.SampleRatioMismatch);
    }

    [Fact]
    public void An_experiment_short_of_its_sample_size_without_a_winner_continues()
    {
        var readout = ExperimentAnalysis.Analyze(Design, [VariantSample.Binary(1_000, 100), VariantSample.Binary(1_000, 104)]);

        Assert.Equal(ExperimentAnalysis.Continue, readout.Decision);
        Assert.True(readout.UnitsNeededPerVariant > 1_000);
    }

    [Fact]
    public void Reaching_the_designed_sample_size_without_a_winner_keeps_control()
    {
        var needed = Math.Ceiling(ExperimentStatistics.BinarySampleSize(0.10, 0.1));
        var units = (long)(Math.Ceiling(needed / 10) * 10); // a 10 % rate exactly

        var readout = ExperimentAnalysis.Analyze(Design, [VariantSample.Binary(units, units / 10), VariantSample.Binary(units, units / 10)]);

        Assert.Equal(ExperimentAnalysis.KeepControl, readout.Decision);
        Assert.Equal(needed, readout.UnitsNeededPerVariant);
    }

    [Fact]
    public void A_significantly_worse_treatment_for_a_metric_to_decrease_is_not_shipped()
    {
        var design = Design with { Direction = MetricDirection.Decrease };

        var readout = ExperimentAnalysis.Analyze(design, [VariantSample.Binary(10_000, 1_000), VariantSample.Binary(10_000, 1_200)]);

        Assert.Equal(ExperimentAnalysis.KeepControl, readout.Decision);
    }
}
