using Stratus.Core.Errors;
using Stratus.Core.Models;

namespace Stratus.Registry;

/// <summary>What the caller asked to be served: an explicit version, an alias, or the default.</summary>
public readonly record struct ServingTarget(int? Version, string? Alias)
{
    public static ServingTarget Default => default;

    /// <summary>Parses the <c>version</c> and <c>alias</c> query values; at most one may be given.</summary>
    public static ServingTarget Parse(string? version, string? alias)
    {
        if (version is not null && alias is not null)
        {
            throw DomainException.Invalid("Ambiguous target", "Give either 'version' or 'alias', not both.");
        }

        if (version is not null)
        {
            if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                throw DomainException.Invalid("Invalid version", $"'version' must be a positive integer, not '{version}'.");
            }

            return new ServingTarget(v, null);
        }

        return alias is null ? Default : new ServingTarget(null, ResourceName.Require(alias, "alias"));
    }
}
