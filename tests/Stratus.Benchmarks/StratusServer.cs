using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Registry;
using Stratus.Reliability.References;
using Stratus.LocalRunner;
using Stratus.LocalRunner.Azurite;

namespace Stratus.Benchmarks;

/// <summary>The local runner as users run it (demo models seeded), on its own throw-away Azurite.</summary>
public static class StratusServer
{
    public const string Key = "bench-key";

    public static async Task<int> ServeAsync(BenchmarkOptions options)
    {
        await using var host = await BenchmarkRunner.StartAsync(options.Url, Key, new Dictionary<string, string?>
        {
            [OptionPaths.MonitoringEnabled.Key] = options.Monitoring ? "true" : "false",
        });
        var runner = host.Runner;
        await RegisterBreastCancerAsync(runner);
        var models = runner.Services.GetRequiredService<ModelManagementService>();

        if (options.Shadow)
        {
            // The same model again as v2, run as a shadow of every call the champion serves.
            await using var again = File.OpenRead(BenchmarkOptions.ModelPath);
            var shadow = await models.UploadVersionAsync("breast-cancer", again, again.Length, null, CancellationToken.None);
            await runner.Services.GetRequiredService<Stratus.Experiments.Management.ExperimentService>().StartAsync("breast-cancer", "shadow", new Stratus.Experiments.Management.ExperimentRequest
            {
                Mode = "shadow",
                Metric = new Stratus.Experiments.Management.MetricRequest("benign", null, null),
                Variants = [new("control", null, Aliases.Champion, null), new("shadow", shadow.Version, null, null)],
            }, CancellationToken.None);
        }

        if (options.Mode == "observe-cost")
        {
            return await ObserveCostAsync(runner);
        }

        Console.WriteLine($"stratus at {runner.BaseAddress}api/models/breast-cancer/predict (key {Key}, monitoring {(options.Monitoring ? "on" : "off")}{(options.Shadow ? ", every call shadowed by v2" : "")})");
        await runner.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// The same ONNX file the raw and minimal references load, registered the way users upload models, as champion,
    /// with the dataset as its reference (so every served row is recorded into the sketches when monitoring is on).
    /// </summary>
    public static async Task RegisterBreastCancerAsync(LocalRunnerHost runner)
    {
        var models = runner.Services.GetRequiredService<ModelManagementService>();
        var features = File.ReadLines(BenchmarkOptions.DataPath).First().Split(',')[..^1];
        await models.UpsertCardAsync("breast-cancer", new ModelCardUpdate { Name = "breast-cancer", Task = ModelTask.BinaryClassification, FeatureNames = features }, null, CancellationToken.None);
        await using var onnx = File.OpenRead(BenchmarkOptions.ModelPath);
        var version = await models.UploadVersionAsync("breast-cancer", onnx, onnx.Length, null, CancellationToken.None);
        await models.SetAliasAsync("breast-cancer", Aliases.Champion, version.Version, ifMatch: null, CancellationToken.None);
        await using var csv = File.OpenRead(BenchmarkOptions.DataPath);
        await runner.Services.GetRequiredService<ReferenceService>().PutCsvAsync("breast-cancer", version.Version, csv, null, ReferenceSet.UploadSource, CancellationToken.None);
    }

    /// <summary>The background cost of observing one served row: the monitoring observer alone, in a loop.</summary>
    private static async Task<int> ObserveCostAsync(LocalRunnerHost runner)
    {
        var observer = runner.Services.GetServices<Stratus.Serving.Observation.IPredictionObserver>().OfType<Stratus.Reliability.Recording.MonitoringObserver>().Single();
        using var lease = await runner.Services.GetRequiredService<Stratus.Serving.Onnx.ModelLoader>().AcquireAsync("breast-cancer", 1, CancellationToken.None);
        var inputs = new[] { new Stratus.Serving.Onnx.TensorData("Features", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 30], (float[])BenchmarkOptions.Row.Clone()) };
        var outputs = lease.Model.Run(inputs);
        var served = new Stratus.Serving.Observation.ServedPrediction("breast-cancer", 1, "bench", "rows", ServingTier.Cpu, 1, inputs, outputs, DateTimeOffset.UtcNow);
        // Warm for seconds, not a count of calls: tiered JIT promotes hot methods after a quiet period, and measuring
        // before that times unoptimized code (4–5 times slower, and allocating twice as much).
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(3))
        {
            await observer.ObserveAsync(served with { RequestId = Stratus.Core.Http.LocatableRequestIds.New(DateTimeOffset.UtcNow) }, CancellationToken.None);
        }

