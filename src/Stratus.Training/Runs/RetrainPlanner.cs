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
            if (card.Retraining is not { Enabled: true } policy)
            {
                continue;
            }

            try
            {
                var dataset = await datasets.ResolveAsync(policy.Spec.Dataset!, cancellationToken);
                var spec = TrainingSpecResolver.Resolve(policy.Spec, dataset, card.Task);
                if (await IsCurrentAsync(card, spec, cancellationToken))
                {
                    continue;
                }

                due.Add(new RetrainTarget(card.Name, spec));
            }
            catch (DomainException e)
            {
                logger.LogWarning("Model {Model} cannot be retrained: {Detail}", card.Name, e.Detail);
                due.Add(new RetrainTarget(card.Name, null, e.Detail));
            }
        }

        return due.OrderBy(t => t.Model, StringComparer.Ordinal).ToArray();
    }

    private async Task<bool> IsCurrentAsync(ModelCard card, TrainingSpec spec, CancellationToken cancellationToken) =>
        (await registry.ListVersionsAsync(card.Name, cancellationToken))
            .Any(v => v.Lineage is { Source: Lineage.TrainingSource } lineage && lineage.DatasetSha256 == spec.Dataset.Sha256);
}
