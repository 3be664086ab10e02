using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Stratus.Reliability.Alerts;

namespace Stratus.Functions.Orchestrations;

public sealed record MonitorInput(string RunId);

public sealed record MonitorOutput(string RunId, int Models, int Alerts, int Retrains, IReadOnlyList<ModelEvaluation> Evaluations);

/// <summary>
/// Evaluates every served model: lists them, fans out one evaluation activity per model (bounded, so a hundred models
/// do not open a hundred storage scans at once), and purges expired prediction logs. Deterministic: all I/O is in
/// the activities.
/// </summary>
public static class MonitorAllOrchestrator
{
    public const string Name = "MonitorAll";

    public const int MaxParallelism = 16;

    [Function(Name)]
    public static async Task<MonitorOutput> Run([OrchestrationTrigger] TaskOrchestrationContext context, MonitorInput input)
    {
        var models = await context.CallActivityAsync<IReadOnlyList<string>>(MonitoringActivities.ListServedModels, input.RunId, TrainModelOrchestrator.Retry);
        var evaluations = new List<ModelEvaluation>();
        var running = new List<Task<ModelEvaluation>>();
        var next = 0;
        while (next < models.Count || running.Count > 0)
        {
            while (next < models.Count && running.Count < MaxParallelism)
            {
                running.Add(context.CallActivityAsync<ModelEvaluation>(MonitoringActivities.EvaluateModel, new EvaluateInput(input.RunId, models[next++]), TrainModelOrchestrator.Retry));
            }

            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            evaluations.Add(await finished);
            context.SetCustomStatus(new { done = evaluations.Count, total = models.Count });
        }

        await context.CallActivityAsync<int>(MonitoringActivities.PurgePredictionLog, input.RunId, TrainModelOrchestrator.Retry);
        var ordered = evaluations.OrderBy(e => e.Model, StringComparer.Ordinal).ToArray();
        return new MonitorOutput(input.RunId, ordered.Length, ordered.Count(e => e.Alert is not null), ordered.Count(e => e.Alert?.RetrainRunId is not null), ordered);
    }
}
