using Stratus.Core.Errors;

namespace Stratus.Core.Models;

/// <summary>The body of <c>PUT /api/models/{name}</c>: the fields a caller may set on a card.</summary>
public sealed record ModelCardUpdate
{
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public ModelTask? Task { get; init; }
    public ServingTier? Tier { get; init; }
    public bool? CpuFallback { get; init; }
    public string? BusinessObjective { get; init; }
    public string? BusinessMetric { get; init; }
    public string? MlMetric { get; init; }
    public IReadOnlyList<string>? FeatureNames { get; init; }
    public Training.RetrainingPolicy? Retraining { get; init; }
    public MonitoringPolicy? Monitoring { get; init; }

    public void Validate()
    {
        ResourceName.Require(Name, "model");
        if (Description is { Length: > 4096 })
        {
            throw DomainException.Invalid("Invalid model card", "'description' must be at most 4096 characters.");
        }

        if (Retraining is { Spec.Dataset: null or "" })
        {
            throw DomainException.Invalid("Invalid model card", "'retraining.spec.dataset' is required.");
        }

        Monitoring?.Validate();

        if (FeatureNames is null)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < FeatureNames.Count; i++)
        {
            var feature = FeatureNames[i];
            if (string.IsNullOrWhiteSpace(feature))
            {
                throw DomainException.Invalid("Invalid model card", $"'featureNames[{i}]' is empty.");
            }

            if (!seen.Add(feature))
            {
                throw DomainException.Invalid("Invalid model card", $"'featureNames[{i}]' repeats the feature '{feature}'.");
            }
        }
    }

    /// <summary>
    /// The card after a PUT: the descriptive fields are replaced by this body (omitted ones reset to their
    /// defaults, as PUT means), while what the registry owns — versions, aliases, creation time — is kept.
    /// </summary>
    public ModelCard ApplyTo(ModelCard? existing, DateTimeOffset now) =>
        (existing ?? new ModelCard { Name = Name, CreatedAt = now }) with
        {
            Description = Description,
            Task = Task ?? ModelTask.Other,
            Tier = Tier ?? ServingTier.Cpu,
            CpuFallback = CpuFallback ?? false,
            BusinessObjective = BusinessObjective,
            BusinessMetric = BusinessMetric,
            MlMetric = MlMetric,
            FeatureNames = FeatureNames,
            Retraining = Retraining,
            Monitoring = Monitoring,
            UpdatedAt = now,
        };
}
