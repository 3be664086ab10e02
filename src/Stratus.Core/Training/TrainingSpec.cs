using Stratus.Core.Models;

namespace Stratus.Core.Training;

/// <summary>
/// A fully resolved training specification: the dataset pinned to a content hash, every default filled in and
/// the candidate grid expanded. Stored in each trained version's lineage so the run can be reproduced exactly.
/// </summary>
public sealed record TrainingSpec
{
    public required DatasetRef Dataset { get; init; }
    public required string Label { get; init; }

    /// <summary>The label column's profiled type; numeric class labels stay numbers in predictions.</summary>
    public required string LabelType { get; init; }

    public required IReadOnlyList<FeatureSpec> Features { get; init; }
    public required ModelTask Task { get; init; }
    public required IReadOnlyList<CandidateSpec> Candidates { get; init; }
    public required double HoldoutFraction { get; init; }
    public required int Seed { get; init; }
    public required string Metric { get; init; }
    public double? Minimum { get; init; }
    public required PromotionPolicy Promote { get; init; }
}

public sealed record DatasetRef(string Name, string Version, string Sha256)
{
    public override string ToString() => $"{Name}@{Version}";
}

/// <summary>A feature column and its type (<c>number</c> or <c>string</c>, from the dataset profile).</summary>
public sealed record FeatureSpec(string Name, string Type);

/// <summary>One concrete candidate: an algorithm with one value per parameter.</summary>
public sealed record CandidateSpec(string Algorithm, IReadOnlyDictionary<string, double> Params)
{
    public override string ToString() => $"{Algorithm}({string.Join(", ", Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"))})";
}
