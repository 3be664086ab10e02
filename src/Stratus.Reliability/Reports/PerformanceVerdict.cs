using System.Globalization;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.References;

namespace Stratus.Reliability.Reports;

/// <summary>
/// Performance in a report: the version's estimates for the window (with realized values from feedback next to them,
/// which decide where they exist), and how they change the drift verdict. A fall in performance outranks drift:
/// it is what drift is watched for.
/// </summary>
public static class PerformanceVerdict
{
    /// <summary>Realized metrics decide only from this many labelled rows on; fewer are shown but do not decide.</summary>
    public const int MinRealizedRows = 30;

    public static (IReadOnlyDictionary<string, EstimatedMetric> Estimated, EstimationInfo Info) Estimate(ReferenceSet reference, WindowCounts window, RealizedInfo realized, DriftThresholds thresholds)
    {
        var none = new Dictionary<string, EstimatedMetric>();
        if (reference.Estimation is not { } estimator)
        {
            return (none, EstimationInfo.Unavailable(reference.EstimationUnavailable ?? "the reference was stored before performance estimation existed: store it again"));
        }

        var rows = estimator.Rows(window);
        var info = new EstimationInfo(true, estimator.Method, rows, PerformanceReference.Assumptions[estimator.Method], null)
        {
            Calibration = estimator.Method == PerformanceReference.Cbpe ? estimator.CalibrationDecisions : null,
            LossModelCheck = estimator.LossModels?.Check,
        };
        if (rows < thresholds.MinRows)
        {
            return (none, info with { Available = false, Reason = string.Create(CultureInfo.InvariantCulture, $"too few rows to estimate: {rows} < minRows {thresholds.MinRows}") });
        }

        var estimates = estimator.Estimate(window, thresholds.EstimatedDrop).ToDictionary(
            p => p.Key,
            p => realized.Metrics.TryGetValue(p.Key, out var value) ? p.Value with { Realized = value, RealizedRows = realized.Rows } : p.Value,
            StringComparer.Ordinal);
        return (estimates, info);
    }

    /// <summary>The drift verdict, made <see cref="DriftVerdict.Degraded"/> by any metric that fell, with a reason per metric.</summary>
    public static (DriftVerdict Verdict, IReadOnlyList<string> Reasons) Combine(DriftVerdict drift, IReadOnlyList<string> reasons, IReadOnlyDictionary<string, EstimatedMetric> estimated, DriftThresholds thresholds)
    {
        var fallen = Fallen(estimated, thresholds).ToArray();
        return fallen.Length == 0 ? (drift, reasons) : (DriftVerdict.Degraded, [.. fallen.Select(f => f.Reason), .. reasons]);
    }

    /// <summary>Each metric that fell: the signal (<c>realizedDrop</c> when feedback decides, else <c>estimatedDrop</c>), its value and why.</summary>
    public static IEnumerable<(string Signal, string Metric, double Value, string Reason)> Fallen(IReadOnlyDictionary<string, EstimatedMetric> estimated, DriftThresholds thresholds)
    {
        foreach (var (metric, e) in estimated)
        {
            var lowerIsBetter = MetricNames.LowerIsBetter(metric);
            if (e.Realized is { } realized && e.RealizedRows >= MinRealizedRows)
            {
                // The realized value's own band: half-width 3·σ/√rows, rescaled from the estimate's rows to the labelled ones.
                var band = e.Value - e.Lower is var half && half > 0 && e.RealizedRows is { } n ? half * Math.Sqrt(e.Rows / (double)n) : 0;
                if (PerformanceReference.Alerts(realized, Math.Max(0, realized - band), realized + band, e.Reference, thresholds.EstimatedDrop, lowerIsBetter))
                {
                    yield return ("realizedDrop", metric, realized, string.Create(CultureInfo.InvariantCulture, $"realized {metric} {realized:0.###} from {e.RealizedRows} labelled rows is {(lowerIsBetter ? "above" : "below")} the reference {e.Reference:0.###} by more than {thresholds.EstimatedDrop:0.###}"));
                }

                continue;
            }

            if (e.Alert)
            {
                yield return ("estimatedDrop", metric, e.Value, string.Create(CultureInfo.InvariantCulture, $"estimated {metric} {e.Value:0.###} (band {e.Lower:0.###}–{e.Upper:0.###}, {e.Method}) is {(lowerIsBetter ? "above" : "below")} the reference {e.Reference:0.###} by more than {thresholds.EstimatedDrop:0.###}"));
            }
        }
    }
}
