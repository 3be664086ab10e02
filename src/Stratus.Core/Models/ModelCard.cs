namespace Stratus.Core.Models;

/// <summary>
/// What a model is for and how it is served. The card names the business objective and metric
/// so that experiments can later report business impact, not only ML metrics.
/// </summary>
public sealed record ModelCard
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public ModelTask Task { get; init; } = ModelTask.Other;
    public ServingTier Tier { get; init; } = ServingTier.Cpu;

    /// <summary>A gpu-tier model that may be served in-process on CPU when the tier is unavailable.</summary>
    public bool CpuFallback { get; init; }
    public string? BusinessObjective { get; init; }
    public string? BusinessMetric { get; init; }
    public string? MlMetric { get; init; }

    /// <summary>Names of the model's features in input order; lets callers send rows as objects.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Alias → version. <see cref="Aliases.Champion"/> is what predict serves by default.</summary>
    public IReadOnlyDictionary<string, int> Aliases { get; init; } = new Dictionary<string, int>();

    /// <summary>The last <see cref="AliasHistoryLength"/> alias moves, oldest first; written with <see cref="Aliases"/> under the same ETag.</summary>
    public IReadOnlyList<AliasChange>? AliasHistory { get; init; }

    public const int AliasHistoryLength = 50;

    /// <summary>The card with <paramref name="alias"/> pointing at <paramref name="version"/> (null: removed), the move recorded.</summary>
    public ModelCard WithAlias(string alias, int? version, DateTimeOffset at)
    {
        var aliases = new Dictionary<string, int>(Aliases, StringComparer.Ordinal);
        int? previous = aliases.TryGetValue(alias, out var was) ? was : null;
        if (version is { } v)
        {
            aliases[alias] = v;
        }
        else
        {
            aliases.Remove(alias);
        }

        var history = (AliasHistory ?? []).Append(new AliasChange(alias, version, previous, at)).TakeLast(AliasHistoryLength).ToArray();
        return this with { Aliases = aliases, AliasHistory = history };
    }

    /// <summary>How scheduled retraining retrains this model; null: it is not retrained.</summary>
    public Training.RetrainingPolicy? Retraining { get; init; }

    /// <summary>Drift thresholds and what a breach does; null: the defaults, and notify only.</summary>
    public MonitoringPolicy? Monitoring { get; init; }

    /// <summary>Highest version number allocated so far; 0 when none.</summary>
    public int LatestVersion { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
