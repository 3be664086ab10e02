using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratus.Core.Abstractions;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Experiments.Traffic;
using Stratus.GpuTier.Client;
using Stratus.Registry;
using Stratus.Serving.Observation;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Outputs;
using Stratus.Serving.Routing;
using Stratus.Serving.Onnx;

namespace Stratus.Experiments.Shadow;

/// <summary>
/// Shadow mode: every call control served is also run by each shadow version, here, off the response path — the
/// observation hook hands the served call over, a bounded queue holds it (full: dropped and counted, never waited
/// on), and one reader runs the shadows on the same bound inputs (in-process, or on the GPU tier for <c>tier: gpu</c>
/// cards) and compares their answers with control's: labels for classifiers, values for regressors. Shadows' answers
/// are never returned to anyone. Shadows use spare capacity only: while the thread pool has more queued work than
/// cores (the instance is saturated by callers), calls are dropped and counted instead of run, so shadowing cannot
/// take CPU from the callers it mirrors.
/// </summary>
public sealed partial class ShadowRunner(
    ModelCatalog catalog,
    IModelRegistry registry,
    ModelLoader loader,
    IGpuTierClient gpuTier,
    TrafficRecorder recorder,
    TimeProvider clock,
    ILogger<ShadowRunner> logger) : BackgroundService, IPredictionObserver
{
    /// <summary>Calls waiting for their shadows beyond this are dropped: shadows get what spare capacity there is, never more.</summary>
    public const int QueueCapacity = 1_000;

    /// <summary>Bytes of inputs and outputs waiting beyond this are dropped too: a thousand image-sized calls must not fill the instance's memory.</summary>
    public const long MaxQueuedBytes = 64L * 1024 * 1024;

    private readonly Channel<(ServedPrediction Call, long Bytes)> _queue = Channel.CreateBounded<(ServedPrediction, long)>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly ConcurrentDictionary<(string Model, int Version), OutputReader> _readers = new();
    private int _pending;
    private long _queuedBytes;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool ObservesAll => false;

    /// <summary>Callers' work is waiting for threads: a shadow run now would delay it.</summary>
    private static bool Busy => ThreadPool.PendingWorkItemCount > Environment.ProcessorCount;

    public ValueTask ObserveAsync(ServedPrediction prediction, CancellationToken cancellationToken)
    {
        if (prediction is { Error: null, Rows: > 0, Assignment: { Shadows.Count: > 0 } assignment })
        {
            var bytes = Bytes(prediction.Inputs) + Bytes(prediction.Outputs);
            Interlocked.Increment(ref _pending);
            if (Interlocked.Add(ref _queuedBytes, bytes) > MaxQueuedBytes || !_queue.Writer.TryWrite((prediction, bytes)))
            {
                Interlocked.Add(ref _queuedBytes, -bytes);
                Done();
                recorder.RecordShadowDropped(assignment.Experiment);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once the queue is empty and its last call has been run by its shadows (tests, after traffic stopped).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var idle = Volatile.Read(ref _idle);
            if (Volatile.Read(ref _pending) == 0)
            {
                return;
            }

            await idle.Task.WaitAsync(cancellationToken);
        }
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            Interlocked.Exchange(ref _idle, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_queue.Reader.TryRead(out var queued))
                {
                    try
                    {
                        await RunShadowsAsync(queued.Call, stoppingToken);
                    }
                    finally
                    {
                        Interlocked.Add(ref _queuedBytes, -queued.Bytes);
                        Done();
                    }
                }

                // Let calls gather rather than be woken for each one: a wake per served call (a thread-pool hop) cost
                // callers more CPU than the shadow runs themselves.
                await Task.Delay(PredictionObservations.GatherInterval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping: queued shadow runs are dropped with the instance
        }
    }

    private async Task RunShadowsAsync(ServedPrediction served, CancellationToken cancellationToken)
    {
        if (Busy)
        {
            recorder.RecordShadowDropped(served.Assignment!.Experiment);
            return;
        }

        foreach (var shadow in served.Assignment!.Shadows!)
        {
            await RunAsync(served, shadow, cancellationToken);
        }
    }

    /// <summary>Runs one shadow on one call and compares; any failure (scoring, or answers that cannot be compared) counts as the shadow's error, never stops the reader.</summary>
    private async Task RunAsync(ServedPrediction served, ShadowTarget shadow, CancellationToken cancellationToken)
    {
        var experiment = served.Assignment!.Experiment;
        var started = clock.GetTimestamp();
        try
        {
            var card = await catalog.GetCardAsync(served.Model, cancellationToken);
            var outputs = await ScoreAsync(card, shadow.Version, served, cancellationToken);
            var elapsed = clock.GetElapsedTime(started);
            var (compared, agreed, difference) = await CompareAsync(card, served, shadow.Version, outputs, cancellationToken);
            recorder.RecordShadow(experiment, shadow.Variant, elapsed, failed: false, compared, agreed, difference);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogShadowFailed(e, served.Model, shadow.Version, experiment);
            recorder.RecordShadow(experiment, shadow.Variant, clock.GetElapsedTime(started), failed: true, 0, 0, 0);
        }
    }

    private async Task<IReadOnlyList<TensorData>> ScoreAsync(ModelCard card, int version, ServedPrediction served, CancellationToken cancellationToken)
    {
        if (card.Tier == ServingTier.Gpu)
        {
            var result = await gpuTier.InferAsync(card.Name, version, V2Tensors.WriteRequest(served.RequestId, served.Inputs), served.RequestId, inferenceHeaderLength: null, cancellationToken);
            return result is TierResult.Served answer
                ? V2Tensors.Read(answer.Body, answer.JsonLength, V2Tensors.Outputs)
                : throw new InvalidOperationException($"The GPU tier did not serve shadow version {version} of {card.Name} ({result.GetType().Name}).");
        }

        using var lease = await loader.AcquireAsync(card.Name, version, cancellationToken);
        return lease.Model.Run(served.Inputs);
    }

    private static long Bytes(IReadOnlyList<TensorData> tensors)
    {
        long bytes = 0;
        foreach (var tensor in tensors)
        {
            // Eight bytes per element bounds every numeric type from above; text counts its characters.
            bytes += tensor.Data is string[] texts ? texts.Sum(t => 2L * (t?.Length ?? 0)) : 8 * tensor.ElementCount;
        }

        return bytes;
    }

    /// <summary>Rows compared, rows whose label agreed (classifiers), and the summed absolute difference of values (regressors).</summary>
    private async Task<(long Compared, long Agreed, double Difference)> CompareAsync(ModelCard card, ServedPrediction served, int shadowVersion, IReadOnlyList<TensorData> outputs, CancellationToken cancellationToken)
    {
        var control = (await ReaderAsync(card, served.Version, cancellationToken)).Read(served.Outputs, served.Rows);
        var shadow = (await ReaderAsync(card, shadowVersion, cancellationToken)).Read(outputs, served.Rows);
        long compared = 0, agreed = 0;
        var difference = 0.0;
        for (var row = 0; row < served.Rows; row++)
        {
            var (a, b) = (control[row], shadow[row]);
            if (a.Label is not null && b.Label is not null)
            {
                compared++;
                agreed += a.Label == b.Label ? 1 : 0;
            }
            else if (a.Value is { } x && b.Value is { } y)
            {
                compared++;
                difference += Math.Abs(x - y);
            }
        }

        return (compared, agreed, difference);
    }

    private async ValueTask<OutputReader> ReaderAsync(ModelCard card, int version, CancellationToken cancellationToken)
    {
        if (_readers.TryGetValue((card.Name, version), out var reader))
        {
            return reader;
        }

        var record = await registry.GetVersionAsync(card.Name, version, cancellationToken) ?? throw RegistryErrors.VersionNotFound(card.Name, version);
        return _readers[(card.Name, version)] = OutputReader.For(record, card.Task);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shadow version {Version} of {Model} failed a call of experiment {Experiment}")]
    private partial void LogShadowFailed(Exception exception, string model, int version, string experiment);
}
