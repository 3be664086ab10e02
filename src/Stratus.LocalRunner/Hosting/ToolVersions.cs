namespace Stratus.LocalRunner.Hosting;

/// <summary>
/// The pinned versions of the tools Stratus installs for itself (Azurite, the Bicep CLI, dockerfile-utils), read from
/// <c>.ci/tool-versions.env</c>, the one file that <c>.ci/run</c>, the test fixtures and the runner share.
/// </summary>
public sealed class ToolVersions
{
    public const string RelativePath = ".ci/tool-versions.env";

    private readonly IReadOnlyDictionary<string, string> _versions;

    private ToolVersions(IReadOnlyDictionary<string, string> versions) => _versions = versions;

    public string Azurite => this["AZURITE_VERSION"];

    public string Bicep => this["BICEP_VERSION"];

    public string DockerfileUtils => this["DOCKERFILE_UTILS_VERSION"];

    private string this[string key] => _versions.TryGetValue(key, out var version)
        ? version
        : throw new InvalidOperationException($"{RelativePath} has no {key}.");

    /// <summary>Reads <c>KEY=VALUE</c> lines (comments and blanks skipped) from the repository at <paramref name="root"/>.</summary>
    public static ToolVersions Load(string root)
    {
        var versions = File.ReadLines(Path.Combine(root, RelativePath))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.Ordinal);
        return new ToolVersions(versions);
    }
}
