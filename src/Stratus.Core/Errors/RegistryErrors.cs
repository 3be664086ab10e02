using Stratus.Core.Models;

namespace Stratus.Core.Errors;

/// <summary>The registry's recurring errors, worded once.</summary>
public static class RegistryErrors
{
    public static DomainException ModelNotFound(string name) =>
        DomainException.NotFound("Model not found", $"There is no model named '{name}'.");

    /// <summary>For writes that need the card first: says how to create it.</summary>
    public static DomainException ModelNotFoundCreateFirst(string name) =>
        DomainException.NotFound("Model not found", $"There is no model named '{name}'; create it with PUT /api/models/{name} first.");

    public static DomainException VersionNotFound(string name, int version) =>
        DomainException.NotFound("Version not found", $"Model '{name}' has no version {version}.");

    public static DomainException AliasNotFound(string name, string alias) =>
        DomainException.NotFound("Alias not found", $"Model '{name}' has no alias '{alias}'.");

    public static DomainException NoServedVersion(string name, string alias) =>
        DomainException.NotFound(
            "No version behind alias",
            $"Model '{name}' has no alias '{alias}'. Point it at a version with PUT /api/models/{name}/aliases/{alias}, or pass a version explicitly."
            + (alias == Aliases.Champion ? " Without a version or alias, Stratus serves the champion." : ""));

    public static DomainException ArtifactMissing(string name, int version) =>
        DomainException.NotFound("Artifact missing", $"The artifact of {name} v{version} is missing from storage.");
}
