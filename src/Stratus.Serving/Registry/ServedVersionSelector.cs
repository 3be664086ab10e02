using Stratus.Core.Abstractions;
using Stratus.Core.Models;
using Stratus.Core.Problems;

namespace Stratus.Serving.Registry;

/// <summary>
/// The version an Open Inference Protocol path names: the one given, else the champion alias, else the newest
/// registered version (stock V2 clients know nothing of aliases).
/// </summary>
public sealed class ServedVersionSelector(IModelRegistry registry)
{
    public async ValueTask<int> SelectAsync(ModelCard card, string? version, CancellationToken cancellationToken)
    {
        if (version is not null)
        {
            return ServingTarget.Parse(version, alias: null).Version!.Value;
        }

        if (card.Aliases.TryGetValue(Aliases.Champion, out var champion))
        {
            return champion;
        }

        // The newest *registered* version: LatestVersion may name an upload still in flight (or one that failed).
        var versions = await registry.ListVersionsAsync(card.Name, cancellationToken);
        return versions.Count > 0
            ? versions.Max(v => v.Version)
            : throw ProblemException.NotFound("No versions", $"Model '{card.Name}' has no versions yet.");
    }
}
