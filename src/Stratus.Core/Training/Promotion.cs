namespace Stratus.Core.Training;

/// <summary>The promotion rule, pure so the orchestrator can apply it deterministically.</summary>
public static class Promotion
{
    public static PromotionDecision Decide(TrainingSpec spec, IReadOnlyDictionary<string, double> best, ChampionSummary? champion)
    {
        var value = best[spec.Metric];
        if (!MetricNames.Meets(spec.Metric, value, spec.Minimum))
        {
            return new(Models.Aliases.Challenger, false, $"{spec.Metric} {value:G4} does not meet the objective {spec.Minimum:G4}");
        }

        switch (spec.Promote)
        {
            case PromotionPolicy.Always:
                return new(Models.Aliases.Champion, true, "policy: always");
            case PromotionPolicy.Never:
                return new(Models.Aliases.Challenger, false, "policy: never");
        }

        if (champion?.Metrics is not { } incumbent || !incumbent.TryGetValue(spec.Metric, out var current))
        {
            return new(Models.Aliases.Champion, true, champion is null ? "no champion yet" : $"the champion could not be scored on this holdout ({champion.Note})");
        }

        return MetricNames.IsBetter(spec.Metric, value, current)
            ? new(Models.Aliases.Champion, true, $"{spec.Metric} {value:G4} beats the champion's {current:G4}")
            : new(Models.Aliases.Challenger, false, $"{spec.Metric} {value:G4} does not beat the champion's {current:G4}");
    }

    /// <summary>The best successful candidate by the spec's metric; ties keep the earlier candidate.</summary>
    public static CandidateResult? Best(TrainingSpec spec, IEnumerable<CandidateResult> results)
    {
        CandidateResult? best = null;
        foreach (var result in results.Where(r => r.Metrics is not null && r.Metrics.TryGetValue(spec.Metric, out var v) && !double.IsNaN(v)).OrderBy(r => r.Index))
        {
            if (best is null || MetricNames.IsBetter(spec.Metric, result.Metrics![spec.Metric], best.Metrics![spec.Metric]))
            {
                best = result;
            }
        }

        return best;
    }
}
