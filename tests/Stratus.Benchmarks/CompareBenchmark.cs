using System.Diagnostics;

namespace Stratus.Benchmarks;

/// <summary>
/// Stratus' predict against the minimal endpoint, both already running: rounds alternate between the two at
/// each concurrency so background noise falls on both, and the median round is reported with the ratio.
/// </summary>
public static class CompareBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options, string minimalUrl, string stratusUrl, int rounds)
    {
        var minimal = new LoadGenerator.Target("minimal endpoint", minimalUrl, "/predict", null);
        var stratus = new LoadGenerator.Target("Stratus predict", stratusUrl, "/api/models/breast-cancer/predict", options.Key);
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
        Console.WriteLine($"Stratus / minimal throughput (median of {rounds} alternating rounds): {string.Join(", ", ratios)}");
        return 0;
    }
}
