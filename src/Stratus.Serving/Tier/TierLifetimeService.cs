using Microsoft.Extensions.Hosting;

namespace Stratus.Serving.Tier;

/// <summary>Warms the preload set after the server starts listening (so liveness answers meanwhile), and starts draining on shutdown.</summary>
public sealed class TierLifetimeService(TierModelHost host, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(host.BeginDrain);
        await host.WarmUpAsync(stoppingToken);
    }
}
