using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.LocalRunner.Demo;
using Stratus.Serving;
using Stratus.Serving.Onnx;
using Stratus.Serving.OpenInference;
using Stratus.GpuTier;
using Stratus.GpuTier.Hosting;
using Stratus.GpuTier.Endpoints;
using Stratus.GpuTier.Auth;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The GPU tier's model host over a Moq'd registry: readiness, batching through V2 requests, fixed-batch models, drain.</summary>
public sealed class TierHostingTests : IAsyncLifetime
{
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly Mock<IArtifactStore> _artifacts = new();
    private readonly Dictionary<string, byte[]> _bytes = new();
    private ServiceProvider? _services;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    /// <summary>The tier's three parts as one replica sees them, on <paramref name="clock"/> (the real one unless a test controls time).</summary>
    private sealed record Tier(TierLifecycle Lifecycle, TierInference Inference)
    {
        public bool IsReady => Lifecycle.IsReady;

        public Task WarmUpAsync(CancellationToken cancellationToken) => Lifecycle.WarmUpAsync(cancellationToken);

        public void BeginDrain() => Lifecycle.BeginDrain();

        public Task<bool> IsModelReadyAsync(string name, string? version, CancellationToken cancellationToken) => Inference.IsModelReadyAsync(name, version, cancellationToken);

        public Task<V2ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken) => Inference.GetMetadataAsync(name, version, cancellationToken);

        public Task<V2InferenceResult> InferAsync(string name, string? version, JsonElement request, string requestId, CancellationToken cancellationToken) =>
            Inference.InferAsync(name, version, request, requestId, ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    private Tier Host(Action<TierOptions>? configure = null, TimeProvider? clock = null, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection()
            .AddLogging(l => l.AddProvider(logs ?? NullLoggerProvider.Instance))
            .AddSingleton(_registry.Object)
            .AddSingleton(_artifacts.Object)
            .AddSingleton(clock ?? TimeProvider.System);
        services.AddOptions<StratusOptions>().Configure(o =>
        {
            o.Tier.Auth.AllowAnonymous = true; // no audience in these tests: opened on purpose
            configure?.Invoke(o.Tier);
        });
        services.AddStratusGpuTier();
        _services = services.BuildServiceProvider();
        return new Tier(_services.GetRequiredService<TierLifecycle>(), _services.GetRequiredService<TierInference>());
    }

    private void Register(string name, byte[] onnx, ServingTier tier = ServingTier.Gpu)
    {
        var record = SampleModels.Record(name, onnx);
        var card = new ModelCard { Name = name, Tier = tier, Aliases = new Dictionary<string, int> { ["champion"] = 1 } };
        _bytes[record.ArtifactPath] = onnx;
        _registry.Setup(r => r.GetCardAsync(name, It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(card, "e"));
        _registry.Setup(r => r.GetVersionAsync(name, 1, It.IsAny<CancellationToken>())).ReturnsAsync(record);
        _registry.Setup(r => r.ListVersionsAsync(name, It.IsAny<CancellationToken>())).ReturnsAsync([record]);
        _registry.Setup(r => r.ListCardsAsync(It.IsAny<CancellationToken>())).Returns(() => Cards(card));
        _artifacts.Setup(a => a.DownloadAsync(record.ArtifactPath, It.IsAny<CancellationToken>())).ReturnsAsync(() => _bytes[record.ArtifactPath]);
    }

    /// <summary>Versions 1..<paramref name="count"/> of one model, all the same ONNX file; champion is version 1.</summary>
    private void RegisterVersions(string name, byte[] onnx, int count)
    {
        Register(name, onnx);
        var first = _registry.Object.GetVersionAsync(name, 1).Result!;
        var records = Enumerable.Range(1, count).Select(v => first with { Version = v, ArtifactPath = $"{name}/{v}/model.onnx" }).ToArray();
        foreach (var record in records)
        {
            _bytes[record.ArtifactPath] = onnx;
            _registry.Setup(r => r.GetVersionAsync(name, record.Version, It.IsAny<CancellationToken>())).ReturnsAsync(record);
            _artifacts.Setup(a => a.DownloadAsync(record.ArtifactPath, It.IsAny<CancellationToken>())).ReturnsAsync(() => _bytes[record.ArtifactPath]);
        }

        _registry.Setup(r => r.ListVersionsAsync(name, It.IsAny<CancellationToken>())).ReturnsAsync(records);
    }

    private static async IAsyncEnumerable<ModelCard> Cards(ModelCard card)
    {
        await Task.Yield();
        yield return card;
    }

    private static JsonElement V2(string input, int rows, IEnumerable<float> data) =>
        JsonSerializer.SerializeToElement(new { inputs = new[] { new { name = input, datatype = "FP32", shape = new[] { rows, 4 }, data } } });

    [Fact]
    public async Task The_tier_is_not_ready_until_its_gpu_models_are_loaded_and_warmed()
    {
        Register("slow-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")));
        var download = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _artifacts.Setup(a => a.DownloadAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(() => { requested.TrySetResult(); return download.Task; });
        var host = Host();

        var warming = host.WarmUpAsync(CancellationToken.None);
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(host.IsReady);
        Assert.False(await host.IsModelReadyAsync("slow-iris", null, CancellationToken.None));
        Assert.False((await host.GetMetadataAsync("slow-iris", null, CancellationToken.None)).Parameters.Ready);

        download.SetResult(File.ReadAllBytes(TestPaths.SampleModel("iris")));
        await warming;
        Assert.True(host.IsReady);
        Assert.True(await host.IsModelReadyAsync("slow-iris", "1", CancellationToken.None));
        var metadata = await host.GetMetadataAsync("slow-iris", null, CancellationToken.None);
        Assert.True(metadata.Parameters.Ready);
        Assert.Equal(ExecutionProviders.Cpu, metadata.Parameters.ExecutionProvider);
    }

    [Fact]
    public async Task Concurrent_v2_requests_of_mixed_sizes_are_merged_into_one_session_call_and_each_caller_gets_its_own_rows()
    {
        Register("batch-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")));
        const int TotalRows = 100; // 40 requests of 1..4 rows; the queue delay never ends on a fake clock, so the batch closes when full
        var host = Host(t => t.Batching = new BatchingOptions { MaxBatchSize = TotalRows, MaxQueueDelayMicroseconds = 20_000 }, new FakeTimeProvider());
        await host.WarmUpAsync(CancellationToken.None);
        using var reference = SampleModels.Load("iris");

