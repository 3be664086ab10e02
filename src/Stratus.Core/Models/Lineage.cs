namespace Stratus.Core.Models;

/// <summary>Where a model version came from, with enough detail to reproduce it.</summary>
public sealed record Lineage
{
    public const string UploadSource = "upload";
    public const string TrainingSource = "training";

    /// <summary><see cref="UploadSource"/> or <see cref="TrainingSource"/>.</summary>
    public required string Source { get; init; }

    public string? RunId { get; init; }
    public string? DatasetName { get; init; }
    public string? DatasetVersion { get; init; }
    public string? DatasetSha256 { get; init; }
    public string? Algorithm { get; init; }
    public IReadOnlyDictionary<string, double>? Parameters { get; init; }
    public int? Seed { get; init; }

    /// <summary>Informational version of the code that produced the artifact (includes the git commit).</summary>
    public string? CodeVersion { get; init; }

    /// <summary>The fully resolved spec of the run; with <see cref="CandidateIndex"/> it reproduces this version.</summary>
    public Training.TrainingSpec? Spec { get; init; }

    public int? CandidateIndex { get; init; }
    public string? MlNetVersion { get; init; }
    public string? OnnxRuntimeVersion { get; init; }
    public long? TrainingDurationMs { get; init; }
}
