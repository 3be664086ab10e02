namespace Stratus.Core.Models;

/// <summary>Well-known aliases.</summary>
public static class Aliases
{
    /// <summary>The alias predict serves when the caller names neither a version nor an alias.</summary>
    public const string Champion = "champion";

    public const string Challenger = "challenger";
}
