using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;

namespace Stratus.GpuTier.Client;

public static class GpuTierClientServiceCollectionExtensions
{
    /// <summary>The function app's client of the GPU tier (<see cref="GpuTierOptions"/>): resilient infer calls, plain probes, tokens when an audience is set.</summary>
    public static IServiceCollection AddGpuTierClient(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => GpuTierCredential.From(sp.GetRequiredService<IOptions<StratusOptions>>().Value.GpuTier));
        services.TryAddTransient<GpuTierAuthHandler>();
        services.AddHttpClient(GpuTierClient.ProbeClientName, http => http.Timeout = TimeSpan.FromSeconds(5))
            .AddHttpMessageHandler<GpuTierAuthHandler>();
        var client = services.AddHttpClient<IGpuTierClient, GpuTierClient>(http =>
        {
            // The resilience pipeline owns timeouts; the client's own would cut across its retry.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
        var pipeline = client.AddStandardResilienceHandler();
        client.AddHttpMessageHandler<GpuTierAuthHandler>(); // after (inside) the retry: every attempt carries a token
        services.AddOptions<HttpStandardResilienceOptions>(pipeline.PipelineName)
            .Configure<IOptions<StratusOptions>>((resilience, stratus) =>
            {
                var seconds = Math.Max(2, stratus.Value.GpuTier.TimeoutSeconds);
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(seconds / 2.0);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(seconds);
                resilience.Retry.MaxRetryAttempts = 1; // inference has no side effects: one retry is safe
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, seconds * 2));
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
            });

        // While the tier is down every call fails fast, and Polly logs each attempt as a warning with its stack trace
        // (tens of thousands a minute under load); the circuit opening is an error and still logged, and callers get
        // 503 with Retry-After. The clients' per-request information logs (infer and the readiness probe) go with them. Polly's category is shared by
        // every pipeline in the app (the monitoring webhook's too): their retries go unlogged, their final failures are
        // logged by their callers.
        services.AddLogging(logging => logging
            .AddFilter("Polly", LogLevel.Error)
            .AddFilter($"System.Net.Http.HttpClient.{nameof(IGpuTierClient)}", LogLevel.Warning)
            .AddFilter($"System.Net.Http.HttpClient.{GpuTierClient.ProbeClientName}", LogLevel.Warning));
        return services;
    }
}
