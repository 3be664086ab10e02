using System.Text.Json;

namespace Stratus.Core.Training;

/// <summary>
/// The body of <c>POST /api/models/{name}/train</c>, as the caller writes it. Everything but
/// <see cref="Dataset"/> and <see cref="Label"/> has a default per task; <see cref="TrainingSpecResolver"/>
/// in Stratus.Training turns it into a fully resolved <see cref="TrainingSpec"/>.
/// </summary>
public sealed record TrainRequest
{
    /// <summary><c>name</c> (latest version) or <c>name@version</c>.</summary>
    public string? Dataset { get; init; }

    public string? Label { get; init; }
    public IReadOnlyList<string>? Features { get; init; }
    public Models.ModelTask? Task { get; init; }
    public IReadOnlyList<CandidateRequest>? Candidates { get; init; }
    public ValidationRequest? Validation { get; init; }
    public ObjectiveRequest? Objective { get; init; }
    public PromotionPolicy? Promote { get; init; }
}

/// <summary>An algorithm and a grid: each parameter is a number or a list of numbers; the grid's product is tried.</summary>
public sealed record CandidateRequest(string Algorithm, IReadOnlyDictionary<string, JsonElement>? Params);

public sealed record ValidationRequest(double? HoldoutFraction, int? Seed);

public sealed record ObjectiveRequest(string? Metric, double? Minimum);

/// <summary>What happens to a newly trained version.</summary>
public enum PromotionPolicy
{
    /// <summary>Champion when it beats the current champion on the objective (and meets the minimum), else challenger.</summary>
    IfBetter,

    /// <summary>Always champion.</summary>
    Always,

    /// <summary>Never champion: the new version becomes the challenger.</summary>
    Never,
}
