namespace Stratus.Core.Experiments;

/// <summary>
/// A stored experiment: how traffic of one model is split between versions and which business metric judges them.
/// The first variant is control. One experiment per model runs at a time.
/// </summary>
public sealed record Experiment
{
    public required string Model { get; init; }
    public required string Name { get; init; }

    /// <summary>Identifies the experiment in assignment hashes: a new experiment of the same name reshuffles units.</summary>
    public required string Id { get; init; }

    public required IReadOnlyList<ExperimentVariant> Variants { get; init; }
    public required ExperimentMetric Metric { get; init; }
    public required double MinimumDetectableEffect { get; init; }
    public double Alpha { get; init; } = 0.05;
    public double Power { get; init; } = 0.8;
    public ExperimentMode Mode { get; init; } = ExperimentMode.Ab;
    public ExperimentState State { get; init; } = ExperimentState.Running;
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why it stopped or how it was concluded, and by whom.</summary>
    public string? Note { get; init; }

    /// <summary>Set when the experiment was concluded: who applied which decision, and what it did to the champion.</summary>
    public ExperimentConclusion? Conclusion { get; init; }

    /// <summary>Canary mode: the ramp's schedule and guards, and where the ramp stands.</summary>
    public CanaryPlan? Canary { get; init; }

    public CanaryProgress? Progress { get; init; }
}

/// <summary>
/// A canary's ramp: the challenger's share at each step, how long each step is held and how many challenger calls it
/// needs before it is judged, and the guards — the challenger's error rate may exceed control's by at most
/// <see cref="MaxErrorRateIncrease"/>, and its p99 latency be at most <see cref="MaxLatencyRatio"/> times control's.
/// </summary>
public sealed record CanaryPlan(IReadOnlyList<double> Steps, int HoldSeconds, long MinRequests, double MaxErrorRateIncrease, double MaxLatencyRatio)
{
    public static readonly IReadOnlyList<double> DefaultSteps = [0.05, 0.25, 0.5];
    public const int DefaultHoldSeconds = 600;
    public const long DefaultMinRequests = 100;
    public const double DefaultMaxErrorRateIncrease = 0.02;
    public const double DefaultMaxLatencyRatio = 1.5;
}

/// <summary>Where a canary's ramp stands: the step (index into the plan's steps) and when it began; <c>ramping</c>, <c>complete</c> (held at the last step) or <c>rolled-back</c>, and why.</summary>
public sealed record CanaryProgress(int Step, DateTimeOffset StepStartedAt, string Status, string? Reason)
{
    public const string Ramping = "ramping";
    public const string Complete = "complete";
    public const string RolledBack = "rolled-back";
}

/// <summary>
/// A concluded experiment's record: who concluded it, the decision applied and its reason, the variant shipped (null:
/// control kept) and the version the champion alias then pointed at.
/// </summary>
public sealed record ExperimentConclusion(string By, string Decision, string Reason, string? Shipped, int? Champion, DateTimeOffset At);

/// <summary>One arm: the version it serves (an alias is resolved when the experiment starts and kept for the record), and its share of units.</summary>
public sealed record ExperimentVariant(string Name, int? Version, string? Alias, double Weight);

/// <summary>The business metric: <c>binary</c> (the unit converted) or <c>continuous</c> (a sum per unit), and which way is better.</summary>
public sealed record ExperimentMetric(string Name, string Kind, string Direction)
{
    public const string Binary = "binary";
    public const string Continuous = "continuous";
    public const string Increase = "increase";
    public const string Decrease = "decrease";
}

public enum ExperimentMode
{
    Ab,
    Shadow,
    Canary,
}

public enum ExperimentState
{
    Running,
    Stopped,
    Concluded,
}
