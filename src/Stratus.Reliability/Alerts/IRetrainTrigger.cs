using Stratus.Core.Models;

namespace Stratus.Reliability.Alerts;

/// <summary>What asking for a drift retrain came to: a run id when one started, else why not.</summary>
public sealed record RetrainOutcome(string? RunId, string? Note);

/// <summary>
/// Starts a model's retraining for an alert, only when its retraining policy resolves to data the served version
/// was not trained on. The host implements it (it owns the orchestration client and the training planner).
/// </summary>
public interface IRetrainTrigger
{
    Task<RetrainOutcome> TryStartAsync(ModelCard card, string runId, CancellationToken cancellationToken);
}
