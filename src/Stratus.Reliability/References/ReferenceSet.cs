using Stratus.Core.Models;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.References;

/// <summary>
/// "How this version behaved when it was validated": the reference rows' labels, the version's own outputs on them,
/// the realized metrics, and the sketches live windows are compared with (features, then the outputs under
/// <see cref="OutputPrefix"/>). Raw feature values are not kept. Stored as JSON next to the version's artifact.
/// </summary>
public sealed record ReferenceSet
{
    public const string OutputPrefix = "output:";

    public const string HoldoutSource = "holdout";
    public const string UploadSource = "upload";

    public required string Model { get; init; }
    public required int Version { get; init; }
    public required ModelTask Task { get; init; }
    public required string Source { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required int Rows { get; init; }
    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>Class names in score order (classifiers).</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    public required MonitoringReference Sketches { get; init; }

    /// <summary>True classes (classifiers), row by row.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>True values (regression), row by row.</summary>
    public IReadOnlyList<double>? Values { get; init; }

    /// <summary>The version's outputs on the reference rows, row by row.</summary>
    public required IReadOnlyList<OutputRow> Outputs { get; init; }

    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>How to estimate this version's performance without labels (CBPE, DLE); null where it cannot be (no probability output, say).</summary>
    public PerformanceReference? Estimation { get; init; }

    /// <summary>Why <see cref="Estimation"/> is null.</summary>
    public string? EstimationUnavailable { get; init; }
}
