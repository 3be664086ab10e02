using Stratus.Core.Errors;

namespace Stratus.Core.Models;

/// <summary>
/// A card's monitoring policy: thresholds that override the defaults (PSI 0.2, p 0.01, drift share 0.5, 500 rows),
/// what a breach does (<see cref="MonitoringActions"/>), and how long after a retrain another one may start.
/// </summary>
public sealed record MonitoringPolicy
{
    public double? Psi { get; init; }
    public double? PValue { get; init; }
    public double? DriftShare { get; init; }
    public int? MinRows { get; init; }

    /// <summary>Signal <c>estimatedDrop</c>: how far estimated or realized performance may fall below the reference (default 0.05).</summary>
    public double? EstimatedDrop { get; init; }

    /// <summary><c>notify</c> and/or <c>retrain</c>; empty: <c>notify</c>.</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    public double CooldownHours { get; init; } = 24;

    public IReadOnlyList<string> EffectiveActions => Actions is { Count: > 0 } actions ? actions : [MonitoringActions.Notify];

    public void Validate()
    {
        if (Psi is <= 0 || PValue is <= 0 or >= 1 || DriftShare is <= 0 or > 1 || MinRows is < 1 || CooldownHours < 0 || EstimatedDrop is <= 0 or >= 1)
        {
            throw DomainException.Invalid("Invalid model card", "'monitoring' needs psi > 0, 0 < pValue < 1, 0 < driftShare ≤ 1, minRows ≥ 1, 0 < estimatedDrop < 1 and cooldownHours ≥ 0.");
        }

        if (Actions?.FirstOrDefault(a => a is not (MonitoringActions.Notify or MonitoringActions.Retrain)) is { } unknown)
        {
            throw DomainException.Invalid("Invalid model card", $"'monitoring.actions' holds '{unknown}'; the actions are '{MonitoringActions.Notify}' and '{MonitoringActions.Retrain}'.");
        }
    }
}

public static class MonitoringActions
{
    public const string Notify = "notify";
    public const string Retrain = "retrain";
}
