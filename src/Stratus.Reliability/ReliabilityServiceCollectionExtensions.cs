using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Monitoring;
using Stratus.Reliability.Alerts;
using Stratus.Reliability.Feedback;
using Stratus.Reliability.Recording;
using Stratus.Reliability.References;
using Stratus.Reliability.Reports;
using Stratus.Serving.Observation;

namespace Stratus.Reliability;

public static class ReliabilityServiceCollectionExtensions
{
    /// <summary>
    /// Monitoring for the function app: references, reports, feedback and alerts always; the observer that records
    /// served rows (and its flushers) only while <see cref="MonitoringOptions.Enabled"/>, so with monitoring off the
    /// served path builds and queues nothing for it.
    /// </summary>
    public static IServiceCollection AddStratusReliability(this IServiceCollection services, bool observe)
    {
        services.AddMetrics();
        services.TryAddSingleton<ReliabilityTelemetry>();
        services.TryAddSingleton<InstanceIdentity>();
        services.TryAddSingleton<MonitoredVersions>();
        services.TryAddSingleton<ReferenceService>();
        services.TryAddSingleton<Estimation.PerformanceEstimators>();
        services.TryAddSingleton<FeedbackService>();
        services.TryAddSingleton<MonitoringReportService>();
        services.TryAddSingleton<Core.Monitoring.IVersionPerformance, VersionPerformanceReader>();
        services.TryAddSingleton<AlertService>();
        services.TryAddSingleton(sp => new WindowRecorder(
            TimeSpan.FromMinutes(Math.Max(1, sp.GetRequiredService<IOptions<StratusOptions>>().Value.Monitoring.WindowMinutes)),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient<WebhookNotifier>(http => http.Timeout = Timeout.InfiniteTimeSpan).AddStandardResilienceHandler();

        if (observe)
        {
            services.TryAddSingleton<PredictionLogWriter>();
            services.TryAddSingleton<MonitoringFlusher>();
            services.AddHostedService(sp => sp.GetRequiredService<PredictionLogWriter>());
            services.AddHostedService(sp => sp.GetRequiredService<MonitoringFlusher>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPredictionObserver, MonitoringObserver>());
        }

        return services;
    }
}
