using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Stratus.Core.Training;

namespace Stratus.Functions.Orchestrations;

/// <summary>
/// Retrains every model that is due, as TrainModel runs with bounded parallelism. Each run has an id derived from
/// this one, is started by an idempotent activity and reports back by external event, so a replayed or restarted
/// RetrainAll never trains a model twice. One model's failure is recorded in the summary and stops no other.
/// </summary>
public static class RetrainAllOrchestrator
{
    public const string Name = "RetrainAll";

    /// <summary>How long RetrainAll waits for one model's run to report.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromHours(6);

    [Function(Name)]
    public static async Task<RetrainOutput> Run([OrchestrationTrigger] TaskOrchestrationContext context, RetrainInput input)
    {
        var due = await context.CallActivityAsync<IReadOnlyList<RetrainTarget>>(TrainingActivities.ListDueModels, input.RunId, TrainModelOrchestrator.Retry);
        var summaries = new List<RetrainSummary>();
        var running = new List<Task<RetrainSummary>>();
        var next = 0;
        while (next < due.Count || running.Count > 0)
        {
            while (next < due.Count && running.Count < Math.Max(1, input.MaxParallelism))
            {
                running.Add(TrainOneAsync(context, input.RunId, due[next++]));
            }

            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            summaries.Add(await finished);
            context.SetCustomStatus(new { done = summaries.Count, total = due.Count, failed = summaries.Count(s => s.Error is not null) });
        }

        var ordered = summaries.OrderBy(s => s.Model, StringComparer.Ordinal).ToArray();
        return new RetrainOutput(input.RunId, due.Count, ordered.Count(s => s.Error is null), ordered.Count(s => s.Error is not null), ordered);
    }

    /// <summary>Child instance ids derive from the parent's.</summary>
    public static string ChildId(string runId, string model) => $"{TrainingRuns.Prefix(model)}{runId}";

    private static async Task<RetrainSummary> TrainOneAsync(TaskOrchestrationContext context, string runId, RetrainTarget target)
    {
        if (target.Spec is null)
        {
            return new RetrainSummary(target.Model, null, false, null, null, target.Error);
        }

        try
        {
            var child = ChildId(runId, target.Model);
            // Bounded: a run that dies without reporting (terminated by an operator, say) must not hold RetrainAll forever.
            var ended = context.WaitForExternalEvent<TrainNotice>(TrainNotice.EventName(target.Model), RunTimeout);
            await context.CallActivityAsync(RunControlActivities.Start, new TrainInput(child, target.Model, target.Spec, context.InstanceId), TrainModelOrchestrator.Retry);
            var notice = await ended;
            if (notice.Output is not { } output)
            {
                return new RetrainSummary(target.Model, null, false, null, target.Spec.Metric, notice.Error);
            }

            double? delta = output.Champion?.Metrics is { } before && output.Best?.Metrics is { } after
                && before.TryGetValue(target.Spec.Metric, out var b) && after.TryGetValue(target.Spec.Metric, out var a)
                ? a - b
                : null;
            return new RetrainSummary(target.Model, output.Version, output.Promoted, delta, target.Spec.Metric, null);
        }
        catch (TaskFailedException e)
        {
            return new RetrainSummary(target.Model, null, false, null, target.Spec.Metric, e.FailureDetails.ErrorMessage);
        }
        catch (TaskCanceledException)
        {
            return new RetrainSummary(target.Model, null, false, null, target.Spec.Metric, $"no report from its run within {RunTimeout.TotalHours:F0} h");
        }
    }
}
