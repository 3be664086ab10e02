using System.Diagnostics;

namespace Stratus.Benchmarks;

/// <summary>
/// Stratus' predict against the minimal endpoint, both already running: rounds alternate between the two at
/// each concurrency so background noise falls on both, and the median round is reported with the ratio.
/// </summary>
public static class CompareBenchmark
{
    public static Task<int> RunAsync(BenchmarkOptions options, string minimalUrl, string stratusUrl, int rounds) =>
        RunAsync(options, new LoadGenerator.Target("minimal endpoint", minimalUrl, "/predict", null), new LoadGenerator.Target("Stratus predict", stratusUrl, "/api/models/breast-cancer/predict", options.Key), rounds);

    /// <summary>Stratus with monitoring off (:5082) against monitoring on (:5081): the cost of observing every row.</summary>
    public static Task<int> MonitoringAsync(BenchmarkOptions options, int rounds) =>
        RunAsync(options, new LoadGenerator.Target("Stratus, monitoring off", "http://127.0.0.1:5082", "/api/models/breast-cancer/predict", options.Key), new LoadGenerator.Target("Stratus, monitoring on", "http://127.0.0.1:5081", "/api/models/breast-cancer/predict", options.Key), rounds);

    private static async Task<int> RunAsync(BenchmarkOptions options, LoadGenerator.Target minimal, LoadGenerator.Target stratus, int rounds)
    {
        var ratios = new List<string>();
        foreach (var connections in options.Connections)
        {
            var results = new Dictionary<LoadGenerator.Target, List<(long[] Ticks, long Errors)>> { [minimal] = [], [stratus] = [] };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var target in new[] { minimal, stratus })
                {
                    results[target].Add(await LoadGenerator.MeasureAsync(target, connections, options.Seconds, TimeSpan.FromSeconds(round == 0 ? 5 : 1)));
                }
            }

            var medians = new Dictionary<LoadGenerator.Target, double>();
            foreach (var (target, runs) in results)
            {
                var median = runs.OrderBy(r => r.Ticks.Length).ElementAt(runs.Count / 2);
                medians[target] = median.Ticks.Length / (double)options.Seconds;
                Report.Print(target.Name, connections, median.Ticks, options.Seconds, median.Errors);
            }

            ratios.Add(FormattableString.Invariant($"{connections} connections: {100 * medians[stratus] / medians[minimal]:F0}%"));
        }

        Console.WriteLine();
        Console.WriteLine($"{stratus.Name} / {minimal.Name} throughput (median of {rounds} alternating rounds): {string.Join(", ", ratios)}");
        return 0;
    }
}
