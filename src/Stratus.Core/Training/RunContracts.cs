namespace Stratus.Core.Training;

// Inputs and outputs of the training orchestrations and activities. Small on purpose: they are stored in
// orchestration history, so artifacts travel through blob storage and only their paths travel here.

/// <param name="NotifyInstanceId">An orchestration to tell (by external event) when this run ends; RetrainAll waits that way.</param>
public sealed record TrainInput(string RunId, string Model, TrainingSpec Spec, string? NotifyInstanceId = null);

/// <summary>What a finished TrainModel run tells the orchestration that started it.</summary>
public sealed record TrainNotice(string NotifyInstanceId, string Model, TrainOutput? Output, string? Error)
{
    public static string EventName(string model) => $"trained-{model}";
}

public sealed record CandidateInput(string RunId, string Model, TrainingSpec Spec, int Index);

public sealed record ChampionInput(string Model, TrainingSpec Spec);

public sealed record RegisterInput(string RunId, string Model, TrainingSpec Spec, CandidateResult Winner);

/// <summary>A registered version whose holdout becomes its monitoring reference.</summary>
public sealed record ReferenceInput(string Model, int Version, TrainingSpec Spec);

/// <param name="ScoredChampion">The champion the decision was made against (null: there was none). A promotion lands only
/// while the champion is still that version, so two overlapping runs cannot both promote on stale comparisons.</param>
public sealed record AliasInput(string Model, string Alias, int Version, int? ScoredChampion = null);

/// <summary>Which alias a new version gets, and why.</summary>
public sealed record PromotionDecision(string Alias, bool Promoted, string Reason);

/// <summary>One model in a RetrainAll run: its spec, or why it could not be planned.</summary>
public sealed record RetrainTarget(string Model, TrainingSpec? Spec, string? Error = null);

public sealed record RetrainInput(string RunId, int MaxParallelism);

public sealed record RetrainSummary(string Model, int? Version, bool Promoted, double? MetricDelta, string? Metric, string? Error);

public sealed record RetrainOutput(string RunId, int Due, int Succeeded, int Failed, IReadOnlyList<RetrainSummary> Models);

/// <summary>What the Reproduce orchestration retrains.</summary>
public sealed record ReproduceInput(string Model, int Version);

/// <summary>The output of the run <c>POST …/versions/{v}/reproduce</c> starts.</summary>
public sealed record ReproduceResult(
    string Model,
    int Version,
    bool Match,
    bool Sha256Match,
    bool MetricsMatch,
    string OriginalSha256,
    string ReproducedSha256,
    IReadOnlyDictionary<string, double> OriginalMetrics,
    IReadOnlyDictionary<string, double> ReproducedMetrics,
    string? Note);
