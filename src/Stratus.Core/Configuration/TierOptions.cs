namespace Stratus.Core.Configuration;

/// <summary>Settings of the GPU tier app (<c>Stratus__Tier__*</c>); the function app ignores them.</summary>
public sealed class TierOptions
{
    /// <summary>Models loaded and warmed before the tier reports ready; empty: every model whose card says <c>tier: gpu</c>.</summary>
    public List<string> Preload { get; set; } = [];

    /// <summary><c>auto</c> (CUDA when its libraries load, else CPU), <c>cuda</c> (fail without it) or <c>cpu</c>.</summary>
    public string ExecutionProvider { get; set; } = ExecutionProviders.Auto;

    public int CudaDeviceId { get; set; }

    /// <summary>Batching for every model unless <see cref="Models"/> overrides it.</summary>
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Per-model batching, by model name (<c>Stratus__Tier__Models__resnet18__MaxBatchSize</c>).</summary>
    public Dictionary<string, BatchingOptions> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Versions of one model kept loaded (champion and challenger, say); the least recently used beyond it are unloaded.</summary>
    public int MaxVersionsPerModel { get; set; } = 2;

    /// <summary>How long shutdown waits for queued and in-flight inference to finish.</summary>
    public int DrainSeconds { get; set; } = 30;

    /// <summary>Who may call the tier: Entra ID callers for an audience, or anyone only when <see cref="TierAuthOptions.AllowAnonymous"/> says so.</summary>
    public TierAuthOptions Auth { get; set; } = new();

    public BatchingOptions BatchingFor(string model) => Models.TryGetValue(model, out var own) ? own : Batching;
}

/// <summary>Microsoft Entra ID bearer tokens on the tier's model routes (health probes stay anonymous); closed by default.</summary>
public sealed class TierAuthOptions
{
    /// <summary>The app registration's application ID URI (<c>api://{appId}</c>) or app id that tokens must be issued for (either form is accepted in tokens); unset: no authentication.</summary>
    public string? Audience { get; set; }

    /// <summary>The Entra tenant that issues the tokens (required with an audience).</summary>
    public string? TenantId { get; set; }

    /// <summary>Client ids allowed to call (the function app's managed identity); required with an audience.</summary>
    public List<string> AllowedClientIds { get; set; } = [];

    /// <summary>
    /// Accept calls without a token. Off by default: a tier with neither an audience nor this set refuses to start.
    /// Set it on purpose only where nothing but the function app can reach the tier (the local runner, an internal
    /// environment or VNet).
    /// </summary>
    public bool AllowAnonymous { get; set; }
}

/// <summary>Names of the ONNX Runtime execution providers a session can be given.</summary>
public static class ExecutionProviders
{
    public const string Auto = "auto";
    public const string Cuda = "cuda";
    public const string Cpu = "cpu";
}
