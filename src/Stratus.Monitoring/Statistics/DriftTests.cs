using MathNet.Numerics;

namespace Stratus.Monitoring.Statistics;

/// <summary>A test's outcome: its statistic and p-value.</summary>
public readonly record struct TestResult(double Statistic, double PValue);

/// <summary>
/// Two-sample drift statistics over binned counts (a reference and a live window on the same bins). Distributions
/// come from MathNet.Numerics where it has them; the Kolmogorov distribution, which it lacks, is its standard series.
/// </summary>
public static class DriftTests
{
    /// <summary>Proportions below this are raised to it before the logarithm in PSI (an empty bin would be infinite).</summary>
    public const double PsiEpsilon = 1e-4;

    /// <summary>
    /// Population stability index Σ (aᵢ − eᵢ)·ln(aᵢ / eᵢ) over proportions, each first raised to at least
    /// <see cref="PsiEpsilon"/>. Common reading: &lt; 0.1 stable, 0.1–0.2 moderate, &gt; 0.2 a significant shift.
    /// </summary>
    public static double Psi(IReadOnlyList<long> expected, IReadOnlyList<long> actual)
    {
        RequireSameLength(expected, actual);
        double e = expected.Sum(), a = actual.Sum();
        if (e == 0 || a == 0)
        {
            return 0;
        }

        var psi = 0.0;
        for (var i = 0; i < expected.Count; i++)
        {
            var pe = Math.Max(expected[i] / e, PsiEpsilon);
            var pa = Math.Max(actual[i] / a, PsiEpsilon);
            psi += (pa - pe) * Math.Log(pa / pe);
        }

        return psi;
    }

    /// <summary>
    /// Two-sample Kolmogorov–Smirnov over ordered bins: D = the largest gap between the two empirical CDFs at the bin
    /// edges, and the asymptotic p-value Q(√(nm/(n+m))·D) of the Kolmogorov distribution. Binning can hide a larger gap
    /// inside a bin: the true D is at most <see cref="KsBinningError"/> above the one returned.
    /// </summary>
    public static TestResult KolmogorovSmirnov(IReadOnlyList<long> reference, IReadOnlyList<long> live)
    {
        RequireSameLength(reference, live);
        double n = reference.Sum(), m = live.Sum();
        if (n == 0 || m == 0)
        {
            return new TestResult(0, 1);
        }

        double cumulativeReference = 0, cumulativeLive = 0, d = 0;
        for (var i = 0; i < reference.Count; i++)
        {
            cumulativeReference += reference[i];
            cumulativeLive += live[i];
            d = Math.Max(d, Math.Abs(cumulativeReference / n - cumulativeLive / m));
        }

        return new TestResult(d, KolmogorovSurvival(Math.Sqrt(n * m / (n + m)) * d));
    }

    /// <summary>The most a bin can hide of the KS gap: the largest share of either sample in one bin.</summary>
    public static double KsBinningError(IReadOnlyList<long> reference, IReadOnlyList<long> live)
    {
        double n = Math.Max(1, reference.Sum()), m = Math.Max(1, live.Sum());
        return reference.Zip(live).Max(p => Math.Max(p.First / n, p.Second / m));
    }

    /// <summary>
    /// Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}, the limiting distribution of √n·D (SciPy's <c>kstwobign.sf</c>).
    /// For small λ the alternating series converges slowly, and Q is 1 to double precision there.
    /// </summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (lambda < 0.2)
        {
            return 1;
        }

        var sum = 0.0;
        for (var j = 1; j <= 100; j++)
        {
            var term = Math.Exp(-2.0 * j * j * lambda * lambda);
            sum += (j % 2 == 1 ? term : -term);
            if (term < 1e-16)
            {
                break;
            }
        }

        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>
    /// Two-sample chi-square on the 2 × k contingency table of category counts (as SciPy's <c>chi2_contingency</c>
    /// without continuity correction): both samples are estimates, so the test does not false-alarm at large live
    /// windows the way a goodness-of-fit test against the reference shares does. Categories empty in both are dropped.
    /// </summary>
    public static TestResult ChiSquare(IReadOnlyList<long> reference, IReadOnlyList<long> live)
    {
        RequireSameLength(reference, live);
        double n = reference.Sum(), m = live.Sum();
        var columns = Enumerable.Range(0, reference.Count).Where(i => reference[i] + live[i] > 0).ToArray();
        if (n == 0 || m == 0 || columns.Length < 2)
        {
            return new TestResult(0, 1);
        }

        var total = n + m;
        var statistic = 0.0;
        foreach (var i in columns)
        {
            var column = reference[i] + live[i];
            var expectedReference = column * n / total;
            var expectedLive = column * m / total;
            statistic += Math.Pow(reference[i] - expectedReference, 2) / expectedReference
                + Math.Pow(live[i] - expectedLive, 2) / expectedLive;
        }

        // The chi-square survival function as the regularized upper incomplete gamma: exact in the far tail, where 1 − CDF is not.
        return new TestResult(statistic, SpecialFunctions.GammaUpperRegularized((columns.Length - 1) / 2.0, statistic / 2));
    }

    private static void RequireSameLength(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"Both samples need the same bins ({a.Count} and {b.Count} given).");
        }
    }
}