        var batches = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "stratus.tier.batch_rows")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, rows, tags, _) =>
        {
            // Other tests' tiers publish to the same meter name: count this model's calls only.
            foreach (var tag in tags)
            {
                if (tag is { Key: "model", Value: "batch-iris" })
                {
                    lock (batches)
                    {
                        batches.Add(rows);
                    }
                }
            }
        });
        listener.Start();

        var random = new Random(7);
        var requests = Enumerable.Range(0, 40).Select(i =>
        {
            var rows = 1 + (i % 4);
            return (rows, data: Enumerable.Range(0, rows * 4).Select(_ => (float)(random.NextDouble() * 7)).ToArray());
        }).ToArray();
        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => host.InferAsync("batch-iris", null, V2("Features", r.rows, r.data), "t", CancellationToken.None))));

        for (var i = 0; i < requests.Length; i++)
        {
            var expected = reference.Run([new TensorData("Features", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [requests[i].rows, 4], requests[i].data)]);
            Assert.Equal(expected.Count, results[i].Outputs.Count);
            for (var o = 0; o < expected.Count; o++)
            {
                Assert.Equal(expected[o].Shape, results[i].Outputs[o].Shape);
                if (expected[o].Data is float[] probabilities)
                {
                    // A merged batch may round differently in the last bits, never more.
                    var actual = (float[])results[i].Outputs[o].Data;
                    Assert.All(probabilities.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5));
                }
                else
                {
                    Assert.Equal(expected[o].Data.Cast<object>(), results[i].Outputs[o].Data.Cast<object>());
                }
            }
        }

        Assert.Equal(TotalRows, requests.Sum(r => r.rows));
        Assert.Equal([TotalRows], batches);
    }

    [Fact]
    public async Task A_model_with_its_batch_fixed_at_one_is_served_row_by_row_and_says_so()
    {
        var original = await File.ReadAllBytesAsync(ResNetDemo.ModelPath);
        Register("fixed-resnet", original);
        var host = Host();
        await host.WarmUpAsync(CancellationToken.None);

        var metadata = await host.GetMetadataAsync("fixed-resnet", null, CancellationToken.None);
        Assert.True(metadata.Parameters.BatchDimensionFixed);
        Assert.False(metadata.Parameters.DynamicBatching);

        var random = new Random(3);
        var pixels = Enumerable.Range(0, 2 * 3 * 224 * 224).Select(_ => (float)random.NextDouble()).ToArray();
        var request = JsonSerializer.SerializeToElement(new { inputs = new[] { new { name = "Input247", datatype = "FP32", shape = new[] { 2, 3, 224, 224 }, data = pixels } } });
        var result = await host.InferAsync("fixed-resnet", null, request, "t", CancellationToken.None);
        Assert.Equal([2L, 512, 1, 1], result.Outputs[0].Shape);

        using var session = new InferenceSession(original);
        for (var row = 0; row < 2; row++)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(pixels[(row * 150528)..((row + 1) * 150528)], [1, 3, 224, 224]);
            using var outputs = session.Run(new RunOptions(), ["Input247"], [input], session.OutputNames);
            var expected = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(expected, ((float[])result.Outputs[0].Data)[(row * 512)..((row + 1) * 512)]);
        }
    }

    [Fact]
    public async Task Once_draining_the_tier_is_not_ready_and_refuses_new_work_with_503_and_retry_after()
    {
        Register("drain-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")));
        var host = Host();
        await host.WarmUpAsync(CancellationToken.None);
        Assert.True(host.IsReady);

        host.BeginDrain();
        Assert.False(host.IsReady);
        var refused = await Assert.ThrowsAsync<DomainException>(() => host.InferAsync("drain-iris", null, V2("Features", 1, [1, 2, 3, 4]), "t", CancellationToken.None));
        Assert.Equal(ErrorKind.Unavailable, refused.Kind);
        Assert.NotNull(refused.RetryAfter);
    }

    [Fact]
    public async Task Loading_a_third_version_unloads_the_least_recently_used_of_two_and_a_request_for_it_loads_it_again()
    {
        RegisterVersions("rollout-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")), 3);
        var unloadingTwo = new LogGate("Unloading model rollout-iris version 2 ");
        var host = Host(t => t.MaxVersionsPerModel = 2, logs: unloadingTwo);
        await host.WarmUpAsync(CancellationToken.None); // version 1, the champion
        var row = V2("Features", 1, [5.1f, 3.5f, 1.4f, 0.2f]);
        await host.InferAsync("rollout-iris", "2", row, "t", CancellationToken.None);
        await host.InferAsync("rollout-iris", "1", row, "t", CancellationToken.None); // 1 is now more recent than 2
        await host.InferAsync("rollout-iris", "3", row, "t", CancellationToken.None); // loading 3 unloads 2

        // Unloading runs in the background; it takes the version out of service before it says so.
        await unloadingTwo.Seen.WaitAsync(TimeSpan.FromSeconds(30));
        async Task<bool> Loaded(string version) => (await host.GetMetadataAsync("rollout-iris", version, CancellationToken.None)).Parameters.Ready == true;
        Assert.False(await Loaded("2"));
        Assert.True(await Loaded("1"));
        Assert.True(await Loaded("3"));

        // An unloaded version is loaded again on its next request.
        var again = await host.InferAsync("rollout-iris", "2", row, "t", CancellationToken.None);
        Assert.Equal(2, again.Outputs.Count);
        Assert.True(await Loaded("2"));
    }

    [Fact]
    public async Task A_version_that_fails_to_load_answers_the_same_error_without_reloading_and_asking_whether_a_new_version_is_ready_starts_its_load()
    {
        RegisterVersions("flaky-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")), 2);
        _bytes["flaky-iris/2/model.onnx"] = [1, 2, 3]; // not ONNX
        var clock = new FakeTimeProvider(); // the failure backoff does not lapse during the test
        var host = Host(t => t.Preload = ["flaky-iris"], clock);
        await host.WarmUpAsync(CancellationToken.None);

        var row = V2("Features", 1, [5.1f, 3.5f, 1.4f, 0.2f]);
        var first = await Assert.ThrowsAsync<DomainException>(() => host.InferAsync("flaky-iris", "2", row, "t", CancellationToken.None));
        var second = await Assert.ThrowsAsync<DomainException>(() => host.InferAsync("flaky-iris", "2", row, "t", CancellationToken.None));
        Assert.Equal((ErrorKind.Unavailable, first.Detail), (second.Kind, second.Detail));
        _artifacts.Verify(a => a.DownloadAsync("flaky-iris/2/model.onnx", It.IsAny<CancellationToken>()), Times.Once());

        // Version 3 is registered after start: ready says no and starts loading it; once that load is done it says yes.
        RegisterVersions("flaky-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")), 3);
        var downloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _artifacts.Setup(a => a.DownloadAsync("flaky-iris/3/model.onnx", It.IsAny<CancellationToken>()))
            .Returns(() => { downloading.TrySetResult(); return Task.FromResult(_bytes["flaky-iris/3/model.onnx"]); });
        Assert.False(await host.IsModelReadyAsync("flaky-iris", "3", CancellationToken.None));
        await downloading.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _services!.GetRequiredService<TierModels>().GetAsync("flaky-iris", 3, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)); // joins the load under way
        Assert.True(await host.IsModelReadyAsync("flaky-iris", "3", CancellationToken.None));
        _artifacts.Verify(a => a.DownloadAsync("flaky-iris/3/model.onnx", It.IsAny<CancellationToken>()), Times.Once());
    }

    [Fact]
    public async Task A_tier_that_cannot_warm_any_preloaded_model_stays_not_ready_and_tries_again_after_its_backoff()
    {
        Register("broken-iris", File.ReadAllBytes(TestPaths.SampleModel("iris")));
        _bytes["broken-iris/1/model.onnx"] = [1, 2, 3]; // the stored artifact is not ONNX
        var clock = new TimerSignallingClock();
        var host = Host(clock: clock);
        using var stop = new CancellationTokenSource();
        var warming = host.WarmUpAsync(stop.Token);

        // The first attempt fails and the tier waits out its backoff; moving time past it makes it try again,
        // after which it waits twice as long.
        await clock.WaitForTimerAsync(TierLifecycle.FirstRetry);
        Assert.Equal(1, PreloadAttempts());
        Assert.False(host.IsReady);
        clock.Advance(TierLifecycle.FirstRetry);
        await clock.WaitForTimerAsync(TierLifecycle.FirstRetry * 2);

        Assert.Equal(2, PreloadAttempts());
        Assert.False(host.IsReady);
        Assert.False(warming.IsCompleted);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => warming);
    }

    /// <summary>Each preload attempt lists the gpu-tier cards once.</summary>
    private int PreloadAttempts() => _registry.Invocations.Count(i => i.Method.Name == nameof(IModelRegistry.ListCardsAsync));

    [Fact]
    public void Auto_falls_back_to_cpu_where_the_cuda_provider_is_absent_and_cuda_alone_throws_for_its_missing_entry_point()
    {
        // This test process carries the CPU-only runtime, as a GPU tier replica without CUDA libraries would.
        using (var options = new SessionOptions())
        {
            Assert.Equal(ExecutionProviders.Cpu, new PreferredExecutionProvider(ExecutionProviders.Auto, 0, NullLogger<PreferredExecutionProvider>.Instance).Configure(options));
            using var session = new InferenceSession(TestPaths.SampleModel("iris"), options);
            Assert.NotEmpty(session.InputNames);
        }

        using var strict = new SessionOptions();
        Assert.Throws<EntryPointNotFoundException>(() => new PreferredExecutionProvider(ExecutionProviders.Cuda, 0, NullLogger<PreferredExecutionProvider>.Instance).Configure(strict));
    }

    /// <summary>A logger provider whose <see cref="Seen"/> completes when a message containing <paramref name="text"/> is written.</summary>
    private sealed class LogGate(string text) : ILoggerProvider, ILogger
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains(text, StringComparison.Ordinal))
            {
                _seen.TrySetResult();
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Making_the_batch_dimension_symbolic_lets_resnet18_run_a_batch_that_matches_single_runs()
    {
        var original = File.ReadAllBytes(ResNetDemo.ModelPath);
        using var fixedSession = new InferenceSession(original);
        using var batchable = new InferenceSession(OnnxBatchDimension.MakeSymbolic(original));
        Assert.Equal(1, fixedSession.InputMetadata["Input247"].Dimensions[0]);
        Assert.Equal(-1, batchable.InputMetadata["Input247"].Dimensions[0]);
        Assert.Equal(-1, batchable.OutputMetadata[batchable.OutputNames[0]].Dimensions[0]);

        var random = new Random(11);
        var pixels = Enumerable.Range(0, 3 * 150528).Select(_ => (float)random.NextDouble()).ToArray();
        using var batch = OrtValue.CreateTensorValueFromMemory(pixels, [3, 3, 224, 224]);
        using var batched = batchable.Run(new RunOptions(), ["Input247"], [batch], batchable.OutputNames);
        var all = batched[0].GetTensorDataAsSpan<float>().ToArray();
        for (var row = 0; row < 3; row++)
        {
            using var one = OrtValue.CreateTensorValueFromMemory(pixels[(row * 150528)..((row + 1) * 150528)], [1, 3, 224, 224]);
            using var single = fixedSession.Run(new RunOptions(), ["Input247"], [one], fixedSession.OutputNames);
            var expected = single[0].GetTensorDataAsSpan<float>().ToArray();
            for (var k = 0; k < 512; k++)
            {
                Assert.Equal(expected[k], all[row * 512 + k], 1e-4);
            }
        }
    }
}
