using Stratus.Core.Models;
using Stratus.Core.Problems;

namespace Stratus.Serving.Registry;

/// <summary>What the caller asked to be served: an explicit version, an alias, or the default.</summary>
public readonly record struct ServingTarget(int? Version, string? Alias)
{
    public static ServingTarget Default => default;

    /// <summary>Parses the <c>version</c> and <c>alias</c> query values; at most one may be given.</summary>
    public static ServingTarget Parse(string? version, string? alias)
    {
        if (version is not null && alias is not null)
        {
            throw ProblemException.BadRequest("Ambiguous target", "Give either 'version' or 'alias', not both.");
        }

        if (version is not null)
        {
            if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                throw ProblemException.BadRequest("Invalid version", $"'version' must be a positive integer, not '{version}'.");
            }

            return new ServingTarget(v, null);
        }

        return alias is null ? Default : new ServingTarget(null, ResourceName.Require(alias, "alias"));
    }
}

/// <summary>
/// Chooses the version that serves a request. The default follows the caller's version or alias, else
/// <see cref="Aliases.Champion"/>; A/B experiments replace it with a policy that splits traffic.
/// </summary>
public interface IVersionPolicy
{
    int SelectVersion(ModelCard card, ServingTarget target);
}

public sealed class AliasVersionPolicy : IVersionPolicy
{
    public int SelectVersion(ModelCard card, ServingTarget target)
    {
        if (target.Version is { } version)
        {
            return version;
        }

        var alias = target.Alias ?? Aliases.Champion;
        return card.Aliases.TryGetValue(alias, out var aliased)
            ? aliased
            : throw ProblemException.NotFound(
                "No version behind alias",
                $"Model '{card.Name}' has no alias '{alias}'. Point it at a version with PUT /api/models/{card.Name}/aliases/{alias}, or pass ?version=n.");
    }
}
