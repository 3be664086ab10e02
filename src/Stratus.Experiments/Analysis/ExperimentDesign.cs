using Stratus.Experiments.Statistics;

namespace Stratus.Experiments.Analysis;

/// <summary>Which way the business metric should move.</summary>
public enum MetricDirection
{
    Increase,
    Decrease,
}

/// <summary>
/// What an analysis needs of an experiment: the variants' names and weights (the first is control), the metric's
/// kind and direction, and the test's design (relative minimum detectable effect, α, power).
/// </summary>
public sealed record ExperimentDesign(
    IReadOnlyList<(string Name, double Weight)> Variants,
    MetricKind Kind,
    MetricDirection Direction,
    double MinimumDetectableEffect,
    double Alpha = 0.05,
    double Power = 0.8)
{
    public string Control => Variants[0].Name;
}
