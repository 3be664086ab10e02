namespace Stratus.Experiments.Management;

/// <summary>The body of <c>PUT /api/models/{name}/experiments/{experiment}</c>; every default is filled by <see cref="ExperimentService"/>.</summary>
public sealed record ExperimentRequest
{
    public IReadOnlyList<VariantRequest>? Variants { get; init; }
    public MetricRequest? Metric { get; init; }
    public double? MinimumDetectableEffect { get; init; }
    public double? Alpha { get; init; }
    public double? Power { get; init; }
    public string? Mode { get; init; }
    public CanaryRequest? Canary { get; init; }
}

/// <summary>A canary's ramp and guards; every field defaults (see <see cref="Core.Experiments.CanaryPlan"/>).</summary>
public sealed record CanaryRequest(IReadOnlyList<double>? Steps, int? HoldSeconds, long? MinRequests, double? MaxErrorRateIncrease, double? MaxLatencyRatio);

public sealed record VariantRequest(string? Name, int? Version, string? Alias, double? Weight);

public sealed record MetricRequest(string? Name, string? Kind, string? Direction);

/// <summary>The body of <c>POST …/experiments/{experiment}/stop</c>.</summary>
public sealed record StopRequest(string? Reason);
