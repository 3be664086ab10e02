using Stratus.Core.Experiments;
using Stratus.Core.Monitoring;
using Stratus.Experiments.Analysis;
using Stratus.Experiments.Statistics;

namespace Stratus.Experiments.Results;

/// <summary>The answer of <c>GET …/experiments/{experiment}</c>: the experiment, its readout per variant and against control, and the decision.</summary>
public sealed record ExperimentView
{
    public required Experiment Experiment { get; init; }

    /// <summary>Units each variant needs to detect the design's minimum effect at its α and power (null until control has a mean).</summary>
    public double? UnitsNeededPerVariant { get; init; }

    public required IReadOnlyList<VariantView> Variants { get; init; }
    public required IReadOnlyList<ComparisonView> Comparisons { get; init; }
    public required SampleRatioView SampleRatio { get; init; }
    public required TrafficView Traffic { get; init; }
    public required SequentialView Sequential { get; init; }

    /// <summary>The first treatment against control as the data arrived: the always-valid p-value may be watched at every point.</summary>
    public IReadOnlyList<HistoryPoint> History { get; init; } = [];

    /// <summary>Shadow mode only.</summary>
    public ShadowView? Shadow { get; init; }
    public required string Decision { get; init; }
    public required string Reason { get; init; }
}

/// <summary>
/// One variant: its exposed units, the metric per unit with a 95 % interval, the calls it served (errors, latency),
/// and its version's ML metrics from monitoring.
/// </summary>
public sealed record VariantView(string Name, int? Version, double Weight, long Units, double? Mean, IntervalView? Interval, CallsView? Calls, VersionPerformance? Performance);

/// <summary>Calls served (or, for a shadow, run), how many failed, and the latency quantiles in milliseconds (bucketed: within 25 % above the exact value).</summary>
public sealed record CallsView(long Calls, long Errors, double ErrorRate, double? P50Ms, double? P99Ms)
{
    public static CallsView? Of(CallStats? stats) =>
        stats is null ? null : new CallsView(stats.Calls, stats.Errors, stats.ErrorRate, stats.LatencyMs(0.5), stats.LatencyMs(0.99));
}

/// <summary>
/// Shadow mode: each shadow's runs (latency measured around its own model run, or its GPU-tier round trip, where
/// control's is the whole served call) and how its answers compared with control's — the share of rows whose label
/// agreed (classifiers) or the mean absolute difference of values (regressors) — and the calls dropped because the
/// shadow queue was full.
/// </summary>
public sealed record ShadowView(long Dropped, IReadOnlyList<ShadowVariantView> Variants);

public sealed record ShadowVariantView(string Name, int? Version, CallsView Calls, long ComparedRows, double? Agreement, double? MeanAbsoluteDifference);

/// <summary>A variant against control (see <see cref="Comparison"/>); intervals are at the experiment's α.</summary>
public sealed record ComparisonView(
    string Variant,
    double Lift,
    IntervalView? LiftInterval,
    double? RelativeLift,
    IntervalView? RelativeLiftInterval,
    double? PValue,
    double? AlwaysValidPValue,
    IntervalView? AlwaysValidInterval,
    bool Significant,
    bool Better);

public sealed record IntervalView(double Lower, double Upper)
{
    public static IntervalView? Of(Interval interval) =>
        double.IsFinite(interval.Lower) && double.IsFinite(interval.Upper) ? new IntervalView(interval.Lower, interval.Upper) : null;
}

/// <summary>The chi-square test of units against the weights; a mismatch (p below the threshold) invalidates the readout.</summary>
public sealed record SampleRatioView(double PValue, bool Mismatch, double Threshold);

/// <summary>
/// Requests served without a unit (control served them; they are not in any variant's units), outcomes received,
/// and outcomes for units never exposed (counted here, attributed to no variant).
/// </summary>
public sealed record TrafficView(long UnassignedRequests, int Outcomes, int UnattributedOutcomes);

/// <summary>The readout as it stood at <paramref name="At"/>: units exposed by then and the comparison of one variant with control.</summary>
public sealed record HistoryPoint(DateTimeOffset At, long Units, string Variant, double Lift, double? PValue, double? AlwaysValidPValue);

/// <summary>The always-valid test: the mixture SPRT with a normal mixture of variance τ² over the lift.</summary>
public sealed record SequentialView(string Method, double? MixtureVariance, string Tuning);

internal static class Views
{
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    public static ComparisonView Of(VariantComparison c) => new(
        c.Variant,
        c.Comparison.Lift,
        IntervalView.Of(c.Comparison.LiftInterval),
        Finite(c.Comparison.RelativeLift),
        IntervalView.Of(c.Comparison.RelativeLiftInterval),
        Finite(c.Comparison.PValue),
        Finite(c.Comparison.AlwaysValidPValue),
        IntervalView.Of(c.Comparison.AlwaysValidInterval),
        c.Significant,
        c.Better);
}
