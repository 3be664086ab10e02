using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Onnx;

/// <summary>Gets a served model: from the session cache, or from the registry and blob store on first use.</summary>
public sealed partial class ModelLoader(
    IModelRegistry registry,
    IArtifactStore artifacts,
    ModelSessionCache cache,
    IExecutionProviderSelector providers,
    IOptions<StratusOptions> options,
    ILogger<ModelLoader> logger)
{
    public ValueTask<ModelLease> AcquireAsync(string model, int version, CancellationToken cancellationToken) =>
        cache.AcquireAsync(model, version, ct => LoadAsync(model, version, ct), cancellationToken);

    /// <summary>Loads a new session outside the cache; the caller owns (and disposes) it.</summary>
    public async Task<LoadedModel> LoadAsync(string model, int version, CancellationToken cancellationToken)
    {
        var record = await registry.GetVersionAsync(model, version, cancellationToken)
            ?? throw RegistryErrors.VersionNotFound(model, version);
        var bytes = await artifacts.DownloadAsync(record.ArtifactPath, cancellationToken);
        using var sessionOptions = NewOptions(model, version);
        var provider = providers.Configure(sessionOptions);
        InferenceSession session;
        try
        {
            try
            {
                session = new InferenceSession(bytes, sessionOptions);
            }
            catch (OnnxRuntimeException e) when (provider != ExecutionProviders.Cpu && providers.FallsBackToCpu)
            {
                // The provider's libraries loaded but the device is unusable (no GPU passed through, driver too old).
                LogCpuFallback(model, version, provider, e.Message);
                using var cpuOptions = NewOptions(model, version);
                session = new InferenceSession(bytes, cpuOptions);
                provider = ExecutionProviders.Cpu;
            }
        }
        catch (OnnxRuntimeException e)
        {
            // A stored artifact that does not load is the registry's problem, not the caller's: unavailable, retried later.
            LogLoadFailed(e, model, version);
            throw DomainException.Unavailable(
                "Model cannot be loaded",
                $"Model '{model}' version {version} could not be loaded: {e.Message.Split('\n')[0]}",
                UnloadableRetryAfter);
        }

        LogSession(model, version, provider);
        return new LoadedModel(record, session) { ExecutionProvider = provider };
    }

    private static readonly TimeSpan UnloadableRetryAfter = TimeSpan.FromSeconds(30);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} version {Version} could not start on {ExecutionProvider} ({Reason}); using CPU")]
    private partial void LogCpuFallback(string model, int version, string executionProvider, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} version {Version} could not be loaded")]
    private partial void LogLoadFailed(Exception exception, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session for model {Model} version {Version} runs on the {ExecutionProvider} execution provider")]
    private partial void LogSession(string model, int version, string executionProvider);

    private SessionOptions NewOptions(string model, int version) => new()
    {
        GraphOptimizationLevel = OnnxModelInspector.ServingOptimization,
        IntraOpNumThreads = options.Value.Serving.IntraOpThreads,
        LogId = $"{model}:{version}",
    };
}
