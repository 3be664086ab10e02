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
public sealed record FeatureDrift(string Feature, string Kind, double Psi, string Test, double Statistic, double PValue, bool Drifted, bool InsufficientData);

/// <summary>A window's drift: per feature, the share that drifted, and the verdict with its reasons.</summary>
public sealed record DriftReport(long Rows, IReadOnlyList<FeatureDrift> Features, double DriftShare, bool DatasetDrift, DriftVerdict Verdict, IReadOnlyList<string> Reasons);

/// <summary>Applies <see cref="DriftThresholds"/> to sketches: the sample-size-aware decision of monitoring.</summary>
public static class DriftEvaluator
{
    public const string Numeric = "numeric";
    public const string Categorical = "categorical";

    /// <summary>PSI on the ten grouped bins, KS on the fine ones.</summary>
    public static FeatureDrift Evaluate(string feature, NumericSketch reference, NumericSketch live, DriftThresholds thresholds)
    {
        var psi = DriftTests.Psi(reference.Grouped(), live.Grouped());
        var ks = DriftTests.KolmogorovSmirnov(reference.Counts, live.Counts);
        return Decide(feature, Numeric, psi, "ks", ks, live.Total, thresholds);
    }

    /// <summary>PSI and the two-sample chi-square over the reference's categories and "other".</summary>
    public static FeatureDrift Evaluate(string feature, CategoricalSketch reference, CategoricalSketch live, DriftThresholds thresholds)
    {
        var psi = DriftTests.Psi(reference.Counts, live.Counts);
        var chi = DriftTests.ChiSquare(reference.Counts, live.Counts);
        return Decide(feature, Categorical, psi, "chi-square", chi, live.Total, thresholds);
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