        const int N = 200_000;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < N; i++)
        {
            await observer.ObserveAsync(served with { RequestId = Stratus.Core.Http.LocatableRequestIds.New(DateTimeOffset.UtcNow) }, CancellationToken.None);
        }

        watch.Stop();

        var ids = Enumerable.Range(0, N).Select(_ => Stratus.Core.Http.LocatableRequestIds.New(DateTimeOffset.UtcNow)).ToArray();
        var w2Bytes = GC.GetAllocatedBytesForCurrentThread();
        var w2 = System.Diagnostics.Stopwatch.StartNew();
        foreach (var id in ids)
        {
            Stratus.Core.Http.LocatableRequestIds.TryLocate(id, out _);
        }

        Console.WriteLine(FormattableString.Invariant($"locate: {w2.Elapsed.TotalMicroseconds / N:F2} µs, {(GC.GetAllocatedBytesForCurrentThread() - w2Bytes) / N} B"));
        var monitored = (await runner.Services.GetRequiredService<Stratus.Reliability.References.MonitoredVersions>().GetAsync("breast-cancer", 1, CancellationToken.None))!;
        var recorder = runner.Services.GetRequiredService<Stratus.Monitoring.WindowRecorder>();
        var width = monitored.Reference!.Sketches.Features.Count;
        var numbers = Enumerable.Range(0, width).Select(i => i < 30 ? (double)BenchmarkOptions.Row[i] : 0.5).ToArray();
        var texts = new string?[width];
        texts[30] = "1";
        var w4Bytes = GC.GetAllocatedBytesForCurrentThread();
        var w4 = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            recorder.Record("breast-cancer", 1, monitored.Reference.Sketches, 1, numbers, texts);
        }

        Console.WriteLine(FormattableString.Invariant($"record: {w4.Elapsed.TotalMicroseconds / N:F2} µs, {(GC.GetAllocatedBytesForCurrentThread() - w4Bytes) / N} B ({width} sketches)"));
        var w5Bytes = GC.GetAllocatedBytesForCurrentThread();
        var w5 = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            monitored.Outputs.Read(outputs, 1);
            monitored.Columns.Align(inputs);
        }

        Console.WriteLine(FormattableString.Invariant($"read+align: {w5.Elapsed.TotalMicroseconds / N:F2} µs, {(GC.GetAllocatedBytesForCurrentThread() - w5Bytes) / N} B"));
        var versions = runner.Services.GetRequiredService<Stratus.Reliability.References.MonitoredVersions>();
        var w6Bytes = GC.GetAllocatedBytesForCurrentThread();
        var w6 = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            await versions.GetAsync("breast-cancer", 1, CancellationToken.None);
        }

        Console.WriteLine(FormattableString.Invariant($"versions: {w6.Elapsed.TotalMicroseconds / N:F2} µs, {(GC.GetAllocatedBytesForCurrentThread() - w6Bytes) / N} B"));
        var w7Bytes = GC.GetAllocatedBytesForCurrentThread();
        var w7 = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            _ = served with { RequestId = Stratus.Core.Http.LocatableRequestIds.New(DateTimeOffset.UtcNow) };
        }

        Console.WriteLine(FormattableString.Invariant($"loop overhead: {w7.Elapsed.TotalMicroseconds / N:F2} µs, {(GC.GetAllocatedBytesForCurrentThread() - w7Bytes) / N} B"));
        using (var batch = runner.Services.GetRequiredService<Stratus.Core.Monitoring.IPredictionLog>().NewBatch())
        {
            var w3Bytes = GC.GetAllocatedBytesForCurrentThread();
        var w3 = System.Diagnostics.Stopwatch.StartNew();
            foreach (var id in ids)
            {
                batch.Add(new Stratus.Core.Monitoring.LoggedPrediction("breast-cancer", 1, id, 0, "instance", DateTimeOffset.UtcNow, "1", [0.1, 0.9], null));
            }

            Console.WriteLine(FormattableString.Invariant($"batch add: {w3.Elapsed.TotalMicroseconds / N:F2} µs, {(GC.GetAllocatedBytesForCurrentThread() - w3Bytes) / N} B, {batch.Bytes / N} bytes per row"));
        }

        Console.WriteLine(FormattableString.Invariant($"observe: {watch.Elapsed.TotalMicroseconds / N:F2} µs and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / N} bytes per one-row observation"));
        // The same without the prediction log: what recording into the sketches costs on its own.
        var monitoringOptions = runner.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StratusOptions>>().Value.Monitoring;
        monitoringOptions.PredictionLogSampleRate = 0;
        var unloggedBytes = GC.GetAllocatedBytesForCurrentThread();
        var unlogged = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            await observer.ObserveAsync(served with { RequestId = Stratus.Core.Http.LocatableRequestIds.New(DateTimeOffset.UtcNow) }, CancellationToken.None);
        }

        Console.WriteLine(FormattableString.Invariant($"observe without the log: {unlogged.Elapsed.TotalMicroseconds / N:F2} µs and {(GC.GetAllocatedBytesForCurrentThread() - unloggedBytes) / N} bytes"));
        return 0;
    }
}
