using Stratus.Core.Errors;
using Stratus.Core.Models;

namespace Stratus.Registry;

/// <summary>
/// What the caller asked to be served: an explicit version, an alias, or the default; and who is asking
/// (<see cref="Unit"/>), which a running experiment uses to pick the unit's variant.
/// </summary>
public readonly record struct ServingTarget(int? Version, string? Alias, string? Unit = null)
{
    /// <summary>Units are ids callers already have (user, session, account); longer ones are refused, not truncated.</summary>
    public const int MaxUnitLength = 256;

    public static ServingTarget Default => default;

    /// <summary>True when the caller named neither a version nor an alias: the case experiments route.</summary>
    public bool IsDefault => Version is null && Alias is null;

    /// <summary>Parses the <c>version</c> and <c>alias</c> query values (at most one may be given) and the unit.</summary>
    public static ServingTarget Parse(string? version, string? alias, string? unit = null)
    {
        if (version is not null && alias is not null)
        {
            throw DomainException.Invalid("Ambiguous target", "Give either 'version' or 'alias', not both.");
        }

        var target = new ServingTarget(null, null, Unit: CheckUnit(unit));
        if (version is not null)
        {
            if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                throw DomainException.Invalid("Invalid version", $"'version' must be a positive integer, not '{version}'.");
            }

            return target with { Version = v };
        }

        return alias is null ? target : target with { Alias = ResourceName.Require(alias, "alias") };
    }

    /// <summary>A unit as given (header or body): null when absent, refused when empty or too long.</summary>
    public static string? CheckUnit(string? unit) => unit switch
    {
        null => null,
        { Length: 0 or > MaxUnitLength } => throw DomainException.Invalid("Invalid unit", $"The experiment unit (header '{Core.Http.StratusHeaders.Unit}' or body 'unit') must be 1 to {MaxUnitLength} characters."),
        _ => unit,
    };
}
