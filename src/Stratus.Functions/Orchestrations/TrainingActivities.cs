using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Datasets;
using Stratus.Core.Training;
using Stratus.Training.Runs;

namespace Stratus.Functions.Orchestrations;

/// <summary>The activities of training: thin wrappers over <see cref="TrainingWorkflow"/>.</summary>
public sealed class TrainingActivities(TrainingWorkflow workflow, RetrainPlanner planner)
{
    public const string VerifyDataset = nameof(VerifyDatasetActivity);
    public const string TrainCandidate = nameof(TrainCandidateActivity);
    public const string ScoreChampion = nameof(ScoreChampionActivity);
    public const string RegisterVersion = nameof(RegisterVersionActivity);
    public const string SetAlias = nameof(SetAliasActivity);
    public const string ListDueModels = nameof(ListDueModelsActivity);
    public const string Reproduce = nameof(ReproduceActivity);

    [Function(VerifyDataset)]
    public Task VerifyDatasetActivity([ActivityTrigger] DatasetRef dataset, CancellationToken cancellationToken) =>
        workflow.VerifyDatasetAsync(dataset, cancellationToken);

    [Function(TrainCandidate)]
    public Task<CandidateResult> TrainCandidateActivity([ActivityTrigger] CandidateInput input, CancellationToken cancellationToken) =>
        workflow.TrainCandidateAsync(input, cancellationToken);

    [Function(ScoreChampion)]
    public Task<ChampionSummary?> ScoreChampionActivity([ActivityTrigger] ChampionInput input, CancellationToken cancellationToken) =>
        workflow.ScoreChampionAsync(input, cancellationToken);

    [Function(RegisterVersion)]
    public Task<int> RegisterVersionActivity([ActivityTrigger] RegisterInput input, CancellationToken cancellationToken) =>
        workflow.RegisterAsync(input, cancellationToken);

    [Function(SetAlias)]
    public Task<bool> SetAliasActivity([ActivityTrigger] AliasInput input, CancellationToken cancellationToken) =>
        workflow.SetAliasAsync(input, cancellationToken);

    [Function(ListDueModels)]
    public Task<IReadOnlyList<RetrainTarget>> ListDueModelsActivity([ActivityTrigger] string runId, CancellationToken cancellationToken) =>
        planner.ListDueAsync(cancellationToken);

    [Function(Reproduce)]
    public Task<ReproduceResult> ReproduceActivity([ActivityTrigger] ReproduceInput input, CancellationToken cancellationToken) =>
        workflow.ReproduceAsync(input.Model, input.Version, cancellationToken);
}
