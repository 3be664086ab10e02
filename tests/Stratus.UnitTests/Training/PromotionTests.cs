using Stratus.Core.Training;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

public sealed class PromotionTests
{
    private static readonly TrainingSpec Spec = TrainingSpecs.Resolve("breast_cancer", new TrainRequest
    {
        Label = "label",
        Task = Core.Models.ModelTask.BinaryClassification,
        Objective = new ObjectiveRequest("auc", 0.9),
    });

    private static CandidateResult Candidate(int index, double? auc, string? error = null) => new()
    {
        Index = index,
        Algorithm = "lightgbm",
        Params = new Dictionary<string, double>(),
        Metrics = auc is { } v ? new Dictionary<string, double> { ["auc"] = v } : null,
        Error = error,
    };

    [Fact]
    public void Best_skips_failed_candidates_and_keeps_the_earlier_on_ties()
    {
        var best = Promotion.Best(Spec, [Candidate(0, null, "boom"), Candidate(1, 0.95), Candidate(2, 0.97), Candidate(3, 0.97)]);
        Assert.Equal(2, best!.Index);
        Assert.Null(Promotion.Best(Spec, [Candidate(0, null, "boom")]));
    }

    [Fact]
    public void Lower_is_better_metrics_pick_the_smallest()
    {
        var spec = Spec with { Metric = MetricNames.LogLoss, Minimum = null };
        var results = new[] { 0.3, 0.1, 0.2 }.Select((v, i) => Candidate(i, null) with { Metrics = new Dictionary<string, double> { ["logloss"] = v } });
        Assert.Equal(1, Promotion.Best(spec, results)!.Index);
    }

    [Theory]
    [InlineData(PromotionPolicy.IfBetter, 0.95, null, "champion", true)]
    [InlineData(PromotionPolicy.IfBetter, 0.95, 0.93, "champion", true)]
    [InlineData(PromotionPolicy.IfBetter, 0.95, 0.97, "challenger", false)]
    [InlineData(PromotionPolicy.IfBetter, 0.85, null, "challenger", false)]
    [InlineData(PromotionPolicy.Always, 0.95, 0.99, "champion", true)]
    [InlineData(PromotionPolicy.Never, 0.99, 0.5, "challenger", false)]
    public void Promotion_follows_policy_objective_and_champion(PromotionPolicy policy, double auc, double? championAuc, string alias, bool promoted)
    {
        var champion = championAuc is { } c ? new ChampionSummary(1, new Dictionary<string, double> { ["auc"] = c }) : null;
        var decision = Promotion.Decide(Spec with { Promote = policy }, new Dictionary<string, double> { ["auc"] = auc }, champion);
        Assert.Equal((alias, promoted), (decision.Alias, decision.Promoted));
        Assert.False(string.IsNullOrEmpty(decision.Reason));
    }
}
