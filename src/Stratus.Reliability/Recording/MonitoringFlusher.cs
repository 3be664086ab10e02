using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;

namespace Stratus.Reliability.Recording;

/// <summary>
/// Writes this instance's windows to storage every <see cref="MonitoringOptions.FlushSeconds"/>, and once more on
/// shutdown: each write replaces the instance's row for the window with its cumulative counts, so a repeated or
/// retried flush never double-counts, and a recycled instance loses at most one interval.
/// </summary>
public sealed partial class MonitoringFlusher(
    WindowRecorder recorder,
    IMonitoringStore store,
    InstanceIdentity instance,
    ReliabilityTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILogger<MonitoringFlusher> logger) : BackgroundService
{
    private readonly Dictionary<WindowKey, long> _flushedRows = [];
    private PeriodicTimer? _timer;

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow();
        foreach (var (key, counts) in recorder.Snapshot())
        {
            await store.WriteAsync(key.Model, key.Version, key.Start, instance.Id, counts, cancellationToken);

            // Rows are counted here, per flush, rather than per served call on the observation path.
            lock (_flushedRows)
            {
                telemetry.RecordRows(key.Model, key.Version, (int)(counts.Rows - _flushedRows.GetValueOrDefault(key)));
                _flushedRows[key] = counts.Rows;
            }
        }

        recorder.Retire(at);
        lock (_flushedRows)
        {
            foreach (var ended in _flushedRows.Keys.Where(k => !recorder.Holds(k)).ToArray())
            {
                _flushedRows.Remove(ended);
            }
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Created here, on the caller's thread: the first interval counts from start (ExecuteAsync runs on the pool).
        _timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.Monitoring.FlushSeconds)), clock);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>The final flush's own bound: the host's shutdown budget may already be spent by services stopped before this one.</summary>
    public static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var bound = new CancellationTokenSource(FinalFlushTimeout, clock);
        try
        {
            await FlushAsync(bound.Token);
        }
        catch (Exception e)
        {
            // Storage gone or too slow: at most this interval's counts are lost.
            LogFinalFlushFailed(e, FinalFlushTimeout.TotalSeconds);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = _timer!;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The counts stay in memory and go out with the next flush.
                    LogFlushFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping; StopAsync flushes
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring windows could not be flushed; they are retried on the next interval")]
    private partial void LogFlushFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The final monitoring flush at shutdown did not complete within {Seconds} s; the counts since the last flush are lost")]
    private partial void LogFinalFlushFailed(Exception exception, double seconds);
}
