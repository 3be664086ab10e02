using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Stratus.Core.Configuration;
using Stratus.Core.Diagnostics;

namespace Stratus.ServiceDefaults;

/// <summary>What every Stratus host sets up the same way (as eShop's ServiceDefaults): console logging and telemetry.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Console logging and telemetry, for the hosts that own their console (the GPU tier, the local runner). Under the
    /// Functions host, logging belongs to the host: it calls <see cref="AddStratusTelemetry"/> only.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddStratusConsole();
        builder.Services.AddStratusTelemetry(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// One line per entry with a timestamp, as every Stratus process logs to its console. ASP.NET Core's per-request
    /// diagnostics are off, not just quiet: while that category is enabled at any level, the server opens a log scope
    /// and an Activity for every request (about 2 % of a predict call's CPU), to log request start and end at a level
    /// these hosts never show.
    /// </summary>
    public static ILoggingBuilder AddStratusConsole(this ILoggingBuilder logging) =>
        logging
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });

    /// <summary>
    /// Stratus' meters (latency per model, rows, cache hits, batch sizes), exported to Application Insights when its
    /// connection string is set (with Entra ID: the identity in the authentication string, as the Functions host
    /// uses it) and over OTLP when an endpoint is set. Neither: the instruments still work for in-process listeners.
    /// </summary>
    public static IServiceCollection AddStratusTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var metrics = services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(StratusMeters.All));
        if (!string.IsNullOrEmpty(configuration[SettingNames.OtlpEndpoint]))
        {
            metrics.WithMetrics(m => m.AddOtlpExporter());
        }

        if (configuration[SettingNames.ApplicationInsightsConnectionString] is { Length: > 0 } connectionString)
        {
            // Entra ID only when asked for (as the Functions host reads the same setting); else the connection string's key.
            var authentication = configuration[SettingNames.ApplicationInsightsAuthentication];
            var credential = authentication?.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) == true ? Credential(authentication) : null;
            metrics.WithMetrics(m => m.AddAzureMonitorMetricExporter(o =>
            {
                o.ConnectionString = connectionString;
                if (credential is not null)
                {
                    o.Credential = credential;
                }
            }));
        }

        return services;
    }

    /// <summary>From <c>ClientId=…;Authorization=AAD</c>: that user-assigned identity; otherwise the default chain.</summary>
    public static TokenCredential Credential(string? authentication)
    {
        var clientId = (authentication ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair[1])
            .FirstOrDefault();
        return clientId is { Length: > 0 }
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
    }
}
