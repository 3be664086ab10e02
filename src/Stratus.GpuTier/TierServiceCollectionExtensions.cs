using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.GpuTier.Auth;
using Stratus.GpuTier.Hosting;
using Stratus.Serving;
using Stratus.Serving.Onnx;

namespace Stratus.GpuTier;

public static class TierServiceCollectionExtensions
{
    /// <summary>The GPU tier: the serving engine on the preferred execution provider, warm models with their batchers, lifecycle and caller checks.</summary>
    public static IServiceCollection AddStratusGpuTier(this IServiceCollection services)
    {
        services.AddSingleton<IExecutionProviderSelector>(sp =>
        {
            var tier = sp.GetRequiredService<IOptions<StratusOptions>>().Value.Tier;
            return new PreferredExecutionProvider(tier.ExecutionProvider, tier.CudaDeviceId, sp.GetRequiredService<ILogger<PreferredExecutionProvider>>());
        });
        services.AddStratusServingEngine();
        services.AddSingleton<TierModels>();
        services.AddSingleton<TierLifecycle>();
        services.AddSingleton<TierInference>();
        services.AddHostedService<TierLifetimeService>();
        services.AddGpuTierAuthentication();
        return services;
    }
}
