namespace Stratus.Core.Configuration;

/// <summary>
/// Settings under the <c>Stratus</c> section (app settings <c>Stratus__Serving__MaxInstances</c> etc.).
/// Names are declared once here; infra and docs refer to them.
/// </summary>
public sealed class StratusOptions
{
    public const string Section = "Stratus";

    public ServingOptions Serving { get; set; } = new();
    public RegistryOptions Registry { get; set; } = new();
    public DatasetOptions Datasets { get; set; } = new();
    public RetrainingOptions Retraining { get; set; } = new();
    public GpuTierOptions GpuTier { get; set; } = new();
    public MonitoringOptions Monitoring { get; set; } = new();
    public ExperimentOptions Experiments { get; set; } = new();

    /// <summary>Read by the GPU tier app only.</summary>
    public TierOptions Tier { get; set; } = new();

    /// <summary>Durable Task hub name of the local runner; host.json's <c>extensions.durableTask.hubName</c> names it in Azure.</summary>
    public string TaskHub { get; set; } = "stratus";

    /// <summary>Read by the local runner only.</summary>
    public LocalEngineOptions LocalEngine { get; set; } = new();
}

/// <summary>The local runner's Durable Task engine (Azure uses the Functions host's).</summary>
public sealed class LocalEngineOptions
{
    /// <summary>
    /// Seconds before work a crashed runner held is delivered again (resume time after a restart). A running
    /// activity's lock is renewed, so activities may take longer than this.
    /// </summary>
    public int VisibilityTimeoutSeconds { get; set; } = 30;
}

public sealed class ServingOptions
{
    /// <summary>Most instances one predict call may carry.</summary>
    public int MaxInstances { get; set; } = 10_000;

    /// <summary>
    /// Memory budget for cached ONNX sessions, each estimated as its artifact's size plus <see cref="SessionOverheadBytes"/>;
    /// least recently used are evicted to make room for a new one.
    /// </summary>
    public long SessionCacheBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// What a session holds beyond its artifact's bytes (graph, kernels, allocator): measured at about 470 KiB for a
    /// 15 KiB tabular model (docs/benchmarks.md, "Many models"). Without it, a budget of small models held thirty times
    /// the memory it named.
    /// </summary>
    public long SessionOverheadBytes { get; set; } = 512 * 1024;

    /// <summary>How long a resolved card (aliases, tier, features) is reused before re-reading storage: the maximum staleness of an alias change made on another instance.</summary>
    public int CardCacheSeconds { get; set; } = 10;

    /// <summary>Largest predict/infer request body accepted.</summary>
    public long MaxRequestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Threads ONNX Runtime may use inside one session call; 0 lets it decide.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// How many in-process champions an instance loads and runs once when it starts, in the background (health does
    /// not wait), so the first caller after a start or a scale-out does not pay for the session and the JIT; 0: none.
    /// </summary>
    public int WarmupModels { get; set; } = 20;
}

public sealed class RegistryOptions
{
    /// <summary>Largest ONNX upload accepted (413 beyond).</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;
}

public sealed class DatasetOptions
{
    /// <summary>Largest CSV upload accepted (413 beyond).</summary>
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;
}

public sealed class RetrainingOptions
{
    /// <summary>How many models RetrainAll trains at once.</summary>
    public int MaxParallelism { get; set; } = 4;
}

public sealed class GpuTierOptions
{
    /// <summary>Base URL of the GPU tier (Open Inference Protocol); unset: gpu-tier models answer 503 unless they allow CPU fallback.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Longest wait for one call to the tier before answering 503 (one retry included).</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>When set, calls carry an Entra ID token for this audience (the tier's <see cref="TierAuthOptions.Audience"/>).</summary>
    public string? Audience { get; set; }

    /// <summary>The user-assigned managed identity that requests those tokens; unset: the default credential chain.</summary>
    public string? ManagedIdentityClientId { get; set; }
}

public sealed class MonitoringOptions
{
    /// <summary>Record served rows, log predictions and accept feedback; off: the served path publishes nothing for monitoring.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each instance writes its in-memory windows to storage: the most an instance that is recycled loses.</summary>
    public int FlushSeconds { get; set; } = 60;

    /// <summary>Length of a monitoring window; reports merge the windows that start in their range.</summary>
    public int WindowMinutes { get; set; } = 60;

    /// <summary>Share of served predictions written to the prediction log that feedback joins (0 to 1).</summary>
    public double PredictionLogSampleRate { get; set; } = 1.0;

    /// <summary>
    /// Share of a regressor's served requests whose rows its DLE loss models score (0 to 1), on the observation reader,
    /// off the request path. Classifiers' CBPE needs no model run and records every row.
    /// </summary>
    public double EstimationSampleRate { get; set; } = 0.1;

    /// <summary>Days a logged prediction can still receive feedback; older daily log tables are deleted.</summary>
    public int PredictionLogDays { get; set; } = 30;

    /// <summary>Where <c>notify</c> alerts are POSTed as JSON; unset: log and metric only.</summary>
    public string? WebhookUrl { get; set; }
}

public sealed class ExperimentOptions
{
    /// <summary>How often each instance writes the units it newly exposed to experiments: readouts lag by at most this.</summary>
    public int FlushSeconds { get; set; } = 10;
}
