using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Stratus.Core.Experiments;

namespace Stratus.Functions.Orchestrations;

public sealed record CanaryInput(string Model, string Experiment, CanaryPlan Plan, DateTimeOffset StartedAt);

public sealed record CanaryStepInput(string Model, string Experiment, int Step);

public sealed record CanaryCheckInput(string Model, string Experiment, DateTimeOffset Since);

public sealed record CanaryEndInput(string Model, string Experiment, string Reason);

/// <summary>
/// A canary's ramp: for each step, set the challenger's share, hold it for the plan's time on a durable timer (so a
/// restart resumes where it was), then judge the calls since the step began — a breach rolls back and ends the ramp,
/// too few challenger calls holds the step again (up to <see cref="MaxHoldsPerStep"/> times, then it rolls back), a
/// healthy step moves on. After the last step the experiment keeps
/// running at that split, to be read out and concluded like an A/B test. Deterministic: clocks and I/O are in the
/// activities and the timers.
/// </summary>
public static class CanaryOrchestrator
{
    public const string Name = "Canary";

    /// <summary>Holds of one step without enough challenger calls before the ramp rolls back.</summary>
    public const int MaxHoldsPerStep = 48;

    [Function(Name)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context, CanaryInput input)
    {
        var hold = TimeSpan.FromSeconds(input.Plan.HoldSeconds);
        for (var step = 0; step < input.Plan.Steps.Count; step++)
        {
            // The experiment starts at the first step's split; later steps are set here.
            var started = step == 0 ? input.StartedAt : await context.CallActivityAsync<DateTimeOffset?>(CanaryActivities.SetStep, new CanaryStepInput(input.Model, input.Experiment, step), TrainModelOrchestrator.Retry);
            if (started is not { } since)
            {
                return "ended";
            }

            context.SetCustomStatus(new { step, share = input.Plan.Steps[step] });
            for (var holds = 1; ; holds++)
            {
                await context.CreateTimer(context.CurrentUtcDateTime + hold, CancellationToken.None);
                var verdict = await context.CallActivityAsync<CanaryVerdictResult>(CanaryActivities.Check, new CanaryCheckInput(input.Model, input.Experiment, since), TrainModelOrchestrator.Retry);
                if (!verdict.Running)
                {
                    return "ended";
                }

                if (verdict.Breach)
                {
                    await context.CallActivityAsync(CanaryActivities.RollBack, new CanaryEndInput(input.Model, input.Experiment, verdict.Reason), TrainModelOrchestrator.Retry);
                    return "rolled-back: " + verdict.Reason;
                }

                if (verdict.Enough)
                {
                    break;
                }

                // A challenger that never gets its calls (callers send no unit, or too little traffic) is not judged
                // forever: the ramp gives up safely, and the history stays bounded.
                if (holds == MaxHoldsPerStep)
                {
                    var reason = string.Create(CultureInfo.InvariantCulture, $"{verdict.Reason} after {holds} holds of {input.Plan.HoldSeconds} s");
                    await context.CallActivityAsync(CanaryActivities.RollBack, new CanaryEndInput(input.Model, input.Experiment, reason), TrainModelOrchestrator.Retry);
                    return "rolled-back: " + reason;
                }
            }
        }

        await context.CallActivityAsync(CanaryActivities.Complete, new CanaryEndInput(input.Model, input.Experiment, "every step was healthy"), TrainModelOrchestrator.Retry);
        return "complete";
    }
}

/// <summary>A step's judgement as the orchestration records it.</summary>
public sealed record CanaryVerdictResult(bool Running, bool Breach, bool Enough, string Reason);
