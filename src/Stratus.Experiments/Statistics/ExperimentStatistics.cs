using MathNet.Numerics.Distributions;

namespace Stratus.Experiments.Statistics;

/// <summary>
/// The statistics of an experiment's readout, checked against SciPy in a committed fixture
/// (tests/Stratus.UnitTests/Experiments/Fixtures/make_experiment_fixture.py). Distributions come from MathNet.Numerics.
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>A variant's mean with its normal (Wald) interval.</summary>
    public static Interval MeanInterval(VariantSample sample, MetricKind kind, double alpha = 0.05) =>
        Interval.Around(sample.Mean, Z(alpha) * Math.Sqrt(sample.MeanVariance(kind)));

    /// <summary>
    /// Treatment against control. Lift intervals are normal with unpooled variances (the relative one by the delta
    /// method); the fixed-horizon p-value is the pooled two-proportion z-test (binary) or Welch's t-test (continuous).
    /// </summary>
    /// <param name="tau2">The mSPRT mixture's variance, on the lift's scale (see <see cref="AlwaysValid"/>).</param>
    public static Comparison Compare(VariantSample control, VariantSample treatment, MetricKind kind, double tau2, double alpha = 0.05)
    {
        var (m0, m1) = (control.Mean, treatment.Mean);
        var (v0, v1) = (control.MeanVariance(kind), treatment.MeanVariance(kind));
        var lift = m1 - m0;
        var z = Z(alpha);
        var relative = lift / m0;
        var relativeVariance = (v1 / (m0 * m0)) + (m1 * m1 * v0 / (m0 * m0 * m0 * m0));
        var (alwaysValidP, alwaysValidInterval) = AlwaysValid(lift, v0 + v1, tau2, alpha);
        return new Comparison(
            lift,
            Interval.Around(lift, z * Math.Sqrt(v0 + v1)),
            relative,
            Interval.Around(relative, z * Math.Sqrt(relativeVariance)),
            kind == MetricKind.Binary ? TwoProportionZ(control, treatment) : Welch(control, treatment).PValue,
            alwaysValidP,
            alwaysValidInterval);
    }

    /// <summary>Two-sided pooled two-proportion z-test.</summary>
    public static double TwoProportionZ(VariantSample control, VariantSample treatment)
    {
        var pooled = (control.Sum + treatment.Sum) / (control.Units + treatment.Units);
        var se = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / control.Units) + (1.0 / treatment.Units)));
        return se == 0 ? 1 : 2 * Normal.CDF(0, 1, -Math.Abs((treatment.Mean - control.Mean) / se));
    }

    /// <summary>Welch's two-sided t-test: the p-value and the Welch–Satterthwaite degrees of freedom.</summary>
    public static (double PValue, double DegreesOfFreedom) Welch(VariantSample control, VariantSample treatment)
    {
        var (v0, v1) = (control.MeanVariance(MetricKind.Continuous), treatment.MeanVariance(MetricKind.Continuous));
        var se2 = v0 + v1;
        if (se2 == 0)
        {
            return (1, double.NaN);
        }

        var df = se2 * se2 / ((v0 * v0 / (control.Units - 1)) + (v1 * v1 / (treatment.Units - 1)));
        var t = (treatment.Mean - control.Mean) / Math.Sqrt(se2);
        return (2 * StudentT.CDF(0, 1, df, -Math.Abs(t)), df);
    }

    /// <summary>
    /// The mixture sequential probability ratio test with a normal mixture (Johari, Pekelis, Walsh, "Always Valid
    /// Inference", 2017): for a lift estimate d with variance V and the mixture N(0, τ²) over the true lift,
    /// Λ = √(V / (V + τ²)) · exp(τ² d² / (2 V (V + τ²))); the always-valid p-value is min(1, 1/Λ) and the interval is
    /// the set of lifts Λ would not reject at α: d ± √(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V))).
    /// τ² is the tuning parameter: the test is most powerful for true lifts near τ. A caller keeping the running
    /// minimum of the p-value over its looks gets the sequence NannyML-style dashboards show.
    /// </summary>
    public static (double PValue, Interval Interval) AlwaysValid(double lift, double variance, double tau2, double alpha = 0.05)
    {
        if (!(variance > 0) || !(tau2 > 0))
        {
            return (1, new Interval(double.NegativeInfinity, double.PositiveInfinity));
        }

        var logLambda = (0.5 * Math.Log(variance / (variance + tau2))) + (tau2 * lift * lift / (2 * variance * (variance + tau2)));
        var p = Math.Min(1, Math.Exp(-logLambda));
        var half = Math.Sqrt(variance * (variance + tau2) / tau2 * ((2 * Math.Log(1 / alpha)) + Math.Log((variance + tau2) / variance)));
        return (p, Interval.Around(lift, half));
    }

    /// <summary>Sample-ratio mismatch: Pearson's chi-square of the units against the weights; flagged below <see cref="SrmThreshold"/>.</summary>
    public static double SampleRatioMismatch(IReadOnlyList<long> units, IReadOnlyList<double> weights)
    {
        var total = units.Sum();
        var statistic = units.Select((u, i) => (u - (weights[i] * total)) * (u - (weights[i] * total)) / (weights[i] * total)).Sum();
        // The upper tail directly (Q(k/2, x/2)), not 1 − CDF, which rounds a strong mismatch's p-value to 0.
        return MathNet.Numerics.SpecialFunctions.GammaUpperRegularized((units.Count - 1) / 2.0, statistic / 2);
    }

    /// <summary>GrowthBook's and Eppo's threshold for flagging a sample-ratio mismatch.</summary>
    public const double SrmThreshold = 0.001;

    /// <summary>Units per variant to detect a relative effect <paramref name="mde"/> on a binary metric with baseline rate <paramref name="baseline"/>.</summary>
    public static double BinarySampleSize(double baseline, double mde, double alpha = 0.05, double power = 0.8)
    {
        var treated = baseline * (1 + mde);
        var z = Z(alpha) + Normal.InvCDF(0, 1, power);
        return z * z * ((baseline * (1 - baseline)) + (treated * (1 - treated))) / ((treated - baseline) * (treated - baseline));
    }

    /// <summary>Units per variant to detect a relative effect <paramref name="mde"/> on a continuous metric with mean <paramref name="baseline"/> and unit standard deviation <paramref name="sd"/>.</summary>
    public static double ContinuousSampleSize(double baseline, double sd, double mde, double alpha = 0.05, double power = 0.8)
    {
        var z = Z(alpha) + Normal.InvCDF(0, 1, power);
        var effect = baseline * mde;
        return 2 * z * z * sd * sd / (effect * effect);
    }

    private static double Z(double alpha) => Normal.InvCDF(0, 1, 1 - (alpha / 2));
}
