using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Problems;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Registry;

/// <summary>Gets a served model: from the session cache, or from the registry and blob store on first use.</summary>
public sealed class ModelLoader(
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
            ?? throw ProblemException.NotFound("Version not found", $"Model '{model}' has no version {version}.");
        var bytes = await artifacts.DownloadAsync(record.ArtifactPath, cancellationToken);
        using var sessionOptions = NewOptions(model, version);
        var provider = providers.Configure(sessionOptions);
        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes, sessionOptions);
        }
        catch (OnnxRuntimeException e) when (provider != ExecutionProviders.Cpu && providers.FallsBackToCpu)
        {
            // The provider's libraries loaded but the device is unusable (no GPU passed through, driver too old).
            logger.LogWarning("Model {Model} version {Version} could not start on {ExecutionProvider} ({Reason}); using CPU", model, version, provider, e.Message);
            using var cpuOptions = NewOptions(model, version);
            session = new InferenceSession(bytes, cpuOptions);
            provider = ExecutionProviders.Cpu;
        }

        logger.LogInformation("Session for model {Model} version {Version} runs on the {ExecutionProvider} execution provider", model, version, provider);
        return new LoadedModel(record, session) { ExecutionProvider = provider };
    }

    private SessionOptions NewOptions(string model, int version) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = options.Value.Serving.IntraOpThreads,
        LogId = $"{model}:{version}",
    };
}
