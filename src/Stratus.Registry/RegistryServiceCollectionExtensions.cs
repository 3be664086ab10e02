using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Stratus.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>The registry's application services over the stores (<c>AddStratusStorage</c>) and a model inspector (the serving engine's).</summary>
    public static IServiceCollection AddStratusRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelCatalog>();
        services.TryAddSingleton<IVersionSelector, AliasVersionSelector>();
        services.TryAddSingleton<ModelManagementService>();
        return services;
    }
}
