namespace Stratus.Core.Experiments;

/// <summary>A unit's first exposure to an experiment, and the variant it was assigned.</summary>
public sealed record Exposure(string Unit, string Variant);

/// <summary>A business event a caller reported for a unit: its id (duplicates count once) and value.</summary>
public sealed record Outcome(string Id, string Unit, double Value)
{
    /// <summary>When storage took it in (set when read back); orders outcomes for the readout's history.</summary>
    public DateTimeOffset? RecordedAt { get; init; }
}

/// <summary>What writing outcomes came to: how many were new, and how many repeated an id already stored.</summary>
public sealed record OutcomeWrite(int Accepted, int Duplicates);

/// <summary>
/// One instance's traffic of one experiment between two flushes: requests served without a unit, each variant's calls,
/// each shadow's calls and comparisons, and shadow calls dropped because the shadow queue was full.
/// </summary>
public sealed record TrafficSlice(DateTimeOffset At, long Unassigned, IReadOnlyDictionary<string, CallStats> Calls, IReadOnlyDictionary<string, CallStats> Shadows, long ShadowDropped)
{
    public bool IsEmpty => Unassigned == 0 && Calls.Count == 0 && Shadows.Count == 0 && ShadowDropped == 0;
}

/// <summary>Everything recorded for one experiment: each exposed unit's variant, the outcomes, and the traffic slices.</summary>
public sealed record ExperimentEvents(IReadOnlyDictionary<string, string> Units, IReadOnlyList<Outcome> Outcomes, IReadOnlyList<TrafficSlice> Traffic)
{
    /// <summary>When each unit's exposure was last written by storage (an exposure is written once per unit per instance).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset>? UnitsSeenAt { get; init; }

    public long Unassigned => Traffic.Sum(t => t.Unassigned);
}

/// <summary>
/// Exposures, traffic and outcomes per experiment (by its id). Writes are idempotent — an exposure by unit, an outcome
/// by event id — or append-only (traffic slices), so any number of instances and callers write at once and retry
/// freely, and nothing is counted twice or lost to a race.
/// </summary>
public interface IExperimentEventStore
{
    Task RecordTrafficAsync(string experiment, IReadOnlyList<Exposure> exposures, TrafficSlice traffic, CancellationToken cancellationToken);

    Task<OutcomeWrite> AddOutcomesAsync(string experiment, IReadOnlyList<Outcome> outcomes, CancellationToken cancellationToken);

    Task<ExperimentEvents> ReadAsync(string experiment, CancellationToken cancellationToken);

    /// <summary>Only the traffic slices written at or after <paramref name="since"/> (a canary step's health check).</summary>
    Task<IReadOnlyList<TrafficSlice>> ReadTrafficAsync(string experiment, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>Merging traffic slices per variant.</summary>
public static class TrafficSlices
{
    public static Dictionary<string, CallStats> Merge(IEnumerable<TrafficSlice> slices, Func<TrafficSlice, IReadOnlyDictionary<string, CallStats>> part)
    {
        var merged = new Dictionary<string, CallStats>(StringComparer.Ordinal);
        foreach (var (variant, stats) in slices.SelectMany(s => part(s)))
        {
            if (!merged.TryGetValue(variant, out var sum))
            {
                merged[variant] = sum = new CallStats();
            }

            sum.Add(stats);
        }

        return merged;
    }
}
