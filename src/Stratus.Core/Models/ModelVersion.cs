namespace Stratus.Core.Models;

/// <summary>An immutable, numbered artifact of a model with everything needed to serve and reproduce it.</summary>
public sealed record ModelVersion
{
    public required string Model { get; init; }
    public required int Version { get; init; }

    /// <summary>Blob name inside the models container: <c>{model}/{version}/model.onnx</c>.</summary>
    public required string ArtifactPath { get; init; }

    public required string Sha256 { get; init; }
    public required long SizeBytes { get; init; }
    public required ModelSignature Signature { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public required Lineage Lineage { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Friendly prediction keys → ONNX output names (e.g. <c>label</c> → <c>PredictedLabel.output</c>), set for
    /// models Stratus trains; predict then answers with these keys. Null: raw output names.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Outputs { get; init; }

    /// <summary>Class labels in score order (multiclass), so probabilities can be keyed by class.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Per-feature training distributions for drift monitoring.</summary>
    public IReadOnlyList<Training.FeatureBaseline>? Baseline { get; init; }
}
