using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;
using Stratus.Registry;

namespace Stratus.Experiments.Traffic;

/// <summary>
/// Keeps each experiment's traffic in memory — units' first exposures, requests without a unit, each variant's calls,
/// errors and latencies, shadows' runs and comparisons — and writes it every <see cref="ExperimentOptions.FlushSeconds"/>.
/// Exposure writes are idempotent per unit, so instances need not coordinate and a unit this instance forgot (beyond
/// <see cref="MaxRememberedUnits"/>, or after a restart) costs one repeated write; traffic is a slice per flush; a failed
/// write is retried at the next flush. An instance recycled before its flush loses at most that interval.
/// </summary>
public sealed partial class TrafficRecorder(IExperimentEventStore store, IOptions<StratusOptions> options, TimeProvider clock, ILogger<TrafficRecorder> logger) : BackgroundService
{
    /// <summary>Units remembered per experiment before the memory is cleared: about 100 MB at most for a very large experiment.</summary>
    public const int MaxRememberedUnits = 1_000_000;

    /// <summary>An experiment that served nothing for this long is forgotten (it ended, or its traffic moved elsewhere).</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    /// <summary>New exposures kept waiting for storage per experiment before a failed batch is dropped instead of retried.</summary>
    public const int MaxPendingExposures = 200_000;

    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    private Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>A call an experiment routed: its variant's call (failed or not, and how long it took) and its unit's exposure.</summary>
    public void Record(VariantAssignment assignment, TimeSpan elapsed, bool failed)
    {
        lock (_gate)
        {
            var pending = PendingFor(assignment.Experiment);
            Stats(pending.Calls, assignment.Variant).Record(elapsed, failed);
            if (assignment.Unit is not { } unit)
            {
                pending.Unassigned++;
                return;
            }

            if (!_seen.TryGetValue(assignment.Experiment, out var seen))
            {
                _seen[assignment.Experiment] = seen = new Seen();
            }

            seen.LastUsed = clock.GetTimestamp();
            if (seen.Units.Count >= MaxRememberedUnits)
            {
                seen.Units.Clear();
            }

            if (seen.Units.Add(unit))
            {
                pending.Exposures.Add(new Exposure(unit, assignment.Variant));
            }
        }
    }

    /// <summary>A shadow's run of a call: how long it took, whether it failed, and how its rows compared with control's.</summary>
    public void RecordShadow(string experiment, string variant, TimeSpan elapsed, bool failed, long compared, long agreed, double absoluteDifference)
    {
        lock (_gate)
        {
            var stats = Stats(PendingFor(experiment).Shadows, variant);
            stats.Record(elapsed, failed);
            stats.ComparedRows += compared;
            stats.AgreedRows += agreed;
            stats.AbsoluteDifference += absoluteDifference;
        }
    }

    /// <summary>A call not sent to the shadows because their queue was full.</summary>
    public void RecordShadowDropped(string experiment)
    {
        lock (_gate)
        {
            PendingFor(experiment).ShadowDropped++;
        }
    }

    /// <summary>Writes everything recorded before this call (the background loop, shutdown, and tests).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            Dictionary<string, Pending> batch;
            lock (_gate)
            {
                (batch, _pending) = (_pending, new Dictionary<string, Pending>(StringComparer.Ordinal));
                foreach (var idle in _seen.Where(s => clock.GetElapsedTime(s.Value.LastUsed) > ForgetAfter).Select(s => s.Key).ToArray())
                {
                    _seen.Remove(idle);
                }
            }

            var at = clock.GetUtcNow();
            foreach (var (experiment, pending) in batch)
            {
                var slice = new TrafficSlice(at, pending.Unassigned, pending.Calls, pending.Shadows, pending.ShadowDropped);
                if (pending.Exposures.Count == 0 && slice.IsEmpty)
                {
                    continue;
                }

                try
                {
                    await store.RecordTrafficAsync(experiment, pending.Exposures, slice, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Requeue(experiment, pending);
                    throw;
                }
                catch (Exception e)
                {
                    LogWriteFailed(e, experiment, pending.Exposures.Count);
                    Requeue(experiment, pending);
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var bound = new CancellationTokenSource(FinalFlushTimeout, clock);
        try
        {
            await FlushAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            LogFinalFlushTimedOut();
        }
    }

    public override void Dispose()
    {
        _writing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.Experiments.FlushSeconds));
        try
        {
            while (true)
            {
                await Task.Delay(interval, clock, stoppingToken);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping; StopAsync writes what is left
        }
    }

    private void Requeue(string experiment, Pending failed)
    {
        lock (_gate)
        {
            var pending = PendingFor(experiment);
            if (pending.Exposures.Count + failed.Exposures.Count > MaxPendingExposures)
            {
                // Storage has refused this experiment's writes for long: keep memory bounded and say what is lost.
                LogBacklogDropped(experiment, failed.Exposures.Count);
                return;
            }

            pending.Exposures.AddRange(failed.Exposures);
            pending.Unassigned += failed.Unassigned;
            pending.ShadowDropped += failed.ShadowDropped;
            foreach (var (variant, stats) in failed.Calls)
            {
                Stats(pending.Calls, variant).Add(stats);
            }

            foreach (var (variant, stats) in failed.Shadows)
            {
                Stats(pending.Shadows, variant).Add(stats);
            }
        }
    }

    private Pending PendingFor(string experiment)
    {
        if (!_pending.TryGetValue(experiment, out var pending))
        {
            _pending[experiment] = pending = new Pending();
        }

        return pending;
    }

    private static CallStats Stats(Dictionary<string, CallStats> byVariant, string variant)
    {
        if (!byVariant.TryGetValue(variant, out var stats))
        {
            byVariant[variant] = stats = new CallStats();
        }

        return stats;
    }

    private sealed class Pending
    {
        public List<Exposure> Exposures { get; } = [];

        public long Unassigned { get; set; }

        public Dictionary<string, CallStats> Calls { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, CallStats> Shadows { get; } = new(StringComparer.Ordinal);

        public long ShadowDropped { get; set; }
    }

    private sealed class Seen
    {
        public HashSet<string> Units { get; } = new(StringComparer.Ordinal);

        public long LastUsed { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the traffic of experiment {Experiment} ({Exposures} new exposures); retrying at the next flush")]
    private partial void LogWriteFailed(Exception exception, string experiment, int exposures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped {Exposures} exposures and the traffic of experiment {Experiment}: storage kept refusing them and the backlog is full")]
    private partial void LogBacklogDropped(string experiment, int exposures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The final experiment traffic flush did not finish in time; traffic since the last flush is lost")]
    private partial void LogFinalFlushTimedOut();
}
