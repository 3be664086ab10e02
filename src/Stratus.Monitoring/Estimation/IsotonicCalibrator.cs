namespace Stratus.Monitoring.Estimation;

/// <summary>
/// A fitted isotonic (non-decreasing) map from a model's score to the probability that the class is true, as
/// scikit-learn's <c>IsotonicRegression(out_of_bounds="clip", increasing=True)</c> fits it and NannyML uses it
/// (nannyml/calibration.py, <c>IsotonicCalibrator</c>): tied scores are averaged into one point, the pool-adjacent-violators
/// algorithm makes the points non-decreasing, and a score is mapped by linear interpolation between the fitted points,
/// clipped to the first and last. No kept .NET library offers isotonic regression; this is checked against scikit-learn
/// (tests' estimation fixture).
/// </summary>
/// <param name="X">Distinct scores, increasing.</param>
/// <param name="Y">The fitted probability at each of <paramref name="X"/>, non-decreasing.</param>
public sealed record IsotonicCalibrator(IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    public static IsotonicCalibrator Fit(IReadOnlyList<double> scores, IReadOnlyList<double> labels)
    {
        if (scores.Count != labels.Count || scores.Count == 0)
        {
            throw new ArgumentException("Scores and labels must be non-empty and of equal length.", nameof(scores));
        }

        // Tied scores become one point weighted by their count, holding their mean label.
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var x = new List<double>();
        var sum = new List<double>();
        var weight = new List<double>();
        foreach (var i in order)
        {
            if (x.Count > 0 && x[^1] == scores[i])
            {
                sum[^1] += labels[i];
                weight[^1] += 1;
            }
            else
            {
                x.Add(scores[i]);
                sum.Add(labels[i]);
                weight.Add(1);
            }
        }

        // Pool adjacent violators: blocks of points share their weighted mean until the means are non-decreasing.
        var blockMean = new List<double>();
        var blockWeight = new List<double>();
        var blockSize = new List<int>();
        for (var i = 0; i < x.Count; i++)
        {
            blockMean.Add(sum[i] / weight[i]);
            blockWeight.Add(weight[i]);
            blockSize.Add(1);
            while (blockMean.Count > 1 && blockMean[^2] > blockMean[^1])
            {
                var w = blockWeight[^2] + blockWeight[^1];
                var m = ((blockMean[^2] * blockWeight[^2]) + (blockMean[^1] * blockWeight[^1])) / w;
                var size = blockSize[^2] + blockSize[^1];
                blockMean.RemoveAt(blockMean.Count - 1);
                blockWeight.RemoveAt(blockWeight.Count - 1);
                blockSize.RemoveAt(blockSize.Count - 1);
                blockMean[^1] = m;
                blockWeight[^1] = w;
                blockSize[^1] = size;
            }
        }

        var y = new double[x.Count];
        var at = 0;
        for (var b = 0; b < blockMean.Count; b++)
        {
            for (var k = 0; k < blockSize[b]; k++)
            {
                y[at++] = blockMean[b];
            }
        }

        return Trim([.. x], y);
    }

    /// <summary>The calibrated probability of <paramref name="score"/>.</summary>
    public double Apply(double score)
    {
        if (double.IsNaN(score))
        {
            return double.NaN;
        }

        if (score <= X[0])
        {
            return Y[0];
        }

        if (score >= X[^1])
        {
            return Y[^1];
        }

        // The first point above the score; the score lies between it and the one before.
        int low = 0, high = X.Count - 1;
        while (high - low > 1)
        {
            var mid = (low + high) >>> 1;
            if (X[mid] <= score)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        var t = (score - X[low]) / (X[high] - X[low]);
        return Y[low] + (t * (Y[high] - Y[low]));
    }

    /// <summary>Keeps only the first and last point of each flat run: interpolation between them is the same, and the calibrator stays small.</summary>
    private static IsotonicCalibrator Trim(double[] x, double[] y)
    {
        var keepX = new List<double>();
        var keepY = new List<double>();
        for (var i = 0; i < x.Length; i++)
        {
            var flatBefore = i > 0 && y[i - 1] == y[i];
            var flatAfter = i < x.Length - 1 && y[i + 1] == y[i];
            if (!(flatBefore && flatAfter))
            {
                keepX.Add(x[i]);
                keepY.Add(y[i]);
            }
        }

        return new IsotonicCalibrator(keepX, keepY);
    }
}
