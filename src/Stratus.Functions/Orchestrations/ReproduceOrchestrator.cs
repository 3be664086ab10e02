using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Stratus.Core.Training;

namespace Stratus.Functions.Orchestrations;

/// <summary>
/// Retrains a version from its recorded recipe and compares the result with the registered one. A run, not a
/// request: training can outlast an HTTP request's time limit (230 s in Azure).
/// </summary>
public static class ReproduceOrchestrator
{
    public const string Name = "Reproduce";

    /// <summary>Instance ids of reproduce runs: <c>reproduce-{model}.{version}.{suffix}</c>.</summary>
    public static string NewId(string model, int version) => $"{TrainingRuns.ReproducePrefix}{model}.{version}.{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>No automatic retry: a failure here (dataset gone, trainer error) is not transient, and each attempt is a full retrain.</summary>
    [Function(Name)]
    public static Task<ReproduceResult> Run([OrchestrationTrigger] TaskOrchestrationContext context, ReproduceInput input) =>
        context.CallActivityAsync<ReproduceResult>(TrainingActivities.Reproduce, input);
}
