namespace Stratus.Monitoring.Estimation;

/// <summary>
/// A metric's standard error for a window of n rows, from components measured once on the reference (NannyML,
/// nannyml/sampling_error/binary_classification.py, multiclass_classification.py and regression.py):
/// SE = √(Σ Variances[k] / (n · Fractions[k])) × <see cref="Scale"/> / <see cref="Divisor"/>, and for RMSE the delta method
/// SE = √(Variances[0] / (4 · n · <see cref="Mean"/>)).
/// </summary>
/// <param name="Variances">Per component (one, or one per class): the variance of the per-row contribution on the reference.</param>
/// <param name="Fractions">Per component: the share of rows it applies to.</param>
public sealed record SamplingError(IReadOnlyList<double> Variances, IReadOnlyList<double> Fractions, double Scale = 1, double Divisor = 1, double? Mean = null)
{
    /// <summary>NannyML's band: the estimate ± this many standard errors (nannyml/sampling_error/__init__.py).</summary>
    public const double BandWidth = 3;

    public double For(long rows)
    {
        if (rows <= 0)
        {
            return double.NaN;
        }

        if (Mean is { } mean)
        {
            return mean > 0 ? Math.Sqrt(Variances[0] / (4 * rows * mean)) : double.NaN;
        }

        double sum = 0;
        for (var k = 0; k < Variances.Count; k++)
        {
            sum += Fractions[k] > 0 ? Variances[k] / (rows * Fractions[k]) : 0;
        }

        return Math.Sqrt(sum) * Scale / Divisor;
    }

    /// <summary>Accuracy: the variance of "correct" (0/1) per reference row.</summary>
    public static SamplingError Accuracy(IReadOnlyList<bool> correct) =>
        new([Variance(correct.Select(c => c ? 1.0 : 0.0).ToArray())], [1.0]);

    /// <summary>
    /// Binary F1: over the rows that are a TP, FP or FN, a TP contributes c = N_rel / (TP + ½(FP + FN)) and the others 0,
    /// which makes the mean of the contributions the F1 itself.
    /// </summary>
    public static SamplingError BinaryF1(IReadOnlyList<bool> actual, IReadOnlyList<bool> predicted)
    {
        var (values, fraction) = F1Contributions(actual, predicted, corrected: true);
        return values.Length == 0 ? new([double.NaN], [0.0]) : new([Variance(values)], [fraction]);
    }

    /// <summary>Multiclass macro F1: per class, TP rows 1 and FP or FN rows 0 (no correction), then averaged over classes.</summary>
    public static SamplingError MacroF1(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classes)
    {
        var variances = new double[classes];
        var fractions = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            var k = c;
            var (values, fraction) = F1Contributions(actual.Select(a => a == k).ToArray(), predicted.Select(p => p == k).ToArray(), corrected: false);
            (variances[c], fractions[c]) = values.Length == 0 ? (0, 0) : (Variance(values), fraction);
        }

        return new SamplingError(variances, fractions, Divisor: classes);
    }

    /// <summary>
    /// Binary ROC AUC, from the placements of the positives (the minority class, after flipping labels and scores when
    /// positives are the majority): each positive's share of negatives scored lower, ties counted half. NannyML ranks
    /// by position instead, which drops a positive ranked first and miscounts ties; the placements here are exact.
    /// </summary>
    public static SamplingError Auc(IReadOnlyList<bool> actual, IReadOnlyList<double> scores)
    {
        var (variance, fraction) = Placements(actual, scores);
        return new SamplingError([variance], [fraction]);
    }

    /// <summary>Multiclass macro ROC AUC: per class one-vs-rest placements, with NannyML's empirical factor 1.2.</summary>
    public static SamplingError MacroAuc(IReadOnlyList<int> actual, IReadOnlyList<IReadOnlyList<double>> scores, int classes)
    {
        var variances = new double[classes];
        var fractions = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            var k = c;
            (variances[c], fractions[c]) = Placements(actual.Select(a => a == k).ToArray(), scores.Select(s => s[k]).ToArray());
        }

        return new SamplingError(variances, fractions, Scale: 1.2, Divisor: classes);
    }

    /// <summary>MAE: the variance of the absolute error.</summary>
    public static SamplingError MeanAbsoluteError(IReadOnlyList<double> absoluteErrors) => new([Variance(absoluteErrors)], [1.0]);

    /// <summary>RMSE: the delta method on the squared errors' variance and mean.</summary>
    public static SamplingError RootMeanSquaredError(IReadOnlyList<double> squaredErrors) =>
        new([Variance(squaredErrors)], [1.0], Mean: squaredErrors.Count == 0 ? 0 : squaredErrors.Average());

    /// <summary>Population variance (ddof 0), as numpy's default.</summary>
    internal static double Variance(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Count;
    }

    internal static (double[] Values, double Fraction) F1Contributions(IReadOnlyList<bool> actual, IReadOnlyList<bool> predicted, bool corrected)
    {
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            tp += actual[i] && predicted[i] ? 1 : 0;
            fp += !actual[i] && predicted[i] ? 1 : 0;
            fn += actual[i] && !predicted[i] ? 1 : 0;
        }

        var relevant = tp + fp + fn;
        if (relevant == 0)
        {
            return ([], 0);
        }

        var contribution = corrected ? relevant / (tp + (0.5 * (fp + fn))) : 1.0;
        var values = new double[relevant];
        Array.Fill(values, contribution, 0, tp);
        return (values, relevant / (double)actual.Count);
    }

    internal static (double Variance, double Fraction) Placements(IReadOnlyList<bool> actual, IReadOnlyList<double> scores)
    {
        var positives = actual.Count(a => a);
        var flip = positives > actual.Count - positives;
        var y = actual.Select(a => a != flip).ToArray();
        var s = scores.Select(v => flip ? 1 - v : v).ToArray();
        var negatives = s.Where((_, i) => !y[i]).Order().ToArray();
        var minority = y.Count(v => v);
        if (minority == 0 || negatives.Length == 0)
        {
            return (double.NaN, 0);
        }

        var placements = new List<double>(minority);
        for (var i = 0; i < s.Length; i++)
        {
            if (y[i])
            {
                var below = LowerBound(negatives, s[i]);
                var equal = UpperBound(negatives, s[i]) - below;
                placements.Add((below + (0.5 * equal)) / negatives.Length);
            }
        }

        return (Variance(placements), minority / (double)actual.Count);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            (low, high) = sorted[mid] < value ? (mid + 1, high) : (low, mid);
        }

        return low;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            (low, high) = sorted[mid] <= value ? (mid + 1, high) : (low, mid);
        }

        return low;
    }
}
