using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.Batching;

/// <summary>
/// Merges concurrent inference requests for one model into one session call: the first request waits at most
/// <see cref="BatchingOptions.MaxQueueDelayMicroseconds"/> for others, up to <see cref="BatchingOptions.MaxBatchSize"/>
/// rows; the outputs are split back so every caller gets exactly its own rows. The queue is bounded (429 beyond it),
/// and disposing drains what is queued before returning.
/// </summary>
public sealed partial class DynamicBatcher : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<TensorData>, IReadOnlyList<TensorData>> _run;
    private readonly BatchingOptions _options;
    private readonly bool _fixedBatch;
    private readonly bool _mergeable;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private long _calls;
    private long _requests;
    private bool _closed;

    /// <param name="run">One session call (the model's Run); injectable so tests can observe and delay it.</param>
    /// <param name="fixedBatch">The model's batch dimension is fixed at 1: requests then run one row at a time.</param>
    /// <param name="clock">Times the queue delay (a fake one in tests makes merging deterministic).</param>
    /// <param name="outputsFollowBatch">Every output's first dimension is the batch, so merged outputs can be sliced per
    /// caller; false runs each request on its own (no caller ever receives outputs computed from another's rows).</param>
    public DynamicBatcher(Func<IReadOnlyList<TensorData>, IReadOnlyList<TensorData>> run, bool fixedBatch, BatchingOptions options, TimeProvider clock, ILogger logger, bool outputsFollowBatch = true)
    {
        _clock = clock;
        _mergeable = options.Enabled && !fixedBatch && outputsFollowBatch;
        _run = run;
        _fixedBatch = fixedBatch;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, options.MaxQueuedRequests)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Session calls made so far (less than requests when batching merged some).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Runs one request (inputs in the model's input order, batch dimension first) and returns its outputs.</summary>
    public Task<IReadOnlyList<TensorData>> InferAsync(IReadOnlyList<TensorData> inputs, CancellationToken cancellationToken)
    {
        var pending = new Pending(inputs, Rows(inputs), new TaskCompletionSource<IReadOnlyList<TensorData>>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            if (Volatile.Read(ref _closed))
            {
                throw DomainException.Unavailable("Shutting down", "The model is being unloaded or the server is stopping; retry.", TimeSpan.FromSeconds(1));
            }

            throw DomainException.RateLimited("Too many requests", $"The model's queue is full ({_options.MaxQueuedRequests} requests); retry shortly.", TimeSpan.FromSeconds(1));
        }

        Interlocked.Increment(ref _requests);
        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closed, true);
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            if (!reader.TryRead(out var first))
            {
                continue;
            }

            batch.Clear();
            batch.Add(first);
            var rows = first.Rows;
            if (_mergeable)
            {
                using var window = new CancellationTokenSource(TimeSpan.FromTicks(_options.MaxQueueDelayMicroseconds * 10L), _clock);
                while (rows < _options.MaxBatchSize)
                {
                    if (reader.TryRead(out var next))
                    {
                        if (!Compatible(first, next) || rows + next.Rows > _options.MaxBatchSize)
                        {
                            Execute(batch);
                            batch.Clear();
                            rows = 0;
                            first = next;
                        }

                        batch.Add(next);
                        rows += next.Rows;
                        continue;
                    }

                    try
                    {
                        if (!await reader.WaitToReadAsync(window.Token))
                        {
                            break; // completed: drain what we have
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        break; // the delay is over
                    }
                }
            }

            Execute(batch);
        }
    }

    private void Execute(List<Pending> batch)
    {
        // Callers that gave up (timed out, disconnected, dropped at shutdown) cost no compute.
        batch.RemoveAll(p =>
        {
            if (!p.Cancellation.IsCancellationRequested)
            {
                return false;
            }

            p.Result.TrySetCanceled(p.Cancellation);
            return true;
        });
        if (batch.Count == 0)
        {
            return;
        }

        if (batch.Count == 1 || !_mergeable)
        {
            batch.ForEach(RunAlone);
            return;
        }

        var total = batch.Sum(b => b.Rows);
        IReadOnlyList<TensorData> outputs;
        try
        {
            outputs = Counted(Concatenate(batch));
        }
        catch (Exception e)
        {
            // One poison request must fail only itself: the members run again one by one.
            LogBatchFailed(_logger, e, batch.Count);
            batch.ForEach(RunAlone);
            return;
        }

        if (outputs.Any(o => o.Shape.Length == 0 || o.Shape[0] != total))
        {
            // Outputs not sliceable per caller are never shared: the members run again one by one.
            batch.ForEach(RunAlone);
            return;
        }

        var offset = 0;
        foreach (var request in batch)
        {
            request.Result.TrySetResult(outputs.Select(o => RowTensors.SliceRows(o, offset, request.Rows)).ToArray());
            offset += request.Rows;
        }
    }

    private void RunAlone(Pending request)
    {
        try
        {
            request.Result.TrySetResult(_fixedBatch ? RowTensors.RunRowByRow(Counted, request.Inputs) : Counted(request.Inputs));
        }
        catch (Exception e)
        {
            request.Result.TrySetException(e);
        }
    }

    private IReadOnlyList<TensorData> Counted(IReadOnlyList<TensorData> inputs)
    {
        Interlocked.Increment(ref _calls);
        return _run(inputs);
    }

    private static int Rows(IReadOnlyList<TensorData> inputs) =>
        inputs.Count > 0 && inputs[0].Shape.Length > 0 ? (int)inputs[0].Shape[0] : 1;

    /// <summary>Requests batch together when every input has the same type and the same shape after the batch dimension.</summary>
    private static bool Compatible(Pending a, Pending b)
    {
        if (a.Inputs.Count != b.Inputs.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Inputs.Count; i++)
        {
            var x = a.Inputs[i];
            var y = b.Inputs[i];
            if (x.Name != y.Name || x.Type != y.Type || x.Shape.Length != y.Shape.Length || !x.Shape.AsSpan(1).SequenceEqual(y.Shape.AsSpan(1)))
            {
                return false;
            }
        }

        return true;
    }

    private static TensorData[] Concatenate(List<Pending> batch) =>
        batch[0].Inputs.Select((_, i) => RowTensors.ConcatRows(batch.Select(b => b.Inputs[i]).ToArray())).ToArray();


    [LoggerMessage(Level = LogLevel.Error, Message = "Batched inference of {Requests} requests failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int requests);

    private sealed record Pending(IReadOnlyList<TensorData> Inputs, int Rows, TaskCompletionSource<IReadOnlyList<TensorData>> Result, CancellationToken Cancellation);
}
