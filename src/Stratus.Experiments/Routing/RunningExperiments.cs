using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;

namespace Stratus.Experiments.Routing;

/// <summary>A running experiment as routing needs it: the record, its weights in variant order, and (shadow mode) the shadows.</summary>
public sealed record RoutedExperiment(Experiment Experiment, double[] Weights)
{
    public IReadOnlyList<Registry.ShadowTarget>? Shadows { get; } = Experiment.Mode == ExperimentMode.Shadow
        ? Experiment.Variants.Skip(1).Where(v => v.Version is not null).Select(v => new Registry.ShadowTarget(v.Name, v.Version!.Value)).ToArray()
        : null;
}

/// <summary>
/// Each model's running experiment, cached for <see cref="ServingOptions.CardCacheSeconds"/> like cards are: every
/// default-routed request asks, so storage sees one read per model per interval and instance, and starting or
/// stopping an experiment reaches every instance within that interval. When a refresh fails, the last known answer
/// keeps serving (a storage blip must not fail predictions).
/// </summary>
public sealed partial class RunningExperiments(IExperimentStore store, IOptions<StratusOptions> options, TimeProvider clock, ILogger<RunningExperiments> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public ValueTask<RoutedExperiment?> GetAsync(string model, CancellationToken cancellationToken)
    {
        _cache.TryGetValue(model, out var entry);
        return entry is { Running.IsCompletedSuccessfully: true } && clock.GetElapsedTime(entry.FetchedAt) < Ttl
            ? ValueTask.FromResult(entry.Running.Result)
            : new ValueTask<RoutedExperiment?>(RefreshAsync(model, entry, cancellationToken));
    }

    /// <summary>Forgets a model's answer on this instance (an experiment started or ended here).</summary>
    public void Invalidate(string model) => _cache.TryRemove(model, out _);

    private TimeSpan Ttl => TimeSpan.FromSeconds(Math.Max(0, options.Value.Serving.CardCacheSeconds));

    private async Task<RoutedExperiment?> RefreshAsync(string model, Entry? stale, CancellationToken cancellationToken)
    {
        // Shared by concurrent callers, so not cancelled by any one of them.
        var fetch = FetchAsync(model);
        _cache[model] = new Entry(fetch, clock.GetTimestamp());
        try
        {
            return await fetch.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && stale is { Running.IsCompletedSuccessfully: true })
        {
            LogRefreshFailed(e, model);
            _cache[model] = stale with { FetchedAt = clock.GetTimestamp() };
            return stale.Running.Result;
        }
    }

    private async Task<RoutedExperiment?> FetchAsync(string model) =>
        await store.RunningAsync(model, CancellationToken.None) is { } running
            ? new RoutedExperiment(running, running.Variants.Select(v => v.Weight).ToArray())
            : null;

    private sealed record Entry(Task<RoutedExperiment?> Running, long FetchedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the running experiment of {Model}; routing with the last known one")]
    private partial void LogRefreshFailed(Exception exception, string model);
}
