using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Onnx;
using Stratus.Serving.Registry;

namespace Stratus.Serving;

public static class ServingServiceCollectionExtensions
{
    /// <summary>The in-process ONNX serving engine: catalog, session cache, predict and V2 services.</summary>
    public static IServiceCollection AddStratusServing(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServingTelemetry>();
        services.TryAddSingleton<IModelInspector, OnnxModelInspector>();
        services.TryAddSingleton<IExecutionProviderSelector, CpuExecutionProvider>();
        services.TryAddSingleton<ServedVersionSelector>();
        services.TryAddSingleton<IVersionPolicy, AliasVersionPolicy>();
        services.TryAddSingleton<ModelCatalog>();
        services.TryAddSingleton<ModelSessionCache>();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<PredictionService>();
        services.TryAddSingleton<OpenInferenceService>();
        services.TryAddSingleton<ModelManagementService>();
        services.TryAddSingleton(sp => GpuTier.GpuTierCredential.From(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Configuration.StratusOptions>>().Value.GpuTier));
        services.TryAddTransient<GpuTier.GpuTierAuthHandler>();
        services.AddHttpClient(GpuTier.GpuTierClient.ProbeClientName, http => http.Timeout = TimeSpan.FromSeconds(5))
            .AddHttpMessageHandler<GpuTier.GpuTierAuthHandler>();
        var client = services.AddHttpClient<GpuTier.IGpuTierClient, GpuTier.GpuTierClient>(http =>
        {
            // The resilience pipeline owns timeouts; the client's own would cut across its retry.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
        var pipeline = client.AddStandardResilienceHandler();
        client.AddHttpMessageHandler<GpuTier.GpuTierAuthHandler>(); // after (inside) the retry: every attempt carries a token
        services.AddOptions<Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions>(pipeline.PipelineName)
            .Configure<Microsoft.Extensions.Options.IOptions<Core.Configuration.StratusOptions>>((resilience, stratus) =>
            {
                var seconds = Math.Max(2, stratus.Value.GpuTier.TimeoutSeconds);
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(seconds / 2.0);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(seconds);
                resilience.Retry.MaxRetryAttempts = 1; // inference has no side effects: one retry is safe
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, seconds * 2));
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
            });
        return services;
    }
}
