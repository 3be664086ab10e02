namespace Stratus.Core.Experiments;

/// <summary>A unit's first exposure to an experiment, and the variant it was assigned.</summary>
public sealed record Exposure(string Unit, string Variant);

/// <summary>A business event a caller reported for a unit: its id (duplicates count once) and value.</summary>
public sealed record Outcome(string Id, string Unit, double Value);

/// <summary>What writing outcomes came to: how many were new, and how many repeated an id already stored.</summary>
public sealed record OutcomeWrite(int Accepted, int Duplicates);

/// <summary>Everything recorded for one experiment: each exposed unit's variant, the outcomes, and the requests served without a unit.</summary>
public sealed record ExperimentEvents(IReadOnlyDictionary<string, string> Units, IReadOnlyList<Outcome> Outcomes, long Unassigned);

/// <summary>
/// Exposures and outcomes per experiment (by its id). Writes are idempotent — an exposure by unit, an outcome by
/// event id — so any number of instances and callers write at once and retry freely, and nothing is counted twice.
/// </summary>
public interface IExperimentEventStore
{
    Task RecordExposuresAsync(string experiment, IReadOnlyList<Exposure> exposures, long unassigned, CancellationToken cancellationToken);

    Task<OutcomeWrite> AddOutcomesAsync(string experiment, IReadOnlyList<Outcome> outcomes, CancellationToken cancellationToken);

    Task<ExperimentEvents> ReadAsync(string experiment, CancellationToken cancellationToken);
}
