namespace Stratus.Experiments.Statistics;

/// <summary>
/// One variant's per-unit outcomes, kept as sufficient statistics: units, the sum of their values and the sum of
/// squares (a binary metric's value is 0 or 1 per unit, so its sum is the conversions). Samples merge by adding.
/// </summary>
public readonly record struct VariantSample(long Units, double Sum, double SumOfSquares)
{
    public static VariantSample Binary(long units, long conversions) => new(units, conversions, conversions);

    public static VariantSample Of(IEnumerable<double> values)
    {
        long n = 0;
        double sum = 0, squares = 0;
        foreach (var v in values)
        {
            n++;
            sum += v;
            squares += v * v;
        }

        return new VariantSample(n, sum, squares);
    }

    public double Mean => Units == 0 ? double.NaN : Sum / Units;

    /// <summary>The variance of one unit's value: p(1 − p) for a binary metric, the sample variance (n − 1) for a continuous one.</summary>
    public double UnitVariance(MetricKind kind) => kind == MetricKind.Binary
        ? Mean * (1 - Mean)
        : Units < 2 ? double.NaN : (SumOfSquares - (Sum * Sum / Units)) / (Units - 1);

    /// <summary>The variance of <see cref="Mean"/>.</summary>
    public double MeanVariance(MetricKind kind) => UnitVariance(kind) / Units;

    public VariantSample Plus(VariantSample other) => new(Units + other.Units, Sum + other.Sum, SumOfSquares + other.SumOfSquares);
}

/// <summary>How a business metric aggregates per unit: converted or not, or a sum of values (revenue per user).</summary>
public enum MetricKind
{
    Binary,
    Continuous,
}
