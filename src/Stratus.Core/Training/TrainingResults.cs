namespace Stratus.Core.Training;

/// <summary>What one candidate produced: metrics and an ONNX artifact, or the error that stopped it.</summary>
public sealed record CandidateResult
{
    public required int Index { get; init; }
    public required string Algorithm { get; init; }
    public required IReadOnlyDictionary<string, double> Params { get; init; }
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public string? Error { get; init; }
    public long DurationMs { get; init; }

    /// <summary>Blob (training container) holding the exported ONNX.</summary>
    public string? ArtifactPath { get; init; }

    public string? Sha256 { get; init; }
}

/// <summary>The output of the TrainModel orchestration.</summary>
public sealed record TrainOutput
{
    public required string Model { get; init; }
    public int? Version { get; init; }
    public bool Promoted { get; init; }
    public string? Alias { get; init; }
    public string? Reason { get; init; }
    public CandidateSummary? Best { get; init; }
    public ChampionSummary? Champion { get; init; }
    public required IReadOnlyList<CandidateSummary> Candidates { get; init; }
}

public sealed record CandidateSummary(string Algorithm, IReadOnlyDictionary<string, double> Params, IReadOnlyDictionary<string, double>? Metrics, string? Error, long DurationMs);

public sealed record ChampionSummary(int Version, IReadOnlyDictionary<string, double>? Metrics, string? Note = null);
