using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Core.Training;
using Stratus.Reliability.Alerts;
using Stratus.Training.Runs;

namespace Stratus.Functions.Orchestrations;

public sealed record EvaluateInput(string RunId, string Model);

/// <summary>The activities of MonitorAll: thin wrappers over <see cref="AlertService"/> and the prediction log.</summary>
public sealed class MonitoringActivities(IModelRegistry registry, AlertService alerts, RetrainPlanner planner, IPredictionLog log, IOptions<StratusOptions> options, TimeProvider clock)
{
    public const string ListServedModels = nameof(ListServedModelsActivity);
    public const string EvaluateModel = nameof(EvaluateModelActivity);
    public const string PurgePredictionLog = nameof(PurgePredictionLogActivity);

    [Function(ListServedModels)]
    public async Task<IReadOnlyList<string>> ListServedModelsActivity([ActivityTrigger] string runId, CancellationToken cancellationToken)
    {
        var models = new List<string>();
        await foreach (var card in registry.ListCardsAsync(cancellationToken))
        {
            if (card.Aliases.ContainsKey(Aliases.Champion))
            {
                models.Add(card.Name);
            }
        }

        return models;
    }

    [Function(EvaluateModel)]
    public Task<ModelEvaluation> EvaluateModelActivity([ActivityTrigger] EvaluateInput input, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        alerts.EvaluateAsync(input.Model, input.RunId, new DurableRetrainTrigger(durable, planner), cancellationToken);

    [Function(PurgePredictionLog)]
    public Task<int> PurgePredictionLogActivity([ActivityTrigger] string runId, CancellationToken cancellationToken) =>
        log.DeleteBeforeAsync(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-Math.Max(0, options.Value.Monitoring.PredictionLogDays)), cancellationToken);

    /// <summary>Starts TrainModel with the card's retraining policy, on new data only; a second start of the same id is a no-op.</summary>
    private sealed class DurableRetrainTrigger(DurableTaskClient durable, RetrainPlanner planner) : IRetrainTrigger
    {
        public async Task<RetrainOutcome> TryStartAsync(ModelCard card, string runId, CancellationToken cancellationToken)
        {
            var target = await planner.PlanAsync(card, cancellationToken);
            if (target is null)
            {
                return new RetrainOutcome(null, $"retraining needs new labelled data: the retraining policy's dataset '{card.Retraining?.Spec.Dataset}' resolves to data a version of {card.Name} was already trained on");
            }

            if (target.Spec is null)
            {
                return new RetrainOutcome(null, $"retraining not started: {target.Error}");
            }

            await durable.StartOnceAsync(TrainModelOrchestrator.Name, new TrainInput(runId, card.Name, target.Spec), runId, cancellationToken);
            return new RetrainOutcome(runId, null);
        }
    }
}
