using Microsoft.Azure.Functions.Worker;
using Stratus.Experiments.Canary;

namespace Stratus.Functions.Orchestrations;

/// <summary>The activities of a canary's ramp: thin wrappers over <see cref="CanaryService"/>.</summary>
public sealed class CanaryActivities(CanaryService canary)
{
    public const string SetStep = nameof(CanarySetStepActivity);
    public const string Check = nameof(CanaryCheckActivity);
    public const string RollBack = nameof(CanaryRollBackActivity);
    public const string Complete = nameof(CanaryCompleteActivity);

    [Function(SetStep)]
    public Task<DateTimeOffset?> CanarySetStepActivity([ActivityTrigger] CanaryStepInput input, CancellationToken cancellationToken) =>
        canary.SetStepAsync(input.Model, input.Experiment, input.Step, cancellationToken);

    [Function(Check)]
    public async Task<CanaryVerdictResult> CanaryCheckActivity([ActivityTrigger] CanaryCheckInput input, CancellationToken cancellationToken)
    {
        var verdict = await canary.CheckAsync(input.Model, input.Experiment, input.Since, cancellationToken);
        return new CanaryVerdictResult(verdict.Running, verdict.Breach, verdict.Enough, verdict.Reason);
    }

    [Function(RollBack)]
    public Task CanaryRollBackActivity([ActivityTrigger] CanaryEndInput input, CancellationToken cancellationToken) =>
        canary.RollBackAsync(input.Model, input.Experiment, input.Reason, cancellationToken);

    [Function(Complete)]
    public Task CanaryCompleteActivity([ActivityTrigger] CanaryEndInput input, CancellationToken cancellationToken) =>
        canary.CompleteAsync(input.Model, input.Experiment, input.Reason, cancellationToken);
}
