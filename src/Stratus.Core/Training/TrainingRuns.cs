namespace Stratus.Core.Training;

/// <summary>
/// Instance ids of training runs: <c>train-{model}.{run}</c>, so a model's runs list by prefix. The dot cannot
/// occur in a model name, so the runs of <c>a</c> never include those of <c>a-b</c>.
/// </summary>
public static class TrainingRuns
{
    public const string TrainPrefix = "train-";
    public const string RetrainPrefix = "retrain-";
    public const string ReproducePrefix = "reproduce-";

    public static string Prefix(string model) => $"{TrainPrefix}{model}.";

    /// <summary>True for the ids of the runs Stratus starts (training, retraining, reproduction), not of other orchestrations.</summary>
    public static bool IsRun(string id) =>
        id.StartsWith(TrainPrefix, StringComparison.Ordinal) || id.StartsWith(RetrainPrefix, StringComparison.Ordinal) || id.StartsWith(ReproducePrefix, StringComparison.Ordinal);

    public static string NewId(string model) => Prefix(model) + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>A card's retraining policy: which data and spec the scheduled retraining reuses.</summary>
public sealed record RetrainingPolicy
{
    public bool Enabled { get; init; } = true;

    /// <summary>The training request to repeat; its <c>dataset</c> is a name (latest version each time) or name@version (fixed).</summary>
    public required TrainRequest Spec { get; init; }
}
