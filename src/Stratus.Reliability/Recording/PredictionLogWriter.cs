using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratus.Core.Monitoring;

namespace Stratus.Reliability.Recording;

/// <summary>
/// Writes the prediction log in batches: rows queue here (bounded; dropped and counted when storage falls behind)
/// and go out a second after the first of them arrived, as table transactions of up to <see cref="BatchRows"/>.
/// </summary>
public sealed partial class PredictionLogWriter(IPredictionLog log, ReliabilityTelemetry telemetry, TimeProvider clock, ILogger<PredictionLogWriter> logger) : BackgroundService
{
    public const int QueueCapacity = 50_000;
    public const int BatchRows = 1_000;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<LoggedPrediction> _queue = Channel.CreateBounded<LoggedPrediction>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Enqueue(LoggedPrediction entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            telemetry.LogDropped.Add(1);
        }
    }

    /// <summary>Writes everything queued before this call (flushing on demand, tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // The gate makes a flush wait for a batch the background loop has taken but not yet written.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var batch = new List<LoggedPrediction>();
            while (_queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
                if (batch.Count == BatchRows)
                {
                    await WriteAsync(batch, cancellationToken);
                    batch.Clear();
                }
            }

            await WriteAsync(batch, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown ran out of time: what is still queued is lost, as the queue's drops are.
            telemetry.LogDropped.Add(_queue.Reader.Count);
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // Rows of a second's requests gather first, so they share table transactions.
                await Task.Delay(Interval, clock, stoppingToken);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping; StopAsync writes what is left
        }
    }

    private async Task WriteAsync(List<LoggedPrediction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await log.WriteAsync(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            telemetry.LogDropped.Add(batch.Count);
            LogWriteFailed(e, batch.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Rows} prediction log rows could not be written")]
    private partial void LogWriteFailed(Exception exception, int rows);
}
