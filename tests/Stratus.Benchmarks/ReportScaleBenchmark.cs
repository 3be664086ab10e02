using System.Diagnostics;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Monitoring;
using Stratus.Registry;
using Stratus.Reliability.References;
using Stratus.Reliability.Reports;

namespace Stratus.Benchmarks;

/// <summary>
/// The time to compute monitoring reports (drift, realized metrics and performance estimates) for many models, each
/// with a day of hourly windows written by two instances, from storage (Azurite on 127.0.0.1), as MonitorAll does.
/// </summary>
public static class ReportScaleBenchmark
{
    public static async Task<int> RunAsync(int models, int windows)
    {
        await using var host = await BenchmarkRunner.StartAsync("http://127.0.0.1:5083", "bench-key");
        var runner = host.Runner;
        var registry = runner.Services.GetRequiredService<ModelManagementService>();
        var references = runner.Services.GetRequiredService<ReferenceService>();
        var versions = runner.Services.GetRequiredService<MonitoredVersions>();
        var store = runner.Services.GetRequiredService<IMonitoringStore>();
        var features = File.ReadLines(BenchmarkOptions.DataPath).First().Split(',')[..^1];
        var onnx = await File.ReadAllBytesAsync(BenchmarkOptions.ModelPath);
        var end = new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
        var setup = Stopwatch.StartNew();
        for (var m = 0; m < models; m++)
        {
            var name = $"report-{m:D3}";
            await registry.UpsertCardAsync(name, new ModelCardUpdate { Name = name, Task = ModelTask.BinaryClassification, FeatureNames = features }, null, CancellationToken.None);
            var version = await registry.UploadVersionAsync(name, new MemoryStream(onnx), onnx.Length, null, CancellationToken.None);
            await registry.SetAliasAsync(name, Aliases.Champion, version.Version, ifMatch: null, CancellationToken.None);
            await using (var csv = File.OpenRead(BenchmarkOptions.DataPath))
            {
                await references.PutCsvAsync(name, version.Version, csv, null, ReferenceSet.UploadSource, CancellationToken.None);
            }

            // Every window as full as the reference itself, from each of two instances (reports merge them).
            var reference = (await versions.GetAsync(name, version.Version, CancellationToken.None))!.Reference!;
            var counts = Counts(reference.Sketches);
            for (var w = 1; w <= windows; w++)
            {
                foreach (var instance in new[] { "a", "b" })
                {
                    await store.WriteAsync(name, version.Version, end.AddHours(-w), instance, counts, CancellationToken.None);
                }
            }
        }

        Console.WriteLine($"setup: {models} models with references and {windows} windows × 2 instances each in {setup.Elapsed.TotalSeconds:F0} s");
        var reports = runner.Services.GetRequiredService<MonitoringReportService>();
        var cardStore = runner.Services.GetRequiredService<Stratus.Core.Abstractions.IModelRegistry>();
        var cards = await Task.WhenAll(Enumerable.Range(0, models).Select(async m => (await cardStore.GetCardAsync($"report-{m:D3}", CancellationToken.None))!));
        foreach (var parallel in new[] { 1, 16 })
        {
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(cards, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (card, ct) =>
            {
                var report = await reports.EvaluateAsync(card.Value, 1, end.AddHours(-windows), end, ct);
                if (report.Rows == 0 || !report.Estimation.Available)
                {
                    throw new InvalidOperationException($"{card.Value.Name}: {report.Rows} rows, estimation {report.Estimation.Reason}");
                }
            });
            Console.WriteLine(FormattableString.Invariant($"{models} reports over {windows} windows, {parallel} at a time: {watch.Elapsed.TotalSeconds:F2} s ({watch.Elapsed.TotalMilliseconds / models:F0} ms per model)"));
        }

        return 0;
    }

    /// <summary>One window's counts: the reference's own bins, and served probabilities spread over the estimation histograms.</summary>
    private static WindowCounts Counts(MonitoringReference reference)
    {
        var random = new Random(1);
        var sumCounts = reference.Sums.ToDictionary(s => s.Name, s => Enumerable.Range(0, s.Bins).Select(_ => (long)random.Next(0, 3)).ToArray());
        return new WindowCounts
        {
            Rows = reference.Rows,
            Reference = reference.Id,
            Bins = reference.Features.ToDictionary(f => f.Name, f => f.Counts.ToArray()),
            Missing = reference.Features.ToDictionary(f => f.Name, f => f.Missing),
            SumCounts = sumCounts,
            Sums = sumCounts.ToDictionary(p => p.Key, p => p.Value.Select((n, bin) => n * (bin + 0.5) / p.Value.Length).ToArray()),
        };
    }
}
