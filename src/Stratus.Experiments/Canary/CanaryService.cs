using Microsoft.Extensions.Logging;
using Stratus.Core.Abstractions;
using Stratus.Core.Experiments;
using Stratus.Experiments.Routing;

namespace Stratus.Experiments.Canary;

/// <summary>
/// What a canary's ramp does to its experiment, step by step (the orchestration decides when): set a step's weights,
/// judge the step from the traffic since it began, roll back (challenger to 0 %, experiment stopped, why recorded),
/// or mark the ramp complete. Every write is under the experiment's ETag, re-read on a conflict.
/// </summary>
public sealed partial class CanaryService(IExperimentStore store, IExperimentEventStore events, RunningExperiments running, TimeProvider clock, ILogger<CanaryService> logger)
{
    private const int Attempts = 5;

    /// <summary>Moves the challenger to step <paramref name="step"/>'s share; returns when the step began, or null when the canary no longer runs.</summary>
    public async Task<DateTimeOffset?> SetStepAsync(string model, string name, int step, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var updated = await UpdateAsync(model, name, e =>
        {
            var share = e.Canary!.Steps[step];
            return e with
            {
                Variants = [e.Variants[0] with { Weight = 1 - share }, e.Variants[1] with { Weight = share }],
                Progress = new CanaryProgress(step, now, CanaryProgress.Ramping, null),
            };
        }, cancellationToken);
        if (updated is not null)
        {
            LogStep(model, name, step, updated.Variants[1].Weight);
        }

        return updated is null ? null : now;
    }

    public async Task<CanaryVerdict> CheckAsync(string model, string name, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if ((await store.GetAsync(model, name, cancellationToken))?.Value is not { State: ExperimentState.Running, Canary: { } plan } experiment)
        {
            return CanaryVerdict.Ended;
        }

        var calls = TrafficSlices.Merge(await events.ReadTrafficAsync(experiment.Id, since, cancellationToken), t => t.Calls);
        return CanaryHealth.Judge(plan, calls.GetValueOrDefault(experiment.Variants[0].Name) ?? new CallStats(), calls.GetValueOrDefault(experiment.Variants[1].Name) ?? new CallStats());
    }

    /// <summary>Sends every unit back to control and stops the experiment, recording why.</summary>
    public async Task RollBackAsync(string model, string name, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rolledBack = await ChangeAsync(model, name, store.EndAsync, e => e with
        {
            Variants = [e.Variants[0] with { Weight = 1 }, e.Variants[1] with { Weight = 0 }],
            State = ExperimentState.Stopped,
            EndedAt = now,
            Note = "rolled back: " + reason,
            Progress = (e.Progress ?? new CanaryProgress(0, now, CanaryProgress.RolledBack, null)) with { Status = CanaryProgress.RolledBack, Reason = reason },
        }, cancellationToken);
        if (rolledBack is not null)
        {
            LogRolledBack(model, name, reason);
        }
    }

    public async Task CompleteAsync(string model, string name, string reason, CancellationToken cancellationToken) =>
        await UpdateAsync(model, name, e => e with { Progress = e.Progress! with { Status = CanaryProgress.Complete, Reason = reason } }, cancellationToken);

    private Task<Experiment?> UpdateAsync(string model, string name, Func<Experiment, Experiment> change, CancellationToken cancellationToken) =>
        ChangeAsync(model, name, store.UpdateAsync, change, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the running canary and writes it with <paramref name="write"/> under its
    /// ETag, re-reading on a conflict; null when the canary no longer runs.
    /// </summary>
    private async Task<Experiment?> ChangeAsync(
        string model,
        string name,
        Func<Versioned<Experiment>, Experiment, CancellationToken, Task<bool>> write,
        Func<Experiment, Experiment> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await store.GetAsync(model, name, cancellationToken) is not { Value: { State: ExperimentState.Running, Canary: not null } } current)
            {
                return null;
            }

            var changed = change(current.Value);
            if (await write(current, changed, cancellationToken))
            {
                running.Invalidate(model);
                return changed;
            }
        }

        throw new InvalidOperationException($"The canary {model}/{name} kept changing while it was being updated.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {Model}/{Experiment} at step {Step}: the challenger gets {Share} of units")]
    private partial void LogStep(string model, string experiment, int step, double share);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {Model}/{Experiment} rolled back: {Reason}")]
    private partial void LogRolledBack(string model, string experiment, string reason);
}
