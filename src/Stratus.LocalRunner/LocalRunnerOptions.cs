using System.Reflection;

namespace Stratus.LocalRunner;

/// <summary>How to start the local runner; the defaults are what <c>dotnet run</c> in the repository uses.</summary>
public sealed record LocalRunnerOptions
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public const string DefaultGpuTierUrl = "http://127.0.0.1:7072";

    /// <summary>The repository root: settings, samples, <c>.stratus/</c> and <c>.tools/</c> are found from here.</summary>
    public required string Root { get; init; }

    /// <summary>Where the runner listens; port 0 picks a free one (tests).</summary>
    public string Url { get; init; } = DefaultUrl;

    /// <summary>Local state (Azurite data, logs); wipe it to start from scratch.</summary>
    public string DataDirectory => Path.Combine(Root, ".stratus");

    public string ToolsDirectory => Path.Combine(Root, ".tools");

    public bool SeedDemoModels { get; init; } = true;

    /// <summary>Where the runner starts the GPU tier process; null runs none (gpu-tier models then answer 503).</summary>
    public string? GpuTierUrl { get; init; } = DefaultGpuTierUrl;

    /// <summary>
    /// Joins the runner already running from this root, as a second Function App instance joins the first in Azure:
    /// its Azurite (so the same registry and Durable task hub) and its GPU tier at <see cref="GpuTierUrl"/>. A joining
    /// runner starts neither, seeds nothing, and stops nothing it did not start.
    /// </summary>
    public bool Join { get; init; }

    /// <summary>Settings applied over local.settings and the environment (tests use it for storage and keys).</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>The assembly whose <c>[Function]</c> methods are hosted.</summary>
    public Assembly FunctionsAssembly { get; init; } = typeof(Stratus.Functions.StratusServiceCollectionExtensions).Assembly;
}
