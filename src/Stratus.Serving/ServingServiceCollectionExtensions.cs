using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stratus.Registry;
using Stratus.Serving.Observation;
using Stratus.Serving.Onnx;
using Stratus.Serving.Routing;

namespace Stratus.Serving;

public static class ServingServiceCollectionExtensions
{
    /// <summary>
    /// The function app's serving: the engine plus the predict and V2 services that route each request to its version
    /// and tier. The host adds the GPU tier client (<c>AddGpuTierClient</c>).
    /// </summary>
    public static IServiceCollection AddStratusServing(this IServiceCollection services)
    {
        services.AddStratusServingEngine();
        services.TryAddSingleton<PredictionService>();
        services.TryAddSingleton<OpenInferenceService>();
        services.AddHostedService<ChampionWarmup>();
        return services;
    }

    /// <summary>The engine over the registry: execution provider (CPU unless the host chose one), session cache, loader and the observation hook.</summary>
    public static IServiceCollection AddStratusServingEngine(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddStratusRegistry();
        services.TryAddSingleton<ServingTelemetry>();
        services.TryAddSingleton<IModelInspector, OnnxModelInspector>();
        services.TryAddSingleton<IExecutionProviderSelector, CpuExecutionProvider>();
        services.TryAddSingleton<ModelSessionCache>();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<PredictionObservations>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionObservations>());
        return services;
    }
}
