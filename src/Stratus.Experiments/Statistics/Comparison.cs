namespace Stratus.Experiments.Statistics;

/// <summary>
/// A variant against control: absolute and relative lift with their confidence intervals, the fixed-horizon
/// p-value (valid for one look at a sample size fixed in advance), and the always-valid p-value and interval of the
/// mixture sequential probability ratio test (valid however often the experiment is looked at).
/// </summary>
public sealed record Comparison(
    double Lift,
    Interval LiftInterval,
    double RelativeLift,
    Interval RelativeLiftInterval,
    double PValue,
    double AlwaysValidPValue,
    Interval AlwaysValidInterval);
