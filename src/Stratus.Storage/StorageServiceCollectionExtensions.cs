using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Datasets;
using Stratus.Core.Monitoring;

namespace Stratus.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Stratus options plus the registry, artifacts and datasets on the storage account <c>AzureWebJobsStorage</c> names.</summary>
    public static IServiceCollection AddStratusStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StratusOptions>().Configure(o => configuration.GetSection(StratusOptions.Section).Bind(o));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => StorageClients.FromConfiguration(configuration));
        services.TryAddSingleton<IModelRegistry, TableModelRegistry>();
        services.TryAddSingleton<IArtifactStore, BlobArtifactStore>();
        services.TryAddSingleton<IDatasetStore, BlobTableDatasetStore>();
        services.TryAddSingleton<IMonitoringStore, TableMonitoringStore>();
        services.TryAddSingleton<IPredictionLog, BlobPredictionLog>();
        services.TryAddSingleton<IFeedbackStore, TableFeedbackStore>();
        services.TryAddSingleton<IAlertStore, TableAlertStore>();
        services.TryAddSingleton<Stratus.Core.Experiments.IExperimentStore, TableExperimentStore>();
        services.TryAddSingleton<Stratus.Core.Experiments.IExperimentEventStore, TableExperimentEventStore>();
        return services;
    }
}
