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
/// default-routed request asks, so storage sees one or two reads per model per interval and instance (concurrent callers
/// share it; past half its life it is refreshed in the background), and starting or stopping an experiment reaches every instance within that interval. A failed read never fails
/// a prediction: the last known answer keeps routing (none known: no experiment, the champion serves), and storage is
/// asked again after <see cref="RetryAfterFailure"/>.
/// </summary>
public sealed partial class RunningExperiments(IExperimentStore store, IOptions<StratusOptions> options, TimeProvider clock, ILogger<RunningExperiments> logger)
{
    public static readonly TimeSpan RetryAfterFailure = Registry.ModelCatalog.RetryAfterFailure;

    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);

    public ValueTask<RoutedExperiment?> GetAsync(string model, CancellationToken cancellationToken)
    {
        var entry = _cache.GetOrAdd(model, _ => new Entry());
        var known = Volatile.Read(ref entry.Known);
        if (known is null || clock.GetElapsedTime(known.At) is var age && age >= known.For)
        {
            return new ValueTask<RoutedExperiment?>(RefreshAsync(entry, model, known, cancellationToken));
        }

        // Refreshed ahead, as cards are (ModelCatalog): past half its life one background read starts and this caller
        // goes on with the answer it has, so callers never all wait on storage at once.
        if (age >= known.For / 2 && known.For == Ttl)
        {
            RefreshAhead(entry, model, known);
        }

        return ValueTask.FromResult(known.Value);
    }

    /// <summary>Forgets a model's answer on this instance (an experiment started or ended here).</summary>
    public void Invalidate(string model) => _cache.TryRemove(model, out _);

    private TimeSpan Ttl => TimeSpan.FromSeconds(Math.Max(0, options.Value.Serving.CardCacheSeconds));

    private async Task<RoutedExperiment?> RefreshAsync(Entry entry, string model, Snapshot? known, CancellationToken cancellationToken)
    {
        Task<RoutedExperiment?> fetch;
        lock (entry)
        {
            fetch = entry.Fetching ??= FetchAsync(entry, model);
        }

        try
        {
            return await fetch.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefreshFailed(e, model);
            return known?.Value;
        }
    }

    /// <summary>
    /// One background read, not while one is under way nor when another read already replaced the answer this caller
    /// saw; a failure is logged once, and the answer then stands for <see cref="RetryAfterFailure"/>.
    /// </summary>
    private void RefreshAhead(Entry entry, string model, Snapshot seen)
    {
        if (Volatile.Read(ref entry.Fetching) is not null)
        {
            return;
        }

        Task<RoutedExperiment?> fetch;
        lock (entry)
        {
            if (entry.Fetching is not null || !ReferenceEquals(entry.Known, seen))
            {
                return;
            }

            fetch = entry.Fetching = FetchAsync(entry, model);
        }

        fetch.ContinueWith(t => LogRefreshFailed(t.Exception!.InnerException!, model), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>One read for all callers; not cancelled by any one of them.</summary>
    private async Task<RoutedExperiment?> FetchAsync(Entry entry, string model)
    {
        await Task.Yield();
        try
        {
            var routed = await store.RunningAsync(model, CancellationToken.None) is { } running
                ? new RoutedExperiment(running, running.Variants.Select(v => v.Weight).ToArray())
                : null;
            Volatile.Write(ref entry.Known, new Snapshot(routed, clock.GetTimestamp(), Ttl));
            return routed;
        }
        catch
        {
            Volatile.Write(ref entry.Known, new Snapshot(Volatile.Read(ref entry.Known)?.Value, clock.GetTimestamp(), RetryAfterFailure));
            throw;
        }
        finally
        {
            lock (entry)
            {
                entry.Fetching = null;
            }
        }
    }

    private sealed class Entry
    {
        public Snapshot? Known;
        public Task<RoutedExperiment?>? Fetching;
    }

    /// <summary>An answer, when it was read, and how long it stands.</summary>
    private sealed record Snapshot(RoutedExperiment? Value, long At, TimeSpan For);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the running experiment of {Model}; routing with the last known answer")]
    private partial void LogRefreshFailed(Exception exception, string model);
}
