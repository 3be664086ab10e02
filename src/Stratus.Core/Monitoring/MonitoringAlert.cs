namespace Stratus.Core.Monitoring;

/// <summary>One signal that crossed its threshold: e.g. <c>psi</c> of feature <c>age</c> at 0.31 against 0.2.</summary>
public sealed record AlertSignal(string Signal, string? Feature, double Value, double Threshold);

/// <summary>
/// A monitoring breach: which model version, over which window, the verdict and the signals behind it, and what was
/// done about it (<see cref="Actions"/>: <c>notify</c>, <c>retrain</c>), with a note when an action was held back.
/// </summary>
public sealed record MonitoringAlert
{
    public required string Id { get; init; }
    public required string Model { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset RaisedAt { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required string Verdict { get; init; }
    public required IReadOnlyList<AlertSignal> Signals { get; init; }
    public required IReadOnlyList<string> Actions { get; init; }

    /// <summary>The TrainModel run a <c>retrain</c> action started.</summary>
    public string? RetrainRunId { get; init; }

    public string? Note { get; init; }
}

/// <summary>Alerts per model, newest first.</summary>
public interface IAlertStore
{
    Task AddAsync(MonitoringAlert alert, CancellationToken cancellationToken);

    /// <summary>Alerts raised at or after <paramref name="since"/>, of one model or of all (null), newest first.</summary>
    Task<IReadOnlyList<MonitoringAlert>> ListAsync(string? model, DateTimeOffset since, CancellationToken cancellationToken);
}
