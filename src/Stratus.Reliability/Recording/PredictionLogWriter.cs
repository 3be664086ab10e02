using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratus.Core.Monitoring;

namespace Stratus.Reliability.Recording;

/// <summary>
/// Writes the prediction log in batches: rows are encoded into the open batch as they are observed (bytes, not row
/// objects, wait in memory) and go out every <see cref="Interval"/>. Beyond <see cref="MaxBatchBytes"/> rows are dropped
/// and counted (storage slower than serving), never queued without bound.
/// </summary>
public sealed partial class PredictionLogWriter(IPredictionLog log, ReliabilityTelemetry telemetry, TimeProvider clock, ILogger<PredictionLogWriter> logger) : BackgroundService
{
    /// <summary>The most encoded rows one instance holds waiting: several seconds of a busy instance's rows.</summary>
    public const long MaxBatchBytes = 64L * 1024 * 1024;

    /// <summary>
    /// How long rows gather before they are written: each write is one append per log chunk it touches, and storage
    /// requests, not bytes, are what logging costs at load; a prediction can take feedback this long after it was served.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly TaskCompletionSource _firstRow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IPredictionLogBatch _batch = log.NewBatch();
    private long _dropped;
    private bool _disposed;

    public void Enqueue(LoggedPrediction entry)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return; // the host has stopped: the final flush already ran
            }

            if (_batch.Bytes >= MaxBatchBytes)
            {
                telemetry.LogDropped.Add(1);
                _dropped++;
                return;
            }

            _batch.Add(entry);
        }

        _firstRow.TrySetResult();
    }

    /// <summary>Writes every row enqueued before this call (flushing on demand, tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // One write at a time: a flush waits for a batch the background loop has taken but not yet written.
        await _writing.WaitAsync(cancellationToken);
        try
        {
            IPredictionLogBatch full;
            long dropped;
            lock (_gate)
            {
                (full, _batch) = (_batch, log.NewBatch());
                (dropped, _dropped) = (_dropped, 0);
            }

            if (dropped > 0)
            {
                LogRowsDropped(dropped);
            }

            using var written = full;
            if (full.Rows == 0)
            {
                return;
            }

            try
            {
                await log.WriteAsync(full, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                telemetry.LogDropped.Add(full.Rows);
                LogWriteFailed(e, full.Rows);
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

        // Bounded on its own: the host's shutdown budget may already be spent by services stopped before this one.
        using var bound = new CancellationTokenSource(MonitoringFlusher.FinalFlushTimeout, clock);
        var pending = _batch.Rows;
        try
        {
            await FlushAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            LogRowsDropped(pending);
        }
    }

    public override void Dispose()
    {
        _writing.Dispose();
        lock (_gate)
        {
            // Under the gate: a late observation must not write into a batch whose pooled buffers went back to the pool.
            _disposed = true;
            _batch.Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Idle until the first row, then write on the interval.
            await _firstRow.Task.WaitAsync(stoppingToken);
            while (true)
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping; StopAsync writes what is left
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Rows} prediction log rows were dropped: the log's queue was full (storage slower than serving); feedback for them will be 'unknown'")]
    private partial void LogRowsDropped(long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Rows} prediction log rows could not be written")]
    private partial void LogWriteFailed(Exception exception, int rows);
}
