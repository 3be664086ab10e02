namespace Stratus.Experiments.Statistics;

/// <summary>A two-sided confidence interval.</summary>
public readonly record struct Interval(double Lower, double Upper)
{
    public static Interval Around(double center, double halfWidth) => new(center - halfWidth, center + halfWidth);

    public bool Contains(double value) => value >= Lower && value <= Upper;
}
