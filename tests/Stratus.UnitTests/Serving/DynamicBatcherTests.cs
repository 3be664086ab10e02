using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Errors;
using Stratus.Core.Configuration;
using Stratus.Serving.Batching;
using Stratus.Serving.Onnx;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

public sealed class DynamicBatcherTests : IDisposable
{
    private readonly LoadedModel _iris = SampleModels.Load("iris");

    private static TensorData Rows(int seed, int rows)
    {
        var random = new Random(seed);
        var data = Enumerable.Range(0, rows * 4).Select(_ => (float)(random.NextDouble() * 7)).ToArray();
        return new TensorData("Features", TensorElementType.Float, [rows, 4], data);
    }

    [Fact]
    public async Task Concurrent_callers_with_mixed_sizes_are_merged_into_one_session_call_and_each_gets_its_own_rows()
    {
        // The queue delay runs on a clock that never moves: the batch closes only when its rows are all there.
        var requests = Enumerable.Range(0, 80).Select(i => Rows(i, 1 + (i % 5))).ToArray();
        var total = requests.Sum(r => (int)r.Shape[0]);
        await using var batcher = new DynamicBatcher(i => _iris.Run(i), fixedBatch: false, new BatchingOptions { MaxBatchSize = total, MaxQueueDelayMicroseconds = 5000 }, new FakeTimeProvider(), NullLogger.Instance);

        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => batcher.InferAsync([r], CancellationToken.None))));

        for (var i = 0; i < requests.Length; i++)
        {
            var alone = _iris.Run([requests[i]]);
            Assert.Equal(alone.Select(o => o.Name), results[i].Select(o => o.Name));
            for (var o = 0; o < alone.Count; o++)
            {
                Assert.Equal(alone[o].Shape, results[i][o].Shape);
                AssertClose((float[])alone[o].Data, (float[])results[i][o].Data);
            }
        }

        Assert.Equal(80, batcher.Requests);
        Assert.Equal(1, batcher.Calls);
    }

    [Fact]
    public async Task Batching_off_runs_every_request_alone()
    {
        await using var batcher = new DynamicBatcher(i => _iris.Run(i), fixedBatch: false, new BatchingOptions { Enabled = false }, TimeProvider.System, NullLogger.Instance);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => batcher.InferAsync([Rows(i, 2)], CancellationToken.None)));
        Assert.Equal(20, batcher.Calls);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after()
    {
        using var gate = new SemaphoreSlim(0);
        using var started = new SemaphoreSlim(0);
        var batcher = new DynamicBatcher(i => { started.Release(); gate.Wait(); return _iris.Run(i); }, fixedBatch: false,
            new BatchingOptions { MaxBatchSize = 1, MaxQueuedRequests = 2 }, TimeProvider.System, NullLogger.Instance);

        var running = batcher.InferAsync([Rows(1, 1)], CancellationToken.None);
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)), "the first request never reached the model");
        var queued = new[] { batcher.InferAsync([Rows(2, 1)], CancellationToken.None), batcher.InferAsync([Rows(3, 1)], CancellationToken.None) };

        var refused = await Assert.ThrowsAsync<DomainException>(() => batcher.InferAsync([Rows(4, 1)], CancellationToken.None));
        Assert.Equal(ErrorKind.RateLimited, refused.Kind);
        Assert.NotNull(refused.RetryAfter);

        gate.Release(10);
        await running;
        await Task.WhenAll(queued);
        await batcher.DisposeAsync();
    }

    [Fact]
    public async Task Fixed_batch_models_run_one_row_per_call()
    {
        var shapes = new System.Collections.Concurrent.ConcurrentBag<long>();
        await using var batcher = new DynamicBatcher(i => { shapes.Add(i[0].Shape[0]); return _iris.Run(i); }, fixedBatch: true, new BatchingOptions(), TimeProvider.System, NullLogger.Instance);
        var request = Rows(7, 3);
        var result = await batcher.InferAsync([request], CancellationToken.None);
        Assert.All(shapes, s => Assert.Equal(1, s));
        Assert.Equal(3, shapes.Count);
        AssertClose((float[])_iris.Run([request]).Single(o => o.Name == "Score.output").Data, (float[])result.Single(o => o.Name == "Score.output").Data);
    }

    [Fact]
    public async Task Callers_that_gave_up_while_queued_cost_no_session_call_and_a_closed_batcher_answers_503()
    {
        using var gate = new SemaphoreSlim(0);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var batcher = new DynamicBatcher(i =>
        {
            Interlocked.Increment(ref calls);
            started.TrySetResult();
            gate.Wait();
            return _iris.Run(i);
        }, fixedBatch: false, new BatchingOptions { MaxBatchSize = 1 }, TimeProvider.System, NullLogger.Instance);

        var running = batcher.InferAsync([Rows(1, 1)], CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var giveUp = new CancellationTokenSource();
        var abandoned = batcher.InferAsync([Rows(2, 1)], giveUp.Token);
        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        gate.Release(10);
        await running;
        var dispose = batcher.DisposeAsync();
        await dispose;
        Assert.Equal(1, calls); // the abandoned request never ran

        var closed = await Assert.ThrowsAsync<DomainException>(() => batcher.InferAsync([Rows(3, 1)], CancellationToken.None));
        Assert.Equal(ErrorKind.Unavailable, closed.Kind);
    }

    [Fact]
    public async Task Disposing_drains_queued_requests()
    {
        // The queue delay never ends on a clock that does not move: only disposing can run what is queued.
        var batcher = new DynamicBatcher(i => _iris.Run(i), fixedBatch: false, new BatchingOptions { MaxBatchSize = 1000, MaxQueueDelayMicroseconds = 200_000 }, new FakeTimeProvider(), NullLogger.Instance);
        var pending = Enumerable.Range(0, 10).Select(i => batcher.InferAsync([Rows(i, 1)], CancellationToken.None)).ToArray();
        await batcher.DisposeAsync();
        Assert.All(pending, p => Assert.True(p.IsCompletedSuccessfully));
    }

    /// <summary>Same rows, same values: batch size may change SIMD rounding in the last bits, never which row is which.</summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[i]), $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }

    public void Dispose() => _iris.Dispose();
}
