using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Tier;

public static class TierServiceCollectionExtensions
{
    /// <summary>The GPU tier: serving engine with the preferred execution provider, per-model batchers, warm-up and drain.</summary>
    public static IServiceCollection AddStratusGpuTier(this IServiceCollection services)
    {
        services.AddSingleton<IExecutionProviderSelector>(sp =>
        {
            var tier = sp.GetRequiredService<IOptions<StratusOptions>>().Value.Tier;
            return new PreferredExecutionProvider(tier.ExecutionProvider, tier.CudaDeviceId, sp.GetRequiredService<ILogger<PreferredExecutionProvider>>());
        });
        services.AddStratusServing();
        services.AddSingleton<TierModelHost>();
        services.AddHostedService<TierLifetimeService>();
        services.AddGpuTierAuthentication();
        return services;
    }
}
