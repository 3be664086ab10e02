namespace Stratus.Monitoring.Estimation;

/// <summary>
/// A metric estimated without labels for a window: the estimate, its band (± 3 standard errors for the window's rows,
/// clipped to the metric's range), the reference's realized value, and whether it alerts (worse than the reference
/// by more than the threshold and the reference outside the band). Where feedback labels exist for the same window,
/// <see cref="Realized"/> stands next to it and decides instead.
/// </summary>
public sealed record EstimatedMetric(double Value, double Lower, double Upper, double Reference, bool Alert, string Method)
{
    /// <summary>The rows the estimate rests on (its band is for this many).</summary>
    public long Rows { get; init; }

    public double? Realized { get; init; }

    public int? RealizedRows { get; init; }
}
