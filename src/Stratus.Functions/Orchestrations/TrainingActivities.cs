using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Datasets;
using Stratus.Core.Training;
using Stratus.Reliability.References;
using Stratus.Training.Runs;

namespace Stratus.Functions.Orchestrations;

/// <summary>The activities of training: thin wrappers over <see cref="TrainingWorkflow"/>.</summary>
public sealed class TrainingActivities(TrainingWorkflow workflow, RetrainPlanner planner, ReferenceService references)
{
    public const string VerifyDataset = nameof(VerifyDatasetActivity);
    public const string TrainCandidate = nameof(TrainCandidateActivity);
    public const string ScoreChampion = nameof(ScoreChampionActivity);
    public const string RegisterVersion = nameof(RegisterVersionActivity);
    public const string SetAlias = nameof(SetAliasActivity);
    public const string StoreReference = nameof(StoreReferenceActivity);
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

    /// <summary>The new version's monitoring reference, from its holdout (idempotent: a repeat overwrites the same reference).</summary>
    [Function(StoreReference)]
    public async Task StoreReferenceActivity([ActivityTrigger] ReferenceInput input, CancellationToken cancellationToken)
    {
        var holdout = await workflow.ExportHoldoutAsync(input.Spec, cancellationToken);
        try
        {
            await using var csv = File.OpenRead(holdout);
            await references.PutCsvAsync(input.Model, input.Version, csv, ReferenceService.DefaultLabelColumn, ReferenceSet.HoldoutSource, cancellationToken);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(holdout)!, recursive: true);
        }
    }

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
