using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Core.Training;
using Stratus.Functions.Http;
using Stratus.Functions.Orchestrations;
using Stratus.Training.Runs;

namespace Stratus.Functions.Triggers;

/// <summary>Training, runs, reproduction and on-demand retraining.</summary>
public sealed class TrainingFunctions(TrainingWorkflow workflow, IDurableHttpLinks links, IOptions<StratusOptions> options)
{
    [Function(nameof(StartTraining))]
    public async Task<IActionResult> StartTraining(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.Train)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        string name,
        CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadJsonAsync<TrainRequest>(request, cancellationToken);
        var spec = await workflow.PrepareAsync(name, body, cancellationToken);
        var id = TrainingRuns.NewId(name);
        await durable.ScheduleNewOrchestrationInstanceAsync(TrainModelOrchestrator.Name, new TrainInput(id, name, spec), new StartOrchestrationOptions(id), cancellationToken);
        return DurableHttpResults.Accepted(links.CreatePayload(durable, request, id));
    }

    [Function(nameof(ListRuns))]
    public async Task<IActionResult> ListRuns(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Runs)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var model = RequestValues.Query(request, "model");
        var prefix = model is null ? TrainingRuns.TrainPrefix : TrainingRuns.Prefix(ResourceName.Require(model, "model"));
        var runs = new List<RunView>();
        await foreach (var run in durable.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix, FetchInputsAndOutputs = false }).WithCancellation(cancellationToken))
        {
            runs.Add(RunView.Of(run));
        }

        return ApiResults.Json(new { runs });
    }

    /// <summary>One run with its progress and, once it ended, its output (a training run's leaderboard and promotion decision).</summary>
    [Function(nameof(GetRun))]
    public async Task<IActionResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Run)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        string id,
        CancellationToken cancellationToken)
    {
        var run = TrainingRuns.IsRun(id) ? await durable.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken) : null;
        if (run is null)
        {
            throw DomainException.NotFound("Run not found", $"There is no run '{id}'.");
        }

        return ApiResults.Json(RunView.Of(run, withOutput: true));
    }

    /// <summary>A run as the API shows it; the output (and a failure's message) only when it was read.</summary>
    private sealed record RunView(
        string Id,
        string Name,
        string RuntimeStatus,
        DateTimeOffset CreatedTime,
        DateTimeOffset LastUpdatedTime,
        JsonElement? CustomStatus,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Output,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Failure)
    {
        public static RunView Of(OrchestrationMetadata run, bool withOutput = false) => new(
            run.InstanceId,
            run.Name,
            run.RuntimeStatus.ToString(),
            run.CreatedAt,
            run.LastUpdatedAt,
            Parse(run.SerializedCustomStatus),
            withOutput ? Parse(run.SerializedOutput) : null,
            withOutput ? run.FailureDetails?.ErrorMessage : null);

        private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement;
    }

    [Function(nameof(ReproduceVersion))]
    public async Task<IActionResult> ReproduceVersion(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.Reproduce)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        string name,
        int version,
        CancellationToken cancellationToken)
    {
        await workflow.GetRecipeAsync(name, version, cancellationToken); // 404 / 409 now, not in the run
        var id = ReproduceOrchestrator.NewId(name, version);
        await durable.ScheduleNewOrchestrationInstanceAsync(ReproduceOrchestrator.Name, new ReproduceInput(name, version), new StartOrchestrationOptions(id), cancellationToken);
        return DurableHttpResults.Accepted(links.CreatePayload(durable, request, id));
    }

    [Function(nameof(RetrainNow))]
    public async Task<IActionResult> RetrainNow(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.Retrain)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var id = TrainingRuns.RetrainPrefix + Guid.NewGuid().ToString("N")[..12];
        await durable.ScheduleNewOrchestrationInstanceAsync(RetrainAllOrchestrator.Name, new RetrainInput(id, options.Value.Retraining.MaxParallelism), new StartOrchestrationOptions(id), cancellationToken);
        return DurableHttpResults.Accepted(links.CreatePayload(durable, request, id));
    }
}
