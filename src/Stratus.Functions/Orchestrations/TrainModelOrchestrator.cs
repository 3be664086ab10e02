using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Stratus.Core.Training;

namespace Stratus.Functions.Orchestrations;

/// <summary>
/// Trains a model: verify the dataset snapshot, fan out one activity per candidate, fan in the best, score the
/// current champion on the same holdout, register the winner with its lineage, and promote it by policy.
/// Deterministic: no I/O, clocks or randomness here — the activities do the work.
/// </summary>
public static class TrainModelOrchestrator
{
    public const string Name = "TrainModel";

    /// <summary>Transient faults (storage, a lost instance) are retried; training errors come back as results instead.</summary>
    /// <summary>How often a run re-scores a champion that moved under it before it settles for challenger.</summary>
    private const int MaxPromotionAttempts = 3;

    internal static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    [Function(Name)]
    public static async Task<TrainOutput> Run([OrchestrationTrigger] TaskOrchestrationContext context, TrainInput input)
    {
        try
        {
            var output = await TrainAsync(context, input);
            await NotifyAsync(context, input, output, null);
            return output;
        }
        catch (Exception e)
        {
            // Whatever ended the run, the waiting RetrainAll hears of it.
            await NotifyAsync(context, input, null, e is TaskFailedException failed ? failed.FailureDetails.ErrorMessage : e.Message);
            throw;
        }
    }

    /// <summary>
    /// Tells the starting orchestration (RetrainAll) that this run ended, through an activity raising an external
    /// event: used instead of sub-orchestrations, which the local engine's Azure Storage backend cannot record.
    /// </summary>
    private static async Task NotifyAsync(TaskOrchestrationContext context, TrainInput input, TrainOutput? output, string? error)
    {
        if (input.NotifyInstanceId is { } parent)
        {
            await context.CallActivityAsync(RunControlActivities.Notify, new TrainNotice(parent, input.Model, output, error), Retry);
        }
    }

    private static async Task<TrainOutput> TrainAsync(TaskOrchestrationContext context, TrainInput input)
    {
        var spec = input.Spec;
        context.SetCustomStatus(new { stage = "dataset", done = 0, total = spec.Candidates.Count });
        await context.CallActivityAsync(TrainingActivities.VerifyDataset, spec.Dataset, Retry);

        var pending = spec.Candidates
            .Select((_, i) => context.CallActivityAsync<CandidateResult>(TrainingActivities.TrainCandidate, new CandidateInput(input.RunId, input.Model, spec, i), Retry))
            .ToList();
        var results = new List<CandidateResult>();
        while (pending.Count > 0)
        {
            var finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            results.Add(await finished);
            context.SetCustomStatus(new { stage = "training", done = results.Count, total = spec.Candidates.Count, failed = results.Count(r => r.Error is not null) });
        }

        var candidates = results.OrderBy(r => r.Index).Select(r => new CandidateSummary(r.Algorithm, r.Params, r.Metrics, r.Error, r.DurationMs)).ToArray();
        var best = Promotion.Best(spec, results)
            ?? throw new InvalidOperationException($"All {results.Count} candidates failed: " + string.Join("; ", results.Select(r => $"{r.Algorithm}: {r.Error}")));

        context.SetCustomStatus(new { stage = "register", done = results.Count, total = spec.Candidates.Count });
        var version = await context.CallActivityAsync<int>(TrainingActivities.RegisterVersion, new RegisterInput(input.RunId, input.Model, spec, best), Retry);
        await context.CallActivityAsync(TrainingActivities.StoreReference, new ReferenceInput(input.Model, version, spec), Retry);

        // Compare with the champion and promote only while it is still the one compared with: when an overlapping run
        // promoted meanwhile, score the new champion and decide again, so the better version wins whatever the order.
        ChampionSummary? champion = null;
        PromotionDecision? decision = null;
        for (var attempt = 1; decision is null; attempt++)
        {
            context.SetCustomStatus(new { stage = "champion", done = results.Count, total = spec.Candidates.Count, attempt });
            champion = await context.CallActivityAsync<ChampionSummary?>(TrainingActivities.ScoreChampion, new ChampionInput(input.Model, spec), Retry);
            var proposed = Promotion.Decide(spec, best.Metrics!, champion);
            if (await context.CallActivityAsync<bool>(TrainingActivities.SetAlias, new AliasInput(input.Model, proposed.Alias, version, champion?.Version), Retry))
            {
                decision = proposed;
            }
            else if (attempt == MaxPromotionAttempts)
            {
                await context.CallActivityAsync<bool>(TrainingActivities.SetAlias, new AliasInput(input.Model, Core.Models.Aliases.Challenger, version), Retry);
                decision = new PromotionDecision(Core.Models.Aliases.Challenger, false, $"the champion kept changing while this run compared with it ({attempt} times); left as challenger");
            }
        }

        context.SetCustomStatus(new { stage = "done", done = results.Count, total = spec.Candidates.Count });
        return new TrainOutput
        {
            Model = input.Model,
            Version = version,
            Promoted = decision.Promoted,
            Alias = decision.Alias,
            Reason = decision.Reason,
            Best = new CandidateSummary(best.Algorithm, best.Params, best.Metrics, null, best.DurationMs),
            Champion = champion,
            Candidates = candidates,
        };
    }
}
