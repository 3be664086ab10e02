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
/// kind and direction, and the test's design (relative minimum detectable effect, α, power). Without
/// <see cref="CheckSampleRatio"/> (a canary, whose weights changed as it ramped) no sample-ratio test is made.
/// </summary>
public sealed record ExperimentDesign(
    IReadOnlyList<(string Name, double Weight)> Variants,
    MetricKind Kind,
    MetricDirection Direction,
    double MinimumDetectableEffect,
    double Alpha = 0.05,
    double Power = 0.8,
    bool CheckSampleRatio = true)
{
    public string Control => Variants[0].Name;
}
