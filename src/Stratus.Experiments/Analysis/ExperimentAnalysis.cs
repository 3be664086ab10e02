using System.Globalization;
using Stratus.Experiments.Statistics;

namespace Stratus.Experiments.Analysis;

/// <summary>
/// Turns per-variant samples into a readout and a decision. Decisions rest on the always-valid (mSPRT) p-value, so
/// the readout may be looked at every day: <c>invalid: sample ratio mismatch</c> first (the split itself is broken, so
/// no comparison can be trusted); else <c>ship {variant}</c> for the best variant significantly better than control;
/// else <c>keep control</c> when every variant is significantly worse, or when each has the units the design asked for
/// and none is better; else <c>continue</c>.
/// </summary>
public static class ExperimentAnalysis
{
    public const string Continue = "continue";
    public const string KeepControl = "keep control";
    public const string ShipPrefix = "ship ";
    public const string InvalidSrm = "invalid: sample ratio mismatch";

    public static ExperimentReadout Analyze(ExperimentDesign design, IReadOnlyList<VariantSample> samples)
    {
        var control = samples[0];
        var variants = design.Variants.Select((v, i) => new VariantReadout(v.Name, samples[i].Units, samples[i].Mean, samples[i].Units > 0 ? ExperimentStatistics.MeanInterval(samples[i], design.Kind) : new Interval(double.NaN, double.NaN))).ToArray();
        // Only where one set of weights produced the units, and every arm had a share (a zero weight has no expected count).
        var srm = design.CheckSampleRatio && samples.All(s => s.Units > 0) && design.Variants.All(v => v.Weight > 0)
            ? ExperimentStatistics.SampleRatioMismatch(samples.Select(s => s.Units).ToArray(), design.Variants.Select(v => v.Weight).ToArray())
            : 1;
        var tau2 = MixtureVariance(design, control);
        var needed = UnitsNeeded(design, control);
        var comparisons = design.Variants.Skip(1).Select((v, k) =>
        {
            var sample = samples[k + 1];
            if (control.Units < 2 || sample.Units < 2)
            {
                return null;
            }

            var comparison = ExperimentStatistics.Compare(control, sample, design.Kind, tau2, design.Alpha);
            var better = design.Direction == MetricDirection.Increase ? comparison.Lift > 0 : comparison.Lift < 0;
            return new VariantComparison(v.Name, comparison, comparison.AlwaysValidPValue < design.Alpha, better);
        }).OfType<VariantComparison>().ToArray();

        var (decision, reason) = Decide(design, samples, srm, needed, comparisons);
        return new ExperimentReadout(variants, comparisons, srm, srm < ExperimentStatistics.SrmThreshold, needed, tau2, decision, reason);
    }

    /// <summary>
    /// The mSPRT's mixture variance τ²: the square of the smallest lift the design cares about (the relative MDE on
    /// the control's mean), where the test is most powerful. Before control has a mean, τ² is NaN and nothing is
    /// significant.
    /// </summary>
    public static double MixtureVariance(ExperimentDesign design, VariantSample control)
    {
        var effect = design.MinimumDetectableEffect * Math.Abs(control.Mean);
        return effect > 0 ? effect * effect : double.NaN;
    }

    private static double? UnitsNeeded(ExperimentDesign design, VariantSample control)
    {
        if (control.Units < 2 || !(control.Mean > 0))
        {
            return null;
        }

        var needed = design.Kind == MetricKind.Binary
            ? ExperimentStatistics.BinarySampleSize(control.Mean, design.MinimumDetectableEffect, design.Alpha, design.Power)
            : ExperimentStatistics.ContinuousSampleSize(control.Mean, Math.Sqrt(control.UnitVariance(MetricKind.Continuous)), design.MinimumDetectableEffect, design.Alpha, design.Power);
        return double.IsFinite(needed) ? Math.Ceiling(needed) : null;
    }

    private static (string Decision, string Reason) Decide(ExperimentDesign design, IReadOnlyList<VariantSample> samples, double srm, double? needed, IReadOnlyList<VariantComparison> comparisons)
    {
        if (srm < ExperimentStatistics.SrmThreshold)
        {
            return (InvalidSrm, Format($"units per variant ({string.Join(", ", samples.Select(s => s.Units))}) do not match the weights ({string.Join(", ", design.Variants.Select(v => v.Weight))}): p = {srm:G3} < {ExperimentStatistics.SrmThreshold}; look for a bug in assignment or exposure logging before reading any result"));
        }

        var winners = comparisons.Where(c => c.Significant && c.Better).ToArray();
        if (winners.Length > 0)
        {
            var best = design.Direction == MetricDirection.Increase ? winners.MaxBy(c => c.Comparison.Lift)! : winners.MinBy(c => c.Comparison.Lift)!;
            return (ShipPrefix + best.Variant, Format($"{best.Variant} moves the metric by {best.Comparison.RelativeLift:P1} against control (always-valid p = {best.Comparison.AlwaysValidPValue:G3} < {design.Alpha})"));
        }

        if (comparisons.Count > 0 && comparisons.Count == design.Variants.Count - 1 && comparisons.All(c => c.Significant && !c.Better))
        {
            return (KeepControl, Format($"every variant is significantly worse than control (always-valid p < {design.Alpha})"));
        }

        if (needed is { } n && samples.All(s => s.Units >= n))
        {
            return (KeepControl, Format($"each variant reached the {n:0} units the design needs to detect a {design.MinimumDetectableEffect:P0} effect, and none is significantly better"));
        }

        return (Continue, needed is { } units
            ? Format($"no variant is significantly better yet; the design needs {units:0} units per variant (smallest so far: {samples.Min(s => s.Units)})")
            : "not enough data yet");
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
