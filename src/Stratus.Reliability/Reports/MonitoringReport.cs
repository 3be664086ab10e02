using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;

namespace Stratus.Reliability.Reports;

/// <summary>The answer of <c>GET /api/models/{name}/monitoring</c>.</summary>
public sealed record MonitoringReport
{
    public required string Model { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required long Rows { get; init; }

    /// <summary>Null when the version has no reference yet.</summary>
    public ReferenceInfo? Reference { get; init; }

    public required IReadOnlyList<FeatureDrift> Features { get; init; }
    public required IReadOnlyList<FeatureDrift> Outputs { get; init; }
    public required double DriftShare { get; init; }
    public required bool DatasetDrift { get; init; }
    public required RealizedInfo Realized { get; init; }

    /// <summary>Performance estimated without labels (CBPE, DLE), per metric; empty when <see cref="Estimation"/> says it is unavailable.</summary>
    public required IReadOnlyDictionary<string, EstimatedMetric> Estimated { get; init; }

    public required EstimationInfo Estimation { get; init; }

    /// <summary><c>ok</c>, <c>warning</c>, <c>drift</c> or <c>insufficient-data</c>.</summary>
    public required DriftVerdict Verdict { get; init; }

    public required IReadOnlyList<string> Reasons { get; init; }
    public required DriftThresholds Thresholds { get; init; }
}

public sealed record ReferenceInfo(string Source, int Rows, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Whether performance could be estimated, by which method, on how many rows, under which assumptions, and why not.</summary>
public sealed record EstimationInfo(bool Available, string? Method, long Rows, IReadOnlyList<string> Assumptions, string? Reason)
{
    public IReadOnlyList<ClassCalibration>? Calibration { get; init; }

    public IReadOnlyDictionary<string, double>? LossModelCheck { get; init; }

    public static EstimationInfo Unavailable(string reason, string? method = null, long rows = 0) =>
        new(false, method, rows, method is null ? [] : PerformanceReference.Assumptions[method], reason);
}

/// <summary>Metrics from feedback joined in the range, with how many labelled rows they rest on.</summary>
public sealed record RealizedInfo(int Rows, IReadOnlyDictionary<string, double> Metrics);
