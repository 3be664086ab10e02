using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MathNet.Numerics.Distributions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Registry;
using Stratus.Serving.Onnx;

namespace Stratus.Benchmarks;

/// <summary>
/// Many models behind one instance: <c>models</c> registered models (the breast-cancer ONNX file uploaded under each
/// name, so each has its own session), traffic whose model is drawn from a Zipf distribution, and a session cache
/// budget that holds <c>cached</c> of them. Reports the hit rate (the cache's own lookup counter), latency with the cold
/// loads in it, and memory: what the cache estimates against its budget, and what the process really holds.
/// </summary>
public static class ManyModelsBenchmark
{
    private const string Key = "bench-key";

    public static async Task<int> RunAsync(int models, int cached, double exponent, int connections, int seconds)
    {
        if (cached < 2 || cached > models)
        {
            throw new ArgumentOutOfRangeException(nameof(cached), cached, $"between 2 and the number of models ({models})");
        }

        var model = await File.ReadAllBytesAsync(BenchmarkOptions.ModelPath);
        var estimate = model.Length + new ServingOptions().SessionOverheadBytes; // as the cache counts a session
        var budget = cached * estimate;
        await using var host = await BenchmarkRunner.StartAsync("http://127.0.0.1:0", Key, new Dictionary<string, string?>
        {
            [OptionPath.Of(o => o.Serving.SessionCacheBytes).Key] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [OptionPaths.ServingWarmupModels.Key] = "0",
        });
        var services = host.Services;
        var registry = services.GetRequiredService<ModelManagementService>();
        var cache = services.GetRequiredService<ModelSessionCache>();
        var features = File.ReadLines(BenchmarkOptions.DataPath).First().Split(',')[..^1];
        var names = Enumerable.Range(0, models).Select(i => $"mm-{i:D3}").ToArray();
        var registering = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
        {
            await registry.UpsertCardAsync(name, new ModelCardUpdate { Name = name, Task = ModelTask.BinaryClassification, FeatureNames = features }, null, ct);
            var version = await registry.UploadVersionAsync(name, new MemoryStream(model), model.Length, null, ct);
            await registry.SetAliasAsync(name, Aliases.Champion, version.Version, ifMatch: null, ct);
        });
        Console.WriteLine($"registered {models} models in {registering.Elapsed.TotalSeconds:F1} s; session budget {budget:N0} bytes ({cached} × {estimate:N0})");

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false }) { BaseAddress = host.Runner.BaseAddress };
        client.DefaultRequestHeaders.Add("x-functions-key", Key);
        var body = System.Text.Encoding.UTF8.GetBytes(BenchmarkOptions.Body);
        async Task<bool> PredictAsync(string name)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync($"/api/models/{name}/predict", content);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode;
        }

        // What one session really costs: the process's resident memory before and after loading `cached` sessions one by
        // one (the first load, which initialises ONNX Runtime itself, happens before the baseline).
        if (!await PredictAsync(names[^1]))
        {
            throw new InvalidOperationException("predict failed");
        }

        var before = Resident();
        foreach (var name in names.Take(cached - 1))
        {
            await PredictAsync(name);
        }

        var after = Resident();
        Console.WriteLine(FormattableString.Invariant($"resident memory for {cached - 1} more sessions: {(after - before) / 1048576.0:F1} MiB, {(after - before) / (cached - 1) / 1024.0:F0} KiB per session (artifact {model.Length / 1024.0:F0} KiB)"));

        // Zipf traffic: each connection draws the next request's model; rank 1 is the most popular.
        long hits = 0, misses = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "stratus.session_cache.lookups")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "hit")
                {
                    Interlocked.Add(ref (tag.Value is true ? ref hits : ref misses), value);
                }
            }
        });
        listener.Start();

        var warm = new ConcurrentBag<long>();
        var cold = new ConcurrentBag<long>();
        long errors = 0, maxCached = 0, maxCount = 0, maxResident = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            var ticks = 0;
            while (await timer.WaitForNextTickAsync(sampling.Token).ConfigureAwait(false))
            {
                if (++ticks % 20 == 0)
                {
                    Console.WriteLine(FormattableString.Invariant($"  {ticks / 4} s: resident {Resident() / 1048576.0:F0} MiB, managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F0} MiB, {cache.Count} sessions, {Interlocked.Read(ref misses)} loads"));
                }

                Max(ref maxCached, cache.CachedBytes);
                Max(ref maxCount, cache.Count);
                Max(ref maxResident, Resident());
            }
        });
        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            var zipf = new Zipf(exponent, models, new Random(c));
            while (Stopwatch.GetTimestamp() < until)
            {
                var name = names[zipf.Sample() - 1];
                var loaded = cache.IsLoaded(name, 1);
                var start = Stopwatch.GetTimestamp();
                var ok = await PredictAsync(name);
                (loaded ? warm : cold).Add(Stopwatch.GetTimestamp() - start);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        await sampling.CancelAsync();
        await sampler.ContinueWith(_ => { }, TaskScheduler.Default);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var settled = Resident();
        var heap = GC.GetGCMemoryInfo();
        var all = warm.Concat(cold).ToArray();
        Console.WriteLine(FormattableString.Invariant($"Zipf s={exponent}, {models} models, cache for {cached}, {connections} connections, {seconds} s:"));
        Console.WriteLine(FormattableString.Invariant($"- requests {all.Length:N0} ({all.Length / (double)seconds:F0}/s), errors {errors}"));
        Console.WriteLine(FormattableString.Invariant($"- session cache hit rate {hits / (double)Math.Max(1, hits + misses):P1} ({misses:N0} loads); ideal for a static top {cached}: {TopShare(exponent, models, cached):P1}"));
        Console.WriteLine(FormattableString.Invariant($"- latency all: p50 {Ms(all, 0.50):F2} ms, p99 {Ms(all, 0.99):F2} ms; cold loads ({cold.Count:N0}): p50 {Ms(cold, 0.50):F2} ms, p99 {Ms(cold, 0.99):F2} ms"));
        Console.WriteLine(FormattableString.Invariant($"- cache estimate peak {maxCached:N0} of {budget:N0} bytes ({maxCount} sessions at most); resident memory peak {maxResident / 1048576.0:F0} MiB (before the traffic {after / 1048576.0:F0} MiB); after it and a full collection {settled / 1048576.0:F0} MiB, of which the managed heap {heap.HeapSizeBytes / 1048576.0:F0} MiB ({heap.TotalCommittedBytes / 1048576.0:F0} MiB committed)"));
        return errors == 0 ? 0 : 1;
    }

    /// <summary>The share of Zipf(s, n) traffic on its top k ranks: what a cache holding exactly those would hit.</summary>
    private static double TopShare(double s, int n, int k)
    {
        double Mass(int upTo) => Enumerable.Range(1, upTo).Sum(r => Math.Pow(r, -s));
        return Mass(k) / Mass(n);
    }

    private static long Resident()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static void Max(ref long max, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }

    private static double Ms(IEnumerable<long> ticks, double q) => Report.Ms(ticks.Order().ToArray(), q);
}
