using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML.OnnxRuntime.Tensors;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Serving.Batching;
using Stratus.Serving.Onnx;

namespace Stratus.Tests.Unit;

/// <summary>Callers in one merged batch are isolated: a poison request fails alone, and no caller gets outputs computed from another's rows.</summary>
public sealed class BatchIsolationTests
{
    private static TensorData Rows(params float[] values) => new("x", TensorElementType.Float, [values.Length, 1], values);

    /// <summary>Three callers of 1, 2 and 3 rows; the queue delay never ends on the fake clock, so they merge into one call.</summary>
    private static readonly TensorData[] Requests = [Rows(1), Rows(2, 3), Rows(4, 5, 6)];

    private static DynamicBatcher Batcher(Func<IReadOnlyList<TensorData>, IReadOnlyList<TensorData>> run, bool outputsFollowBatch = true) =>
        new(run, fixedBatch: false, new BatchingOptions { MaxBatchSize = 6, MaxQueueDelayMicroseconds = 1000 }, new FakeTimeProvider(), NullLogger.Instance, outputsFollowBatch);

    /// <summary>Doubles each row; a row of -1 makes the whole call fail, as a poison input would.</summary>
    private static IReadOnlyList<TensorData> Double(IReadOnlyList<TensorData> inputs)
    {
        var values = (float[])inputs[0].Data;
        return values.Contains(-1f)
            ? throw DomainException.Invalid("Model could not run on this input", "poison")
            : [new TensorData("y", TensorElementType.Float, [values.Length, 1], values.Select(v => v * 2).ToArray())];
    }

    /// <summary>One output that summarises the whole call (shape [1]): it cannot be sliced per caller.</summary>
    private static IReadOnlyList<TensorData> Sum(IReadOnlyList<TensorData> inputs) =>
        [new TensorData("total", TensorElementType.Float, [1], new[] { ((float[])inputs[0].Data).Sum() })];

    [Fact]
    public async Task A_poison_request_in_a_merged_batch_fails_alone_and_the_others_get_their_own_rows()
    {
        var calls = 0;
        await using var batcher = Batcher(i => { Interlocked.Increment(ref calls); return Double(i); });
        var poison = Rows(-1, 7, 8);

        var first = batcher.InferAsync([Requests[0]], CancellationToken.None);
        var second = batcher.InferAsync([Requests[1]], CancellationToken.None);
        var bad = batcher.InferAsync([poison], CancellationToken.None);

        var firstRows = (float[])(await first)[0].Data;
        Assert.Equal([2f], firstRows);
        var secondRows = (float[])(await second)[0].Data;
        Assert.Equal([4f, 6f], secondRows);
        Assert.Equal(ErrorKind.Invalid, (await Assert.ThrowsAsync<DomainException>(() => bad)).Kind);
        Assert.Equal(4, calls); // the merged call that failed, then each member on its own
    }

    [Fact]
    public async Task Outputs_that_do_not_follow_the_batch_are_never_shared_each_caller_gets_the_output_of_its_own_rows()
    {
        await using var batcher = Batcher(Sum);

        var results = await Task.WhenAll(Requests.Select(r => batcher.InferAsync([r], CancellationToken.None)));

        Assert.Equal([[1f], [5f], [15f]], results.Select(r => (float[])r[0].Data));
    }

    [Fact]
    public async Task A_model_whose_outputs_do_not_follow_the_batch_runs_each_request_on_its_own()
    {
        var calls = 0;
        await using var batcher = new DynamicBatcher(
            i => { Interlocked.Increment(ref calls); return Sum(i); },
            fixedBatch: false,
            new BatchingOptions { MaxBatchSize = 6, MaxQueueDelayMicroseconds = 1000 },
            TimeProvider.System,
            NullLogger.Instance,
            outputsFollowBatch: false);

        var results = await Task.WhenAll(Requests.Select(r => batcher.InferAsync([r], CancellationToken.None)));

        Assert.Equal(3, calls);
        Assert.Equal([[1f], [5f], [15f]], results.Select(r => (float[])r[0].Data));
    }
}
