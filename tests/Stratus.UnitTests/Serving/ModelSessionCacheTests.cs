using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Serving;
using Stratus.Serving.Onnx;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

public sealed class ModelSessionCacheTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private ModelSessionCache Cache(long budget, long overhead = 0) => new(
        Options.Create(new StratusOptions { Serving = new ServingOptions { SessionCacheBytes = budget, SessionOverheadBytes = overhead } }),
        new ServingTelemetry(_services.GetRequiredService<IMeterFactory>()),
        TimeProvider.System,
        NullLogger<ModelSessionCache>.Instance);

    [Fact]
    public async Task Concurrent_first_requests_all_waiting_on_the_load_share_one_load_and_one_model()
    {
        const int callers = 32;
        using var cache = Cache(long.MaxValue);
        var loads = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<LoadedModel> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            await gate.Task;
            return SampleModels.Load("iris");
        }

        // AcquireAsync returns its task once the caller waits on the (held) load: when all have, release it.
        var waiting = 0;
        var allWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leases = Enumerable.Range(0, callers).Select(_ => Task.Run(() =>
        {
            var lease = cache.AcquireAsync("iris", 1, Load, CancellationToken.None).AsTask();
            if (Interlocked.Increment(ref waiting) == callers)
            {
                allWaiting.TrySetResult();
            }

            return lease;
        })).ToArray();
        await allWaiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(leases, l => Assert.False(l.IsCompleted));

        gate.SetResult();
        var acquired = await Task.WhenAll(leases);

        Assert.Equal(1, loads);
        Assert.All(acquired, l => Assert.Same(acquired[0].Model, l.Model));
        foreach (var lease in acquired)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task Least_recently_used_is_evicted_over_budget_but_not_while_in_use()
    {
        var size = new FileInfo(TestPaths.SampleModel("iris")).Length;
        using var cache = Cache(budget: size * 2);
        Task<LoadedModel> Loader(int version) => Task.FromResult(SampleModels.Load("iris", version));

        var oldest = await cache.AcquireAsync("iris", 1, _ => Loader(1), CancellationToken.None); // held across eviction
        (await cache.AcquireAsync("iris", 2, _ => Loader(2), CancellationToken.None)).Dispose();
        (await cache.AcquireAsync("iris", 3, _ => Loader(3), CancellationToken.None)).Dispose();

        Assert.Equal(2, cache.Count);
        Assert.Equal(size * 2, cache.CachedBytes);

        // Evicted but still leased: the session keeps working until released.
        var input = new TensorData("Features", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 4], new float[] { 5.1f, 3.5f, 1.4f, 0.2f });
        Assert.NotEmpty(oldest.Model.Run([input]));
        oldest.Dispose();

        var reloads = 0;
        (await cache.AcquireAsync("iris", 1, _ => { reloads++; return Loader(1); }, CancellationToken.None)).Dispose();
        Assert.Equal(1, reloads);
    }

    [Fact]
    public async Task Each_session_counts_its_artifact_plus_the_overhead_and_a_new_one_is_added_only_after_room_was_made()
    {
        const long overhead = 100_000;
        var size = new FileInfo(TestPaths.SampleModel("iris")).Length;
        var budget = (2 * (size + overhead)) + 10;
        using var cache = Cache(budget, overhead);
        using var listener = new MeterListener();
        var atEviction = new List<long>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "stratus.session_cache.evictions")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };

        // The estimate as each victim leaves: the newcomer is not counted yet, and must fit once it is.
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => atEviction.Add(cache.CachedBytes));
        listener.Start();
        for (var version = 1; version <= 3; version++)
        {
            var v = version;
            (await cache.AcquireAsync("iris", v, _ => Task.FromResult(SampleModels.Load("iris", v)), CancellationToken.None)).Dispose();
        }

        Assert.Equal(2, cache.Count);
        Assert.Equal(2 * (size + overhead), cache.CachedBytes);
        Assert.Equal(size + overhead, Assert.Single(atEviction));
        Assert.False(cache.IsLoaded("iris", 1));
    }

    [Fact]
    public async Task Failed_loads_are_not_cached()
    {
        using var cache = Cache(long.MaxValue);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.AcquireAsync("m", 1, _ => throw new InvalidOperationException("blob missing"), CancellationToken.None));
        using var lease = await cache.AcquireAsync("m", 1, _ => Task.FromResult(SampleModels.Load("iris")), CancellationToken.None);
        Assert.Equal(1, cache.Count);
    }

    public void Dispose() => _services.Dispose();
}
