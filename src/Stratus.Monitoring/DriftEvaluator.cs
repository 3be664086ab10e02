using Stratus.Monitoring.Sketches;
using Stratus.Monitoring.Statistics;

namespace Stratus.Monitoring;

/// <summary>What a monitoring window concluded.</summary>
public enum DriftVerdict
{
    Ok,

    /// <summary>Some features drifted, fewer than the drift share.</summary>
    Warning,

    Drift,

    /// <summary>Too few live rows to judge.</summary>
    InsufficientData,

    /// <summary>Performance fell: an estimate without labels, or realized metrics from feedback, below the reference.</summary>
    Degraded,
}

/// <summary>One feature in a window against the reference.</summary>
public sealed record FeatureDrift(string Feature, string Kind, double Psi, string Test, double Statistic, double PValue, bool Drifted, bool InsufficientData)
{
    /// <summary>The reference's and the window's shares in the bins PSI compares, for a picture of the shift.</summary>
    public DriftHistogram? Histogram { get; init; }
}

/// <summary>Shares of the reference and of the live window per bin (each sums to 1 over values present; missing apart).</summary>
public sealed record DriftHistogram(IReadOnlyList<string> Bins, IReadOnlyList<double> Reference, IReadOnlyList<double> Live)
{
    public static DriftHistogram Of(IReadOnlyList<string> bins, IReadOnlyList<long> reference, IReadOnlyList<long> live) =>
        new(bins, Shares(reference), Shares(live));

    private static double[] Shares(IReadOnlyList<long> counts)
    {
        var total = (double)counts.Sum();
        return counts.Select(c => total == 0 ? 0 : c / total).ToArray();
    }
}

/// <summary>A window's drift: per feature, the share that drifted, and the verdict with its reasons.</summary>
public sealed record DriftReport(long Rows, IReadOnlyList<FeatureDrift> Features, double DriftShare, bool DatasetDrift, DriftVerdict Verdict, IReadOnlyList<string> Reasons);

/// <summary>Applies <see cref="DriftThresholds"/> to sketches: the sample-size-aware decision of monitoring.</summary>
public static class DriftEvaluator
{
    public const string Numeric = "numeric";
    public const string Categorical = "categorical";

    /// <summary>The histogram's name for the categorical sketches' "other" bucket.</summary>
    public const string OtherBin = "(other)";

    /// <summary>PSI on the ten grouped bins, KS on the fine ones.</summary>
    public static FeatureDrift Evaluate(string feature, NumericSketch reference, NumericSketch live, DriftThresholds thresholds)
    {
        var (referenceGroups, liveGroups) = (reference.Grouped(), live.Grouped());
        var psi = DriftTests.Psi(referenceGroups, liveGroups);
        var ks = DriftTests.KolmogorovSmirnov(reference.Counts, live.Counts);
        return Decide(feature, Numeric, psi, "ks", ks, live.Total, thresholds) with { Histogram = DriftHistogram.Of(reference.GroupLabels(), referenceGroups, liveGroups) };
    }

    /// <summary>PSI and the two-sample chi-square over the reference's categories and "other".</summary>
    public static FeatureDrift Evaluate(string feature, CategoricalSketch reference, CategoricalSketch live, DriftThresholds thresholds)
    {
        var psi = DriftTests.Psi(reference.Counts, live.Counts);
        var chi = DriftTests.ChiSquare(reference.Counts, live.Counts);
        return Decide(feature, Categorical, psi, "chi-square", chi, live.Total, thresholds) with { Histogram = DriftHistogram.Of([.. reference.Categories, OtherBin], reference.Counts, live.Counts) };
    }

    public static DriftReport Report(long rows, IReadOnlyList<FeatureDrift> features, DriftThresholds thresholds)
    {
        if (rows < thresholds.MinRows)
        {
            return new DriftReport(rows, features, 0, false, DriftVerdict.InsufficientData, [$"{rows} rows in the window; drift is judged from {thresholds.MinRows}"]);
        }

        var drifted = features.Where(f => f.Drifted).ToArray();
        var share = features.Count == 0 ? 0 : (double)drifted.Length / features.Count;
        var reasons = drifted.Select(f => $"{f.Feature}: PSI {f.Psi:0.###} ≥ {thresholds.Psi} and {f.Test} p {f.PValue:0.###E+0} < {thresholds.PValue}").ToList();
        var datasetDrift = drifted.Length > 0 && share >= thresholds.DriftShare;
        var verdict = datasetDrift ? DriftVerdict.Drift : drifted.Length > 0 ? DriftVerdict.Warning : DriftVerdict.Ok;
        if (datasetDrift)
        {
            reasons.Insert(0, $"{drifted.Length} of {features.Count} features drifted ({share:P0} ≥ {thresholds.DriftShare:P0})");
        }

        return new DriftReport(rows, features, share, datasetDrift, verdict, reasons);
    }

    private static FeatureDrift Decide(string feature, string kind, double psi, string test, TestResult result, long rows, DriftThresholds thresholds)
    {
        var insufficient = rows < thresholds.MinRows;
        var drifted = !insufficient && psi >= thresholds.Psi && result.PValue < thresholds.PValue;
        return new FeatureDrift(feature, kind, psi, test, result.Statistic, result.PValue, drifted, insufficient);
    }
}
