using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stratus.Experiments.Traffic;
using Stratus.Experiments.Management;
using Stratus.Experiments.Outcomes;
using Stratus.Experiments.Results;
using Stratus.Experiments.Routing;
using Stratus.Experiments.Shadow;
using Stratus.Registry;
using Stratus.Serving.Observation;

namespace Stratus.Experiments;

public static class ExperimentsServiceCollectionExtensions
{
    /// <summary>
    /// Experiments for the function app: management, outcomes and readouts; the version selector that routes a unit
    /// to its variant (replacing the alias-only one, which it decorates); the traffic observer with its flusher, and the shadow runner.
    /// </summary>
    public static IServiceCollection AddStratusExperiments(this IServiceCollection services)
    {
        services.TryAddSingleton<RunningExperiments>();
        services.TryAddSingleton<ExperimentService>();
        services.TryAddSingleton<OutcomeService>();
        services.TryAddSingleton<ExperimentResults>();
        services.TryAddSingleton<Canary.CanaryService>();
        services.TryAddSingleton<AliasVersionSelector>();
        services.Replace(ServiceDescriptor.Singleton<IVersionSelector, ExperimentVersionSelector>());
        services.TryAddSingleton<TrafficRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<TrafficRecorder>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionObserver, TrafficObserver>());
        services.TryAddSingleton<ShadowRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ShadowRunner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionObserver, ShadowRunner>(sp => sp.GetRequiredService<ShadowRunner>()));
        return services;
    }
}
