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
        services.TryAddSingleton<IVersionPolicy, AliasVersionPolicy>();
        services.TryAddSingleton<ModelCatalog>();
        services.TryAddSingleton<ModelSessionCache>();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<PredictionService>();
        services.TryAddSingleton<OpenInferenceService>();
        services.TryAddSingleton<ModelManagementService>();
        return services;
    }
}
