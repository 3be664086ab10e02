using System.Text.RegularExpressions;
using Stratus.Core.Errors;

namespace Stratus.Core.Models;

/// <summary>
/// The one rule for model, alias and dataset names: lower-case DNS-label style, so names are safe
/// as blob path segments and table keys and no path tricks reach storage.
/// </summary>
public static partial class ResourceName
{
    public const string Pattern = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Regex();

    public static bool IsValid(string? value) => value is not null && Regex().IsMatch(value);

    /// <summary>Returns <paramref name="value"/> or throws a 400 problem naming the <paramref name="kind"/>.</summary>
    public static string Require(string? value, string kind) =>
        IsValid(value)
            ? value!
            : throw DomainException.Invalid(
                $"Invalid {kind} name",
                $"The {kind} name '{value}' must match {Pattern} (lower-case letters, digits and inner hyphens, at most 63 characters).");
}
