using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Datasets;
using Stratus.Core.Http;
using Stratus.Experiments;
using Stratus.GpuTier.Client;
using Stratus.Reliability;
using Stratus.Serving;
using Stratus.ServiceDefaults;
using Stratus.Storage;
using Stratus.Functions.Http;
using Stratus.Training.Datasets;
using Stratus.Training.Runs;

namespace Stratus.Functions;

public static class StratusServiceCollectionExtensions
{
    /// <summary>
    /// Everything the function classes need, registered the same way by both hosts: the Functions worker
    /// (Program.cs) and the local runner.
    /// </summary>
    public static IServiceCollection AddStratus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStratusStorage(configuration);
        services.TryAddSingleton<DatasetService>();
        services.TryAddSingleton<DatasetCache>();
        services.TryAddSingleton<TrainingWorkflow>();
        services.TryAddSingleton<Stratus.Core.Monitoring.ILossModelTrainer, Stratus.Training.Monitoring.LossModelTrainer>();
        services.TryAddSingleton<RetrainPlanner>();
        services.TryAddSingleton<IDurableHttpLinks, FunctionsHostDurableHttpLinks>();
        services.TryAddSingleton<Stratus.Dashboard.DashboardAssets>();
        services.TryAddSingleton<Stratus.Core.Diagnostics.StartupReadiness>();
        // Before serving: hosted services stop in reverse order, so the monitoring flushers stop after the observation
        // queue has delivered its last observations to them.
        services.AddStratusReliability(observe: configuration.GetValue<bool?>(OptionPaths.MonitoringEnabled.Key) ?? new MonitoringOptions().Enabled);
        services.AddStratusExperiments();
        services.AddStratusServing();
        services.AddGpuTierClient();

        // Orchestration inputs and outputs use the API's JSON conventions, so a run's output reads the same
        // through the status endpoint as every other response. (The local runner applies the same options.)
        services.Configure<WorkerOptions>(o => o.Serializer = new Azure.Core.Serialization.JsonObjectSerializer(StratusJson.Options));

        services.AddStratusTelemetry(configuration);

        return services;
    }
}
