using Stratus.Core.Configuration;
using Stratus.Serving.Batching;
using Stratus.Serving.Onnx;

namespace Stratus.GpuTier.Hosting;

/// <summary>A model the GPU tier has loaded and warmed, with its own dynamic batcher.</summary>
public sealed class ServedModel(LoadedModel model, DynamicBatcher batcher, BatchingOptions batching, TimeSpan warmUp) : IAsyncDisposable
{
    public LoadedModel Model { get; } = model;
    public DynamicBatcher Batcher { get; } = batcher;
    public BatchingOptions Batching { get; } = batching;
    public TimeSpan WarmUp { get; } = warmUp;

    // A logical clock: exact recency order for choosing which version to unload.
    private static long s_clock;
    private long _lastUsed = Interlocked.Increment(ref s_clock);

    public long LastUsed => Interlocked.Read(ref _lastUsed);

    public void Touch() => Interlocked.Exchange(ref _lastUsed, Interlocked.Increment(ref s_clock));

    /// <summary>Drains queued requests, then releases the session.</summary>
    public async ValueTask DisposeAsync()
    {
        await Batcher.DisposeAsync();
        Model.Dispose();
    }
}
