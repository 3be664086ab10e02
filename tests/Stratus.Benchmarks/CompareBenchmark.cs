namespace Stratus.Benchmarks;

/// <summary>
/// Two already-running servers against each other: rounds alternate between the two at each concurrency (the
/// order flipping every round, so drift in background noise falls on both evenly), and the median round is reported
/// with the ratio. Where the servers' process ids are known, their CPU time per request is reported too.
/// </summary>
public static class CompareBenchmark
{
    private const int WarmUpSeconds = 30;

    public static Task<int> RunAsync(BenchmarkOptions options, string minimalUrl, string stratusUrl, int rounds) =>
        RunAsync(options, new LoadGenerator.Target("minimal endpoint", minimalUrl, "/predict", null), new LoadGenerator.Target("Stratus predict", stratusUrl, "/api/models/breast-cancer/predict", options.Key), rounds);

    /// <summary>Stratus with monitoring off (:5082) against monitoring on (:5081): the cost of observing every row.</summary>
    public static Task<int> MonitoringAsync(BenchmarkOptions options, int rounds) =>
        PairAsync(options, rounds, "Stratus, monitoring off", "Stratus, monitoring on");

    /// <summary>Stratus without an experiment (:5082) against the same with a shadow experiment running every call again (:5081).</summary>
    public static Task<int> ShadowAsync(BenchmarkOptions options, int rounds) =>
        PairAsync(options, rounds, "Stratus, no experiment", "Stratus, shadow experiment");

    /// <summary>Two Stratus runners on predict: the baseline on :5082 and the candidate on :5081, with their process ids when given (baseline first).</summary>
    private static Task<int> PairAsync(BenchmarkOptions options, int rounds, string baseline, string candidate) =>
        RunAsync(
            options,
            new LoadGenerator.Target(baseline, "http://127.0.0.1:5082", "/api/models/breast-cancer/predict", options.Key, options.Pids.ElementAtOrDefault(0) is > 0 and var b ? b : null),
            new LoadGenerator.Target(candidate, "http://127.0.0.1:5081", "/api/models/breast-cancer/predict", options.Key, options.Pids.ElementAtOrDefault(1) is > 0 and var c ? c : null),
            rounds);

    private static async Task<int> RunAsync(BenchmarkOptions options, LoadGenerator.Target baseline, LoadGenerator.Target candidate, int rounds)
    {
        // Both servers warm before any round: tiered JIT keeps compiling for tens of seconds under load on two cores,
        // and a server measured while its JIT still runs loses a quarter of its throughput to it.
        foreach (var target in new[] { baseline, candidate })
        {
            await LoadGenerator.MeasureAsync(target, options.Connections.Max(), 1, TimeSpan.FromSeconds(WarmUpSeconds));
        }

        var ratios = new List<string>();
        foreach (var connections in options.Connections)
        {
            var results = new Dictionary<LoadGenerator.Target, List<(long[] Ticks, long Errors, double CpuSeconds)>> { [baseline] = [], [candidate] = [] };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var target in round % 2 == 0 ? new[] { baseline, candidate } : [candidate, baseline])
                {
                    results[target].Add(await LoadGenerator.MeasureAsync(target, connections, options.Seconds, TimeSpan.FromSeconds(round == 0 ? 3 : 1)));
                }
            }

            var throughput = new Dictionary<LoadGenerator.Target, double>();
            var cpuPerRequest = new Dictionary<LoadGenerator.Target, double>();
            foreach (var (target, runs) in results)
            {
                var median = runs.OrderBy(r => r.Ticks.Length).ElementAt(runs.Count / 2);
                throughput[target] = median.Ticks.Length / (double)options.Seconds;
                cpuPerRequest[target] = Median(runs.Select(r => r.CpuSeconds * 1e6 / Math.Max(1, r.Ticks.Length)));
                Report.Print(target.Name, connections, median.Ticks, options.Seconds, median.Errors);
            }

            // Paired by round: each ratio compares two runs minutes apart at most, not the best of one with the worst of the other.
            var p50 = results.ToDictionary(r => r.Key, r => Median(r.Value.Select(run => Quantile(run.Ticks, 0.5))));
            var paired = Median(Enumerable.Range(0, rounds).Select(r => results[candidate][r].Ticks.Length / (double)Math.Max(1, results[baseline][r].Ticks.Length)));
            var line = FormattableString.Invariant($"{connections} connections: {100 * throughput[candidate] / throughput[baseline]:F0}% (median of paired rounds {100 * paired:F0}%); median p50 {p50[baseline]:F3} vs {p50[candidate]:F3} ms ({100 * p50[candidate] / p50[baseline]:F0}%)");
            if (baseline.Pid is not null && candidate.Pid is not null)
            {
                line += FormattableString.Invariant($"; server CPU per request {cpuPerRequest[baseline]:F1} vs {cpuPerRequest[candidate]:F1} µs, throughput at equal CPU {100 * cpuPerRequest[baseline] / cpuPerRequest[candidate]:F0}%");
            }

            ratios.Add(line);
        }

        Console.WriteLine();
        Console.WriteLine($"{candidate.Name} / {baseline.Name} throughput (median of {rounds} alternating rounds):");
        foreach (var ratio in ratios)
        {
            Console.WriteLine($"- {ratio}");
        }

        return 0;
    }

    private static double Quantile(long[] ticks, double q)
    {
        var sorted = ticks.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
