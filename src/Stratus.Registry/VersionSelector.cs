using Stratus.Core.Errors;
using Stratus.Core.Models;

namespace Stratus.Registry;

/// <summary>The version that serves one request, and why: the experiment variant it was assigned to, if any.</summary>
public readonly record struct VersionChoice(int Version, VariantAssignment? Assignment = null);

/// <summary>
/// A request routed by a running experiment: its id, the variant that served it, and the unit it was assigned for
/// (null: the caller gave no unit and control served it, counted apart).
/// </summary>
public sealed record VariantAssignment(string Experiment, string Variant, string? Unit)
{
    /// <summary>In a shadow experiment, the versions that also get the call, off the response path; their answers are compared, never returned.</summary>
    public IReadOnlyList<ShadowTarget>? Shadows { get; init; }
}

/// <summary>A shadow variant and the version it runs.</summary>
public sealed record ShadowTarget(string Variant, int Version);

/// <summary>
/// The one seam through which traffic reaches versions: predict, V2 infer and metadata, and the GPU tier all ask
/// it. One rule everywhere: the version the caller names, else the alias it names, else <see cref="Aliases.Champion"/>;
/// a missing alias is "not found" (never a silent fall-back to some other version). Experiments decorate it.
/// </summary>
public interface IVersionSelector
{
    ValueTask<VersionChoice> SelectAsync(ModelCard card, ServingTarget target, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IVersionSelector"/>
public sealed class AliasVersionSelector : IVersionSelector
{
    public ValueTask<VersionChoice> SelectAsync(ModelCard card, ServingTarget target, CancellationToken cancellationToken)
    {
        if (target.Version is { } version)
        {
            return ValueTask.FromResult(new VersionChoice(version));
        }

        var alias = target.Alias ?? Aliases.Champion;
        return card.Aliases.TryGetValue(alias, out var aliased)
            ? ValueTask.FromResult(new VersionChoice(aliased))
            : throw RegistryErrors.NoServedVersion(card.Name, alias);
    }
}
