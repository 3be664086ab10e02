using Microsoft.Extensions.Logging;
using Stratus.Core.Abstractions;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Core.Training;
using Stratus.Training.Datasets;

namespace Stratus.Training.Runs;

/// <summary>
/// Decides which models a RetrainAll run trains: those with an enabled retraining policy that have no version
/// Stratus trained on the dataset version the policy now resolves to — new data, or never trained. A run that
/// ended as challenger does not make the model due again on the same data.
/// </summary>
public sealed class RetrainPlanner(IModelRegistry registry, DatasetService datasets, ILogger<RetrainPlanner> logger)
{
    public async Task<IReadOnlyList<RetrainTarget>> ListDueAsync(CancellationToken cancellationToken)
    {
        var due = new List<RetrainTarget>();
        await foreach (var card in registry.ListCardsAsync(cancellationToken))
        {
            if (card.Retraining is { Enabled: true } && await PlanAsync(card, cancellationToken) is { } target)
            {
                due.Add(target);
            }
        }

        return due.OrderBy(t => t.Model, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The model's retraining run when its policy's dataset now resolves to data no version of it was trained on; null
    /// when there is no new data; a target with an error when the policy cannot be resolved (or there is none).
    /// </summary>
    public async Task<RetrainTarget?> PlanAsync(ModelCard card, CancellationToken cancellationToken)
    {
        if (card.Retraining is not { } policy)
        {
            return new RetrainTarget(card.Name, null, "the card has no retraining policy");
        }

        try
        {
            var dataset = await datasets.ResolveAsync(policy.Spec.Dataset!, cancellationToken);
            var spec = TrainingSpecResolver.Resolve(policy.Spec, dataset, card.Task);
            return await IsCurrentAsync(card, spec, cancellationToken) ? null : new RetrainTarget(card.Name, spec);
        }
        catch (DomainException e)
        {
            logger.LogWarning("Model {Model} cannot be retrained: {Detail}", card.Name, e.Detail);
            return new RetrainTarget(card.Name, null, e.Detail);
        }
    }

    private async Task<bool> IsCurrentAsync(ModelCard card, TrainingSpec spec, CancellationToken cancellationToken) =>
        (await registry.ListVersionsAsync(card.Name, cancellationToken))
            .Any(v => v.Lineage is { Source: Lineage.TrainingSource } lineage && lineage.DatasetSha256 == spec.Dataset.Sha256);
}
