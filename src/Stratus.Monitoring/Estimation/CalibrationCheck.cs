using Stratus.Core.Training;

namespace Stratus.Monitoring.Estimation;

/// <summary>
/// Whether isotonic calibration makes a reference's probabilities more trustworthy, decided as NannyML decides it
/// (nannyml/calibration.py, <c>needs_calibration</c>): not for a single class or an AUROC above 0.999; otherwise 10
/// stratified shuffle splits hold out 10 % each, a calibrator fitted on the rest calibrates the held-out rows, and the
/// pooled held-out rows' expected calibration error (10 equal-count bins) is compared before and after. The splits
/// come from a seeded <see cref="Random"/>, so they are reproducible but not numpy's.
/// </summary>
public static class CalibrationCheck
{
    public const int Splits = 10;
    public const double TestShare = 0.1;
    public const int Bins = 10;
    public const double MaxAurocToCalibrate = 0.999;

    /// <summary>The decision and both pooled errors (NaN when no check ran).</summary>
    public sealed record Outcome(bool Calibrate, double EceBefore, double EceAfter, string Reason);

    public static Outcome Decide(IReadOnlyList<double> labels, IReadOnlyList<double> scores, int seed = 42)
    {
        var positives = labels.Count(l => l == 1);
        if (positives == 0 || positives == labels.Count)
        {
            return new Outcome(false, double.NaN, double.NaN, "the reference has one class");
        }

        var auc = MetricFormulas.Auc([.. labels], scores.Select(s => (float)s).ToArray());
        if (auc > MaxAurocToCalibrate)
        {
            return new Outcome(false, double.NaN, double.NaN, $"the reference's AUROC is above {MaxAurocToCalibrate}");
        }

        var random = new Random(seed);
        var byClass = new[] { Indices(labels, 0), Indices(labels, 1) };
        var pooledLabels = new List<double>();
        var pooledBefore = new List<double>();
        var pooledAfter = new List<double>();
        for (var split = 0; split < Splits; split++)
        {
            var test = new HashSet<int>();
            foreach (var members in byClass)
            {
                var shuffled = members.ToArray();
                random.Shuffle(shuffled);
                test.UnionWith(shuffled.Take(Math.Max(1, (int)Math.Round(TestShare * shuffled.Length))));
            }

            var train = Enumerable.Range(0, labels.Count).Where(i => !test.Contains(i)).ToArray();
            var calibrator = IsotonicCalibrator.Fit(train.Select(i => scores[i]).ToArray(), train.Select(i => labels[i]).ToArray());
            foreach (var i in test.Order())
            {
                pooledLabels.Add(labels[i]);
                pooledBefore.Add(scores[i]);
                pooledAfter.Add(calibrator.Apply(scores[i]));
            }
        }

        var before = ExpectedCalibrationError(pooledLabels, pooledBefore);
        var after = ExpectedCalibrationError(pooledLabels, pooledAfter);
        return before > after
            ? new Outcome(true, before, after, "calibration lowers the expected calibration error")
            : new Outcome(false, before, after, "calibration does not lower the expected calibration error");
    }

    /// <summary>
    /// Σ over equal-count bins of (bin share) × |mean score − mean label|, rows sorted by score; with N ≤ 2·bins there
    /// are N/2 bins, and the last bin takes the remainder (nannyml/calibration.py, <c>_get_bin_index_edges</c>).
    /// </summary>
    public static double ExpectedCalibrationError(IReadOnlyList<double> labels, IReadOnlyList<double> scores, int bins = Bins)
    {
        var n = scores.Count;
        if (n <= 2 * bins)
        {
            bins = n / 2;
        }

        if (bins < 2)
        {
            throw new ArgumentException("Too few rows for an expected calibration error.", nameof(scores));
        }

        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var width = n / bins;
        var edges = new List<int>();
        for (var edge = 0; edge <= n; edge += width)
        {
            edges.Add(edge);
        }

        edges[^1] = n;
        double ece = 0;
        for (var b = 0; b + 1 < edges.Count; b++)
        {
            double score = 0, label = 0;
            for (var k = edges[b]; k < edges[b + 1]; k++)
            {
                score += scores[order[k]];
                label += labels[order[k]];
            }

            var size = edges[b + 1] - edges[b];
            ece += size / (double)n * Math.Abs((score / size) - (label / size));
        }

        return ece;
    }

    private static int[] Indices(IReadOnlyList<double> labels, double label) =>
        Enumerable.Range(0, labels.Count).Where(i => labels[i] == label).ToArray();
}
