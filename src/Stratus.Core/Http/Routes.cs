namespace Stratus.Core.Http;

/// <summary>
/// Every HTTP route Stratus serves, defined once. host.json sets the route prefix to empty, so these
/// are the full paths: the management/serving API lives under <c>api/</c> and the Open Inference
/// Protocol (KServe V2) at its standard <c>v2/</c> paths.
/// </summary>
public static class Routes
{
    public const string Health = "api/health";

    /// <summary>The dashboard (a single-page app over this API) and its static files, anonymous: the page asks for the key.</summary>
    public const string Dashboard = DashboardPath + "/{*path}";
    public const string DashboardRoot = "/" + DashboardPath + "/";
    private const string DashboardPath = "ui";

    public const string Models = "api/models";
    public const string Model = "api/models/{name}";
    public const string Versions = "api/models/{name}/versions";
    public const string Version = "api/models/{name}/versions/{version:int}";
    public const string VersionArtifact = "api/models/{name}/versions/{version:int}/artifact";
    public const string Alias = "api/models/{name}/aliases/{alias}";
    public const string Predict = "api/models/{name}/predict";

    public const string VersionReference = "api/models/{name}/versions/{version:int}/reference";
    public const string Feedback = "api/models/{name}/feedback";
    public const string Monitoring = "api/models/{name}/monitoring";
    public const string ModelAlerts = "api/models/{name}/alerts";
    public const string Alerts = "api/alerts";
    public const string Monitor = "api/monitor";

    public const string Experiments = "api/models/{name}/experiments";
    public const string Experiment = "api/models/{name}/experiments/{experiment}";
    public const string ExperimentStop = "api/models/{name}/experiments/{experiment}/stop";
    public const string ExperimentConclude = "api/models/{name}/experiments/{experiment}/conclude";
    public const string ExperimentOutcomes = "api/models/{name}/experiments/{experiment}/outcomes";

    public const string Train = "api/models/{name}/train";
    public const string Reproduce = "api/models/{name}/versions/{version:int}/reproduce";
    public const string Runs = "api/runs";
    public const string Run = "api/runs/{id}";
    public const string Retrain = "api/retrain";

    /// <summary>The Durable Functions HTTP API the host serves (and the local runner reproduces) for check-status links.</summary>
    public const string DurableInstance = "runtime/webhooks/durabletask/instances/{instanceId}";

    public const string Datasets = "api/datasets";
    public const string Dataset = "api/datasets/{name}";

    /// <summary>The Open Inference Protocol's server metadata.</summary>
    public const string V2Server = "v2";
    public const string V2Live = "v2/health/live";
    public const string V2Ready = "v2/health/ready";
    public const string V2Model = "v2/models/{name}";
    public const string V2ModelVersion = "v2/models/{name}/versions/{version}";
    public const string V2ModelReady = "v2/models/{name}/ready";
    public const string V2ModelVersionReady = "v2/models/{name}/versions/{version}/ready";
    public const string V2Infer = "v2/models/{name}/infer";
    public const string V2VersionInfer = "v2/models/{name}/versions/{version}/infer";

    /// <summary>
    /// A concrete path from a route template: each <c>{name}</c> or <c>{name:constraint}</c> segment replaced by its
    /// escaped value. Clients (the GPU tier client, tests) build paths with it instead of re-spelling routes.
    /// </summary>
    public static string Expand(string template, params (string Name, string Value)[] values)
    {
        var segments = template.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length > 2 && segment[0] == '{' && segment[^1] == '}')
            {
                var name = segment[1..^1].Split(':')[0];
                var match = Array.FindIndex(values, v => v.Name == name);
                segments[i] = match >= 0
                    ? Uri.EscapeDataString(values[match].Value)
                    : throw new ArgumentException($"No value for '{name}' in route '{template}'.", nameof(values));
            }
        }

        return string.Join('/', segments);
    }

    /// <summary>True for Open Inference Protocol paths, whose errors use <c>{"error": …}</c> instead of problem+json.</summary>
    public static bool IsOpenInference(string? path) =>
        path is not null && (path.StartsWith("/v2/", StringComparison.Ordinal) || path == "/v2");
}
