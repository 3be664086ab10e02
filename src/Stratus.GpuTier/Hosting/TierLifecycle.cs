using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Registry;

namespace Stratus.GpuTier.Hosting;

/// <summary>
/// The replica's state: starting until its preload set is warm, then ready, then draining once shutdown begins.
/// Until at least one preloaded model is warm (or there are none) it stays not ready and tries again with backoff:
/// a replica that cannot serve anything (storage unreachable, device unusable) never takes traffic.
/// </summary>
public sealed partial class TierLifecycle(
    TierModels models,
    IModelRegistry registry,
    ModelCatalog catalog,
    IVersionSelector selector,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILogger<TierLifecycle> logger)
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(60);

    private const int Starting = 0;
    private const int Ready = 1;
    private const int Draining = 2;

    private int _state;

    /// <summary>True once the preload set is warm, and until shutdown begins.</summary>
    public bool IsReady => Volatile.Read(ref _state) == Ready;

    public bool IsDraining => Volatile.Read(ref _state) == Draining;

    /// <summary>Loads and warms the preload set (configured names, or every <c>tier: gpu</c> model's served version), then reports ready.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (true)
        {
            var (wanted, warm) = await TryPreloadAsync(cancellationToken);
            if (wanted == 0 || warm > 0)
            {
                Interlocked.CompareExchange(ref _state, Ready, Starting);
                LogReady(warm, wanted);
                return;
            }

            LogNotWarmYet(delay.TotalSeconds);
            await Task.Delay(delay, clock, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, delay.Ticks * 2));
        }
    }

    /// <summary>Shutdown has begun: no longer ready, and new requests are refused so callers go elsewhere.</summary>
    public void BeginDrain()
    {
        if (Interlocked.Exchange(ref _state, Draining) != Draining)
        {
            LogDraining();
        }
    }

    private async Task<(int Wanted, int Warm)> TryPreloadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names;
        try
        {
            names = options.Value.Tier.Preload.Count > 0 ? options.Value.Tier.Preload : await GpuModelsAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogCannotList(e);
            return (1, 0);
        }

        var warm = 0;
        foreach (var name in names)
        {
            try
            {
                var card = await catalog.GetCardAsync(name, cancellationToken);
                if (card.Tier != ServingTier.Gpu)
                {
                    LogNotGpu(name);
                    continue;
                }

                var choice = await selector.SelectAsync(card, ServingTarget.Default, cancellationToken);
                await models.GetAsync(name, choice.Version, cancellationToken);
                warm++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // One broken model must not keep the others off the air: it stays not ready and is retried on use.
                LogCannotPreload(e, name);
            }
        }

        return (names.Count, warm);
    }

    private async Task<IReadOnlyList<string>> GpuModelsAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var card in registry.ListCardsAsync(cancellationToken))
        {
            if (card.Tier == ServingTier.Gpu)
            {
                names.Add(card.Name);
            }
        }

        return names;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GPU tier ready with {Warm} of {Wanted} preloaded models warm")]
    private partial void LogReady(int warm, int wanted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No preloaded model is warm yet; trying again in {DelaySeconds} s")]
    private partial void LogNotWarmYet(double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "GPU tier draining: refusing new requests, finishing queued ones")]
    private partial void LogDraining();

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not list the models to preload")]
    private partial void LogCannotList(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preload names {Model}, which is not a tier: gpu model; the tier does not serve it")]
    private partial void LogNotGpu(string model);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not preload model {Model}")]
    private partial void LogCannotPreload(Exception exception, string model);
}
