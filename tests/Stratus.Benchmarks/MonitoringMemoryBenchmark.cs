using System.Globalization;
using Stratus.Monitoring;
using Stratus.Monitoring.Estimation;
using Stratus.Reliability.References;

namespace Stratus.Benchmarks;

/// <summary>
/// Memory one monitored version holds on an instance: its reference sketches (30 numeric features at 100 quantiles,
/// plus the class and probability outputs, as breast_cancer's, and CBPE's two probability histograms) and one open window of counts. Measured over 500
/// versions with forced collections, so per-object overheads are included.
/// </summary>
public static class MonitoringMemoryBenchmark
{
    public const int Versions = 500;

    public static int Run()
    {
        var lines = File.ReadAllLines(BenchmarkOptions.DataPath);
        var header = lines[0].Split(',');
        var names = header[..^1].Append(ReferenceSet.OutputPrefix + "class").Append(ReferenceSet.OutputPrefix + "p(1)").ToArray();
        var random = new Random(1);
        var rows = lines.Skip(1).Select(l => (IReadOnlyList<string?>)l.Split(',')[..^1].Append(l.Split(',')[^1]).Append(random.NextDouble().ToString("R", CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var kinds = names.Select(n => n.EndsWith("class", StringComparison.Ordinal) ? DriftEvaluator.Categorical : DriftEvaluator.Numeric).ToArray();
        var clock = TimeProvider.System;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var references = new MonitoringReference[Versions];
        var recorder = new WindowRecorder(TimeSpan.FromHours(1), clock);
        for (var v = 0; v < Versions; v++)
        {
            // With CBPE's histograms of the positive class's probability, as a binary classifier's reference has them.
            references[v] = MonitoringReference.Build(names, rows, kinds: kinds) with
            {
                Sums = [new SumSketch(PerformanceReference.SketchName("1", true), PerformanceReference.ScoreBins), new SumSketch(PerformanceReference.SketchName("1", false), PerformanceReference.ScoreBins)],
            };
            var row = rows[v % rows.Length];
            recorder.Record("bench", v + 1, references[v], i => (row[i], double.NaN));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(references);
        GC.KeepAlive(recorder);
        Console.WriteLine(FormattableString.Invariant($"monitored versions: {Versions}; bytes per version (reference sketches + one open window): {(after - before) / Versions:N0}"));
        return 0;
    }
}
