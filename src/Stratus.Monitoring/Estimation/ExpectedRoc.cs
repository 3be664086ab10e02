namespace Stratus.Monitoring.Estimation;

/// <summary>
/// ROC AUC in expectation (CBPE): rows ranked by the model's raw score, highest first, each adding its calibrated
/// probability c to the expected true positives and 1 − c to the expected false positives; the area under the curve
/// of those running sums, each scaled by its total (NannyML, nannyml/performance_estimation/confidence_based/metrics.py,
/// <c>estimate_roc_auc</c>, since v0.10.5). Tied scores form one step (a diagonal segment), as for a realized ROC AUC:
/// NannyML steps through ties in whatever order its sort left them, which makes its answer depend on that order.
/// A histogram's bin is such a step too, which is how the streaming estimate follows the same formula.
/// </summary>
public static class ExpectedRoc
{
    /// <summary>
    /// The area from groups of rows in decreasing score order, each as (Σ c, Σ (1 − c)). NaN when either total is 0
    /// (no expected positives or negatives).
    /// </summary>
    public static double Area(IEnumerable<(double Positive, double Negative)> groupsByDescendingScore)
    {
        double tp = 0, fp = 0, area = 0;
        foreach (var (positive, negative) in groupsByDescendingScore)
        {
            // Trapezoid under the segment from (fp, tp) to (fp + negative, tp + positive), unscaled.
            area += negative * (tp + (positive / 2));
            tp += positive;
            fp += negative;
        }

        return tp > 0 && fp > 0 ? area / (tp * fp) : double.NaN;
    }

    /// <summary>The area from rows: raw scores (the ranking) and calibrated probabilities (the increments).</summary>
    public static double Area(IReadOnlyList<double> raw, IReadOnlyList<double> calibrated)
    {
        var order = Enumerable.Range(0, raw.Count).OrderByDescending(i => raw[i]).ToArray();
        var groups = new List<(double, double)>();
        for (var start = 0; start < order.Length;)
        {
            double positive = 0, negative = 0;
            var end = start;
            while (end < order.Length && raw[order[end]] == raw[order[start]])
            {
                positive += calibrated[order[end]];
                negative += 1 - calibrated[order[end]];
                end++;
            }

            groups.Add((positive, negative));
            start = end;
        }

        return Area(groups);
    }
}
