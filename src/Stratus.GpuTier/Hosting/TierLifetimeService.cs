using Microsoft.Extensions.Hosting;

namespace Stratus.GpuTier.Hosting;

/// <summary>
/// Warms the preload set after the server starts listening (so liveness answers meanwhile) and starts draining when
/// shutdown begins; the container then disposes <see cref="TierModels"/>, which finishes queued work.
/// </summary>
public sealed class TierLifetimeService(TierLifecycle lifecycle, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(lifecycle.BeginDrain);
        await lifecycle.WarmUpAsync(stoppingToken);
    }

}
