using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;
using Stratus.Registry;

namespace Stratus.Experiments.Exposures;

/// <summary>
/// Keeps each unit's first exposure per experiment in memory and writes the new ones every
/// <see cref="ExperimentOptions.FlushSeconds"/>, with the count of requests served without a unit. Storage writes are
/// idempotent per unit, so instances need not coordinate, a unit this instance forgot (beyond
/// <see cref="MaxRememberedUnits"/>, or after a restart) costs one repeated write, and a failed write is retried at the
/// next flush. An instance recycled before its flush loses at most that interval's new units.
/// </summary>
public sealed partial class ExposureRecorder(IExperimentEventStore store, IOptions<StratusOptions> options, TimeProvider clock, ILogger<ExposureRecorder> logger) : BackgroundService
{
    /// <summary>Units remembered per experiment before the memory is cleared: about 100 MB at most for a very large experiment.</summary>
    public const int MaxRememberedUnits = 1_000_000;

    /// <summary>An experiment that served nothing for this long is forgotten (it ended, or its traffic moved elsewhere).</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    private Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public void Record(VariantAssignment assignment)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(assignment.Experiment, out var pending))
            {
                _pending[assignment.Experiment] = pending = new Pending();
            }

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

    /// <summary>Writes every exposure recorded before this call (the background loop, shutdown, and tests).</summary>
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

            foreach (var (experiment, pending) in batch.Where(p => p.Value.Exposures.Count > 0 || p.Value.Unassigned > 0))
            {
                try
                {
                    await store.RecordExposuresAsync(experiment, pending.Exposures, pending.Unassigned, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(e, pending.Exposures.Count, experiment);
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
            if (!_pending.TryGetValue(experiment, out var pending))
            {
                _pending[experiment] = pending = new Pending();
            }

            pending.Exposures.AddRange(failed.Exposures);
            pending.Unassigned += failed.Unassigned;
        }
    }

    private sealed class Pending
    {
        public List<Exposure> Exposures { get; } = [];

        public long Unassigned { get; set; }
    }

    private sealed class Seen
    {
        public HashSet<string> Units { get; } = new(StringComparer.Ordinal);

        public long LastUsed { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Exposures} exposures of experiment {Experiment}; retrying at the next flush")]
    private partial void LogWriteFailed(Exception exception, int exposures, string experiment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The final exposure flush did not finish in time; exposures since the last flush are lost")]
    private partial void LogFinalFlushTimedOut();
}
